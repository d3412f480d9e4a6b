package gitops

import (
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/meshgate/meshgate/internal/testrepo"
)

// fakeRepo is a FluxRepo over objects written inline; this repository is
// https://github.com/acme/fleet.
type fakeRepo []*Object

func (r fakeRepo) Find(kind, ns, name string) *Object { return pickObject(r, kind, ns, name) }

func (r fakeRepo) ThisRepository(url string) bool {
	return strings.TrimSuffix(url, ".git") == "https://github.com/acme/fleet"
}

func (r fakeRepo) All(kind string) []*Object {
	var out []*Object
	for _, o := range r {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}

// objects reads a multi-document YAML stream as FluxObjects of file.
func objects(t *testing.T, file, stream string) fakeRepo {
	t.Helper()
	var out fakeRepo
	for i, doc := range strings.Split(stream, "\n---\n") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		meta := sub(m, "metadata")
		out = append(out, &Object{APIVersion: str(m, "apiVersion"), Kind: str(m, "kind"), Namespace: str(meta, "namespace"),
			Name: str(meta, "name"), Body: m, File: file, Line: 1 + i*100})
	}
	return out
}

func TestResolveFluxSource(t *testing.T) {
	repo := objects(t, "clusters/sources.yaml", `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: fleet, namespace: flux-system}
spec: {url: https://github.com/acme/fleet.git, ref: {branch: release}, ignore: "/docs/\n"}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: other, namespace: flux-system}
spec: {url: https://github.com/evil/elsewhere}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: manifests, namespace: flux-system}
spec: {url: oci://ghcr.io/acme/manifests}
---
apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata: {name: gen, namespace: flux-system}
spec:
  sources:
    - {alias: repo, kind: GitRepository, name: fleet}
    - {alias: far, kind: GitRepository, name: other}
  artifacts:
    - name: apps
      copy:
        - {from: "@repo/apps/base/**", to: "@artifact/base/"}
        - {from: "@repo/apps/prod/**", to: "@artifact/prod/"}
    - name: infra
      copy:
        - {from: "@repo/infrastructure/**", to: "@artifact/"}
    - name: folder
      copy:
        - {from: "@repo/deploy/web/", to: "@artifact/x/"}
    - name: reshaped
      copy:
        - {from: "@repo/apps/base/**", to: "@artifact/base/"}
        - {from: "@repo/clusters/prod/**", to: "@artifact/prod/"}
    - name: files
      copy:
        - {from: "@repo/apps/*.yaml", to: "@artifact/"}
    - name: foreign
      copy:
        - {from: "@far/x/**", to: "@artifact/"}`)
	tests := []struct {
		ref      FluxSourceRef
		path     string
		want     string // repository path, or the notice
		describe string
	}{
		{FluxSourceRef{"GitRepository", "flux-system", "fleet"}, "./apps/prod", "apps/prod", "GitRepository flux-system/fleet"},
		{FluxSourceRef{"GitRepository", "flux-system", "fleet"}, "", ".", "GitRepository flux-system/fleet"},
		{FluxSourceRef{"GitRepository", "flux-system", "fleet"}, "../../etc", "etc", "GitRepository flux-system/fleet"},
		{FluxSourceRef{"GitRepository", "flux-system", "flux-system"}, "clusters/prod", "clusters/prod", "GitRepository flux-system/flux-system (flux bootstrap's: this repository)"},
		{FluxSourceRef{"GitRepository", "flux-system", "other"}, "x", "its source GitRepository flux-system/other (clusters/sources.yaml) is https://github.com/evil/elsewhere, not this repository: not followed", ""},
		{FluxSourceRef{"GitRepository", "apps", "missing"}, "x", "its source GitRepository apps/missing is not in the repository", ""},
		{FluxSourceRef{"OCIRepository", "flux-system", "manifests"}, "x", "its source OCIRepository flux-system/manifests (oci://ghcr.io/acme/manifests) is not fetched", ""},
		{FluxSourceRef{"Bucket", "flux-system", "b"}, "x", "its source Bucket flux-system/b is not fetched", ""},
		{FluxSourceRef{"ExternalArtifact", "flux-system", "apps"}, "./prod", "apps/prod", "ExternalArtifact flux-system/apps of ArtifactGenerator flux-system/gen"},
		{FluxSourceRef{"ExternalArtifact", "flux-system", "apps"}, "./base/podinfo", "apps/base/podinfo", "ExternalArtifact flux-system/apps of ArtifactGenerator flux-system/gen"},
		{FluxSourceRef{"ExternalArtifact", "flux-system", "apps"}, "./staging", "(nothing there)", "ExternalArtifact flux-system/apps of ArtifactGenerator flux-system/gen"},
		{FluxSourceRef{"ExternalArtifact", "flux-system", "infra"}, "./controllers", "infrastructure/controllers", "ExternalArtifact flux-system/infra of ArtifactGenerator flux-system/gen"},
		{FluxSourceRef{"ExternalArtifact", "flux-system", "folder"}, "x/web/a", "deploy/web/a", "ExternalArtifact flux-system/folder of ArtifactGenerator flux-system/gen"},
		{FluxSourceRef{"ExternalArtifact", "flux-system", "reshaped"}, "prod", "its source ExternalArtifact flux-system/reshaped comes from ArtifactGenerator flux-system/gen (clusters/sources.yaml), which copies folders to different places, which reshapes the repository (meshgate follows copies that keep the folders' relative places only)", ""},
		{FluxSourceRef{"ExternalArtifact", "flux-system", "files"}, "x", `its source ExternalArtifact flux-system/files comes from ArtifactGenerator flux-system/gen (clusters/sources.yaml), which copies "@repo/apps/*.yaml" to "@artifact/", which reshapes the files (meshgate follows folder copies only)`, ""},
		{FluxSourceRef{"ExternalArtifact", "flux-system", "foreign"}, "x", `its source ExternalArtifact flux-system/foreign comes from ArtifactGenerator flux-system/gen (clusters/sources.yaml), which copies "@far/x/**", not from a GitRepository of this repository`, ""},
		{FluxSourceRef{"ExternalArtifact", "apps", "apps"}, "x", "its source ExternalArtifact apps/apps is made by no ArtifactGenerator in the repository", ""},
	}
	for _, tt := range tests {
		src, why := ResolveFluxSource(repo, tt.ref)
		got := why
		if src != nil {
			p, ok := src.RepoPath(tt.path)
			got = p
			if !ok {
				got = "(nothing there)"
			}
			if src.Describe != tt.describe {
				t.Errorf("%s: describe %q, want %q", tt.ref, src.Describe, tt.describe)
			}
		}
		if got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.ref, tt.path, got, tt.want)
		}
	}
	if src, _ := ResolveFluxSource(repo, FluxSourceRef{"GitRepository", "flux-system", "fleet"}); src.Ignore != "/docs/\n" {
		t.Errorf("spec.ignore %q", src.Ignore)
	}
}

