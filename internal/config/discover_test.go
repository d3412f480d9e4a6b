package config

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/testrepo"
)

// describe prints environments one a line, as a person reads them.
func describe(envs []Environment) string {
	var b strings.Builder
	for _, e := range envs {
		fmt.Fprintf(&b, "%s: %s %s", e.Name, e.Source(), e.Path())
		if h := e.Helm; h != nil {
			fmt.Fprintf(&b, " release=%s namespace=%s values=%v kubeVersion=%s includeHooks=%v",
				h.Release, h.Namespace, h.Values, h.KubeVersion, h.IncludeHooks != nil && *h.IncludeHooks)
		} else {
			fmt.Fprintf(&b, " namespace=%s", e.Namespace)
		}
		fmt.Fprintf(&b, " (from %s)\n", e.Origin)
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("got:\n%s\nwant (%s):\n%s", got, p, want)
	}
}

// The fixture tree has a kustomize base with two overlays and a component,
// a legacy overlay also named prod, a chart with values-staging.yaml,
// values.prod.yaml and a subchart, a chart folder named staging like an
// overlay, a kustomization inflating its own chart, and folders discovery
// must not enter (.hidden, node_modules).
func TestDiscover(t *testing.T) {
	envs, err := Discover("testdata/discover")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "discover.golden", describe(envs))
}

func TestDefaultConfig(t *testing.T) {
	cfg, err := DefaultConfig("testdata/discover")
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("testdata/discover")
	if !cfg.Discovered || cfg.Root != abs || cfg.File != "" {
		t.Errorf("Discovered=%v Root=%q File=%q", cfg.Discovered, cfg.Root, cfg.File)
	}
	if cfg.Mesh.Provider != "istio" || cfg.Mesh.Jobs != "warn" || !cfg.Secrets.KeysChecked() {
		t.Errorf("defaults not applied: %s", dump(cfg.Mesh))
	}
	if len(cfg.Environments) != 8 {
		t.Errorf("%d environments, want 8", len(cfg.Environments))
	}
}

