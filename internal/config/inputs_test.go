package config

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/meshgate/meshgate/internal/testrepo"
)

func TestInputs(t *testing.T) {
	root, err := filepath.Abs("../../testdata/demo")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(root, ".meshgate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"shop-prod": {".meshgate.yaml", "charts/shop/", "envs/prod.yaml"},
		"prod":      {".meshgate.yaml", "deploy/base/", "deploy/components/mesh/", "deploy/overlays/prod/"},
	}
	for _, env := range cfg.Environments {
		w, ok := want[env.Name]
		if !ok {
			continue
		}
		if got := cfg.Inputs(env); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: inputs %q, want %q", env.Name, got, w)
		}
	}
}

func TestTouches(t *testing.T) {
	inputs := []string{".meshgate.yaml", "charts/shop/", "envs/prod.yaml"}
	for file, want := range map[string]bool{
		"charts/shop/templates/cart.yaml": true,
		"charts/shopping/Chart.yaml":      false,
		"envs/prod.yaml":                  true,
		"envs/staging.yaml":               false,
		".meshgate.yaml":                  true,
		"README.md":                       false,
	} {
		if got := Touches(inputs, file); got != want {
			t.Errorf("Touches(%q) = %v, want %v", file, got, want)
		}
	}
}

// TestInputsFollowsFilesOutsideTheOverlay: patches, generator files and
// file:// dependencies outside an environment's own folder are inputs too.
func TestInputsFollowsFilesOutsideTheOverlay(t *testing.T) {
	root := t.TempDir()
	testrepo.Write(t, root, map[string]string{
		"shared/patch.yaml":          "kind: Deployment\n",
		"shared/env.txt":             "A=b\n",
		"base/kustomization.yaml":    "resources: [d.yaml]\n",
		"base/d.yaml":                "kind: Deployment\n",
		"overlay/kustomization.yaml": "resources: [../base, https://example.invalid/x]\npatches:\n  - path: ../shared/patch.yaml\n  - patch: |\n      - op: add\nconfigMapGenerator:\n  - name: c\n    envs: [../shared/env.txt]\n",
		"lib/Chart.yaml":             "apiVersion: v2\nname: lib\nversion: 0.1.0\n",
		"app/Chart.yaml":             "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: lib\n    version: 0.1.0\n    repository: file://../lib\n",
		// Issue 11 item 15: an apiVersion v1 chart declares its file://
		// dependencies in requirements.yaml.
		"old/Chart.yaml":        "apiVersion: v1\nname: old\nversion: 0.1.0\n",
		"old/requirements.yaml": "dependencies:\n  - name: lib\n    repository: file://../lib\n",
	})
	cfg := &Config{Root: root}
	got := cfg.Inputs(Environment{Name: "k", Kustomize: &Kustomize{Path: "overlay"}})
	want := []string{"base/", "overlay/", "shared/env.txt", "shared/patch.yaml"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kustomize inputs %q, want %q", got, want)
	}
	got = cfg.Inputs(Environment{Name: "h", Helm: &Helm{Chart: "app", Values: []string{"v/prod.yaml"}}})
	want = []string{"app/", "lib/", "v/prod.yaml"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("helm inputs %q, want %q", got, want)
	}
	got = cfg.Inputs(Environment{Name: "old", Helm: &Helm{Chart: "old"}})
	want = []string{"lib/", "old/"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requirements.yaml inputs %q, want %q", got, want)
	}
}

// TestInputsRootOverlay: an overlay at the repository root (path: .) reads
// the root kustomization.yaml, so editing it changes the environment.
func TestInputsRootOverlay(t *testing.T) {
	root := t.TempDir()
	testrepo.Write(t, root, map[string]string{"kustomization.yaml": "resources: [d.yaml]\n", "d.yaml": "kind: Deployment\n"})
	cfg := &Config{Root: root}
	inputs := cfg.Inputs(Environment{Name: "root", Kustomize: &Kustomize{Path: "."}})
	for _, file := range []string{"kustomization.yaml", "d.yaml"} {
		if !Touches(inputs, file) {
			t.Errorf("inputs %q do not touch %s", inputs, file)
		}
	}
}

// TestInputsManifests (issue 11 item 5): a manifests environment reads its
// folder, so a file changed, added or removed there selects it, and one
// beside the folder does not.
func TestInputsManifests(t *testing.T) {
	cfg := &Config{Root: t.TempDir(), File: ".meshgate.yaml"}
	inputs := cfg.Inputs(Environment{Name: "bookinfo", Manifests: &Manifests{Path: "samples/bookinfo/platform/kube"}})
	if want := []string{".meshgate.yaml", "samples/bookinfo/platform/kube/"}; !reflect.DeepEqual(inputs, want) {
		t.Errorf("inputs %q, want %q", inputs, want)
	}
	for file, want := range map[string]bool{
		"samples/bookinfo/platform/kube/bookinfo.yaml":     true,
		"samples/bookinfo/platform/kube/new-service.yaml":  true,
		"samples/bookinfo/platform/kubernetes/other.yaml":  false,
		"samples/bookinfo/networking/virtual-service.yaml": false,
	} {
		if got := Touches(inputs, file); got != want {
			t.Errorf("Touches(%q) = %v, want %v", file, got, want)
		}
	}
	root := cfg.Inputs(Environment{Name: "root", Manifests: &Manifests{Path: "."}})
	if !Touches(root, "deployment.yaml") {
		t.Errorf("root folder inputs %q do not touch deployment.yaml", root)
	}
}
