package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/report"
	"github.com/meshgate/meshgate/internal/testrepo"
)

// demoCopy is a copy of testdata/demo.
func demoCopy(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(repoRoot(t), "testdata", "demo"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// reportOfDir checks dir and reads its JSON report.
func reportOfDir(t *testing.T, dir string) report.Report {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.json")
	if code, _, stderr := run(t, env("MESHGATE_TODAY", "2026-11-25"), "check", "-C", dir, "--format", "json", "--output", out); code > 1 {
		t.Fatalf("check %s: exit %d\n%s", dir, code, stderr)
	}
	rep, err := engine.ReadReport(out)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

var (
	fixClaim = regexp.MustCompile(`(?m)^meshgate: (\d+) fix(?:es)?, proven by checking every environment again: (?:they remove|it removes) (\d+) gaps? and adds? none$`)
	fixGap   = regexp.MustCompile(`([a-z-]+) in ([a-z-]+)`)
	fixLine  = regexp.MustCompile(`(?m)^  \S+:\d+(?:-\d+)?: .* \(([^()]*)\)$`)
)

// TestFixDemo: `meshgate fix` on the demo prints the proven fixes as a
// diff (golden) that git apply and patch -p1 apply; `meshgate fix --write`
// writes the same files, and afterwards the demo's report has lost
// exactly as many gaps as the fixes claim, the gaps each fix names among
// them, and gained none. The exit code is check's after the fixes.
func TestFixDemo(t *testing.T) {
	getenv := env("MESHGATE_TODAY", "2026-11-25")
	printed := demoCopy(t)
	code, diff, stderr := run(t, getenv, "fix", printed)
	if code != 1 {
		t.Errorf("fix: exit %d, want 1 (errors remain); stderr:\n%s", code, stderr)
	}
	golden(t, filepath.Join("testdata", "fix", "demo.diff"), []byte(diff))
	golden(t, filepath.Join("testdata", "fix", "demo.stderr"), []byte(stderr))

	written := demoCopy(t)
	before := reportOfDir(t, written)
	code, stdout, wstderr := run(t, getenv, "fix", "--write", "-C", written)
	if code != 1 || stdout != "" {
		t.Errorf("fix --write: exit %d, stdout %q", code, stdout)
	}
	after := reportOfDir(t, written)
	m := fixClaim.FindStringSubmatch(wstderr)
	if m == nil {
		t.Fatalf("fix --write claims nothing:\n%s", wstderr)
	}
	claimed, _ := strconv.Atoi(m[2])
	had := map[string]bool{}
	for _, f := range before.Findings {
		had[f.Fingerprint] = true
	}
	has := map[string]bool{}
	for _, f := range after.Findings {
		has[f.Fingerprint] = true
		if !had[f.Fingerprint] {
			t.Errorf("fix --write adds %s %s in %s", f.Rule, f.WorkloadID(), f.Environment)
		}
	}
	var gone []string
	for _, f := range before.Findings {
		if !has[f.Fingerprint] {
			gone = append(gone, f.Rule+" in "+f.Environment)
		}
	}
	if len(gone) != claimed || claimed == 0 {
		t.Errorf("fix --write removes %d gaps (%v), it claims %d:\n%s", len(gone), gone, claimed, wstderr)
	}
	for _, l := range fixLine.FindAllStringSubmatch(wstderr, -1) {
		for _, g := range fixGap.FindAllString(l[1], -1) {
			if !slices.Contains(gone, g) {
				t.Errorf("a fix names %s, which is not removed", g)
			}
		}
	}
	if !strings.Contains(wstderr, "meshgate: wrote ") {
		t.Errorf("fix --write does not say what it wrote:\n%s", wstderr)
	}

	for _, tool := range [][]string{{"git", "apply"}, {"patch", "-p1", "--quiet"}} {
		if _, err := exec.LookPath(tool[0]); err != nil {
			t.Logf("%s is not installed", tool[0])
			continue
		}
		applied := demoCopy(t)
		cmd := exec.Command(tool[0], tool[1:]...)
		cmd.Dir, cmd.Stdin = applied, strings.NewReader(diff)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(tool, " "), err, out)
		}
		assertSameTree(t, written, applied)
	}
}

// assertSameTree: the files of dir b are those of a, byte for byte.
func assertSameTree(t *testing.T, a, b string) {
	t.Helper()
	err := filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs between --write and the applied diff", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFixNothingToFix: a repository without fixable gaps gets no diff, a
// line saying so, and check's exit code.
func TestFixNothingToFix(t *testing.T) {
	dir := t.TempDir()
	testrepo.Write(t, dir, map[string]string{
		".meshgate.yaml":            "environments:\n  - name: prod\n    kustomize: {path: deploy}\n    namespace: shop\nmesh:\n  provider: none\n",
		"deploy/kustomization.yaml": "resources: [api.yaml]\n",
		"deploy/api.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n" +
			"      containers:\n        - name: app\n          image: api:1.0\n",
	})
	code, stdout, stderr := run(t, env(), "fix", "-C", dir)
	if code != 0 || stdout != "" || stderr != "meshgate: no fix to suggest\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = run(t, env(), "fix", "--fail-on", "sometimes", "-C", dir)
	if code != 2 || stderr != "meshgate: fix: --fail-on \"sometimes\": want error, warning or never\n" {
		t.Errorf("bad --fail-on: exit %d, stderr %q", code, stderr)
	}
}