// artifacts reads the artifact of every source at root.
func artifacts(root string) func(*FluxSource) (*FluxArtifact, error) {
	return func(src *FluxSource) (*FluxArtifact, error) { return NewFluxArtifact(root, src.Ignore) }
}

func TestPlanFluxKustomization(t *testing.T) {
	root := testrepo.New(t, map[string]string{
		"apps/prod/kustomization.yaml": "resources: [web.yaml]\n",
		"apps/prod/web.yaml":           cmYAML,
		"apps/prod/comp/x.yaml":        cmYAML,
		"clusters/prod/apps.yaml":      cmYAML,
	})
	repo := objects(t, "clusters/prod/apps.yaml", `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  sourceRef: {kind: GitRepository, name: flux-system}
  path: ./apps/prod
  targetNamespace: shop
  namePrefix: p-
  nameSuffix: -s
  dependsOn: [{name: infra}, {name: db, namespace: data}]
  components: [comp, absent]
  ignoreMissingComponents: true
  images: [{name: nginx, newTag: "1.27"}]
  patches:
    - patch: '[{"op": "add", "path": "/metadata/labels/x", "value": "y"}]'
      target: {kind: Deployment, labelSelector: app=web}
  postBuild:
    substitute: {env: prod}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: plain, namespace: flux-system}
spec:
  sourceRef: {kind: GitRepository, name: flux-system}
  path: clusters/prod
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: remote, namespace: flux-system}
spec:
  sourceRef: {kind: OCIRepository, name: oci}
  path: ./`)
	plan, why, err := PlanFluxKustomization(repo, artifacts(root), repo[0], maxFileBytes)
	if err != nil || why != "" {
		t.Fatal(why, err)
	}
	want := &FluxKustomizationPlan{
		Path: "apps/prod", TargetNamespace: "shop", NamePrefix: "p-", NameSuffix: "-s",
		Patches:    []FluxPatch{{Patch: `[{"op": "add", "path": "/metadata/labels/x", "value": "y"}]`, Target: &FluxSelector{Kind: "Deployment", LabelSelector: "app=web"}, Line: 1}},
		Images:     []FluxImage{{Name: "nginx", NewTag: "1.27"}},
		Components: []string{"comp"},
		PostBuild:  &FluxPostBuild{Substitute: map[string]string{"env": "prod"}},
		Source:     "GitRepository flux-system/flux-system (flux bootstrap's: this repository)",
		DependsOn:  []string{"flux-system/infra", "data/db"},
	}
	if !reflect.DeepEqual(plan, want) {
		t.Errorf("plan\n%+v\nwant\n%+v", plan, want)
	}
	plan, _, err = PlanFluxKustomization(repo, artifacts(root), repo[1], maxFileBytes)
	if err != nil || plan.Generated == nil || !reflect.DeepEqual(plan.Generated.Resources, []string{"./apps.yaml"}) {
		t.Errorf("a plain folder: %+v, %v", plan, err)
	}
	plan, why, err = PlanFluxKustomization(repo, artifacts(root), repo[2], maxFileBytes)
	if plan != nil || err != nil || why != "its source OCIRepository flux-system/oci is not fetched" {
		t.Errorf("remote source: %+v %q %v", plan, why, err)
	}
}

