package check

import (
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// What messages add to a hostNetwork verdict and to a rejected pod.
const (
	meshTestHostNetAdvice = ": if the pod must run on the host network (a node agent), exempt it from mesh-injection with a reason, or deploy it to a namespace that does not enable injection"
	meshTestRejected      = "; the pod is not created at all"
)

// How messages name namespace "shop" and where its facts come from.
const (
	meshTestNsConfig   = `namespace "shop" (from mesh.namespaces)`
	meshTestNsRendered = `namespace "shop" (from the rendered Namespace)`
	meshTestNsUnknown  = `namespace "shop" (not rendered, not in mesh.namespaces)`
)

// Field paths a finding's line comes from.
var (
	meshTestMeta       = []any{"spec", "template", "metadata"}
	meshTestHostNet    = []any{"spec", "template", "spec", "hostNetwork"}
	meshTestLabelPath  = func(k string) []any { return []any{"spec", "template", "metadata", "labels", k} }
	meshTestAnnPath    = func(k string) []any { return []any{"spec", "template", "metadata", "annotations", k} }
	meshTestDeployment = func(opts ...meshTestOpt) *manifest.Workload { return meshTestWorkload("Deployment", "cart", opts...) }
)

type meshInjectCase struct {
	name string
	// byDefault is mesh.injectByDefault.
	byDefault bool
	// nsConfig is the mesh.namespaces entry of the workload's namespace.
	nsConfig map[string]string
	// nsObject is a rendered Namespace of the workload's namespace.
	nsObject *manifest.Object
	w        *manifest.Workload
	// want is the mesh-injection message, "" when the pod is meshed.
	want string
	path []any
	// ambient marks a pod meshed without a sidecar.
	ambient bool
	// sev overrides the expected severity (Jobs default to warning).
	sev finding.Severity
	// set changes the mesh config (version, install, optOut).
	set func(*config.Mesh)
	// cite is the upstream file and line, at the release modelled, that
	// the case holds meshgate to.
	cite string
}

// meshCaseInput is the check input of a case under provider.
func meshCaseInput(c meshInjectCase, provider string) Input {
	mesh := config.Mesh{Provider: provider, InjectByDefault: c.byDefault, Jobs: config.JobsWarn}
	if c.set != nil {
		c.set(&mesh)
	}
	if c.nsConfig != nil {
		mesh.Namespaces = map[string]map[string]string{c.w.Namespace: c.nsConfig}
	}
	set := &manifest.Set{Workloads: []*manifest.Workload{c.w}, Namespaces: map[string]*manifest.Object{}}
	if c.nsObject != nil {
		set.Namespaces[c.nsObject.Name] = c.nsObject
		set.Objects = append(set.Objects, c.nsObject)
	}
	return meshTestInput(mesh, set)
}

// meshCaseVerdict is the provider's verdict on a case's pod.
func meshCaseVerdict(in Input, c meshInjectCase) (meshVerdict, bool) {
	return meshDecide(meshCtxOf(in.Config.Mesh, in.Env), meshNamespaceOf(in, c.w.Namespace), c.w)
}

func runMeshInjectCases(t *testing.T, cases []meshInjectCase, provider string) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.cite == "" {
				t.Errorf("case cites no upstream source")
			}
			in := meshCaseInput(c, provider)
			var want []finding.Finding
			if c.want != "" {
				sev := finding.SeverityError
				if c.sev != "" {
					sev = c.sev
				}
				want = append(want, meshTestWant(finding.RuleMeshInjection, sev, c.w, "", "injection", "", c.want))
			}
			meshTestCompare(t, meshFindings(in), want)

			v, ok := meshCaseVerdict(in, c)
			switch {
			case !ok:
				if c.want != "" {
					t.Errorf("provider %q decided nothing", provider)
				}
			case c.want != "":
				if !reflect.DeepEqual(v.path, c.path) {
					t.Errorf("path = %v, want %v", v.path, c.path)
				}
			case v.sidecar == c.ambient:
				t.Errorf("sidecar = %v, want %v", v.sidecar, !c.ambient)
			}
		})
	}
}

// meshCases are every provider's cases.
var meshCases = map[string]func() []meshInjectCase{
	config.ProviderIstio: meshIstioCases, config.ProviderIstioAmbient: meshIstioAmbientCases,
	config.ProviderLinkerd: meshLinkerdCases, config.ProviderConsul: meshConsulCases, config.ProviderKuma: meshKumaCases,
}

// TestMeshTableRowsCovered: every row of every provider's table matches
// in at least one case of that provider, so that every row has a test.
func TestMeshTableRowsCovered(t *testing.T) {
	for _, p := range Providers {
		if p.table == nil {
			continue
		}
		matched := map[string]bool{}
		for _, c := range meshCases[p.Name]() {
			in := meshCaseInput(c, p.Name)
			v, _ := meshCaseVerdict(in, c)
			for _, r := range v.rows {
				matched[r] = true
			}
		}
		for _, s := range p.table.steps {
			for _, r := range s.rows {
				if id := p.Name + "/" + r.id; !matched[id] {
					t.Errorf("row %s matches in no case of TestMeshInjection (%s)", id, s.name)
				}
			}
		}
	}
}

func TestMeshInjectionIstio(t *testing.T) {
	runMeshInjectCases(t, meshIstioCases(), config.ProviderIstio)
}

