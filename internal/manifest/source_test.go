package manifest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshgate/meshgate/internal/render"
)

// kustomizeFixture is the rendering of overlays/prod: the objects keep the
// origin of their base file, read from the repository (Root), while the
// rendered names carry the prefix and generator hash and the patch added a
// container and an env var.
func kustomizeFixture(t *testing.T) *Set {
	t.Helper()
	root, err := filepath.Abs("testdata/kustomize")
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := os.ReadFile(filepath.Join(root, "rendered.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	docs := splitDocs(rendered)
	res := render.Result{Source: "kustomize", Root: root, DefaultNamespace: "default", Docs: []render.Doc{
		{YAML: docs[0], File: "base/deployment.yaml"},
		{YAML: docs[1], File: "base/deployment.yaml"},
		{YAML: docs[2], File: "base/kustomization.yaml"},
	}}
	set, berr := BuildShared(res, nil)
	if berr != nil {
		t.Fatal(berr)
	}
	return set
}

func splitDocs(b []byte) [][]byte {
	var out [][]byte
	start := 0
	for i := 0; i+4 <= len(b); i++ {
		if (i == 0 || b[i-1] == '\n') && string(b[i:i+4]) == "---\n" {
			out = append(out, b[start:i])
			start = i + 4
		}
	}
	return append(out, b[start:])
}

func TestKustomizeLines(t *testing.T) {
	set := kustomizeFixture(t)
	objects := map[string]*Object{}
	for _, o := range set.Objects {
		objects[o.ID()] = o
	}
	sa, deploy, secret := objects["ServiceAccount/shop-prod/prod-cart"], objects["Deployment/shop-prod/prod-cart"], objects["Secret/shop-prod/prod-cart-env-5t8h2k9g"]
	if sa == nil || deploy == nil || secret == nil {
		t.Fatalf("objects = %v", objects)
	}
	c := []any{"spec", "template", "spec", "containers"}
	tests := []struct {
		name string
		obj  *Object
		path []any
		want int
	}{
		{"object line is the apiVersion line when it comes first", sa, nil, 2},
		{"object line is the kind line when it comes first", deploy, nil, 7},
		{"a field of the base", deploy, []any{"metadata", "labels", "app"}, 12},
		{"a field the namespace transformer added maps to its parent", deploy, []any{"metadata", "namespace"}, 9},
		{"containers are matched by name, not index", deploy, join(c, 1), 21},
		{"a container the patch added maps to the list", deploy, join(c, 0), 20},
		{"env matched by name inside a matched container", deploy, join(c, 1, "env", 1, "valueFrom", "secretKeyRef", "name"), 27},
		{"env the patch added maps to the env list", deploy, join(c, 1, "env", 0, "valueFrom", "secretKeyRef", "name"), 23},
		{"third container", deploy, join(c, 2, "envFrom", 0, "secretRef", "name"), 33},
		{"index out of range maps to the list", deploy, join(c, 7), 20},
		{"wrong element type maps to the parent", deploy, []any{"spec", "template", 3}, 14},
		{"generated Secret maps to its generator entry", secret, nil, 4},
		{"generated Secret fields map to the entry", secret, []any{"data", "MODE"}, 4},
	}
	for _, tt := range tests {
		if got := tt.obj.LineOf(tt.path...); got != tt.want {
			t.Errorf("%s: LineOf(%v) = %d, want %d", tt.name, tt.path, got, tt.want)
		}
	}
	diff(t, "refs", viewRefs(set.Refs), []refView{
		{Object: "Deployment/shop-prod/prod-cart", Container: "server", Where: "env EXTRA", Namespace: "shop-prod", Name: "extra", Key: "token", Line: 23, KeyLine: 23},
		{Object: "Deployment/shop-prod/prod-cart", Container: "server", Where: "env DB_PASSWORD", Namespace: "shop-prod", Name: "cart-db", Key: "password", Line: 27, KeyLine: 28},
		{Object: "Deployment/shop-prod/prod-cart", Container: "worker", Where: "envFrom", Namespace: "shop-prod", Name: "prod-cart-env-5t8h2k9g", Line: 33},
	})
}

// Source files named by rendered output are read only inside the
// repository: a path or symlink leading outside gets no lines, and nothing
// of the outside file is read.
func TestSourceOutsideRootRefused(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "repo")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	doc := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
	outside := append([]byte("# padding\n# padding\n"), doc...)
	if err := os.WriteFile(filepath.Join(dir, "outside.yaml"), outside, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "outside.yaml"), filepath.Join(root, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "inside.yaml"), outside, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"../outside.yaml", "link.yaml", filepath.Join(dir, "outside.yaml"), "sub/../../outside.yaml", "missing.yaml"} {
		set, err := BuildShared(render.Result{Source: "kustomize", Root: root, Docs: []render.Doc{{YAML: doc, File: file}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := set.Objects[0].Line; got != 0 {
			t.Errorf("File %q: Line = %d, want 0 (not read)", file, got)
		}
		if got := set.Objects[0].LineOf("metadata", "name"); got != 0 {
			t.Errorf("File %q: LineOf(metadata.name) = %d, want 0 (not read)", file, got)
		}
	}
	set, err := BuildShared(render.Result{Source: "kustomize", Root: root, Docs: []render.Doc{{YAML: doc, File: "inside.yaml"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Objects[0].LineOf("metadata", "name"); got != 6 {
		t.Errorf("inside.yaml: LineOf(metadata.name) = %d, want 6", got)
	}
}
