package config

import (
	"testing"

	"github.com/meshgate/meshgate/internal/testrepo"
)

// TestDiscoverKustomizationFields: discovery reads each kustomization for
// the folders it includes (resources, bases, components, under any of
// kustomize's file names), whether it is a Component, and where its
// helmCharts live; a broken one is still an environment.
func TestDiscoverKustomizationFields(t *testing.T) {
	root := t.TempDir()
	testrepo.Write(t, root, map[string]string{
		"apps/prod/kustomization.yml":       "resources: [../base]\ncomponents: [../../mesh]\n",
		"apps/base/kustomization.yaml":      "resources: [d.yaml]\nbases: [../../legacy]\n",
		"apps/base/Kustomization":           "resources: [../../ignored]\n", // not the one kustomize reads
		"ignored/kustomization.yaml":        "resources: [d.yaml]\n",
		"legacy/kustomization.yaml":         "resources: [d.yaml]\n",
		"mesh/kustomization.yaml":           "kind: Component\n",
		"lonely/kustomization.yaml":         "kind: Component\n",
		"broken/kustomization.yaml":         "resources: [../apps/base\n",
		"inflate/kustomization.yaml":        "helmGlobals:\n  chartHome: vendor\nhelmCharts:\n  - name: podinfo\n",
		"inflate/vendor/podinfo/Chart.yaml": "apiVersion: v2\nname: podinfo\nversion: 1.0.0\n",
		"default/kustomization.yaml":        "helmCharts: [{name: web}]\n",
		"default/charts/web/Chart.yaml":     "apiVersion: v2\nname: web\nversion: 1.0.0\n",
		"generated/kustomization.yaml":      "generators: [../gen]\ntransformers: [../trans]\n",
		"gen/kustomization.yaml":            "resources: [g.yaml]\n",
		"trans/kustomization.yaml":          "resources: [t.yaml]\n",
		"remote/kustomization.yaml":         "resources: [https://example.test/x, ../files/d.yaml]\n",
	})
	envs, err := Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	want := `broken: kustomize broken namespace=default (from broken/kustomization.yaml)
default: kustomize default namespace=default (from default/kustomization.yaml)
gen: kustomize gen namespace=default (from gen/kustomization.yaml)
generated: kustomize generated namespace=default (from generated/kustomization.yaml)
ignored: kustomize ignored namespace=default (from ignored/kustomization.yaml)
inflate: kustomize inflate namespace=default (from inflate/kustomization.yaml)
prod: kustomize apps/prod namespace=default (from apps/prod/kustomization.yml)
remote: kustomize remote namespace=default (from remote/kustomization.yaml)
trans: kustomize trans namespace=default (from trans/kustomization.yaml)
`
	if got := describe(envs); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