func meshIstioCases() []meshInjectCase {
	enabled := map[string]string{"istio-injection": "enabled"}
	legacy := []config.LabelSelector{{MatchLabels: map[string]string{"app": "legacy"}}}
	neverMsg := "pod template labels match mesh.install.neverInjectSelector (istio's sidecarInjectorWebhook.neverInjectSelector), which refuses injection"
	return []meshInjectCase{
		{name: "success.namespace-injection-enabled", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:115-128 (namespace istio-injection=enabled)", nsConfig: enabled, w: meshTestDeployment()},
		{name: "success.revision-label", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:66-86", nsConfig: map[string]string{"istio.io/rev": "1-24"}, w: meshTestDeployment()},
		{name: "success.namespace-injection-and-revision", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:66-86", nsConfig: map[string]string{"istio-injection": "enabled", "istio.io/rev": "canary"}, w: meshTestDeployment()},
		{name: "success.pod-revision-label", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:66-86", w: meshTestDeployment(meshTestPodLabels("istio.io/rev", "canary"))},
		{name: "success.pod-revision-label-in-enabled-namespace", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:66-86", nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("istio.io/rev", "canary"))},
		{name: "success.pod-label-true-unlabelled-ns", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:130-145 (object: label \"true\" only)", w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "true"))},
		{name: "success.pod-label-true-and-revision", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:130-145 (object: label \"true\" only)", w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "true", "istio.io/rev", "canary"))},
		{name: "success.inject-by-default", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:146-165 (enableNamespacesByDefault)", byDefault: true, w: meshTestDeployment()},
		{name: "success.inject-by-default-pod-label-true", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:146-165 (enableNamespacesByDefault)", byDefault: true, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "true"))},
		{name: "success.inject-by-default-annotation-true", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:146-165 (enableNamespacesByDefault)", byDefault: true, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "true"))},
		{name: "success.label-true-wins-over-annotation-false", cite: "istio 1.30.3 pkg/kube/inject/inject.go:223-227 (the label wins over the annotation)", w: meshTestDeployment(
			meshTestPodLabels("sidecar.istio.io/inject", "true"), meshTestPodAnn("sidecar.istio.io/inject", "false"))},
		{name: "success.annotation-true-in-enabled-ns", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:130-145 (object: label \"true\" only)", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "true"))},
		{name: "success.invalid-label-value-enabled-ns", cite: "istio 1.30.3 pkg/kube/inject/inject.go:235-239 (invalid values fall back to the policy)", nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "yes"))},
		{name: "success.invalid-label-value-wins-over-annotation-false", cite: "istio 1.30.3 pkg/kube/inject/inject.go:223-227 (the label wins over the annotation)", nsConfig: enabled, w: meshTestDeployment(
			meshTestPodLabels("sidecar.istio.io/inject", "enabled"), meshTestPodAnn("sidecar.istio.io/inject", "false"))},
		{name: "success.capitalised-false-label-is-invalid-and-injects", cite: "istio 1.30.3 pkg/kube/inject/inject.go:235-239 (invalid values fall back to the policy)", nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "False"))},
		{name: "success.invalid-annotation-enabled-ns", cite: "istio 1.30.3 pkg/kube/inject/inject.go:235-239 (invalid values fall back to the policy)", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "no"))},
		{name: "success.namespace-object-overrides-config", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:115-128 (namespace istio-injection=enabled)",
			nsConfig: map[string]string{"istio-injection": "disabled"},
			nsObject: meshTestNamespace("shop", enabled, nil), w: meshTestDeployment()},
		{name: "success.statefulset", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:115-128 (namespace istio-injection=enabled)", nsConfig: enabled, w: meshTestWorkload("StatefulSet", "db")},
		{name: "success.bare-pod-label", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:130-145 (object: label \"true\" only)", w: meshTestWorkload("Pod", "debug", meshTestPodLabels("sidecar.istio.io/inject", "true"))},

		{name: "failure.unlabelled-ns", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:115-128 (namespace istio-injection=enabled)", w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsUnknown + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`},
		{name: "failure.namespace-config-without-labels", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:115-128 (namespace istio-injection=enabled)", nsConfig: map[string]string{"team": "payments"}, w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`},
		{name: "failure.namespace-object-overrides-config", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:115-128 (namespace istio-injection=enabled)", nsConfig: enabled,
			nsObject: meshTestNamespace("shop", map[string]string{"team": "payments"}, enabled), w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsRendered + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`},
		{name: "failure.annotation-true-unlabelled-ns", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:130-145 (object: label \"true\" only)", w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "true")),
			path: meshTestAnnPath("sidecar.istio.io/inject"),
			want: `pod template has annotation sidecar.istio.io/inject="true" but ` + meshTestNsUnknown + ` has no istio-injection or istio.io/rev label: the injector selects on labels only; use the label sidecar.istio.io/inject="true" on the pod template or label the namespace`},
		{name: "failure.deployment-metadata-label-only", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:130-145 (object: label \"true\" only)", w: meshTestDeployment(meshTestObjLabels("sidecar.istio.io/inject", "true")), path: meshTestMeta,
			want: meshTestNsUnknown + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev; label sidecar.istio.io/inject is on the Deployment's metadata, not on spec.template.metadata`},
		{name: "failure.cronjob-metadata-annotation-only", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:130-145 (object: label \"true\" only)", w: meshTestWorkload("CronJob", "report", meshTestObjAnn("sidecar.istio.io/inject", "true"), meshTestPodLabels("app", "report")),
			path: []any{"spec", "jobTemplate", "spec", "template", "metadata"}, sev: finding.SeverityWarning,
			want: meshTestNsUnknown + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev; annotation sidecar.istio.io/inject is on the CronJob's metadata, not on spec.jobTemplate.spec.template.metadata`},
		{name: "optout.pod-label-false-in-enabled-ns", cite: "istio 1.30.3 pkg/kube/inject/inject.go:223-227 (the label wins over the annotation)", sev: finding.SeverityNotice, nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "false")),
			path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "optout.pod-label-false-with-revision", cite: "istio 1.30.3 pkg/kube/inject/inject.go:223-227 (the label wins over the annotation)", sev: finding.SeverityNotice, nsConfig: map[string]string{"istio.io/rev": "canary"}, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "false")),
			path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "optout.pod-label-false-with-pod-revision", cite: "istio 1.30.3 pkg/kube/inject/inject.go:223-227 (the label wins over the annotation)", sev: finding.SeverityNotice, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "false", "istio.io/rev", "canary")),
			path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "optout.label-false-wins-over-annotation-true", cite: "istio 1.30.3 pkg/kube/inject/inject.go:223-227 (the label wins over the annotation)", sev: finding.SeverityNotice, nsConfig: enabled, w: meshTestDeployment(
			meshTestPodLabels("sidecar.istio.io/inject", "false"), meshTestPodAnn("sidecar.istio.io/inject", "true")),
			path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="false", which opts out of injection; the label wins over annotation sidecar.istio.io/inject="true"`},
		{name: "optout.annotation-false-in-enabled-ns", cite: "istio 1.30.3 pkg/kube/inject/inject.go:228-239, 285-290", sev: finding.SeverityNotice, nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "false")),
			path: meshTestAnnPath("sidecar.istio.io/inject"),
			want: `pod template has annotation sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "optout.annotation-false-with-pod-revision", cite: "istio 1.30.3 pkg/kube/inject/inject.go:228-239, 285-290", sev: finding.SeverityNotice, w: meshTestDeployment(meshTestPodLabels("istio.io/rev", "canary"), meshTestPodAnn("sidecar.istio.io/inject", "false")),
			path: meshTestAnnPath("sidecar.istio.io/inject"),
			want: `pod template has annotation sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "optout.inject-by-default-annotation-false", cite: "istio 1.30.3 pkg/kube/inject/inject.go:228-239, 285-290", sev: finding.SeverityNotice, byDefault: true, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "false")),
			path: meshTestAnnPath("sidecar.istio.io/inject"),
			want: `pod template has annotation sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "optout.namespace-injection-disabled", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:77-79, 93-94, 115-121, 133-134", sev: finding.SeverityNotice, nsConfig: map[string]string{"istio-injection": "disabled"},
			w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "true")), path: meshTestMeta,
			want: meshTestNsConfig + ` has label istio-injection="disabled", which blocks every injection path, pod labels included`},
		{name: "optout.namespace-injection-disabled-with-revision", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:77-79, 93-94, 115-121, 133-134", sev: finding.SeverityNotice, nsConfig: map[string]string{"istio-injection": "disabled", "istio.io/rev": "canary"},
			w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has label istio-injection="disabled", which blocks every injection path, pod labels included`},
		{name: "failure.namespace-injection-invalid", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:77-79, 93-94, 115-121, 133-134", nsObject: meshTestNamespace("shop", map[string]string{"istio-injection": "true"}, nil),
			w: meshTestDeployment(meshTestPodLabels("istio.io/rev", "canary")), path: meshTestMeta,
			want: meshTestNsRendered + ` has label istio-injection="true", which is not "enabled": no injector selects the namespace, and the label blocks pod-level injection too`},
		{name: "failure.empty-namespace-revision", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:66-86", nsConfig: map[string]string{"istio.io/rev": ""}, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "true")), path: meshTestMeta,
			want: meshTestNsConfig + ` has an empty istio.io/rev label, which selects no revision and blocks pod-level injection`},
		{name: "failure.empty-pod-revision", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:88-105", w: meshTestDeployment(meshTestPodLabels("istio.io/rev", "")), path: meshTestLabelPath("istio.io/rev"),
			want: `pod template has an empty istio.io/rev label, which selects no revision`},
		{name: "failure.invalid-label-value-unlabelled-ns", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:130-145 (object: label \"true\" only)", w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "enabled")),
			path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="enabled", which is not "true" or "false": ` + meshTestNsUnknown + ` has no istio-injection or istio.io/rev label, so only the value "true" selects the pod for injection`},
		{name: "failure.invalid-label-inject-by-default", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:146-165 (enableNamespacesByDefault)", byDefault: true, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "yes")),
			path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="yes", which is not "true" or "false": ` + meshTestNsUnknown + ` has no istio-injection or istio.io/rev label, so only the value "true" selects the pod for injection`},
		{name: "failure.invalid-annotation-unlabelled-ns", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:130-145 (object: label \"true\" only)", w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "yes")), path: meshTestMeta,
			want: meshTestNsUnknown + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev; annotation sidecar.istio.io/inject="yes" is not "true" or "false", and the annotation can only opt out anyway`},
		// stefanprodan/gitops-istio commits pods injected with istioctl
		// kube-inject into a namespace labelled istio-injection=disabled.
		{name: "success.istio-injected-by-hand-in-disabled-ns", cite: "istio 1.30.3 pkg/kube/inject/inject.go:686-800, pkg/kube/inject/webhook.go:520-522, 1129-1136",
			nsConfig: map[string]string{"istio-injection": "disabled"}, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/status", `{"containers":["istio-proxy"]}`), meshTestContainers(
				manifest.Container{Name: "server", Type: manifest.ContainerApp}, manifest.Container{Name: "istio-proxy", Type: manifest.ContainerApp}))},
		{name: "success.istio-native-injected-by-hand", cite: "istio 1.30.3 pkg/kube/inject/inject.go:686-800, pkg/kube/inject/webhook.go:520-522, 1129-1136",
			w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/status", `{"initContainers":["istio-proxy"]}`), meshTestContainers(
				manifest.Container{Name: "istio-proxy", Type: manifest.ContainerInit, RestartPolicyAlways: true}, manifest.Container{Name: "server", Type: manifest.ContainerApp}))},
		{name: "failure.istio-proxy-without-status-is-not-taken-for-injected", cite: "istio 1.30.3 pkg/kube/inject/webhook.go:520-522 (the status annotation marks an injected pod)", w: meshTestDeployment(meshTestContainers(
			manifest.Container{Name: "server", Type: manifest.ContainerApp}, manifest.Container{Name: "istio-proxy", Type: manifest.ContainerApp})), path: meshTestMeta,
			want: meshTestNsUnknown + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`},
		{name: "failure.hostnetwork", cite: "istio 1.30.3 pkg/kube/inject/inject.go:207-209", nsConfig: enabled, w: meshTestDeployment(meshTestHostNetwork, meshTestPodLabels("sidecar.istio.io/inject", "true")),
			path: meshTestHostNet, want: `pod template sets hostNetwork: true; istio never injects host-network pods` + meshTestHostNetAdvice},
		{name: "failure.kube-system", cite: "istio 1.30.3 pkg/kube/inject/inject.go:212-216", nsConfig: enabled, w: meshTestDeployment(meshTestIn("kube-system"), meshTestPodLabels("sidecar.istio.io/inject", "true")),
			path: meshTestMeta, want: `namespace "kube-system" is never injected by istio`},
		{name: "failure.local-path-storage-inject-by-default", cite: "istio 1.30.3 pkg/kube/inject/inject.go:212-216", byDefault: true, w: meshTestDeployment(meshTestIn("local-path-storage")),
			path: meshTestMeta, want: `namespace "local-path-storage" is never injected by istio`},
		{name: "failure.bare-pod-unlabelled-ns", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:130-145 (object: label \"true\" only)", w: meshTestWorkload("Pod", "debug", meshTestPodAnn("sidecar.istio.io/inject", "true")),
			path: []any{"metadata", "annotations", "sidecar.istio.io/inject"},
			want: `pod template has annotation sidecar.istio.io/inject="true" but ` + meshTestNsUnknown + ` has no istio-injection or istio.io/rev label: the injector selects on labels only; use the label sidecar.istio.io/inject="true" on the pod template or label the namespace`},
		{name: "failure.auto-inject-disabled", cite: "istio 1.30.3 pkg/kube/inject/inject.go:273-291 (global.proxy.autoInject)", nsConfig: enabled, set: meshTestInstall(func(i *config.Install) { i.AutoInject = new(false) }), w: meshTestDeployment(), path: meshTestMeta,
			want: `mesh.install.autoInject is false (istio's global.proxy.autoInject: disabled): a selected pod is injected only with sidecar.istio.io/inject="true"`},
		{name: "success.auto-inject-disabled-label-true", cite: "istio 1.30.3 pkg/kube/inject/inject.go:273-291 (global.proxy.autoInject)", nsConfig: enabled, set: meshTestInstall(func(i *config.Install) { i.AutoInject = new(false) }),
			w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "true"))},
		{name: "success.auto-inject-disabled-annotation-true", cite: "istio 1.30.3 pkg/kube/inject/inject.go:273-291 (global.proxy.autoInject)", nsConfig: enabled, set: meshTestInstall(func(i *config.Install) { i.AutoInject = new(false) }),
			w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "true"))},
		{name: "optout.error-when-configured", cite: "istio 1.30.3 pkg/kube/inject/inject.go:228-232; mesh.optOut", nsConfig: enabled, set: func(m *config.Mesh) { m.OptOut = config.OptOutError },
			w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "false")), path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "rejected.proxy-cpu-not-a-quantity", cite: "istio 1.30.3 pkg/kube/inject/validate.go:40-81, inject.go:434, webhook.go:342-344", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/proxyCPU", "lots")),
			path: meshTestAnnPath("sidecar.istio.io/proxyCPU"),
			want: `pod template has annotation sidecar.istio.io/proxyCPU="lots", which istio's injector rejects (not a Kubernetes quantity such as 100m or 128Mi): the webhook answers allowed: false` + meshTestRejected},
		{name: "rejected.merge-metrics-yes", cite: "istio 1.30.3 pkg/kube/inject/validate.go:40-81, inject.go:434, webhook.go:342-344", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("prometheus.istio.io/merge-metrics", "yes")),
			path: meshTestAnnPath("prometheus.istio.io/merge-metrics"),
			want: `pod template has annotation prometheus.istio.io/merge-metrics="yes", which istio's injector rejects (not a boolean (true or false)): the webhook answers allowed: false` + meshTestRejected},
		{name: "rejected.bad-port-list", cite: "istio 1.30.3 pkg/kube/inject/validate.go:40-81, inject.go:434, webhook.go:342-344", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("traffic.sidecar.istio.io/excludeOutboundPorts", "5432,http")),
			path: meshTestAnnPath("traffic.sidecar.istio.io/excludeOutboundPorts"),
			want: `pod template has annotation traffic.sidecar.istio.io/excludeOutboundPorts="5432,http", which istio's injector rejects ("http" is not a port): the webhook answers allowed: false` + meshTestRejected},
		// Interface names are validated since 1.30.0 (commit 76b606f2f36).
		{name: "rejected.bad-exclude-interfaces", cite: "istio 1.30.3 pkg/kube/inject/validate.go:53-55, 207-210, pkg/util/net/ip.go:104-124", nsConfig: enabled,
			w: meshTestDeployment(meshTestPodAnn("traffic.sidecar.istio.io/excludeInterfaces", "eth0,veth-with-a-long-name")), path: meshTestAnnPath("traffic.sidecar.istio.io/excludeInterfaces"),
			want: `pod template has annotation traffic.sidecar.istio.io/excludeInterfaces="eth0,veth-with-a-long-name", which istio's injector rejects (interface name "veth-with-a-long-name" too long (max 15 chars)): the webhook answers allowed: false` + meshTestRejected},
		{name: "success.exclude-interfaces-not-validated-before-1.30", cite: "istio 1.29.0 pkg/kube/inject/validate.go (no interface validation before 1.30.0)", nsConfig: enabled, set: meshTestVersion("1.29"),
			w: meshTestDeployment(meshTestPodAnn("istio.io/reroute-virtual-interfaces", "eth0,,eth1"))},
		{name: "success.valid-interfaces", cite: "istio 1.30.3 pkg/util/net/ip.go:104-124", nsConfig: enabled,
			w: meshTestDeployment(meshTestPodAnn("traffic.sidecar.istio.io/kubevirtInterfaces", "net1, net2"))},
		{name: "rejected.bad-interception-mode", cite: "istio 1.30.3 pkg/kube/inject/validate.go:40-81, inject.go:434, webhook.go:342-344", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/interceptionMode", "redirect")),
			path: meshTestAnnPath("sidecar.istio.io/interceptionMode"),
			want: `pod template has annotation sidecar.istio.io/interceptionMode="redirect", which istio's injector rejects (use REDIRECT, TPROXY or NONE): the webhook answers allowed: false` + meshTestRejected},
		{name: "rejected.bad-cidr", cite: "istio 1.30.3 pkg/kube/inject/validate.go:40-81, inject.go:434, webhook.go:342-344", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("traffic.sidecar.istio.io/excludeOutboundIPRanges", "10.0.0.0/8,10.1")),
			path: meshTestAnnPath("traffic.sidecar.istio.io/excludeOutboundIPRanges"),
			want: `pod template has annotation traffic.sidecar.istio.io/excludeOutboundIPRanges="10.0.0.0/8,10.1", which istio's injector rejects ("10.1" is not a CIDR): the webhook answers allowed: false` + meshTestRejected},
		{name: "rejected.job-is-an-error-too", cite: "istio 1.30.3 pkg/kube/inject/validate.go:40-81, inject.go:434, webhook.go:342-344", nsConfig: enabled, w: meshTestWorkload("Job", "migrate", meshTestPodAnn("sidecar.istio.io/proxyMemory", "1 GB", "sidecar.istio.io/nativeSidecar", "true")),
			path: meshTestAnnPath("sidecar.istio.io/proxyMemory"),
			want: `pod template has annotation sidecar.istio.io/proxyMemory="1 GB", which istio's injector rejects (not a Kubernetes quantity such as 100m or 128Mi): the webhook answers allowed: false` + meshTestRejected},
		{name: "success.valid-annotations-in-enabled-ns", cite: "istio 1.30.3 pkg/kube/inject/validate.go:40-81, inject.go:434, webhook.go:342-344", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn(
			"sidecar.istio.io/proxyCPU", "100m", "traffic.sidecar.istio.io/includeOutboundIPRanges", "*", "traffic.sidecar.istio.io/excludeInboundPorts", "",
			"status.sidecar.istio.io/port", "15020", "proxy.istio.io/config", "holdApplicationUntilProxyStarts: true"))},
		// sidecarInjectorWebhook.neverInjectSelector and alwaysInjectSelector
		// (mesh.install): read only when the label (else the annotation) is
		// neither "true" nor "false"; never before always; always only
		// matters with autoInject off; neither makes a webhook call.
		{name: "optout.never-inject-selector", cite: "istio 1.30.3 pkg/kube/inject/inject.go:241-255", sev: finding.SeverityNotice, nsConfig: enabled, set: meshTestSelectors(legacy, nil),
			w: meshTestDeployment(meshTestPodLabels("app", "legacy")), path: meshTestMeta, want: neverMsg},
		{name: "optout.never-inject-selector-after-invalid-label-value", cite: "istio 1.30.3 pkg/kube/inject/inject.go:235-255 (an invalid value falls back to the selectors)", sev: finding.SeverityNotice, nsConfig: enabled, set: meshTestSelectors(legacy, nil),
			w: meshTestDeployment(meshTestPodLabels("app", "legacy", "sidecar.istio.io/inject", "yes")), path: meshTestMeta, want: neverMsg},
		{name: "optout.never-inject-selector-expression", cite: "istio 1.30.3 pkg/kube/inject/inject.go:243-247 (metav1.LabelSelectorAsSelector)", sev: finding.SeverityNotice, nsConfig: enabled,
			set: meshTestSelectors([]config.LabelSelector{{MatchExpressions: []config.LabelSelectorRequirement{{Key: "app", Operator: "In", Values: []string{"batch", "cart"}}, {Key: "version", Operator: "DoesNotExist"}}}}, nil),
			w:   meshTestDeployment(meshTestPodLabels("app", "cart")), path: meshTestMeta, want: neverMsg},
		{name: "success.never-inject-selector-expression-not-met", cite: "istio 1.30.3 pkg/kube/inject/inject.go:243-247 (metav1.LabelSelectorAsSelector)", nsConfig: enabled,
			set: meshTestSelectors([]config.LabelSelector{{MatchExpressions: []config.LabelSelectorRequirement{{Key: "app", Operator: "In", Values: []string{"batch", "cart"}}, {Key: "version", Operator: "DoesNotExist"}}}}, nil),
			w:   meshTestDeployment(meshTestPodLabels("app", "cart", "version", "v2"))},
		{name: "success.never-inject-selector-loses-to-label-true", cite: "istio 1.30.3 pkg/kube/inject/inject.go:223-242 (the selectors are read only without an explicit value)", nsConfig: enabled, set: meshTestSelectors(legacy, nil),
			w: meshTestDeployment(meshTestPodLabels("app", "legacy", "sidecar.istio.io/inject", "true"))},
		{name: "success.never-inject-selector-loses-to-annotation-true", cite: "istio 1.30.3 pkg/kube/inject/inject.go:223-242 (the selectors are read only without an explicit value)", nsConfig: enabled, set: meshTestSelectors(legacy, nil),
			w: meshTestDeployment(meshTestPodLabels("app", "legacy"), meshTestPodAnn("sidecar.istio.io/inject", "true"))},
		{name: "success.always-inject-selector-with-auto-inject-off", cite: "istio 1.30.3 pkg/kube/inject/inject.go:257-284", nsConfig: enabled,
			set: func(m *config.Mesh) { m.Install.AutoInject = new(false); m.Install.AlwaysInjectSelector = legacy }, w: meshTestDeployment(meshTestPodLabels("app", "legacy"))},
		{name: "optout.never-inject-selector-wins-over-always", cite: "istio 1.30.3 pkg/kube/inject/inject.go:241-271 (NeverInjectSelector first)", sev: finding.SeverityNotice, nsConfig: enabled,
			set: func(m *config.Mesh) {
				m.Install.AutoInject = new(false)
				m.Install.AlwaysInjectSelector = legacy
				m.Install.NeverInjectSelector = legacy
			},
			w: meshTestDeployment(meshTestPodLabels("app", "legacy")), path: meshTestMeta, want: neverMsg},
		{name: "failure.always-inject-selector-not-matched-with-auto-inject-off", cite: "istio 1.30.3 pkg/kube/inject/inject.go:257-284", nsConfig: enabled,
			set: func(m *config.Mesh) { m.Install.AutoInject = new(false); m.Install.AlwaysInjectSelector = legacy }, w: meshTestDeployment(meshTestPodLabels("app", "cart")), path: meshTestMeta,
			want: `mesh.install.autoInject is false (istio's global.proxy.autoInject: disabled): a selected pod is injected only with sidecar.istio.io/inject="true" or with labels that match mesh.install.alwaysInjectSelector`},
		{name: "failure.always-inject-selector-selects-no-webhook", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:115-164 (the webhooks select on labels; the selectors only run once one is called)",
			set: meshTestSelectors(nil, legacy), w: meshTestDeployment(meshTestPodLabels("app", "legacy")), path: meshTestMeta,
			want: meshTestNsUnknown + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`},
		{name: "success.invalid-annotation-not-validated-when-not-injected", cite: "istio 1.30.3 pkg/kube/inject/validate.go:40-81, inject.go:434, webhook.go:342-344", w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/proxyCPU", "lots")), path: meshTestMeta,
			want: meshTestNsUnknown + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`},
	}
}

