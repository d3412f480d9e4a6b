package gitops

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/testrepo"
)

func fluxKustomization(name, spec string) string {
	return "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: " + name + "\n  namespace: flux-system\nspec:\n" + spec
}

func helmRelease(name, ns, spec string) string {
	return "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\nspec:\n" + spec
}

const bootstrapSource = "  sourceRef: {kind: GitRepository, name: flux-system}\n"

// TestExpandFlux: a cluster folder as flux bootstrap lays it out — the
// flux-system Kustomization applies the folder, whose Kustomizations apply
// infrastructure and apps,
// whose HelmReleases are followed when their chart is in the repository
// (or vendored through gitops.charts) and are notes otherwise, at the
// line that names the chart; a GitRepository of another repository is not
// followed. An object found in a file and in a rendering is one
// environment, listed where it was found first (apps/web.yaml).
func TestExpandFlux(t *testing.T) {
	files := map[string]string{
		"clusters/prod/flux-system/gotk-sync.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: flux-system, namespace: flux-system}\nspec: {url: " + thisRepo + "}\n---\n" +
			fluxKustomization("flux-system", bootstrapSource+"  path: ./clusters/prod\n"),
		"clusters/prod/infra.yaml": fluxKustomization("infra", bootstrapSource+"  path: ./infra\n"),
		"clusters/prod/apps.yaml": fluxKustomization("apps", bootstrapSource+"  path: ./apps\n  dependsOn: [{name: infra}]\n") + "\n---\n" +
			fluxKustomization("elsewhere", "  sourceRef: {kind: GitRepository, name: other}\n  path: ./x\n") + "\n---\n" +
			"apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: other, namespace: flux-system}\nspec: {url: https://github.com/other/repo}\n",
		"infra/redis.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: bitnami, namespace: infra}\nspec: {url: https://charts.bitnami.com/bitnami}\n---\n" +
			helmRelease("redis", "infra", "  chart:\n    spec: {chart: redis, version: 19.6.0, sourceRef: {kind: HelmRepository, name: bitnami}}\n"),
		"infra/cert-manager.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: cert-manager, namespace: infra}\nspec: {url: oci://quay.io/jetstack/charts/cert-manager, ref: {tag: v1.16.0}}\n---\n" +
			helmRelease("cert-manager", "infra", "  chartRef: {kind: OCIRepository, name: cert-manager}\n"),
		"apps/web.yaml":              helmRelease("web", "shop", "  chart:\n    spec:\n      chart: ./charts/web\n      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}\n  values: {replicas: 2}\n"),
		"charts/web/Chart.yaml":      "apiVersion: v2\nname: web\nversion: 1.0.0\n",
		"vendor/redis/Chart.yaml":    "apiVersion: v2\nname: redis\nversion: 19.6.0\n",
		"vendor/redis/values-a.yaml": "a: 1\n",
	}
	cfg := &config.Config{Discovered: true}
	p, _ := expandTree(t, files, cfg)
	want := `env web: helm charts/web; HelmRelease shop/web in apps/web.yaml (GitRepository flux-system/flux-system)
env apps: kustomize apps; Kustomization flux-system/apps in clusters/prod/apps.yaml (GitRepository flux-system/flux-system; depends on flux-system/infra)
env flux-system: kustomize clusters/prod; Kustomization flux-system/flux-system in clusters/prod/flux-system/gotk-sync.yaml (GitRepository flux-system/flux-system)
env infra: kustomize infra; Kustomization flux-system/infra in clusters/prod/infra.yaml (GitRepository flux-system/flux-system)
note in flux-system: clusters/prod/apps.yaml:18: Kustomization flux-system/elsewhere: not followed: its source GitRepository flux-system/other (clusters/prod/apps.yaml) is https://github.com/other/repo, not this repository: not followed
note in infra: infra/cert-manager.yaml:12: HelmRelease infra/cert-manager: not followed: chart cert-manager v1.16.0 from OCIRepository infra/cert-manager (oci://quay.io/jetstack/charts/cert-manager) is not fetched; vendor it in this repository and point gitops.charts at it
note in infra: infra/redis.yaml:12: HelmRelease infra/redis: not followed: chart redis 19.6.0 from HelmRepository infra/bitnami (https://charts.bitnami.com/bitnami) is not fetched; vendor it in this repository and point gitops.charts at it
followed in apps: HelmRelease shop/web
followed in flux-system: Kustomization flux-system/apps
followed in flux-system: Kustomization flux-system/infra`
	if got := describe(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}

	// Vendored: the chart of the HelmRepository is rendered from its copy.
	cfg = &config.Config{Discovered: true, GitOps: config.GitOps{Charts: []config.ChartSource{
		{RepoURL: "https://charts.bitnami.com/bitnami", Chart: "redis", Version: "19.6.0", Path: "vendor/redis"}}}}
	files["infra/redis.yaml"] = helmRelease("redis", "infra", "  chart:\n    spec:\n      chart: redis\n      version: 19.6.0\n"+
		"      sourceRef: {kind: HelmRepository, name: bitnami}\n      valuesFiles: [values-a.yaml]\n") + "\n---\n" +
		"apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: bitnami, namespace: infra}\nspec: {url: https://charts.bitnami.com/bitnami}\n"
	p, _ = expandTree(t, files, cfg)
	var redis *config.Environment
	for i, e := range p.Environments {
		if e.Name == "redis" {
			redis = &p.Environments[i]
		}
	}
	if redis == nil || redis.Helm.Chart != "vendor/redis" || redis.Helm.Release != "redis" || redis.Helm.Namespace != "infra" ||
		len(redis.Helm.ChartValues) != 1 || redis.Helm.ChartValues[0] != "vendor/redis/values-a.yaml" {
		t.Errorf("vendored chart: %+v", redis)
	}
}