func TestDiscoverRootChart(t *testing.T) {
	root := filepath.Join(t.TempDir(), "checkout") // the name comes from Chart.yaml
	testrepo.Write(t, root, map[string]string{
		"Chart.yaml":      "apiVersion: v2\nname: payments\nversion: 1.0.0\n",
		"values.yaml":     "",
		"values-dev.yaml": "",
		"values-dev.yml":  "",
	})
	envs, err := Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	// values-dev.yaml and values-dev.yml both make payments/dev: only their
	// file names tell them apart.
	want := `payments: helm . release=payments namespace=default values=[] kubeVersion=1.34.0 includeHooks=true (from Chart.yaml)
values-dev.yaml: helm . release=payments namespace=default values=[values-dev.yaml] kubeVersion=1.34.0 includeHooks=true (from values-dev.yaml)
values-dev.yml: helm . release=payments namespace=default values=[values-dev.yml] kubeVersion=1.34.0 includeHooks=true (from values-dev.yml)
`
	if got := describe(envs); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestDiscoverNothing(t *testing.T) {
	envs, err := Discover(t.TempDir())
	if err != nil || len(envs) != 0 {
		t.Errorf("Discover(empty) = %v, %v; want none", envs, err)
	}
}

// TestDiscoverSkipsAndPresets (issue 11 items 4, 6, 7): library charts,
// charts only used as file:// dependencies (also through requirements.yaml)
// without values files of its own, and test fixtures under a chart are
// skipped, and said so; ci/*-values.yaml
// and *-values.yaml presets beside a chart are environments of their own.
func TestDiscoverSkipsAndPresets(t *testing.T) {
	root := t.TempDir()
	chart := func(name string) string { return "apiVersion: v2\nname: " + name + "\nversion: 0.1.0\n" }
	testrepo.Write(t, root, map[string]string{
		"charts/common/Chart.yaml":             "apiVersion: v2\nname: common\nversion: 0.1.0\ntype: library\n",
		"charts/partials/Chart.yaml":           "apiVersion: v1\nname: partials\nversion: 0.1.0\n",
		"charts/control/Chart.yaml":            "apiVersion: v1\nname: control\nversion: 0.1.0\n",
		"charts/control/requirements.yaml":     "dependencies:\n  - name: partials\n    repository: file://../partials\n",
		"charts/loki/Chart.yaml":               chart("loki"),
		"charts/app/Chart.yaml":                "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: guestbook\n    repository: file://../guestbook\n",
		"charts/guestbook/Chart.yaml":          chart("guestbook"),
		"charts/guestbook/values-prod.yaml":    "",
		"charts/loki/simple-values.yaml":       "",
		"charts/loki/ci/default-values.yaml":   "",
		"charts/loki/ci/notes.yaml":            "",
		"charts/loki/tests/kustomization.yaml": "resources: []\n",
		"charts/loki/examples/demo/Chart.yaml": chart("demo"),
	})
	cfg, err := DefaultConfig(root)
	if err != nil {
		t.Fatal(err)
	}
	want := `app: helm charts/app release=app namespace=default values=[] kubeVersion=1.34.0 includeHooks=true (from charts/app/Chart.yaml)
control: helm charts/control release=control namespace=default values=[] kubeVersion=1.34.0 includeHooks=true (from charts/control/Chart.yaml)
guestbook: helm charts/guestbook release=guestbook namespace=default values=[] kubeVersion=1.34.0 includeHooks=true (from charts/guestbook/Chart.yaml)
guestbook/prod: helm charts/guestbook release=guestbook namespace=default values=[charts/guestbook/values-prod.yaml] kubeVersion=1.34.0 includeHooks=true (from charts/guestbook/values-prod.yaml)
loki: helm charts/loki release=loki namespace=default values=[] kubeVersion=1.34.0 includeHooks=true (from charts/loki/Chart.yaml)
loki/default: helm charts/loki release=loki namespace=default values=[charts/loki/ci/default-values.yaml] kubeVersion=1.34.0 includeHooks=true (from charts/loki/ci/default-values.yaml)
loki/simple: helm charts/loki release=loki namespace=default values=[charts/loki/simple-values.yaml] kubeVersion=1.34.0 includeHooks=true (from charts/loki/simple-values.yaml)
`
	if got := describe(cfg.Environments); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	wantSkipped := []Skipped{
		{Path: "charts/common/Chart.yaml", Reason: "a library chart"},
		{Path: "charts/loki/examples/demo/Chart.yaml", Reason: "a test fixture of a chart"},
		{Path: "charts/loki/tests/kustomization.yaml", Reason: "a test fixture of a chart"},
		{Path: "charts/partials/Chart.yaml", Reason: "a file:// dependency of charts/control"},
	}
	if !reflect.DeepEqual(cfg.Skipped, wantSkipped) {
		t.Errorf("skipped %v, want %v", cfg.Skipped, wantSkipped)
	}
}

// TestDiscoverStandaloneBases (issue 11 item 7): a kustomization that sets
// a namespace, or defines a Namespace, is deployed on its own and is an
// environment even when another kustomization uses it as a base.
func TestDiscoverStandaloneBases(t *testing.T) {
	root := t.TempDir()
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n"
	files := map[string]string{"shop/kustomization.yaml": "namespace: shop\nresources: [web.yaml]\n",
		"overlay/kustomization.yaml": "resources: [../app, ../shop, ../base]\n",
		"app/web.yaml":               "apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n---\n" + cm}
	for _, dir := range []string{"app", "shop", "base"} {
		files[dir+"/web.yaml"] = cmp.Or(files[dir+"/web.yaml"], cm)
		files[dir+"/kustomization.yaml"] = cmp.Or(files[dir+"/kustomization.yaml"], "resources: [web.yaml]\n")
	}
	testrepo.Write(t, root, files)
	envs, err := Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range envs {
		names = append(names, e.Name)
	}
	if want := []string{"app", "overlay", "shop"}; !reflect.DeepEqual(names, want) {
		t.Errorf("environments %v, want %v", names, want)
	}
}

// TestDiscoverManifests (issue 11 item 5): a folder whose own .yaml, .yml
// or .json files hold a workload is a manifests environment named after
// its path, unless it is a kustomization's folder, under a chart or a
// chartHome, named by a kustomization (a patch, a resource), under tests/
// or testdata/ (counted in Skipped), or hidden; a folder of objects
// without a workload is not one, nor YAML that is no object.
func TestDiscoverManifests(t *testing.T) {
	root := t.TempDir()
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: web}]\n"
	rollout := "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: web}]\n"
	testrepo.Write(t, root, map[string]string{
		"guestbook/ui-deployment.yaml":         deploy,
		"guestbook/ui-svc.yaml":                "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n",
		"samples/bookinfo/platform/kube/b.yml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n" + deploy,
		"samples/bookinfo/networking/vs.yaml":  "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\n",
		"rollouts/web.json":                    `{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": []}}}}`,
		"rollouts/web.yaml":                    rollout,
		"app/kustomization.yaml":               "resources: [web.yaml]\npatches:\n  - path: patches/replicas.yaml\n",
		"app/web.yaml":                         deploy,
		"app/patches/replicas.yaml":            deploy,
		"app/unused/web.yaml":                  deploy,
		"charts/shop/Chart.yaml":               "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
		"charts/shop/templates/web.yaml":       deploy,
		"charts/shop/examples/web.yaml":        deploy,
		"tests/e2e/pod.yaml":                   "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
		"pkg/inject/testdata/in.yaml":          deploy,
		".github/kind/deploy.yaml":             deploy,
		"skaffold.yaml":                        "apiVersion: skaffold/v4beta6\nkind: Config\nmetadata: {name: app}\n",
		"values/web.yaml":                      "replicas: 3\nkind: nothing\n",
		"broken/web.yaml":                      "apiVersion: apps/v1\nkind: Deployment\n  bad: [\n",
		"upper/WEB.YAML":                       deploy,
		"templates/web.template.yaml":          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Name }}\nspec:\n  template:\n    spec: {}\n",
	})
	cfg, err := DefaultConfig(root)
	if err != nil {
		t.Fatal(err)
	}
	want := `app: kustomize app namespace=default (from app/kustomization.yaml)
app/unused: manifests app/unused namespace=default (from app/unused/)
guestbook: manifests guestbook namespace=default (from guestbook/)
rollouts: manifests rollouts namespace=default (from rollouts/)
samples/bookinfo/platform/kube: manifests samples/bookinfo/platform/kube namespace=default (from samples/bookinfo/platform/kube/)
shop: helm charts/shop release=shop namespace=default values=[] kubeVersion=1.34.0 includeHooks=true (from charts/shop/Chart.yaml)
`
	if got := describe(cfg.Environments); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	wantSkipped := []Skipped{{Path: "2 folder(s) of YAML under tests/ or testdata/", Reason: "test fixtures"}}
	if !reflect.DeepEqual(cfg.Skipped, wantSkipped) {
		t.Errorf("skipped %v, want %v", cfg.Skipped, wantSkipped)
	}
}