func TestMeshInjectionIstioAmbient(t *testing.T) {
	runMeshInjectCases(t, meshIstioAmbientCases(), config.ProviderIstioAmbient)
}

func meshIstioAmbientCases() []meshInjectCase {
	ambientNS := map[string]string{"istio.io/dataplane-mode": "ambient"}
	return []meshInjectCase{
		{name: "success.ambient-namespace", cite: "istio 1.30.3 manifests/charts/istio-cni/values.yaml:59-66 (ambient.enablementSelectors), cni/pkg/util/enablement_selector.go:76-89", nsConfig: ambientNS, w: meshTestDeployment(), ambient: true},
		{name: "success.ambient-pod-label", cite: "istio 1.30.3 manifests/charts/istio-cni/values.yaml:59-66 (ambient.enablementSelectors), cni/pkg/util/enablement_selector.go:76-89", w: meshTestDeployment(meshTestPodLabels("istio.io/dataplane-mode", "ambient")), ambient: true},
		{name: "success.ambient-namespace-object", cite: "istio 1.30.3 manifests/charts/istio-cni/values.yaml:59-66 (ambient.enablementSelectors), cni/pkg/util/enablement_selector.go:76-89", nsObject: meshTestNamespace("shop", ambientNS, nil), w: meshTestDeployment(), ambient: true},
		{name: "success.ambient-other-pod-value-in-ambient-ns", cite: "istio 1.30.3 manifests/charts/istio-cni/values.yaml:59-66 (ambient.enablementSelectors), cni/pkg/util/enablement_selector.go:76-89", nsConfig: ambientNS, w: meshTestDeployment(meshTestPodLabels("istio.io/dataplane-mode", "Ambient")), ambient: true},
		{name: "success.ambient-sidecar-counts", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml (a sidecar counts in ambient)", nsConfig: map[string]string{"istio-injection": "enabled"}, w: meshTestDeployment()},
		{name: "success.ambient-opt-out-but-sidecar", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml (a sidecar counts in ambient)", w: meshTestDeployment(meshTestPodLabels("istio.io/dataplane-mode", "none", "sidecar.istio.io/inject", "true"))},
		{name: "success.ambient-kube-public", cite: "istio 1.30.3 manifests/charts/istio-cni/values.yaml:59-66 (ambient.enablementSelectors), cni/pkg/util/enablement_selector.go:76-89", nsConfig: ambientNS, w: meshTestDeployment(meshTestIn("kube-public")), ambient: true},

		{name: "failure.ambient-unlabelled", cite: "istio 1.30.3 manifests/charts/istio-cni/values.yaml:59-66 (ambient.enablementSelectors), cni/pkg/util/enablement_selector.go:76-89", w: meshTestDeployment(), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has label istio.io/dataplane-mode=ambient, and no sidecar is injected`},
		{name: "optout.ambient-pod-opt-out", cite: "istio 1.30.3 manifests/charts/istio-cni/values.yaml:59-66 (ambient.enablementSelectors), cni/pkg/util/enablement_selector.go:76-89", sev: finding.SeverityNotice, nsConfig: ambientNS, w: meshTestDeployment(meshTestPodLabels("istio.io/dataplane-mode", "none")),
			path: meshTestLabelPath("istio.io/dataplane-mode"),
			want: `pod template has label istio.io/dataplane-mode="none", which opts out of ambient, and no sidecar is injected`},
		{name: "failure.ambient-invalid-pod-value", cite: "istio 1.30.3 manifests/charts/istio-cni/values.yaml:59-66 (ambient.enablementSelectors), cni/pkg/util/enablement_selector.go:76-89", w: meshTestDeployment(meshTestPodLabels("istio.io/dataplane-mode", "enabled")),
			path: meshTestLabelPath("istio.io/dataplane-mode"),
			want: `pod template has label istio.io/dataplane-mode="enabled", which is not "ambient", and ` + meshTestNsUnknown + ` has no label istio.io/dataplane-mode=ambient, and no sidecar is injected`},
		{name: "failure.ambient-invalid-namespace-value", cite: "istio 1.30.3 manifests/charts/istio-cni/values.yaml:59-66 (ambient.enablementSelectors), cni/pkg/util/enablement_selector.go:76-89", nsConfig: map[string]string{"istio.io/dataplane-mode": "true"}, w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has label istio.io/dataplane-mode="true", which is not "ambient", and the pod template has no label istio.io/dataplane-mode=ambient, and no sidecar is injected`},
		{name: "failure.ambient-invalid-values-both", cite: "istio 1.30.3 manifests/charts/istio-cni/values.yaml:59-66 (ambient.enablementSelectors), cni/pkg/util/enablement_selector.go:76-89", nsConfig: map[string]string{"istio.io/dataplane-mode": "on"}, w: meshTestDeployment(meshTestPodLabels("istio.io/dataplane-mode", "yes")),
			path: meshTestLabelPath("istio.io/dataplane-mode"),
			want: `pod template has label istio.io/dataplane-mode="yes" and ` + meshTestNsConfig + ` has label istio.io/dataplane-mode="on", neither of which is "ambient", and no sidecar is injected`},
		{name: "failure.ambient-hostnetwork", cite: "istio 1.30.3 pkg/kube/inject/inject.go:207-209; ambient skips host-network pods", nsConfig: ambientNS, w: meshTestDeployment(meshTestHostNetwork), path: meshTestHostNet,
			want: `pod template sets hostNetwork: true; istio captures host-network pods neither with ambient nor with a sidecar` + meshTestHostNetAdvice},
		{name: "failure.ambient-kube-system", cite: "istio 1.30.3 manifests/charts/istio-cni/values.yaml:31-32 (excludeNamespaces)", nsConfig: ambientNS, w: meshTestDeployment(meshTestIn("kube-system")), path: meshTestMeta,
			want: `namespace "kube-system" is excluded from ambient by istio-cni and never gets sidecars`},
		{name: "failure.ambient-annotation-true-unlabelled-ns", cite: "istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml (a sidecar counts in ambient)", w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "true")), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has label istio.io/dataplane-mode=ambient, and no sidecar is injected (pod template has annotation sidecar.istio.io/inject="true" but ` + meshTestNsUnknown + ` has no istio-injection or istio.io/rev label: the injector selects on labels only; use the label sidecar.istio.io/inject="true" on the pod template or label the namespace)`},
		{name: "failure.ambient-deployment-metadata-label-only", cite: "istio 1.30.3 manifests/charts/istio-cni/values.yaml:59-66 (ambient.enablementSelectors), cni/pkg/util/enablement_selector.go:76-89", w: meshTestDeployment(meshTestObjLabels("istio.io/dataplane-mode", "ambient")), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has label istio.io/dataplane-mode=ambient, and no sidecar is injected; label istio.io/dataplane-mode is on the Deployment's metadata, not on spec.template.metadata`},
	}
}