// TestExpandFluxSelfManaged: flux bootstrap's Kustomization is in the
// folder it applies: it manages itself, which is no cycle. What meshgate
// does not apply of it (commonMetadata) is a note.
func TestExpandFluxSelfManaged(t *testing.T) {
	files := map[string]string{
		"clusters/prod/gotk-sync.yaml": fluxKustomization("flux-system", bootstrapSource+"  path: ./clusters/prod\n  commonMetadata: {labels: {team: sre}}\n"),
	}
	p, _ := expandTree(t, files, &config.Config{Discovered: true})
	want := `env flux-system: kustomize clusters/prod; Kustomization flux-system/flux-system in clusters/prod/gotk-sync.yaml (GitRepository flux-system/flux-system (flux bootstrap's: this repository))
note in flux-system: clusters/prod/gotk-sync.yaml:9: Kustomization flux-system/flux-system: spec.commonMetadata is not applied to the rendered objects
followed in flux-system: Kustomization flux-system/flux-system`
	if got := describe(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestExpandFluxTargetNamespace: a HelmRelease written without a
// namespace, which the Kustomization that applies it moves into its
// targetNamespace, is the same object in the file and in the rendering:
// its note is the rendering's, not also one of an object nothing renders.
func TestExpandFluxTargetNamespace(t *testing.T) {
	files := map[string]string{
		"clusters/prod/apps.yaml": fluxKustomization("apps", bootstrapSource+"  path: ./apps\n  targetNamespace: shop\n"),
		"apps/probe.yaml":         helmRelease("probe", "", "  chart:\n    spec: {chart: probe, sourceRef: {kind: HelmRepository, name: charts}}\n"),
	}
	files[".git/config"] = "[remote \"origin\"]\n\turl = " + thisRepo + "\n"
	root := testrepo.New(t, files)
	cfg := &config.Config{Root: root, Discovered: true}
	objs, err := Find(root)
	if err != nil {
		t.Fatal(err)
	}
	render := func(env config.Environment) []Object {
		out := fakeRender(root)(env)
		for i := range out {
			out[i].Namespace = "shop"
		}
		return out
	}
	p := Expand(Input{Config: cfg, Objects: objs, Render: render})
	want := `env apps: kustomize apps; Kustomization flux-system/apps in clusters/prod/apps.yaml (GitRepository flux-system/flux-system (flux bootstrap's: this repository))
note in apps: apps/probe.yaml:7: HelmRelease shop/probe: not followed: chart probe from HelmRepository shop/charts is not fetched; vendor it in this repository and point gitops.charts at it`
	if got := describe(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestExpandFluxReplacesManifests: the plain folder a Flux Kustomization
// builds (with the kustomization Flux generates) is how that folder is
// deployed: discovery's manifests environment of it is replaced.
func TestExpandFluxReplacesManifests(t *testing.T) {
	files := map[string]string{
		"clusters/prod/apps.yaml": fluxKustomization("apps", bootstrapSource+"  path: ./apps/web\n"),
		"apps/web/deploy.yaml":    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
	}
	web := config.Environment{Name: "apps/web", Manifests: &config.Manifests{Path: "apps/web"}, Origin: "apps/web/"}
	p, _ := expandTree(t, files, &config.Config{Discovered: true, Environments: []config.Environment{web}})
	want := `env apps: kustomize apps/web; Kustomization flux-system/apps in clusters/prod/apps.yaml (GitRepository flux-system/flux-system (flux bootstrap's: this repository))
replaced apps/web/: deployed by Kustomization apps in clusters/prod/apps.yaml`
	if got := describe(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestExpandFluxReplacesIncludedBase: flux2-kustomize-helm-example's
// layout. The base apps/base/podinfo sets a namespace, so discovery keeps it
// as deployable alone; the Flux Kustomization deploys it through the
// overlay apps/staging, which includes it: both discovered kustomizations
// are replaced, the base with the overlay it is deployed through. A base
// and an overlay no GitOps environment includes stay (not replaced).
func TestExpandFluxReplacesIncludedBase(t *testing.T) {
	files := map[string]string{
		"clusters/staging/apps.yaml":           fluxKustomization("apps", bootstrapSource+"  path: ./apps/staging\n"),
		"apps/staging/kustomization.yaml":      "resources: [../base/podinfo]\n",
		"apps/base/podinfo/kustomization.yaml": "namespace: podinfo\nresources: [deploy.yaml]\n",
		"apps/base/podinfo/deploy.yaml":        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: podinfo}\n",
		"apps/base/other/kustomization.yaml":   "namespace: other\nresources: [deploy.yaml]\n",
		"apps/base/other/deploy.yaml":          "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other}\n",
		"apps/production/kustomization.yaml":   "resources: [../base/other]\n",
	}
	cfg := &config.Config{Discovered: true, Environments: []config.Environment{
		kustomizeEnv("other", "apps/base/other"),
		kustomizeEnv("podinfo", "apps/base/podinfo"),
		kustomizeEnv("production", "apps/production"),
		kustomizeEnv("staging", "apps/staging"),
	}}
	p, _ := expandTree(t, files, cfg)
	want := `env apps: kustomize apps/staging; Kustomization flux-system/apps in clusters/staging/apps.yaml (GitRepository flux-system/flux-system (flux bootstrap's: this repository))
replaced apps/base/podinfo/kustomization.yaml: deployed by Kustomization apps in clusters/staging/apps.yaml (it builds apps/staging, which includes it)
replaced apps/staging/kustomization.yaml: deployed by Kustomization apps in clusters/staging/apps.yaml`
	if got := describe(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestExpandFluxReplacesGeneratedMembers: stefanprodan/gitops-istio's
// layout. The Kustomization's path apps holds no kustomization: Flux
// generates one listing apps/namespace.yaml and the folders below that
// hold kustomizations, so the discovered apps/backend and apps/frontend
// are deployed through it, in the namespace apps/namespace.yaml renders,
// and are not checked alone.
func TestExpandFluxReplacesGeneratedMembers(t *testing.T) {
	files := map[string]string{
		"clusters/my-cluster/apps.yaml":    fluxKustomization("apps", bootstrapSource+"  path: ./apps\n"),
		"apps/namespace.yaml":              "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n",
		"apps/backend/kustomization.yaml":  "resources: [deploy.yaml]\n",
		"apps/backend/deploy.yaml":         "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: backend, namespace: prod}\n",
		"apps/frontend/kustomization.yaml": "resources: [deploy.yaml]\n",
		"apps/frontend/deploy.yaml":        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: frontend, namespace: prod}\n",
	}
	cfg := &config.Config{Discovered: true, Environments: []config.Environment{
		kustomizeEnv("backend", "apps/backend"),
		kustomizeEnv("frontend", "apps/frontend"),
	}}
	p, _ := expandTree(t, files, cfg)
	want := `env apps: kustomize apps; Kustomization flux-system/apps in clusters/my-cluster/apps.yaml (GitRepository flux-system/flux-system (flux bootstrap's: this repository))
replaced apps/backend/kustomization.yaml: deployed by Kustomization apps in clusters/my-cluster/apps.yaml (it builds apps, which includes it)
replaced apps/frontend/kustomization.yaml: deployed by Kustomization apps in clusters/my-cluster/apps.yaml (it builds apps, which includes it)`
	if got := describe(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestExpandRenderedCopyWins: onedr0p/home-ops' layout. A Kustomization
// written without a namespace (apps/web.yaml) is applied by the root
// Kustomization cluster-apps, through a kustomization that gives it the
// namespace default, which discovery also found (and cluster-apps
// replaces). It is one environment, as rendered (in default); not two
// (the file alone, and the rendered copy). The discovered kustomization's
// copy and cluster-apps' are one rendering, found through the discovered
// one first, which the listing names by its file and which stands for
// cluster-apps.
func TestExpandRenderedCopyWins(t *testing.T) {
	files := map[string]string{
		"clusters/prod/apps.yaml": fluxKustomization("cluster-apps", bootstrapSource+"  path: ./apps\n"),
		"apps/kustomization.yaml": "namespace: default\nresources: [web.yaml]\n",
		"apps/web.yaml":           "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: web\nspec:\n  sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}\n  path: ./web\n",
		"web/kustomization.yaml":  "resources: [cm.yaml]\n",
		"web/cm.yaml":             "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n",
		".git/config":             "[remote \"origin\"]\n\turl = " + thisRepo + "\n",
	}
	root := testrepo.New(t, files)
	cfg := &config.Config{Root: root, Discovered: true, Environments: []config.Environment{kustomizeEnv("apps", "apps")}}
	objs, err := Find(root)
	if err != nil {
		t.Fatal(err)
	}
	// The rendering of apps, by either environment, is apps/web.yaml in
	// the namespace the kustomization sets, as kustomize builds it.
	render := func(env config.Environment) []Object {
		if env.Kustomize == nil || env.Kustomize.Path != "apps" {
			return nil
		}
		data, _ := os.ReadFile(filepath.Join(root, "apps/web.yaml"))
		out := Decode("apps/web.yaml", data)
		for i := range out {
			out[i].Namespace = "default"
			out[i].Body["metadata"].(map[string]any)["namespace"] = "default"
		}
		return out
	}
	p := Expand(Input{Config: cfg, Objects: objs, Render: render})
	want := `env cluster-apps: kustomize apps; Kustomization flux-system/cluster-apps in clusters/prod/apps.yaml (GitRepository flux-system/flux-system (flux bootstrap's: this repository))
env web: kustomize web; Kustomization default/web in apps/web.yaml (GitRepository flux-system/flux-system (flux bootstrap's: this repository)) (rendered by apps/kustomization.yaml)
replaced apps/kustomization.yaml: deployed by Kustomization cluster-apps in clusters/prod/apps.yaml
followed in cluster-apps: Kustomization default/web`
	if got := describe(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}
