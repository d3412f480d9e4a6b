package action

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/publish"
	"github.com/meshgate/meshgate/internal/report"
)

// Bounds of the base commit's archive, beyond the config's limit on each
// file (limits.maxRenderedBytes). A GitHub-hosted runner has about 14 GB
// of free disk; a repository whose deploy folder needs more than these is
// not one meshgate can check in a job anyway.
const (
	// maxBaseArchiveBytes bounds the archive as it is unpacked: every
	// entry, those outside working-directory included (a gzip bomb ends
	// here).
	maxBaseArchiveBytes = 4 << 30
	// maxBaseEntries bounds the archive's entries.
	maxBaseEntries = 500_000
)

// archiveLimits bound one unpacking.
type archiveLimits struct {
	// file bounds each file written; total the unpacked archive.
	file, total int64
	entries     int
}

// BaseTree is the pull request's base commit for the engine to check, its
// files downloaded from GitHub as an archive: the Action's image has no
// git, and actions/checkout fetches one commit by default. It needs only
// the token's contents: read, which actions/checkout needs too. nil
// outside a pull request.
func (r *Run) BaseTree(opts publish.Options) *engine.BaseTree {
	if r.prNumber == 0 || r.baseSHA == "" {
		return nil
	}
	if opts.Log == nil {
		opts.Log = r.out
	}
	sha := r.baseSHA
	return &engine.BaseTree{Commit: sha, Fetch: func(ctx context.Context, dir string, limits config.Limits) error {
		body, err := publish.NewAPI(r.target(), opts).Tarball(ctx, sha)
		if err != nil {
			return fmt.Errorf("%s: %v", shortSHA(sha), err)
		}
		defer body.Close()
		n, err := unpackTarball(body, dir, r.pathPrefix(), archiveLimits{file: limits.RenderedBytes(), total: maxBaseArchiveBytes, entries: maxBaseEntries})
		if err != nil {
			return fmt.Errorf("%s: the archive GitHub sent %v", shortSHA(sha), err)
		}
		fmt.Fprintf(r.out, "meshgate: checking base commit %s of pull request #%d too (%s from GitHub's archive%s)\n",
			shortSHA(sha), r.prNumber, report.Plural(n.files, "file", "files"), n.note())
		return nil
	}}
}

// unpacked counts what unpackTarball wrote and passed over.
type unpacked struct {
	files, links int
	// tooBig are the files over the per-file limit, left out: meshgate
	// could not read them in the head's checkout either.
	tooBig int
	// unsafe are the symbolic links left out: absolute, leading outside
	// the folder, or through another link.
	unsafe int
}

func (n unpacked) note() string {
	var parts []string
	if n.tooBig > 0 {
		parts = append(parts, report.Plural(n.tooBig, "file", "files")+" over limits.maxRenderedBytes left out")
	}
	if n.unsafe > 0 {
		parts = append(parts, report.Plural(n.unsafe, "symbolic link", "symbolic links")+" left out (absolute, leading outside, or clashing)")
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, ", ")
}

// errArchiveTooBig ends the unpacking of an archive over its total limit.
var errArchiveTooBig = errors.New("is too big unpacked")