func TestMeshInjectionLinkerd(t *testing.T) {
	runMeshInjectCases(t, meshLinkerdCases(), config.ProviderLinkerd)
}

func meshLinkerdCases() []meshInjectCase {
	enabled := map[string]string{"linkerd.io/inject": "enabled"}
	return []meshInjectCase{
		{name: "success.linkerd-namespace-enabled", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", nsConfig: enabled, w: meshTestDeployment()},
		{name: "success.linkerd-namespace-object-annotation", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", nsObject: meshTestNamespace("shop", nil, enabled), w: meshTestDeployment()},
		{name: "success.linkerd-pod-enabled", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", w: meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "enabled"))},
		{name: "success.linkerd-pod-ingress", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", w: meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "ingress"))},
		{name: "success.linkerd-namespace-ingress", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", nsConfig: map[string]string{"linkerd.io/inject": "ingress"}, w: meshTestDeployment()},
		{name: "success.linkerd-pod-overrides-namespace-disabled", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", nsConfig: map[string]string{"linkerd.io/inject": "disabled"},
			w: meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "enabled"))},
		{name: "success.linkerd-automount-true", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:107-117, charts/linkerd-control-plane/values.yaml:470", nsConfig: enabled, w: meshTestDeployment(meshTestAutomount(true))},

		{name: "failure.linkerd-unannotated", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", w: meshTestDeployment(), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has annotation linkerd.io/inject=enabled`},
		{name: "optout.linkerd-namespace-disabled", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", sev: finding.SeverityNotice, nsConfig: map[string]string{"linkerd.io/inject": "disabled"}, w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has annotation linkerd.io/inject="disabled" and the pod template does not set annotation linkerd.io/inject=enabled`},
		{name: "optout.linkerd-pod-disabled-overrides-namespace", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", sev: finding.SeverityNotice, nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "disabled")),
			path: meshTestAnnPath("linkerd.io/inject"),
			want: `pod template has annotation linkerd.io/inject="disabled", which opts out of injection`},
		{name: "failure.linkerd-invalid-value", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "true")),
			path: meshTestAnnPath("linkerd.io/inject"),
			want: `pod template has annotation linkerd.io/inject="true", which is not enabled, ingress or disabled: linkerd does not inject it`},
		{name: "failure.linkerd-invalid-namespace-value", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", nsConfig: map[string]string{"linkerd.io/inject": "yes"}, w: meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "enabled")),
			path: meshTestAnnPath("linkerd.io/inject"),
			want: meshTestNsConfig + ` has annotation linkerd.io/inject="yes", which is not enabled, ingress or disabled: linkerd injects nothing in it`},
		{name: "failure.linkerd-hostnetwork", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:140-142", nsConfig: enabled, w: meshTestDeployment(meshTestHostNetwork), path: meshTestHostNet,
			want: `pod template sets hostNetwork: true; linkerd never injects host-network pods` + meshTestHostNetAdvice},
		{name: "success.linkerd-automount-false-with-token-projection", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:107-117, charts/linkerd-control-plane/values.yaml:470", nsConfig: enabled, w: meshTestDeployment(meshTestAutomount(false))},
		{name: "failure.linkerd-automount-false-projection-off", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:107-117, charts/linkerd-control-plane/values.yaml:470", nsConfig: enabled, w: meshTestDeployment(meshTestAutomount(false)),
			set:  meshTestInstall(func(i *config.Install) { i.ServiceAccountTokenProjection = new(false) }),
			path: []any{"spec", "template", "spec", "automountServiceAccountToken"},
			want: `pod template sets automountServiceAccountToken: false and mesh.install.serviceAccountTokenProjection is off, so linkerd does not inject it: turn the projection on (the default since 2.12) or mount the token`},
		{name: "failure.linkerd-automount-false-before-2.12", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:107-117, charts/linkerd-control-plane/values.yaml:470", nsConfig: enabled, w: meshTestDeployment(meshTestAutomount(false)), set: meshTestVersion("2.11"),
			path: []any{"spec", "template", "spec", "automountServiceAccountToken"},
			want: `pod template sets automountServiceAccountToken: false and mesh.install.serviceAccountTokenProjection is off, so linkerd does not inject it: turn the projection on (the default since 2.12) or mount the token`},
		{name: "success.linkerd-automount-false-stable-2.12", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:107-117, charts/linkerd-control-plane/values.yaml:470", nsConfig: enabled, w: meshTestDeployment(meshTestAutomount(false)), set: meshTestVersion("stable-2.12.0")},
		{name: "success.linkerd-proxy-injected-by-hand", cite: "linkerd2 edge-26.8.3 pkg/healthcheck/sidecar.go:12-33, pkg/inject/report.go:143-145", w: meshTestDeployment(meshTestContainers(
			manifest.Container{Name: "server", Type: manifest.ContainerApp}, manifest.Container{Name: "linkerd-proxy", Type: manifest.ContainerApp}))},
		{name: "success.linkerd-native-proxy-injected-by-hand", cite: "linkerd2 edge-26.8.3 pkg/healthcheck/sidecar.go:12-33, pkg/inject/report.go:143-145", w: meshTestDeployment(meshTestContainers(
			manifest.Container{Name: "linkerd-proxy", Type: manifest.ContainerInit, RestartPolicyAlways: true}, manifest.Container{Name: "server", Type: manifest.ContainerApp}))},
		{name: "failure.linkerd-leftover-istio-proxy", cite: "linkerd2 edge-26.8.3 pkg/healthcheck/sidecar.go:12-33, pkg/inject/report.go:143-145", nsConfig: enabled, w: meshTestDeployment(meshTestContainers(
			manifest.Container{Name: "server", Type: manifest.ContainerApp}, manifest.Container{Name: "istio-proxy", Type: manifest.ContainerApp})),
			path: []any{"spec", "template", "spec", "containers", 1},
			want: `pod template already has container istio-proxy, and linkerd does not inject a pod that has a sidecar already: remove the leftover container`},
		{name: "failure.linkerd-leftover-linkerd-init", cite: "linkerd2 edge-26.8.3 pkg/healthcheck/sidecar.go:12-33, pkg/inject/report.go:143-145", nsConfig: enabled, w: meshTestDeployment(meshTestContainers(
			manifest.Container{Name: "linkerd-init", Type: manifest.ContainerInit}, manifest.Container{Name: "server", Type: manifest.ContainerApp})),
			path: []any{"spec", "template", "spec", "initContainers", 0},
			want: `pod template already has container linkerd-init, and linkerd does not inject a pod that has a sidecar already: remove the leftover container`},
		{name: "optout.linkerd-control-plane-component", cite: "linkerd2 edge-26.8.3 charts/linkerd-control-plane/values.yaml:536-541", sev: finding.SeverityNotice, nsConfig: enabled,
			w: meshTestDeployment(meshTestPodLabels("linkerd.io/control-plane-component", "destination")), path: meshTestLabelPath("linkerd.io/control-plane-component"),
			want: `pod template has label linkerd.io/control-plane-component, so linkerd's proxy-injector webhook never sees it (its objectSelector leaves linkerd's own components out)`},
		{name: "optout.linkerd-cni-resource", cite: "linkerd2 edge-26.8.3 charts/linkerd-control-plane/values.yaml:536-541", sev: finding.SeverityNotice, nsConfig: enabled,
			w: meshTestDeployment(meshTestPodLabels("linkerd.io/cni-resource", "true")), path: meshTestLabelPath("linkerd.io/cni-resource"),
			want: `pod template has label linkerd.io/cni-resource, so linkerd's proxy-injector webhook never sees it (its objectSelector leaves linkerd's own components out)`},
		// HasExistingSidecars: init-only names, and the proxy images.
		{name: "failure.linkerd-leftover-proxy-init-image", cite: "linkerd2 edge-26.8.3 pkg/healthcheck/sidecar.go:23-29", nsConfig: enabled, w: meshTestDeployment(meshTestContainers(
			manifest.Container{Name: "init-net", Type: manifest.ContainerInit, Image: "cr.l5d.io/linkerd/proxy-init:v2.4.0"}, manifest.Container{Name: "server", Type: manifest.ContainerApp})),
			path: []any{"spec", "template", "spec", "initContainers", 0},
			want: `pod template already has container init-net, and linkerd does not inject a pod that has a sidecar already: remove the leftover container`},
		{name: "failure.linkerd-istio-proxy-image-under-another-name", cite: "linkerd2 edge-26.8.3 pkg/healthcheck/sidecar.go:13-20", nsConfig: enabled, w: meshTestDeployment(meshTestContainers(
			manifest.Container{Name: "server", Type: manifest.ContainerApp}, manifest.Container{Name: "envoy", Type: manifest.ContainerApp, Image: "gcr.io/istio-release/proxyv2:1.20.0"})),
			path: []any{"spec", "template", "spec", "containers", 1},
			want: `pod template already has container envoy, and linkerd does not inject a pod that has a sidecar already: remove the leftover container`},
		{name: "success.linkerd-app-container-named-linkerd-init", cite: "linkerd2 edge-26.8.3 pkg/healthcheck/sidecar.go:23-29 (init containers only)", nsConfig: enabled, w: meshTestDeployment(meshTestContainers(
			manifest.Container{Name: "linkerd-init", Type: manifest.ContainerApp}))},
		// identity.serviceAccountTokenProjection since edge-21.11.1 (commit 92421d047).
		{name: "success.linkerd-automount-false-edge-21.11.1", cite: "linkerd2 edge-21.11.1 charts/linkerd2/values.yaml:248 (serviceAccountTokenProjection: true)", nsConfig: enabled, w: meshTestDeployment(meshTestAutomount(false)), set: meshTestVersion("edge-21.11.1")},
		{name: "failure.linkerd-automount-false-edge-21.10", cite: "linkerd2 stable-2.11.0 (no serviceAccountTokenProjection before edge-21.11.1)", nsConfig: enabled, w: meshTestDeployment(meshTestAutomount(false)), set: meshTestVersion("edge-21.10.3"),
			path: []any{"spec", "template", "spec", "automountServiceAccountToken"},
			want: `pod template sets automountServiceAccountToken: false and mesh.install.serviceAccountTokenProjection is off, so linkerd does not inject it: turn the projection on (the default since 2.12) or mount the token`},
		{name: "failure.linkerd-kube-system", cite: "linkerd2 edge-26.8.3 charts/linkerd-control-plane/values.yaml:523-532", nsConfig: enabled, w: meshTestDeployment(meshTestIn("kube-system"), meshTestPodAnn("linkerd.io/inject", "enabled")),
			path: meshTestMeta, want: `namespace "kube-system" is excluded by linkerd's proxy-injector webhook`},
		{name: "optout.linkerd-admission-webhooks-disabled", cite: "linkerd2 edge-26.8.3 charts/linkerd-control-plane/values.yaml:523-532", sev: finding.SeverityNotice, nsConfig: map[string]string{"config.linkerd.io/admission-webhooks": "disabled", "linkerd.io/inject": "enabled"},
			w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has label config.linkerd.io/admission-webhooks=disabled, so linkerd's proxy injector never sees its pods`},
		{name: "failure.linkerd-label-instead-of-annotation", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", w: meshTestDeployment(meshTestPodLabels("linkerd.io/inject", "enabled")),
			path: meshTestLabelPath("linkerd.io/inject"),
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has annotation linkerd.io/inject=enabled; linkerd.io/inject is a label on the pod template, but linkerd reads only the annotation`},
		{name: "failure.linkerd-namespace-label-instead-of-annotation", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", nsObject: meshTestNamespace("shop", enabled, nil), w: meshTestDeployment(), path: meshTestMeta,
			want: `neither ` + meshTestNsRendered + ` nor the pod template has annotation linkerd.io/inject=enabled; linkerd.io/inject is a label on namespace "shop", but linkerd reads only the annotation`},
		{name: "failure.linkerd-deployment-metadata-annotation-only", cite: "linkerd2 edge-26.8.3 pkg/inject/report.go:183-243 (disabledByAnnotation)", w: meshTestDeployment(meshTestObjAnn("linkerd.io/inject", "enabled")), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has annotation linkerd.io/inject=enabled; annotation linkerd.io/inject is on the Deployment's metadata, not on spec.template.metadata`},
	}
}

func TestMeshInjectionConsul(t *testing.T) {
	runMeshInjectCases(t, meshConsulCases(), config.ProviderConsul)
}

func meshConsulCases() []meshInjectCase {
	return []meshInjectCase{
		{name: "success.consul-annotation-true", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:636-643, 262-265", w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "true"))},
		{name: "success.consul-annotation-parsebool-true", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:636-643, 262-265", w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "True"))},
		{name: "success.consul-inject-by-default", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:636-643, 262-265", byDefault: true, w: meshTestDeployment()},

		{name: "failure.consul-unannotated", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:636-643, 262-265", w: meshTestDeployment(), path: meshTestMeta,
			want: `pod template has no annotation consul.hashicorp.com/connect-inject="true" and mesh.injectByDefault (consul's connectInject.default) is off`},
		{name: "optout.consul-annotation-false", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:636-643, 262-265", sev: finding.SeverityNotice, byDefault: true, w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "false")),
			path: meshTestAnnPath("consul.hashicorp.com/connect-inject"),
			want: `pod template has annotation consul.hashicorp.com/connect-inject="false", which opts out of injection`},
		{name: "rejected.consul-invalid-value", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:636-643, 262-265", byDefault: true, w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "yes")),
			path: meshTestAnnPath("consul.hashicorp.com/connect-inject"),
			want: `pod template has annotation consul.hashicorp.com/connect-inject="yes", which is not a boolean: consul's injector fails the webhook` + meshTestRejected},
		{name: "failure.consul-kube-system", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:56, 615-618", w: meshTestDeployment(meshTestIn("kube-system"), meshTestPodAnn("consul.hashicorp.com/connect-inject", "true")),
			path: meshTestMeta, want: `namespace "kube-system" is never injected by consul`},
		{name: "failure.consul-kube-public-by-default", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:56, 615-618", byDefault: true, w: meshTestDeployment(meshTestIn("kube-public")),
			path: meshTestMeta, want: `namespace "kube-public" is never injected by consul`},
		{name: "success.consul-hostnetwork-injected", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:614-644 (no hostNetwork check anywhere in control-plane/connect-inject)",
			w: meshTestDeployment(meshTestHostNetwork, meshTestPodAnn("consul.hashicorp.com/connect-inject", "true"))},
		{name: "failure.consul-hostnetwork-unannotated", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:643 (hostNetwork changes nothing)", w: meshTestDeployment(meshTestHostNetwork), path: meshTestMeta,
			want: `pod template has no annotation consul.hashicorp.com/connect-inject="true" and mesh.injectByDefault (consul's connectInject.default) is off`},
		{name: "failure.consul-label-instead-of-annotation", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:636-643, 262-265", w: meshTestDeployment(meshTestPodLabels("consul.hashicorp.com/connect-inject", "true")), path: meshTestMeta,
			want: `pod template has no annotation consul.hashicorp.com/connect-inject="true" and mesh.injectByDefault (consul's connectInject.default) is off; consul.hashicorp.com/connect-inject is a label on the pod template, but consul reads only the annotation`},
		{name: "failure.consul-deployment-metadata-annotation-only", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:636-643, 262-265", w: meshTestDeployment(meshTestObjAnn("consul.hashicorp.com/connect-inject", "true")), path: meshTestMeta,
			want: `pod template has no annotation consul.hashicorp.com/connect-inject="true" and mesh.injectByDefault (consul's connectInject.default) is off; annotation consul.hashicorp.com/connect-inject is on the Deployment's metadata, not on spec.template.metadata`},
		{name: "optout.consul-own-pods-app-consul", cite: "consul-k8s v2.0.3 charts/consul/templates/connect-inject-mutatingwebhookconfiguration.yaml:269-273", sev: finding.SeverityNotice, byDefault: true, w: meshTestDeployment(meshTestPodLabels("app", "consul")),
			path: meshTestLabelPath("app"),
			want: `pod template has label app: consul, which consul's connect-inject webhook skips (its objectSelector leaves consul's own pods out)`},
		{name: "failure.consul-selector-namespace-openebs", cite: "consul-k8s v2.0.3 charts/consul/values.yaml:2858-2863", byDefault: true, w: meshTestDeployment(meshTestIn("openebs")),
			path: meshTestMeta, want: `namespace "openebs" is never injected by consul`},
		{name: "failure.consul-openshift-monitoring-namespace", cite: "consul-k8s v2.0.3 charts/consul/values.yaml:2858-2863", byDefault: true, nsObject: meshTestNamespace("shop", map[string]string{"openshift.io/cluster-monitoring": "true"}, nil),
			w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "true")), path: meshTestMeta,
			want: meshTestNsRendered + ` has label openshift.io/cluster-monitoring, which consul's connect-inject webhook skips`},
		{name: "failure.consul-deny-namespaces", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:620-629, charts/consul/values.yaml:2194-2204", set: meshTestInstall(func(i *config.Install) { i.DenyNamespaces = []string{"shop"} }),
			w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "true")), path: meshTestMeta,
			want: `namespace "shop" is in mesh.install.denyNamespaces (consul's connectInject.k8sDenyNamespaces)`},
		{name: "failure.consul-not-in-allow-namespaces", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:620-629, charts/consul/values.yaml:2194-2204", set: meshTestInstall(func(i *config.Install) { i.AllowNamespaces = []string{"web"} }),
			w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "true")), path: meshTestMeta,
			want: `namespace "shop" is not in mesh.install.allowNamespaces (consul's connectInject.k8sAllowNamespaces)`},
		{name: "success.consul-in-allow-namespaces", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:620-629, charts/consul/values.yaml:2194-2204", set: meshTestInstall(func(i *config.Install) { i.AllowNamespaces = []string{"web", "shop"} }),
			w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "true"))},
		{name: "success.consul-empty-deny-list-allows-default-namespace", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:620-629, charts/consul/values.yaml:2194-2204", set: meshTestInstall(func(i *config.Install) { i.DenyNamespaces = []string{} }),
			w: meshTestDeployment(meshTestIn("default"), meshTestPodAnn("consul.hashicorp.com/connect-inject", "true"))},
		{name: "success.consul-default-deny-list-is-empty", cite: "consul-k8s v2.0.3 charts/consul/values.yaml:2894 (connectInject.k8sDenyNamespaces: [])",
			w: meshTestDeployment(meshTestIn("default"), meshTestPodAnn("consul.hashicorp.com/connect-inject", "true"))},
		{name: "failure.consul-inject-status-without-dataplane", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:631-634", byDefault: true, w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject-status", "injected")),
			path: meshTestAnnPath("consul.hashicorp.com/connect-inject-status"),
			want: `pod template has annotation consul.hashicorp.com/connect-inject-status, so consul's webhook takes it for injected already and skips it, but it has no consul-dataplane container: remove the annotation`},
		{name: "success.consul-inject-status-with-dataplane", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/mesh_webhook.go:631-634", w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject-status", "injected"),
			meshTestContainers(manifest.Container{Name: "server", Type: manifest.ContainerApp}, manifest.Container{Name: "consul-dataplane", Type: manifest.ContainerApp}))},
		{name: "rejected.consul-dataplane-as-sidecar-not-a-boolean", cite: "consul-k8s v2.0.3 control-plane/connect-inject/webhook/consul_dataplane_sidecar.go:283-286", w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "true", "consul.hashicorp.com/enable-consul-dataplane-as-sidecar", "yes")),
			path: meshTestAnnPath("consul.hashicorp.com/enable-consul-dataplane-as-sidecar"),
			want: `pod template has annotation consul.hashicorp.com/enable-consul-dataplane-as-sidecar="yes", which is not a boolean: consul's injector fails the webhook` + meshTestRejected},
	}
}

