package gitops_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/gitops"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/render/helm"
	"github.com/meshgate/meshgate/internal/render/kustomize"
)

var renderOpts = render.Options{MaxBytes: config.DefaultMaxRenderedBytes, MaxReads: config.DefaultMaxObjects}

// fleetPlan expands the GitOps objects of the fleet with no
// configuration.
func fleetPlan(t *testing.T) (gitops.Plan, string) {
	t.Helper()
	root, err := filepath.Abs(fleet)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := gitops.Find(root)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Root: root, Discovered: true}
	return gitops.Expand(gitops.Input{Config: cfg, Objects: objs}), root
}

func fleetEnv(t *testing.T, p gitops.Plan, name string) config.Environment {
	t.Helper()
	for _, e := range p.Environments {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no environment %s in %+v", name, p.Environments)
	return config.Environment{}
}

// joinDocs is the documents as one stream, as kustomize writes a build.
func joinDocs(docs []render.Doc) string {
	parts := make([]string, len(docs))
	for i, d := range docs {
		parts[i] = string(d.YAML)
	}
	return strings.Join(parts, "---\n")
}

// TestFluxBuildMatchesFlux: the environment meshgate makes of each Flux
// Kustomization of the fleet renders exactly what Flux's own code builds
// for it (testdata/flux/expected, TestFluxReference), document for
// document, and each document is attributed to the file a person edits.
func TestFluxBuildMatchesFlux(t *testing.T) {
	p, root := fleetPlan(t)
	files := map[string][]string{
		"web":   {"apps/web/deployment.yaml", "apps/web/service.yaml", "apps/web/config.yaml"},
		"plain": {"apps/plain/deployment.yaml", "apps/plain/nested/sa.yaml", "apps/plain/service.yml", "apps/plain/sub/config.yaml"},
	}
	for name, want := range files {
		t.Run(name, func(t *testing.T) {
			env := fleetEnv(t, p, name)
			res := kustomize.Renderer{}.Render(context.Background(), root, env, renderOpts)
			if res.Err != nil {
				t.Fatalf("render: %v", res.Err)
			}
			golden, err := os.ReadFile(filepath.Join("testdata/flux/expected", name+".flux-build.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if got := joinDocs(res.Docs); got != string(golden) {
				t.Errorf("meshgate's build differs from Flux's:\n--- meshgate\n%s--- Flux\n%s", got, golden)
			}
			for i, d := range res.Docs {
				if i < len(want) && d.File != want[i] {
					t.Errorf("document %d: File %q, want %q", i, d.File, want[i])
				}
			}
		})
	}
}

// helmReference renders the fleet's HelmRelease apps/podinfo the way
// helm-controller installs it, with Helm's SDK through meshgate's helm
// renderer, which TestRenderMatchesHelmTemplate (internal/render/helm)
// holds to the helm CLI. It is
//
//	helm template frontend-podinfo CHART --namespace frontend --no-hooks \
//	  --kube-version 1.34.0 -f testdata/flux/expected/podinfo.flux-values.yaml
//
// without --include-crds (install.crds: Skip), where CHART is
// charts/podinfo-lite packaged as source-controller packages it for
// valuesFiles: its values.yaml replaced by values-prod.yaml; the values
// file is the composition of spec.values and spec.valuesFrom, worked out
// by hand from helm-controller's rules.
func helmReference(t *testing.T) render.Result {
	t.Helper()
	work := t.TempDir()
	archive(t, filepath.Join(fleet, "charts/podinfo-lite"), filepath.Join(work, "chart"))
	prod, err := os.ReadFile(filepath.Join(fleet, "charts/podinfo-lite/values-prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "chart/values.yaml"), prod, 0o644); err != nil {
		t.Fatal(err)
	}
	archive(t, "testdata/flux/expected", filepath.Join(work, "values"))
	no := false
	env := config.Environment{Name: "reference", Helm: &config.Helm{Chart: "chart", Release: "frontend-podinfo", Namespace: "frontend",
		Values: []string{"values/podinfo.flux-values.yaml"}, SkipCRDs: true, IncludeHooks: &no}}
	return helm.Renderer{}.Render(context.Background(), work, env, renderOpts)
}

// TestHelmReleaseMatchesFlux: the environment meshgate makes of the
// fleet's HelmRelease renders what helm-controller would install
// (helmReference), written to testdata/flux/expected/podinfo.helm-template.yaml
// by `go test ./internal/gitops -run TestHelmReleaseMatchesFlux -update`;
// each value points at the file that sets it.
func TestHelmReleaseMatchesFlux(t *testing.T) {
	ref := helmReference(t)
	if ref.Err != nil {
		t.Fatalf("reference: %v", ref.Err)
	}
	golden := "testdata/flux/expected/podinfo.helm-template.yaml"
	if update() {
		if err := os.WriteFile(golden, []byte(joinDocs(ref.Docs)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := joinDocs(ref.Docs); got != string(want) {
		t.Errorf("the reference differs from %s:\n%s", golden, got)
	}
	p, root := fleetPlan(t)
	env := fleetEnv(t, p, "podinfo")
	res := helm.Renderer{}.Render(context.Background(), root, env, renderOpts)
	if res.Err != nil {
		t.Fatalf("render: %v", res.Err)
	}
	if got := joinDocs(res.Docs); got != string(want) {
		t.Errorf("meshgate's rendering differs from helm-controller's:\n--- meshgate\n%s--- Flux\n%s", got, want)
	}
	if !slices.Contains(res.Redact, "http://backend.internal:9000/token-8c1d5e") {
		t.Errorf("the Secret's value is not redacted: %q", res.Redact)
	}
}
