package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/finding"
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
	ids := "render-error, mesh-injection, mesh-annotation, mesh-env, secret-missing, secret-key-missing, mesh-job-sidecar, ignore-expired"
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

// exampleDay is the day the rule examples are checked on.
var exampleDay = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// TestRuleExamples runs every rule's examples through the whole pipeline
// (render, manifest, check, exemptions): the failing one gives exactly the
// rule's Example finding at its default severity, and the fixed one none.
func TestRuleExamples(t *testing.T) {
	for _, r := range check.Rules {
		t.Run(r.ID, func(t *testing.T) {
			if len(r.Failing.Files) == 0 || (len(r.Passing.Files) == 0 && r.Passing.Config == "") {
				t.Fatal("the rule has no failing or no passing example")
			}
			var got []finding.Finding
			for _, f := range checkExample(t, r.Failing) {
				if f.Rule == r.ID {
					got = append(got, f)
				} else if r.ID != finding.RuleIgnoreExpired {
					// An expired exemption reports what it covered again.
					t.Errorf("failing example also gives %s: %s", f.Rule, f.Message)
				}
			}
			if len(got) != 1 {
				t.Fatalf("failing example gives %d %s findings, want 1: %+v", len(got), r.ID, got)
			}
			if got[0].Message != r.Example {
				t.Errorf("failing example's message:\n%s\nwant the rule's Example:\n%s", got[0].Message, r.Example)
			}
			if got[0].Severity != r.Severity {
				t.Errorf("severity %s, want %s", got[0].Severity, r.Severity)
			}
			for _, f := range checkExample(t, fixedExample(r.Failing, r.Passing)) {
				t.Errorf("passing example gives %s: %s", f.Rule, f.Message)
			}
		})
	}
}

// fixedExample applies a Passing example to its Failing one.
func fixedExample(failing, passing check.Example) check.Example {
	out := check.Example{Config: failing.Config}
	if passing.Config != "" {
		out.Config = passing.Config
	}
	replaced := map[string]string{}
	for _, f := range passing.Files {
		replaced[f.Path] = f.Content
	}
	for _, f := range failing.Files {
		if c, ok := replaced[f.Path]; ok {
			f.Content = c
			delete(replaced, f.Path)
		}
		out.Files = append(out.Files, f)
	}
	for _, f := range passing.Files {
		if _, ok := replaced[f.Path]; ok {
			out.Files = append(out.Files, f)
		}
	}
	return out
}

// checkExample writes the example into a repository and checks it the way
// `meshgate check` does, on exampleDay.
func checkExample(t *testing.T, e check.Example) []finding.Finding {
	t.Helper()
	root := t.TempDir()
	cfg := e.Config
	if !strings.Contains(cfg, "environments:") {
		cfg = exampleEnvironment(t, e) + cfg
	}
	files := append([]check.ExampleFile{{Path: ".meshgate.yaml", Content: cfg}}, e.Files...)
	if !strings.Contains(cfg, "helm:") && !slices.ContainsFunc(files, func(f check.ExampleFile) bool { return path.Base(f.Path) == "kustomization.yaml" }) {
		var res []string
		for _, f := range e.Files {
			res = append(res, path.Base(f.Path))
		}
		sort.Strings(res)
		files = append(files, check.ExampleFile{Path: "deploy/kustomization.yaml", Content: "resources:\n  - " + strings.Join(res, "\n  - ") + "\n"})
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.Content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plan, err := engine.NewPlan(context.Background(), engine.Request{Dir: root})
	if err != nil {
		t.Fatalf("example config: %v\n%s", err, cfg)
	}
	plan.Today = exampleDay
	rep, err := engine.Run(context.Background(), plan)
	if err != nil {
		t.Fatalf("example: %v", err)
	}
	return rep.Findings
}

// exampleEnvironment is the environment an example without one is checked
// as (see check.Example).
func exampleEnvironment(t *testing.T, e check.Example) string {
	for _, f := range e.Files {
		if path.Base(f.Path) == "Chart.yaml" {
			return "environments:\n  - name: prod\n    helm:\n      chart: " + path.Dir(f.Path) + "\n      namespace: shop\n"
		}
	}
	for _, f := range e.Files {
		if path.Dir(f.Path) != "deploy" {
			t.Fatalf("%s: example manifests live in deploy/", f.Path)
		}
	}
	return "environments:\n  - name: prod\n    kustomize:\n      path: deploy\n    namespace: shop\n"
}
