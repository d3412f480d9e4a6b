package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/check"
)

// update rewrites golden files instead of comparing:
// go test ./internal/cli -update. It is declared once for the package.
var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with the file at p, or writes it with -update.
func golden(t *testing.T, p string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./internal/cli -update and review the diff):\n--- got\n%s", p, got)
	}
}

// repoRoot is the folder holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's folder")
		}
		dir = parent
	}
}

// runCLI runs meshgate with args and an empty environment.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExplain(t *testing.T) {
	ids := "render-error, render-warning, mesh-injection, mesh-annotation, mesh-env, secret-missing, secret-key-missing, mesh-job-sidecar, mesh-drift, ignore-expired, gitops-not-rendered"
	tests := []struct {
		name       string
		args       []string
		code       int
		stderr     string
		goldenFile string
	}{
		{name: "failure.no-rule", args: []string{"explain"}, code: 2,
			stderr: "meshgate: explain: name one rule: " + ids + "\n"},
		{name: "failure.two-rules", args: []string{"explain", "mesh-env", "mesh-injection"}, code: 2,
			stderr: "meshgate: explain: name one rule: " + ids + "\n"},
		{name: "failure.unknown-rule", args: []string{"explain", "no-such-rule"}, code: 2,
			stderr: "meshgate: explain: unknown rule \"no-such-rule\" (valid: " + ids + ")\n"},
		{name: "failure.misspelt-rule", args: []string{"explain", "mesh-inject"}, code: 2,
			stderr: "meshgate: explain: unknown rule \"mesh-inject\" (did you mean \"mesh-injection\"? valid: " + ids + ")\n"},
		{name: "failure.unknown-format", args: []string{"explain", "--format", "html", "mesh-env"}, code: 2,
			stderr: "meshgate: explain: --format \"html\": want text or markdown\n"},
		{name: "success.markdown", args: []string{"explain", "--format", "markdown", "mesh-env"},
			goldenFile: filepath.Join(repoRoot(t), "docs", "rules", "mesh-env.md")},
		{name: "success.markdown-flag-after-rule", args: []string{"explain", "mesh-env", "--format", "markdown"},
			goldenFile: filepath.Join(repoRoot(t), "docs", "rules", "mesh-env.md")},
	}
	for _, r := range check.Rules {
		tests = append(tests, struct {
			name       string
			args       []string
			code       int
			stderr     string
			goldenFile string
		}{name: "success.text-" + r.ID, args: []string{"explain", r.ID}, goldenFile: filepath.Join("testdata", "explain", r.ID+".txt")})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d", code, tc.code)
			}
			if stderr != tc.stderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, tc.stderr)
			}
			if tc.goldenFile == "" {
				if stdout != "" {
					t.Errorf("stdout = %q, want nothing", stdout)
				}
				return
			}
			if strings.HasPrefix(tc.name, "success.markdown") {
				// docs/rules is written by check's TestRuleDocs.
				want, err := os.ReadFile(tc.goldenFile)
				if err != nil && !*update {
					t.Fatal(err)
				}
				if !*update && stdout != string(want) {
					t.Errorf("stdout is not %s:\n%s", tc.goldenFile, stdout)
				}
				return
			}
			golden(t, tc.goldenFile, []byte(stdout))
		})
	}
}