func TestPlanFluxKustomizationErrors(t *testing.T) {
	root := testrepo.New(t, map[string]string{"x/kustomization.yaml": "resources: []\n"})
	for y, msg := range map[string]string{
		"spec: {path: x}": "spec.sourceRef: want a kind and a name",
		"spec: {sourceRef: {kind: GitRepository, name: flux-system}, path: yes}":                                   "spec.path: want a string, got a boolean",
		"spec: {sourceRef: {kind: GitRepository, name: flux-system}, path: x, patches: [{target: {kind: A}}]}":     "spec.patches[0].patch: missing",
		"spec: {sourceRef: {kind: GitRepository, name: flux-system}, path: x, components: [https://x.io/c]}":       "component path 'https://x.io/c' must be local and relative",
		"spec: {sourceRef: {kind: GitRepository, name: flux-system}, path: x, images: [{newTag: x}]}":              "spec.images[0].name: missing",
		"spec: {sourceRef: {kind: GitRepository, name: flux-system}, path: nope}":                                  "path nope: no such folder in the repository",
		"spec: {sourceRef: {kind: GitRepository, name: flux-system}, path: x, postBuild: {substitute: {a: true}}}": "spec.postBuild.substitute.a: want a string, got a boolean (quote it)",
	} {
		repo := objects(t, "k.yaml", "kind: Kustomization\nmetadata: {name: k, namespace: flux-system}\n"+y)
		_, why, err := PlanFluxKustomization(repo, artifacts(root), repo[0], maxFileBytes)
		if err == nil || err.Error() != msg {
			t.Errorf("%s: error %v (%s), want %q", y, err, why, msg)
		}
	}
}