func TestMeshInjectionKuma(t *testing.T) {
	runMeshInjectCases(t, meshKumaCases(), config.ProviderKuma)
}

func meshKumaCases() []meshInjectCase {
	enabled := map[string]string{"kuma.io/sidecar-injection": "enabled"}
	disabled := map[string]string{"kuma.io/sidecar-injection": "disabled"}
	uid := func(u int64) meshTestOpt {
		return meshTestContainers(manifest.Container{Name: "server", Type: manifest.ContainerApp, RunAsUser: &u})
	}
	kumaCP := func(ns string) string {
		return `namespace "` + ns + `" is kuma's control plane namespace (mesh.install.controlPlaneNamespace), which kuma's pod webhooks leave out and its chart labels kuma.io/sidecar-injection: "false"`
	}
	zoneProxy := meshTestPodLabels("kuma.io/sidecar-injection", "enabled", "kuma.io/mesh", "default", "k8s.kuma.io/zone-proxy-type", "ingress")
	return []meshInjectCase{
		{name: "success.kuma-namespace-enabled", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:194-203, 233-255", nsConfig: enabled, w: meshTestDeployment()},
		{name: "success.kuma-namespace-true", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:194-203, 233-255", nsObject: meshTestNamespace("shop", map[string]string{"kuma.io/sidecar-injection": "true"}, nil), w: meshTestDeployment()},
		{name: "success.kuma-pod-enabled-in-labelled-namespace", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:194-203, 233-255", nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "enabled"))},
		{name: "success.kuma-pod-enabled-overrides-namespace-disabled", cite: "kuma v2.14.3 precheck.go:144-180, pkg/plugins/runtime/k8s/metadata/annotations.go:272-295", nsConfig: disabled, w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "enabled"))},
		{name: "success.kuma-pod-true-in-enabled-namespace", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:194-203, 233-255", nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "true"))},
		{name: "success.kuma-pod-enabled-overrides-invalid-namespace", cite: "kuma v2.14.3 precheck.go:144-180, pkg/plugins/runtime/k8s/metadata/annotations.go:272-295", nsConfig: map[string]string{"kuma.io/sidecar-injection": "on"},
			w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "enabled"))},
		{name: "success.kuma-pod-enabled-unlabelled-namespace-before-2.11", cite: "kuma 2.10.2 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:180-190", set: meshTestVersion("2.10"), w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "enabled"))},
		{name: "success.kuma-legacy-annotation-before-2.2", cite: "kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/precheck.go:158 (labels only)", set: meshTestVersion("2.1"), w: meshTestDeployment(meshTestPodAnn("kuma.io/sidecar-injection", "enabled"))},
		{name: "success.kuma-sidecar-injected-by-hand", cite: "kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/precheck.go:151-156", w: meshTestDeployment(meshTestContainers(
			manifest.Container{Name: "server", Type: manifest.ContainerApp}, manifest.Container{Name: "kuma-sidecar", Type: manifest.ContainerApp}))},
		{name: "success.kuma-in-allow-list", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:204-216, 240-252", nsConfig: enabled, set: meshTestInstall(func(i *config.Install) { i.AllowNamespaces = []string{"shop"} }), w: meshTestDeployment()},
		{name: "success.kuma-init-container-with-sidecar-uid", cite: "kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/precheck.go:71-106", nsConfig: enabled, w: meshTestDeployment(meshTestContainers(
			manifest.Container{Name: "setup", Type: manifest.ContainerInit, RunAsUser: new(int64(5678))}, manifest.Container{Name: "server", Type: manifest.ContainerApp}))},

		{name: "failure.kuma-unlabelled", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:194-203, 233-255", w: meshTestDeployment(), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has label kuma.io/sidecar-injection=enabled`},
		{name: "failure.kuma-pod-enabled-unlabelled-namespace", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:194-203, 233-255", w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "enabled")),
			path: meshTestLabelPath("kuma.io/sidecar-injection"),
			want: `pod template has label kuma.io/sidecar-injection=enabled but ` + meshTestNsUnknown + ` has no kuma.io/sidecar-injection label: since kuma 2.11 the injector webhooks select only labelled namespaces; label the namespace kuma.io/sidecar-injection=enabled`},
		{name: "failure.kuma-pod-true-in-disabled-namespace", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:194-203, 233-255", nsConfig: disabled, w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "true")),
			path: meshTestLabelPath("kuma.io/sidecar-injection"),
			want: `pod template has label kuma.io/sidecar-injection="true" and ` + meshTestNsConfig + ` has label kuma.io/sidecar-injection="disabled": kuma's webhooks select a namespace labelled enabled or "true", or a pod labelled exactly enabled`},
		{name: "failure.kuma-pod-yes-unlabelled-namespace", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:194-203, 233-255", w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "yes")),
			path: meshTestLabelPath("kuma.io/sidecar-injection"),
			want: `pod template has label kuma.io/sidecar-injection="yes", which kuma's pod webhook does not select (only exactly enabled, in a labelled namespace), and ` + meshTestNsUnknown + ` has no kuma.io/sidecar-injection label`},
		{name: "failure.kuma-namespace-yes-not-selected", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:194-203, 233-255", nsConfig: map[string]string{"kuma.io/sidecar-injection": "yes"}, w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has label kuma.io/sidecar-injection="yes", which kuma's namespace webhook does not select (only enabled or "true"), and the pod template has no label kuma.io/sidecar-injection=enabled`},
		{name: "failure.kuma-invalid-namespace-value-not-selected", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:194-203, 233-255", nsObject: meshTestNamespace("shop", map[string]string{"kuma.io/sidecar-injection": "Enabled"}, nil),
			w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsRendered + ` has label kuma.io/sidecar-injection="Enabled", which kuma's namespace webhook does not select (only enabled or "true"), and the pod template has no label kuma.io/sidecar-injection=enabled`},
		{name: "failure.kuma-legacy-annotation-ignored-since-2.2", cite: "kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/precheck.go:158 (labels only)", w: meshTestDeployment(meshTestPodAnn("kuma.io/sidecar-injection", "enabled")), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has label kuma.io/sidecar-injection=enabled; kuma reads kuma.io/sidecar-injection only as a label since 2.2, not as an annotation`},
		{name: "failure.kuma-legacy-namespace-annotation-ignored", cite: "kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/precheck.go:158 (labels only)", nsObject: meshTestNamespace("shop", nil, enabled), w: meshTestDeployment(), path: meshTestMeta,
			want: `neither ` + meshTestNsRendered + ` nor the pod template has label kuma.io/sidecar-injection=enabled; kuma reads kuma.io/sidecar-injection only as a label since 2.2, not as an annotation`},
		{name: "failure.kuma-kube-system", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:204-216, 240-252", nsConfig: enabled, w: meshTestDeployment(meshTestIn("kube-system"), meshTestPodLabels("kuma.io/sidecar-injection", "enabled")),
			path: meshTestMeta, want: `namespace "kube-system" is never injected by kuma`},
		{name: "optout.kuma-control-plane-namespace", sev: finding.SeverityNotice, cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:204-216, 240-252, pre-install-patch-namespace-job.yaml:121-128", nsConfig: enabled, w: meshTestDeployment(meshTestIn("kuma-system")),
			path: meshTestMeta, want: kumaCP("kuma-system")},
		{name: "failure.kuma-not-in-allow-list", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:204-216, 240-252", nsConfig: enabled, set: meshTestInstall(func(i *config.Install) { i.AllowNamespaces = []string{"web"} }), w: meshTestDeployment(),
			path: meshTestMeta, want: `namespace "shop" is not in mesh.install.allowNamespaces (kuma's namespaceAllowList)`},
		{name: "failure.kuma-deployment-metadata-label-only", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:194-203, 233-255", w: meshTestDeployment(meshTestObjLabels("kuma.io/sidecar-injection", "enabled")), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has label kuma.io/sidecar-injection=enabled; label kuma.io/sidecar-injection is on the Deployment's metadata, not on spec.template.metadata`},

		{name: "optout.kuma-namespace-disabled", cite: "kuma v2.14.3 precheck.go:144-180, pkg/plugins/runtime/k8s/metadata/annotations.go:272-295", sev: finding.SeverityNotice, nsConfig: disabled, w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has label kuma.io/sidecar-injection="disabled" and the pod template does not enable injection`},
		{name: "optout.kuma-pod-disabled-overrides-namespace", cite: "kuma v2.14.3 precheck.go:144-180, pkg/plugins/runtime/k8s/metadata/annotations.go:272-295", sev: finding.SeverityNotice, nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "disabled")),
			path: meshTestLabelPath("kuma.io/sidecar-injection"),
			want: `pod template has label kuma.io/sidecar-injection="disabled", which opts out of injection`},
		{name: "optout.kuma-pod-false", cite: "kuma v2.14.3 precheck.go:144-180, pkg/plugins/runtime/k8s/metadata/annotations.go:272-295", sev: finding.SeverityNotice, nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "false")),
			path: meshTestLabelPath("kuma.io/sidecar-injection"),
			want: `pod template has label kuma.io/sidecar-injection="false", which opts out of injection`},

		{name: "rejected.kuma-invalid-pod-value-in-selected-namespace", cite: "kuma v2.14.3 precheck.go:144-180, pkg/plugins/runtime/k8s/metadata/annotations.go:272-295", nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "on")),
			path: meshTestLabelPath("kuma.io/sidecar-injection"),
			want: `pod template has label kuma.io/sidecar-injection="on", which is not enabled or disabled: kuma's injector fails the webhook` + meshTestRejected},
		{name: "rejected.kuma-container-runs-as-sidecar-uid", cite: "kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/precheck.go:71-106", nsConfig: enabled, w: meshTestDeployment(uid(5678)),
			path: []any{"spec", "template", "spec", "containers", 0, "securityContext", "runAsUser"},
			want: `container server runs as user 5678, the UID of kuma's sidecar: kuma's injector fails the webhook` + meshTestRejected},
		// runtime.kubernetes.injector.exceptions.labels (mesh.install.exceptionLabels).
		{name: "optout.kuma-exception-label-by-default", cite: "kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/precheck.go:146-149, 182-190, kuma-cp.defaults.yaml:263-268", sev: finding.SeverityNotice, nsConfig: enabled,
			w: meshTestDeployment(meshTestPodLabels("openshift.io/deployer-pod-for.name", "cart-1")), path: meshTestLabelPath("openshift.io/deployer-pod-for.name"),
			want: `pod template has label openshift.io/deployer-pod-for.name="cart-1", which mesh.install.exceptionLabels (kuma's runtime.kubernetes.injector.exceptions.labels) exempts from injection`},
		{name: "optout.kuma-exception-label-before-pod-label", cite: "kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/precheck.go:146-158 (exceptions before the label)", sev: finding.SeverityNotice, nsConfig: enabled,
			set: meshTestInstall(func(i *config.Install) { i.ExceptionLabels = map[string]string{"team": "ops"} }),
			w:   meshTestDeployment(meshTestPodLabels("team", "ops", "kuma.io/sidecar-injection", "enabled")), path: meshTestLabelPath("team"),
			want: `pod template has label team="ops", which mesh.install.exceptionLabels (kuma's runtime.kubernetes.injector.exceptions.labels) exempts from injection`},
		{name: "success.kuma-exception-label-other-value", cite: "kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/precheck.go:182-190", nsConfig: enabled,
			set: meshTestInstall(func(i *config.Install) { i.ExceptionLabels = map[string]string{"team": "ops"} }), w: meshTestDeployment(meshTestPodLabels("team", "dev"))},
		{name: "success.kuma-exception-labels-turned-off", cite: "kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/precheck.go:182-190", nsConfig: enabled,
			set: meshTestInstall(func(i *config.Install) { i.ExceptionLabels = map[string]string{} }), w: meshTestDeployment(meshTestPodLabels("openshift.io/build.name", "cart-1"))},
		{name: "failure.kuma-exception-label-unselected-namespace", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:194-203 (no webhook call, so no exception either)",
			w: meshTestDeployment(meshTestPodLabels("openshift.io/build.name", "cart-1")), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has label kuma.io/sidecar-injection=enabled`},
		// The control plane's namespace (mesh.install.controlPlaneNamespace)
		// and its zone proxies.
		{name: "optout.kuma-custom-control-plane-namespace", sev: finding.SeverityNotice, cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:204-208, 240-244 (.Release.Namespace)", nsConfig: enabled,
			set: meshTestInstall(func(i *config.Install) { i.ControlPlaneNamespace = "mesh" }), w: meshTestDeployment(meshTestIn("mesh")),
			path: meshTestMeta, want: kumaCP("mesh")},
		{name: "success.kuma-system-when-the-control-plane-is-elsewhere", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:204-208, 240-244 (.Release.Namespace)", nsConfig: enabled,
			set: meshTestInstall(func(i *config.Install) { i.ControlPlaneNamespace = "mesh" }), w: meshTestDeployment(meshTestIn("kuma-system"))},
		{name: "success.kuma-zone-proxy-in-control-plane-namespace", cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:272-290 (mesh-zoneproxy-kuma-injector)",
			w: meshTestDeployment(meshTestIn("kuma-system"), zoneProxy)},
		{name: "optout.kuma-zone-proxy-before-2.14", sev: finding.SeverityNotice, cite: "kuma v2.13.0 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml (no zone proxy webhook before 2.14.0, e6a6f591e9)", set: meshTestVersion("2.13"),
			w: meshTestDeployment(meshTestIn("kuma-system"), zoneProxy), path: meshTestMeta, want: kumaCP("kuma-system")},
		{name: "optout.kuma-zone-proxy-without-mesh-label", sev: finding.SeverityNotice, cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:281-290 (kuma.io/mesh Exists)",
			w: meshTestDeployment(meshTestIn("kuma-system"), meshTestPodLabels("kuma.io/sidecar-injection", "enabled", "k8s.kuma.io/zone-proxy-type", "ingress")), path: meshTestMeta,
			want: kumaCP("kuma-system")},
		{name: "optout.kuma-zone-proxy-disabled-label-not-selected", sev: finding.SeverityNotice, cite: "kuma v2.14.3 deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml:281-290 (sidecar-injection In [enabled])",
			w: meshTestDeployment(meshTestIn("kuma-system"), meshTestPodLabels("kuma.io/sidecar-injection", "disabled", "kuma.io/mesh", "default", "k8s.kuma.io/zone-proxy-type", "ingress")), path: meshTestMeta,
			want: kumaCP("kuma-system")},
		{name: "success.kuma-other-uid", cite: "kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/precheck.go:71-106", nsConfig: enabled, w: meshTestDeployment(uid(1000))},
	}
}

// meshTestInstall changes mesh.install.
func meshTestInstall(f func(*config.Install)) func(*config.Mesh) {
	return func(m *config.Mesh) { f(&m.Install) }
}

// meshTestSelectors sets istio's never and always inject selectors.
func meshTestSelectors(never, always []config.LabelSelector) func(*config.Mesh) {
	return func(m *config.Mesh) { m.Install.NeverInjectSelector, m.Install.AlwaysInjectSelector = never, always }
}

// meshTestVersion sets mesh.version.
func meshTestVersion(v string) func(*config.Mesh) {
	return func(m *config.Mesh) { m.Version = v }
}

func TestMeshInjectionNone(t *testing.T) {
	runMeshInjectCases(t, meshNoneCases(), config.ProviderNone)
}

func meshNoneCases() []meshInjectCase {
	return []meshInjectCase{
		{name: "success.none-checks-no-injection", cite: "none checks no injection (SPEC: mesh.provider none)", w: meshTestDeployment()},
		{name: "success.none-ignores-opt-outs", cite: "none checks no injection (SPEC: mesh.provider none)", w: meshTestDeployment(meshTestHostNetwork, meshTestPodLabels("sidecar.istio.io/inject", "false"))},
	}
}

// TestMeshBools: the value lists the consul table compares with are what
// strconv.ParseBool reads (consul's webhook parses with it,
// mesh_webhook.go:639-641), and the kuma lists what GetEnabled reads.
func TestMeshBools(t *testing.T) {
	for _, v := range append(slices.Clone(meshBools), "yes", "on", "", "tRUE", "2") {
		b, err := strconv.ParseBool(v)
		switch {
		case err != nil && slices.Contains(meshBools, v), err == nil && !slices.Contains(meshBools, v):
			t.Errorf("%q: ParseBool error %v, in meshBools %v", v, err, slices.Contains(meshBools, v))
		case err == nil && b != slices.Contains(meshBoolTrue, v):
			t.Errorf("%q: ParseBool %v, in meshBoolTrue %v", v, b, slices.Contains(meshBoolTrue, v))
		}
	}
	if len(meshKumaValues) != 6 || slices.ContainsFunc(meshKumaOn, func(v string) bool { return slices.Contains(meshKumaOff, v) }) {
		t.Errorf("kuma values %v", meshKumaValues)
	}
}
