package engine

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
)

func TestRenderCacheSharesIdenticalInputs(t *testing.T) {
	helm := func(name, ns string, values ...string) config.Environment {
		return config.Environment{Name: name, Helm: &config.Helm{Chart: "charts/shop", Release: "shop", Namespace: ns, Values: values, KubeVersion: "1.34.0"}}
	}
	kust := func(name, path, ns string) config.Environment {
		return config.Environment{Name: name, Kustomize: &config.Kustomize{Path: path}, Namespace: ns}
	}
	envs := []config.Environment{
		helm("eu", "shop", "envs/prod.yaml"),
		helm("us", "shop", "envs/prod.yaml"),         // same inputs as eu
		helm("qa", "shop", "envs/qa.yaml"),           // other values
		helm("eu-b", "shop-b", "envs/prod.yaml"),     // other namespace
		kust("web", "deploy/overlays/prod", "web"),   // kustomize
		kust("web2", "deploy/overlays/prod", "web2"), // same overlay, other default namespace
	}
	c := newRenderCache()
	var calls atomic.Int32
	results := make([]render.Result, len(envs))
	var wg sync.WaitGroup
	for i, e := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = c.render(e, func() render.Result {
				calls.Add(1)
				return render.Result{Source: e.Source(), Docs: []render.Doc{{YAML: []byte("kind: ConfigMap\n")}}}
			})
		}()
	}
	wg.Wait()
	if got := calls.Load(); got != 4 {
		t.Errorf("rendered %d times, want 4 (eu and us share one, web and web2 share one)", got)
	}
	for i, e := range envs {
		if results[i].DefaultNamespace != e.DefaultNamespace() {
			t.Errorf("%s: default namespace %q, want its own %q", e.Name, results[i].DefaultNamespace, e.DefaultNamespace())
		}
	}
}

// countingRenderer counts the renderings it passes through.
type countingRenderer struct {
	inner render.Renderer
	n     *atomic.Int32
}

func (c countingRenderer) Render(ctx context.Context, root string, env config.Environment, opts render.Options) render.Result {
	c.n.Add(1)
	return c.inner.Render(ctx, root, env, opts)
}

// TestRunReusesIdenticalRenders: two environments with the same chart,
// values, release and namespace render once and are both checked.
func TestRunReusesIdenticalRenders(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../testdata/demo")); err != nil {
		t.Fatal(err)
	}
	cfg := `environments:
  - name: prod-eu
    helm: {chart: charts/shop, release: shop, namespace: shop-prod, values: [envs/prod.yaml], apiVersions: [cert-manager.io/v1]}
  - name: prod-us
    helm: {chart: charts/shop, release: shop, namespace: shop-prod, values: [envs/prod.yaml], apiVersions: [cert-manager.io/v1]}
  - name: staging
    helm: {chart: charts/shop, release: shop, namespace: shop-staging, values: [envs/staging.yaml], apiVersions: [cert-manager.io/v1]}
gitops: {enabled: false}  # the demo's Flux Kustomization is beside the point
`
	if err := os.WriteFile(filepath.Join(dir, ".meshgate.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32

	plan, err := NewPlan(context.Background(), Request{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	plan.Renderers = DefaultRenderers()
	plan.Renderers["helm"] = countingRenderer{inner: plan.Renderers["helm"], n: &n}
	rep, err := Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("rendered %d times, want 2 (prod-eu and prod-us share one)", got)
	}
	if len(rep.Environments) != 3 || rep.Environments[0].Workloads != rep.Environments[1].Workloads || rep.Environments[0].Workloads == 0 {
		t.Errorf("environments %+v", rep.Environments)
	}
}

// TestSchedule: kustomize environments first, then Helm, each in
// configuration order, and those sharing an earlier one's rendering last.
func TestSchedule(t *testing.T) {
	h := func(name, values string) config.Environment {
		return config.Environment{Name: name, Helm: &config.Helm{Chart: "charts/app", Values: []string{values}}}
	}
	k := func(name, path string) config.Environment {
		return config.Environment{Name: name, Kustomize: &config.Kustomize{Path: path}}
	}
	envs := []config.Environment{
		h("dev", "dev.yaml"),             // 0
		k("dev-eu", "overlays/dev"),      // 1
		h("prod", "prod.yaml"),           // 2
		k("prod-eu", "overlays/prod"),    // 3
		k("prod-eu-dr", "overlays/prod"), // 4: shares 3
		h("prod-dr", "prod.yaml"),        // 5: shares 2
		k("qa-eu", "overlays/qa"),        // 6
	}
	got := schedule(envs)
	want := []int{1, 3, 6, 0, 2, 4, 5}
	if !slices.Equal(got, want) {
		t.Errorf("schedule = %v, want %v", got, want)
	}
}