func TestPlanFluxHelmRelease(t *testing.T) {
	repo := objects(t, "apps/podinfo.yaml", `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: apps}
spec:
  targetNamespace: web
  chart:
    spec:
      chart: ./charts/podinfo
      sourceRef: {kind: GitRepository, name: fleet, namespace: flux-system}
      valuesFiles: [charts/podinfo/values.yaml, charts/podinfo/values-prod.yaml]
  install: {crds: Skip, disableHooks: true}
  dependsOn: [{name: redis}]
  values: {replicaCount: 2}
  postRenderers: [{kustomize: {images: [{name: x}]}}]
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: fleet, namespace: flux-system}
spec: {url: "https://github.com/acme/fleet"}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: redis, namespace: apps}
spec:
  releaseName: cache
  chart:
    spec: {chart: redis, version: "19.x", sourceRef: {kind: HelmRepository, name: bitnami}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: bitnami, namespace: apps}
spec: {url: https://charts.bitnami.com/bitnami}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: cert-manager, namespace: cert-manager}
spec:
  chartRef: {kind: OCIRepository, name: cert-manager}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: cert-manager, namespace: cert-manager}
spec: {url: oci://quay.io/jetstack/charts/cert-manager, ref: {semver: "1.x"}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: via-chart, namespace: apps}
spec:
  chartRef: {kind: HelmChart, name: local}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata: {name: local, namespace: apps}
spec: {chart: charts/local, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: foreign, namespace: apps}
spec:
  chart:
    spec: {chart: charts/x, sourceRef: {kind: GitRepository, name: elsewhere}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: elsewhere, namespace: apps}
spec: {url: "git@github.com:evil/elsewhere.git"}`)
	none := func(string, string, string) (*FluxData, error) { return nil, nil }
	plan, why, err := PlanFluxHelmRelease(repo, repo[0], none)
	if err != nil || why != "" {
		t.Fatal(why, err)
	}
	want := &FluxHelmPlan{
		Chart: "charts/podinfo", ValuesFiles: []string{"charts/podinfo/values.yaml", "charts/podinfo/values-prod.yaml"},
		Release: "web-podinfo", Namespace: "web", SkipCRDs: true, DisableHooks: true,
		Values:    []FluxValues{{File: "apps/podinfo.yaml", Line: 1, Values: map[string]any{"replicaCount": float64(2)}}},
		Source:    "GitRepository flux-system/fleet",
		DependsOn: []string{"apps/redis"},
		Notes:     []string{"HelmRelease apps/podinfo: spec.postRenderers is not applied to the rendered chart"},
	}
	if !reflect.DeepEqual(plan, want) {
		t.Errorf("plan\n%+v\nwant\n%+v", plan, want)
	}
	remote := map[int]string{
		2: "chart redis 19.x from HelmRepository apps/bitnami (https://charts.bitnami.com/bitnami)",
		4: "chart cert-manager 1.x from OCIRepository cert-manager/cert-manager (oci://quay.io/jetstack/charts/cert-manager)",
	}
	for i, desc := range remote {
		plan, _, err := PlanFluxHelmRelease(repo, repo[i], none)
		if err != nil || plan.Remote == nil || plan.Remote.String() != desc || plan.Chart != "" {
			t.Errorf("%s: %+v, %v; want remote %q", repo[i].Ref().String(), plan, err, desc)
		}
	}
	if plan, _, _ := PlanFluxHelmRelease(repo, repo[2], none); plan.Release != "cache" || plan.Namespace != "apps" {
		t.Errorf("releaseName: %+v", plan)
	}
	plan, _, err = PlanFluxHelmRelease(repo, repo[6], none)
	if err != nil || plan.Chart != "charts/local" {
		t.Errorf("chartRef to a HelmChart: %+v, %v", plan, err)
	}
	plan, why, err = PlanFluxHelmRelease(repo, repo[8], none)
	if plan != nil || err != nil || why != "its source GitRepository apps/elsewhere (apps/podinfo.yaml) is git@github.com:evil/elsewhere.git, not this repository: not followed" {
		t.Errorf("foreign chart source: %+v %q %v", plan, why, err)
	}
}

// TestPlanFluxKustomizationOtherRevision: flux2-multi-tenancy's dev-team
// Kustomization reads ./production of a GitRepository of this repository
// that follows the branch dev-team, which the checkout does not hold: not
// followed, and the reason says which revision it follows. A path the
// checkout holds is rendered from the checkout, whatever the revision.
func TestPlanFluxKustomizationOtherRevision(t *testing.T) {
	root := testrepo.New(t, map[string]string{"staging/kustomization.yaml": "resources: []\n"})
	repo := objects(t, "tenants/dev-team/sync.yaml", `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: dev-team, namespace: apps}
spec: {url: https://github.com/acme/fleet, ref: {branch: dev-team}}
---
kind: Kustomization
metadata: {name: dev-team, namespace: apps}
spec: {sourceRef: {kind: GitRepository, name: dev-team}, path: ./production}
---
kind: Kustomization
metadata: {name: dev-team-staging, namespace: apps}
spec: {sourceRef: {kind: GitRepository, name: dev-team}, path: ./staging}`)
	plan, why, err := PlanFluxKustomization(repo, artifacts(root), repo[1], maxFileBytes)
	if want := "path production: no such folder in the repository; its source GitRepository apps/dev-team follows branch dev-team of this repository, and meshgate reads the checkout only"; plan != nil || err != nil || why != want {
		t.Errorf("got %+v %q %v, want the reason %q", plan, why, err, want)
	}
	if plan, why, err = PlanFluxKustomization(repo, artifacts(root), repo[2], maxFileBytes); plan == nil || plan.Path != "staging" || why != "" || err != nil {
		t.Errorf("a path the checkout holds: %+v %q %v", plan, why, err)
	}
}
