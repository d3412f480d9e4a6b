package action

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/publish/githubtest"
)

// tarEntry is one entry of a hand-made archive.
type tarEntry struct {
	name, body, link string
	typ              byte
	size             int64 // the header's size when body is empty
}

func tgz(t *testing.T, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: 0o644, Size: int64(len(e.body))}
		if e.typ == tar.TypeXGlobalHeader {
			h = &tar.Header{Typeflag: e.typ, Name: e.name, PAXRecords: map[string]string{"comment": "f95f852"}, Format: tar.FormatPAX}
		}
		if e.typ == 0 {
			h.Typeflag = tar.TypeReg
		}
		if e.typ == tar.TypeDir || e.typ == tar.TypeSymlink || e.typ == tar.TypeLink || e.typ == tar.TypeChar {
			h.Size = 0
		}
		if e.size > 0 {
			h.Size = e.size
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		body := []byte(e.body)
		if e.size > 0 {
			body = make([]byte, e.size)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tree lists dir: "path" for a file with its content, "path -> target"
// for a link, "path/" for a folder.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out = append(out, rel+" -> "+target)
		case d.IsDir():
			out = append(out, rel+"/")
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, rel+" = "+string(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

var testArchiveLimits = archiveLimits{file: 64, total: 1 << 20, entries: 100}

// TestUnpackTarball: what lands in the folder from a GitHub archive, and
// what of a hostile one does not.
func TestUnpackTarball(t *testing.T) {
	top := "Codertocat-Hello-World-f95f852/"
	tests := []struct {
		name    string
		prefix  string
		lim     archiveLimits
		entries []tarEntry
		want    []string
		counts  unpacked
		wantErr string
	}{
		{
			name: "github-archive",
			entries: []tarEntry{
				{name: "pax_global_header", typ: tar.TypeXGlobalHeader},
				{name: top, typ: tar.TypeDir},
				{name: top + "deploy/", typ: tar.TypeDir},
				{name: top + "deploy/kustomization.yaml", body: "resources: [web.yaml]\n"},
				{name: top + "deploy/web.yaml", body: "kind: Deployment\n"},
				{name: top + "deploy/current", typ: tar.TypeSymlink, link: "web.yaml"},
			},
			want:   []string{"deploy/", "deploy/current -> web.yaml", "deploy/kustomization.yaml = resources: [web.yaml]\n", "deploy/web.yaml = kind: Deployment\n"},
			counts: unpacked{files: 2, links: 1},
		},
		{
			name:   "only-working-directory",
			prefix: "platform",
			entries: []tarEntry{
				{name: top + "README.md", body: "outside"},
				{name: top + "platform/.meshgate.yaml", body: "environments: []\n"},
				{name: top + "platformer/x.yaml", body: "outside too"},
			},
			want:   []string{".meshgate.yaml = environments: []\n"},
			counts: unpacked{files: 1},
		},
		{
			name:    "dot-dot",
			entries: []tarEntry{{name: top + "../../etc/cron.d/x", body: "evil"}},
			wantErr: `has an entry with an unsafe name: "Codertocat-Hello-World-f95f852/../../etc/cron.d/x"`,
		},
		{
			name:    "dot-dot-inside",
			entries: []tarEntry{{name: top + "a/../../x", body: "evil"}},
			wantErr: `has an entry with an unsafe name: "Codertocat-Hello-World-f95f852/a/../../x"`,
		},
		{
			name: "links-that-leave",
			entries: []tarEntry{
				{name: top + "abs", typ: tar.TypeSymlink, link: "/etc/passwd"},
				{name: top + "up", typ: tar.TypeSymlink, link: "../../etc"},
				// Each harmless alone; resolved together, "y" is the
				// folder above: removed once all links exist.
				{name: top + "x", typ: tar.TypeSymlink, link: "."},
				{name: top + "y", typ: tar.TypeSymlink, link: "x/.."},
				{name: top + "ok.yaml", body: "a: 1\n"},
			},
			want:   []string{"ok.yaml = a: 1\n", "x -> ."},
			counts: unpacked{files: 1, links: 1, unsafe: 3},
		},
		{
			name: "write-through-link",
			entries: []tarEntry{
				{name: top + "d", typ: tar.TypeSymlink, link: "."},
				{name: top + "d/f.yaml", body: "a: 1\n"},
				{name: top + "e", typ: tar.TypeSymlink, link: "sub"},
				{name: top + "e/l", typ: tar.TypeSymlink, link: "../.."},
			},
			// The file lands in a real folder d, so the link d clashes;
			// e leads nowhere, and the link under it is not made through it.
			want:   []string{"d/", "d/f.yaml = a: 1\n"},
			counts: unpacked{files: 1, unsafe: 3},
		},
		{
			name: "huge-file-left-out",
			entries: []tarEntry{
				{name: top + "big.bin", size: 65},
				{name: top + "small.yaml", body: "a: 1\n"},
			},
			want:   []string{"small.yaml = a: 1\n"},
			counts: unpacked{files: 1, tooBig: 1},
		},
		{
			name: "hard-links-and-devices-ignored",
			entries: []tarEntry{
				{name: top + "a.yaml", body: "a: 1\n"},
				{name: top + "hard", typ: tar.TypeLink, link: top + "a.yaml"},
				{name: top + "tty", typ: tar.TypeChar},
			},
			want:   []string{"a.yaml = a: 1\n"},
			counts: unpacked{files: 1},
		},
		{
			name:    "too-big-unpacked",
			lim:     archiveLimits{file: 1 << 20, total: 4096, entries: 100},
			entries: []tarEntry{{name: top + "a.bin", size: 8192}},
			wantErr: "is over 4096 bytes unpacked",
		},
		{
			name:    "too-many-entries",
			lim:     archiveLimits{file: 64, total: 1 << 20, entries: 2},
			entries: []tarEntry{{name: top, typ: tar.TypeDir}, {name: top + "a", body: "a"}, {name: top + "b", body: "b"}},
			wantErr: "has more than 2 entries",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "base")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			lim := tt.lim
			if lim == (archiveLimits{}) {
				lim = testArchiveLimits
			}
			n, err := unpackTarball(bytes.NewReader(tgz(t, tt.entries...)), dir, tt.prefix, lim)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if tt.wantErr == "" {
				if got := tree(t, dir); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("unpacked:\n got %q\nwant %q", got, tt.want)
				}
				if n != tt.counts {
					t.Errorf("counts %+v, want %+v", n, tt.counts)
				}
			}
			// Nothing ever lands beside the folder.
			if got := tree(t, parent); len(got) > 0 && !strings.HasPrefix(got[0], "base") {
				t.Errorf("written outside the folder: %q", got)
			}
			for _, p := range tree(t, parent) {
				if !strings.HasPrefix(p, "base") {
					t.Errorf("written outside the folder: %s", p)
				}
			}
		})
	}
	if _, err := unpackTarball(strings.NewReader("not gzip"), t.TempDir(), "", testArchiveLimits); err == nil ||
		!strings.HasPrefix(err.Error(), "is not gzipped: ") {
		t.Errorf("not gzip: %v", err)
	}
}

