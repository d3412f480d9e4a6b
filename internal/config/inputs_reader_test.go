package config

import (
	"reflect"
	"testing"

	"github.com/meshgate/meshgate/internal/testrepo"
)

// TestInputsEveryField: every path-valued kustomization field outside the
// overlay is an input, included kustomizations are followed wherever they
// are, remote entries and inline patches are not inputs, and a broken
// kustomization still counts with its folder.
func TestInputsEveryField(t *testing.T) {
	root := t.TempDir()
	testrepo.Write(t, root, map[string]string{
		"overlay/kustomization.yml": `resources: [../base, local.yaml, ../shared/extra.yaml, https://example.test/x.yaml]
bases: [../legacy]
components: [../components/mesh]
crds: [../shared/crd.yaml]
configurations: [../shared/names.yaml]
generators: [../gen]
transformers: [../shared/trans.yaml]
validators: [../shared/valid.yaml]
patchesStrategicMerge:
  - ../shared/smp.yaml
  - |
    kind: Deployment
patches:
  - path: ../shared/patch.yaml
patchesJson6902:
  - path: ../shared/json.yaml
replacements:
  - path: ../shared/repl.yaml
openapi:
  path: ../shared/schema.json
configMapGenerator:
  - name: c
    files: [key=../shared/data.txt, inside.txt]
    env: ../shared/legacy.env
secretGenerator:
  - name: s
    envs: [../shared/s.env]
`,
		"base/Kustomization":                 "resources: [d.yaml]\n",
		"legacy/kustomization.yaml":          "resources: [\n", // broken
		"components/mesh/kustomization.yaml": "kind: Component\npatches:\n  - path: ../../shared/mesh.yaml\n",
		"gen/kustomization.yaml":             "resources: [g.yaml]\n",
	})
	cfg := &Config{Root: root}
	got := cfg.Inputs(Environment{Name: "k", Kustomize: &Kustomize{Path: "overlay"}})
	want := []string{
		"base/", "components/mesh/", "gen/", "legacy/", "overlay/",
		"shared/crd.yaml", "shared/data.txt", "shared/extra.yaml", "shared/json.yaml",
		"shared/legacy.env", "shared/mesh.yaml", "shared/names.yaml", "shared/patch.yaml",
		"shared/repl.yaml", "shared/s.env", "shared/smp.yaml", "shared/trans.yaml", "shared/valid.yaml",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("inputs:\n got %q\nwant %q", got, want)
	}
}
