package engine

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/report"
	"github.com/meshgate/meshgate/internal/testrepo"
)

// baseTestDeployment is an unmeshed Deployment named name (a mesh-injection
// error in the root kustomization's namespace, which is not injected).
func baseTestDeployment(name string) string {
	return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + "}\nspec:\n  selector: {matchLabels: {app: " + name + "}}\n" +
		"  template:\n    metadata: {labels: {app: " + name + "}}\n    spec:\n      containers: [{name: " + name + ", image: " + name + ":1}]\n"
}

// TestBaseTree: the base's files come from BaseTree.Fetch (the Action
// downloads them from GitHub). A root kustomization is the same environment
// in the head checkout and in the fetched folder, the gap the head adds is
// the only new one, and the report names the base commit.
func TestBaseTree(t *testing.T) {
	head := filepath.Join(t.TempDir(), "checkout-folder")
	testrepo.Write(t, head, map[string]string{
		"kustomization.yaml": "resources: [web.yaml, api.yaml]\n",
		"web.yaml":           baseTestDeployment("web"),
		"api.yaml":           baseTestDeployment("api"),
	})
	tree := &BaseTree{Commit: "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0", Fetch: func(_ context.Context, dir string, _ config.Limits) error {
		testrepo.Write(t, dir, map[string]string{
			"kustomization.yaml": "resources: [web.yaml]\n",
			"web.yaml":           baseTestDeployment("web"),
		})
		return nil
	}}
	plan, err := NewPlan(context.Background(), Request{Dir: head, BaseTree: tree, BaseOptional: true})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.HasBase() {
		t.Error("HasBase() = false with a base tree")
	}
	plan.Warn = func(msg string) { t.Errorf("warning: %s", msg) }
	rep, err := Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	marks := map[string]bool{}
	for _, f := range rep.Findings {
		if f.New == nil {
			t.Fatalf("finding not marked: %+v", f)
		}
		marks[f.Environment+" "+f.Rule+" "+f.Name] = *f.New
	}
	want := map[string]bool{"root mesh-injection api": true, "root mesh-injection web": false}
	if !reflect.DeepEqual(marks, want) {
		t.Errorf("new marks %v, want %v", marks, want)
	}
	wantBase := &report.Baseline{Kind: report.BaselineBaseCommit, Commit: tree.Commit}
	if !reflect.DeepEqual(rep.Baseline, wantBase) {
		t.Errorf("baseline %+v, want %+v", rep.Baseline, wantBase)
	}
}

// TestBaseTreeUnavailable: an optional base whose files cannot be fetched
// leaves the findings unmarked, warns once, and the report's baseline says
// the comparison falls back to the previous run, and why. Fetch is given
// the head's limits.
func TestBaseTreeUnavailable(t *testing.T) {
	head := t.TempDir()
	testrepo.Write(t, head, map[string]string{
		".meshgate.yaml":            "environments: [{name: prod, kustomize: {path: deploy}}]\nlimits: {maxRenderedBytes: 1MiB}\n",
		"deploy/kustomization.yaml": "resources: [web.yaml]\n",
		"deploy/web.yaml":           baseTestDeployment("web"),
	})
	var gotLimits config.Limits
	tree := &BaseTree{Commit: "b0b0", Fetch: func(_ context.Context, _ string, limits config.Limits) error {
		gotLimits = limits
		return errors.New("GitHub answered 404 Not Found")
	}}
	plan, err := NewPlan(context.Background(), Request{Dir: head, BaseTree: tree, BaseOptional: true})
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	plan.Warn = func(msg string) { warnings = append(warnings, msg) }
	rep, err := Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) == 0 {
		t.Fatal("no findings; the fixture should have an unmeshed Deployment")
	}
	for _, f := range rep.Findings {
		if f.New != nil {
			t.Errorf("finding marked without a base: %+v", f)
		}
	}
	wantBase := &report.Baseline{Kind: report.BaselinePreviousRun, Fallback: "GitHub answered 404 Not Found"}
	if !reflect.DeepEqual(rep.Baseline, wantBase) {
		t.Errorf("baseline %+v, want %+v", rep.Baseline, wantBase)
	}
	wantWarn := []string{"cannot check the pull request's base commit (GitHub answered 404 Not Found); findings are not marked new or existing"}
	if !reflect.DeepEqual(warnings, wantWarn) {
		t.Errorf("warnings %q, want %q", warnings, wantWarn)
	}
	if gotLimits.MaxRenderedBytes != 1<<20 {
		t.Errorf("Fetch got limits %+v, want the head's maxRenderedBytes 1MiB", gotLimits)
	}
	if _, err := NewPlan(context.Background(), Request{Dir: head, BaseTree: tree, BaseRef: "HEAD"}); err == nil {
		t.Error("a base tree with --base-ref: no error")
	}
}
