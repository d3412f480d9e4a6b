package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/meshgate/meshgate/internal/report"
)

// checkTextAndJSON runs check on the repository at dir, the text report on
// stdout and the JSON one to a file, and returns the exit code, stdout,
// stderr and the JSON report.
func checkTextAndJSON(t *testing.T, getenv func(string) string, dir string) (int, string, string, report.Report) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.json")
	code, stdout, stderr := run(t, getenv, "check", "-C", dir, "--format", "text", "--format", "json", "--output", out)
	var rep report.Report
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("%v; stderr:\n%s", err, stderr)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return code, stdout, stderr, rep
}

// committedCopy copies the tree at src into a new git repository with one
// commit, and returns its folder and a runner of git in it.
func committedCopy(t *testing.T, src string) (string, func(args ...string)) {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, src, dir)
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-qm", "base")
	return dir, git
}
