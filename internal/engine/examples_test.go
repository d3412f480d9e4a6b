package engine

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/finding"
)

// exampleDay is the day the rule examples are checked on.
var exampleDay = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// TestRuleExamples runs every rule's examples through the engine
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
	plan, err := NewPlan(context.Background(), Request{Dir: root})
	if err != nil {
		t.Fatalf("example config: %v\n%s", err, cfg)
	}
	plan.Today = exampleDay
	rep, err := Run(context.Background(), plan)
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
