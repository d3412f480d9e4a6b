package gitops

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/testrepo"
)

const cmYAML = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"

// TestFluxGenerate: which files Flux's generated kustomization lists
// (fluxcd/pkg kustomize/kustomize_generator.go scanManifests): .yaml and
// .yml files in lexical walk order, a subfolder with a kustomization file
// instead of its contents, nothing the artifact leaves out (default
// exclusions, symlinks).
func TestFluxGenerate(t *testing.T) {
	root := testrepo.New(t, map[string]string{
		"deploy/b.yml":                            cmYAML,
		"deploy/a.yaml":                           cmYAML,
		"deploy/empty.yaml":                       "",
		"deploy/notes.txt":                        "not yaml",
		"deploy/config.json":                      `{"apiVersion": "v1"}`,
		"deploy/sub/d.yaml":                       cmYAML,
		"deploy/sub/kust/kustomization.yaml":      "resources: [x.yaml]\n",
		"deploy/sub/kust/x.yaml":                  cmYAML,
		"deploy/sub/kust/nested/never.yaml":       "not: [listed",
		"deploy/Kustom/Kustomization":             "resources: []\n",
		"deploy/.github/workflows/ci.yaml":        "on: push\n",
		"deploy/.sops.yaml":                       "creation_rules: []\n",
		"deploy/cloudbuild.yaml":                  "steps: []\n",
		"elsewhere/kustomization.yaml":            "resources: []\n",
		"deploy/sub/zz/kustomization.yml.example": "x",
	})
	if err := os.Symlink(filepath.Join(root, "deploy/a.yaml"), filepath.Join(root, "deploy/link.yaml")); err != nil {
		t.Fatal(err)
	}
	a, err := NewFluxArtifact(root, "")
	if err != nil {
		t.Fatal(err)
	}
	g, err := a.FluxGenerate("deploy", maxFileBytes)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"./Kustom", "./a.yaml", "./b.yml", "./empty.yaml", "./sub/d.yaml", "./sub/kust"}
	if !reflect.DeepEqual(g.Resources, want) {
		t.Errorf("resources %q, want %q", g.Resources, want)
	}
	if g, err := a.FluxGenerate("elsewhere", maxFileBytes); g != nil || err != nil {
		t.Errorf("a folder with a kustomization: got %+v, %v; want nil (used as it is)", g, err)
	}
	if g, err := a.FluxGenerate("deploy/sub/zz", maxFileBytes); err != nil || len(g.Resources) != 0 {
		t.Errorf("a folder with no manifests: got %+v, %v; want no resources", g, err)
	}
}

// TestFluxGenerateSourceIgnore: a .sourceignore replaces the default
// exclusions (fluxcd/pkg artifact/storage SourceIgnoreFilter), and its
// negations bring files back, as in fluxcd/flux2-kustomize-helm-example's
// ".sourceignore" (exclude all, include the manifest folders).
func TestFluxGenerateSourceIgnore(t *testing.T) {
	root := testrepo.New(t, map[string]string{
		".sourceignore":               "/*\n!/clusters/\n",
		"clusters/prod/apps.yaml":     cmYAML,
		"clusters/prod/.sops.yaml":    cmYAML,
		"clusters/prod/skip.yaml":     cmYAML,
		"clusters/prod/.sourceignore": "skip.yaml\n",
		"docs/example.yaml":           "not: [a manifest",
	})
	a, err := NewFluxArtifact(root, "")
	if err != nil {
		t.Fatal(err)
	}
	g, err := a.FluxGenerate("clusters/prod", maxFileBytes)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"./.sops.yaml", "./apps.yaml"}; !reflect.DeepEqual(g.Resources, want) {
		t.Errorf("resources %q, want %q", g.Resources, want)
	}
	if !a.Excluded("docs/example.yaml", false) || a.Excluded("clusters/prod/apps.yaml", false) {
		t.Error("docs/ should be excluded, clusters/ kept")
	}
	// spec.ignore of the GitRepository adds to the repository's rules.
	a, err = NewFluxArtifact(root, "/clusters/prod/apps.yaml\n")
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := a.FluxGenerate("clusters/prod", maxFileBytes); !reflect.DeepEqual(g.Resources, []string{"./.sops.yaml"}) {
		t.Errorf("with spec.ignore: resources %q", g.Resources)
	}
}

func TestFluxGenerateErrors(t *testing.T) {
	root := testrepo.New(t, map[string]string{
		"bad/a.yaml":   "not: [a manifest",
		"plain/a.yaml": "replicaCount: 1\n",
		"big/a.yaml":   cmYAML + "data:\n  a: " + strings.Repeat("x", 1<<20) + "\n",
	})
	a, err := NewFluxArtifact(root, "")
	if err != nil {
		t.Fatal(err)
	}
	for dir, msg := range map[string]string{
		"bad":     "failed to decode Kubernetes YAML from bad/a.yaml: MalformedYAMLError: yaml: line 1: did not find expected ',' or ']'",
		"plain":   "failed to decode Kubernetes YAML from plain/a.yaml: missing Resource metadata",
		"missing": "path missing: no such folder in the repository",
		"big":     "big/a.yaml is larger than 1 MiB",
		"../x":    "path ../x: no such folder in the repository",
	} {
		_, err := a.FluxGenerate(dir, 1<<20)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want %q", dir, err, msg)
		}
	}
}
