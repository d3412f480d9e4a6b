package manifest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshgate/meshgate/internal/render"
)

// TestBuildSharedReadsEachFileOnce: Builds sharing a Shared read and parse
// a repository file once (a change on disk after the first read is not
// seen), and locate objects exactly as unshared Builds do.
func TestBuildSharedReadsEachFileOnce(t *testing.T) {
	root := t.TempDir()
	const source = "# the web service\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: web\n"
	file := filepath.Join(root, "web.yaml")
	if err := os.WriteFile(file, []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	rendered := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - image: web:1.2\n        name: app\n"
	res := render.Result{Source: "kustomize", Root: root, DefaultNamespace: "default",
		Docs: []render.Doc{{YAML: []byte(rendered), File: "web.yaml"}}}

	shared := NewShared()
	lines := func(set *Set) [2]int {
		o := set.Objects[0]
		return [2]int{o.Line, o.LineOf("spec", "template", "spec", "containers", 0, "image")}
	}
	check := func(what string, set *Set, err *render.Error, want [2]int) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if got := lines(set); got != want {
			t.Errorf("%s: lines %v, want %v", what, got, want)
		}
	}
	set, err := BuildShared(res, shared)
	check("shared build", set, err, [2]int{2, 11})
	set, err = BuildShared(res, nil)
	check("unshared build", set, err, [2]int{2, 11})
	// Shift the file by two lines: only a fresh read sees it.
	if err := os.WriteFile(file, []byte("#\n#\n"+source), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err = BuildShared(res, shared)
	check("second shared build", set, err, [2]int{2, 11})
	set, err = BuildShared(res, nil)
	check("unshared build after the change", set, err, [2]int{4, 13})
	set, err = BuildShared(res, NewShared())
	check("build with a new Shared after the change", set, err, [2]int{4, 13})
}