// unpackTarball writes the files of a GitHub repository archive (a gzipped
// tar, every entry under one top folder) that are under prefix (a
// slash-separated folder, "" for all) into dir, relative to prefix. It
// trusts nothing in the archive: a name that is absolute or climbs out
// with ".." is an error, and so is an archive over lim.total bytes or
// lim.entries entries; a file over lim.file bytes is left out; hard links,
// devices and the like are ignored; symbolic links are made last, so that
// nothing is written through one, and only when their target is relative
// and, resolved, stays inside dir.
func unpackTarball(rd io.Reader, dir, prefix string, lim archiveLimits) (unpacked, error) {
	var n unpacked
	gz, err := gzip.NewReader(rd)
	if err != nil {
		return n, fmt.Errorf("is not gzipped: %v", err)
	}
	defer gz.Close()
	tr := tar.NewReader(&capReader{r: gz, max: lim.total})
	var links [][2]string // name, target
	for entries := 0; ; entries++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errArchiveTooBig) {
			return n, fmt.Errorf("is over %d bytes unpacked", lim.total)
		}
		if err != nil {
			return n, fmt.Errorf("cannot be read: %v", err)
		}
		if entries >= lim.entries {
			return n, fmt.Errorf("has more than %d entries", lim.entries)
		}
		name, ok, err := archiveName(h, prefix)
		if err != nil || !ok {
			if err != nil {
				return n, err
			}
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(filepath.Join(dir, name), 0o755)
		case tar.TypeReg:
			if h.Size > lim.file {
				n.tooBig++
				continue
			}
			err = writeArchiveFile(filepath.Join(dir, name), tr, h.Size)
			n.files++
		case tar.TypeSymlink:
			links = append(links, [2]string{name, h.Linkname})
		}
		if errors.Is(err, errArchiveTooBig) {
			return n, fmt.Errorf("is over %d bytes unpacked", lim.total)
		}
		if err != nil {
			return n, fmt.Errorf("cannot be unpacked: %s: %v", filepath.ToSlash(name), err)
		}
	}
	makeLinks(dir, links, &n)
	return n, nil
}

// archiveName is an entry's path below the top folder and prefix; ok is
// false for entries to pass over (the pax global header, the top folder,
// entries outside prefix).
func archiveName(h *tar.Header, prefix string) (string, bool, error) {
	if h.Typeflag == tar.TypeXGlobalHeader || h.Typeflag == tar.TypeXHeader {
		return "", false, nil
	}
	name := strings.TrimSuffix(h.Name, "/")
	_, rest, ok := strings.Cut(name, "/")
	if !ok || rest == "" {
		return "", false, nil // the top folder itself
	}
	if strings.Contains(rest, "\\") || !filepath.IsLocal(rest) || path.Clean(rest) != rest {
		return "", false, fmt.Errorf("has an entry with an unsafe name: %q", h.Name)
	}
	if prefix != "" {
		rel, ok := strings.CutPrefix(rest, prefix+"/")
		if !ok {
			return "", false, nil
		}
		rest = rel
	}
	return filepath.FromSlash(rest), true, nil
}

// writeArchiveFile writes size bytes of r to a new file p. No symbolic
// link exists yet (makeLinks runs last), so p is where it says.
func writeArchiveFile(p string, r io.Reader, size int64) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = io.CopyN(f, r, size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// makeLinks makes the archive's symbolic links whose target is relative,
// whose folder has no link on the way, and which, resolved in the
// finished tree, stay inside dir; the others are counted as unsafe.
func makeLinks(dir string, links [][2]string, n *unpacked) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		n.unsafe += len(links)
		return
	}
	var made []string
	for _, l := range links {
		name, target := l[0], l[1]
		if target == "" || path.IsAbs(target) || filepath.IsAbs(target) || !filepath.IsLocal(filepath.Join(filepath.Dir(name), target)) ||
			!realFolder(dir, filepath.Dir(name)) || os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755) != nil ||
			os.Symlink(target, filepath.Join(dir, name)) != nil {
			n.unsafe++
			continue
		}
		made = append(made, filepath.Join(dir, name))
	}
	// A link may lead through others: judge each where all of them lead.
	for _, p := range made {
		real, err := filepath.EvalSymlinks(p)
		if err != nil || !inside(root, real) {
			os.Remove(p)
			n.unsafe++
			continue
		}
		n.links++
	}
}

// realFolder reports whether every folder from dir down to rel is a
// folder, not a symbolic link (folders that do not exist yet are fine).
func realFolder(dir, rel string) bool {
	p := dir
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if part == "." || part == "" {
			continue
		}
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if errors.Is(err, os.ErrNotExist) {
			return true
		}
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// inside reports whether p is root or below it.
func inside(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && filepath.IsLocal(rel)
}

// capReader reads r and fails with errArchiveTooBig once more than max
// bytes have come.
type capReader struct {
	r         io.Reader
	max, read int64
}

func (c *capReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	if c.read > c.max {
		return n, errArchiveTooBig
	}
	return n, err
}