// TestDiscoverRootManifests: a repository whose root folder holds the
// objects has one environment, named as a root chart or kustomization
// without a name is; the same name in a checkout of another name.
func TestDiscoverRootManifests(t *testing.T) {
	root := filepath.Join(t.TempDir(), "checkout")
	testrepo.Write(t, root, map[string]string{"web.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n"})
	envs, err := Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := describe(envs), "root: manifests . namespace=default (from ./)\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestDiscoverApplications (issue 11 item 7): a kustomization that another
// one includes is an environment too when it is a complete application
// (isApplication): it builds a workload, and an includer in another
// top-level folder composes it with workloads of its own or of other
// kustomizations. Bases of their overlays, parts of the application that
// includes them, and what builds no workload are not; kustomizations
// under tests/ or testdata/ are test fixtures wherever they are.
func TestDiscoverApplications(t *testing.T) {
	root := t.TempDir()
	deploy := func(name string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + "}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: c}]\n"
	}
	job := "apiVersion: batch/v1\nkind: Job\nmetadata: {name: pre-sync}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: c}]\n"
	crd := "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x.example.com}\n"
	testrepo.Write(t, root, map[string]string{
		// argocd-example-apps: pre-post-sync adds hook Jobs to kustomize-guestbook.
		"kustomize-guestbook/kustomization.yaml": "namePrefix: kustomize-\nresources: [ui.yaml]\n",
		"kustomize-guestbook/ui.yaml":            deploy("ui"),
		"pre-post-sync/kustomization.yaml":       "bases: [../kustomize-guestbook]\nresources: [pre-sync-job.yaml]\n",
		"pre-post-sync/pre-sync-job.yaml":        job,
		// kubeflow: example/ lists every application; one builds only a CRD.
		"example/kustomization.yaml":                        "resources:\n  - ../apps/dashboard/overlays/oauth2\n  - ../apps/pvcviewer/base\n  - ../apps/crds\n",
		"apps/dashboard/overlays/oauth2/kustomization.yaml": "resources: [../../base]\n",
		"apps/dashboard/base/kustomization.yaml":            "resources: [web.yaml]\n",
		"apps/dashboard/base/web.yaml":                      deploy("dashboard"),
		"apps/pvcviewer/base/kustomization.yaml":            "resources: [controller.yaml]\n",
		"apps/pvcviewer/base/controller.yaml":               deploy("pvcviewer"),
		"apps/crds/kustomization.yaml":                      "resources: [crd.yaml]\n",
		"apps/crds/crd.yaml":                                crd,
		// The kustomize examples: a base and its overlays; an application
		// made of two bases; an overlay of a base in another folder that
		// adds no workload.
		"ldap/base/kustomization.yaml":             "resources: [ldap.yaml]\n",
		"ldap/base/ldap.yaml":                      deploy("ldap"),
		"ldap/overlays/prod/kustomization.yaml":    "resources: [../../base]\nnamePrefix: prod-\n",
		"ldap/overlays/staging/kustomization.yaml": "resources: [../../base, job.yaml]\n",
		"ldap/overlays/staging/job.yaml":           job,
		"wordpress/kustomization.yaml":             "resources: [wordpress, mysql]\n",
		"wordpress/wordpress/kustomization.yaml":   "resources: [d.yaml]\n",
		"wordpress/wordpress/d.yaml":               deploy("wordpress"),
		"wordpress/mysql/kustomization.yaml":       "resources: [d.yaml]\n",
		"wordpress/mysql/d.yaml":                   deploy("mysql"),
		"legacy/prod/kustomization.yaml":           "resources: [../../ldap/base]\n",
		// microservices-demo: kustomize/tests combine the base with components.
		"shop/kustomization.yaml":                 "resources: [base]\n",
		"shop/base/kustomization.yaml":            "resources: [d.yaml]\n",
		"shop/base/d.yaml":                        deploy("frontend"),
		"shop/tests/all/kustomization.yaml":       "resources: [../../base]\ncomponents: [../../components/mesh]\n",
		"shop/components/mesh/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
		"ops/kustomization.yaml":                  "resources: [../shop/components/mesh, job.yaml]\n",
		"ops/job.yaml":                            job,
	})
	cfg, err := DefaultConfig(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range cfg.Environments {
		got = append(got, e.Name+" "+e.Path())
	}
	want := []string{
		"base apps/pvcviewer/base",
		"example example",
		"kustomize-guestbook kustomize-guestbook",
		"ldap/overlays/prod ldap/overlays/prod",
		"legacy/prod legacy/prod",
		"oauth2 apps/dashboard/overlays/oauth2",
		"ops ops",
		"pre-post-sync pre-post-sync",
		"shop shop",
		"staging ldap/overlays/staging",
		"wordpress wordpress",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("environments:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantSkipped := []Skipped{{Path: "shop/tests/all/kustomization.yaml", Reason: "a test fixture (under tests/ or testdata/)"}}
	if !reflect.DeepEqual(cfg.Skipped, wantSkipped) {
		t.Errorf("skipped %v, want %v", cfg.Skipped, wantSkipped)
	}
}