// TestBaseTreeFetch: the Action fetches the pull request's base commit from
// the fake API, working-directory's files only; a base GitHub does not
// serve is an error that names the commit and what to do.
func TestBaseTreeFetch(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{Owner: prOwner, Repo: prRepo})
	srv.AddArchive(prBaseSHA, githubtest.Tarball(t, "Codertocat-Hello-World-f95f852", prBaseSHA, map[string]string{
		"README.md":                          "hello\n",
		"platform/deploy/kustomization.yaml": "resources: []\n",
	}))
	h := prHarness(t, srv, "opened", prHeadSHA, nil)
	h.env["INPUT_WORKING-DIRECTORY"] = "platform"
	r := h.load()
	bt := r.BaseTree(h.opts())
	if bt == nil || bt.Commit != prBaseSHA {
		t.Fatalf("BaseTree = %+v, want the base commit %s", bt, prBaseSHA)
	}
	dir := t.TempDir()
	logStart := h.stdout.Len()
	if err := bt.Fetch(t.Context(), dir, config.Limits{}); err != nil {
		t.Fatal(err)
	}
	if got, want := tree(t, dir), []string{"deploy/", "deploy/kustomization.yaml = resources: []\n"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fetched %q, want %q", got, want)
	}
	if got, want := h.stdout.String()[logStart:], "meshgate: checking base commit f95f852bd8fc of pull request #2 too (1 file from GitHub's archive)\n"; got != want {
		t.Errorf("log %q, want %q", got, want)
	}

	srv.Inject(githubtest.Answer("repos/download-tarball-archive", 404, githubtest.NotFoundMessage))
	err := bt.Fetch(t.Context(), t.TempDir(), config.Limits{})
	want := "f95f852bd8fc: GitHub answered 404 Not Found to the archive request: " +
		"the token needs contents: read (list it in the workflow's permissions: block), or the commit is gone"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
	h.assertNoTokenLeak()

	push := newHarness(t, srv, prOwner+"/"+prRepo, "push", githubtest.EventFile(t, "push", "", nil))
	if bt := push.load().BaseTree(push.opts()); bt != nil {
		t.Errorf("a push has a base tree: %+v", bt)
	}
}

// TestBase: a checkout that has the base commit is compared through git;
// one that has not (the Action's image has no git, actions/checkout
// fetches one commit) through GitHub's archive; a push has no base.
func TestBase(t *testing.T) {
	srv := prServer(t, githubtest.Options{})
	repo := t.TempDir()
	for _, args := range [][]string{{"init", "-q"}, {"commit", "-q", "--allow-empty", "-m", "base"}} {
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	out, err := exec.Command("git", "-C", repo, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	sha := strings.TrimSpace(string(out))
	h := prHarness(t, srv, "opened", prHeadSHA, func(p map[string]any) { githubtest.Set(p, "pull_request.base.sha", sha) })
	r := h.load()
	if ref, tree := r.Base(t.Context(), repo, h.opts()); ref != sha || tree != nil {
		t.Errorf("checkout with the base commit: ref %q, tree %+v; want %s and no tree", ref, tree, sha)
	}
	if ref, tree := r.Base(t.Context(), t.TempDir(), h.opts()); ref != "" || tree == nil || tree.Commit != sha {
		t.Errorf("checkout without it: ref %q, tree %+v; want the archive of %s", ref, tree, sha)
	}
	push := newHarness(t, srv, prOwner+"/"+prRepo, "push", githubtest.EventFile(t, "push", "", nil))
	if ref, tree := push.load().Base(t.Context(), repo, push.opts()); ref != "" || tree != nil {
		t.Errorf("push: ref %q, tree %+v; want no base", ref, tree)
	}
}
