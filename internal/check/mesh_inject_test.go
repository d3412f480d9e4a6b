package check

import (
	"reflect"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
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
}

func runMeshInjectCases(t *testing.T, cases []meshInjectCase, provider string) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mesh := config.Mesh{Provider: provider, InjectByDefault: c.byDefault, Jobs: config.JobsWarn}
			if c.nsConfig != nil {
				mesh.Namespaces = map[string]map[string]string{c.w.Namespace: c.nsConfig}
			}
			set := &manifest.Set{Workloads: []*manifest.Workload{c.w}, Namespaces: map[string]*manifest.Object{}}
			if c.nsObject != nil {
				set.Namespaces[c.nsObject.Name] = c.nsObject
				set.Objects = append(set.Objects, c.nsObject)
			}
			in := meshTestInput(mesh, set)
			var want []finding.Finding
			if c.want != "" {
				sev := finding.SeverityError
				if c.sev != "" {
					sev = c.sev
				}
				want = append(want, meshTestWant(finding.RuleMeshInjection, sev, c.w, "", "injection", "", c.want))
			}
			meshTestCompare(t, meshFindings(in), want)

			v, ok := meshDecide(mesh, meshNamespaceOf(in, c.w.Namespace), c.w)
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

func TestMeshInjectionIstio(t *testing.T) {
	enabled := map[string]string{"istio-injection": "enabled"}
	runMeshInjectCases(t, []meshInjectCase{
		{name: "success.namespace-injection-enabled", nsConfig: enabled, w: meshTestDeployment()},
		{name: "success.revision-label", nsConfig: map[string]string{"istio.io/rev": "1-24"}, w: meshTestDeployment()},
		{name: "success.namespace-injection-and-revision", nsConfig: map[string]string{"istio-injection": "enabled", "istio.io/rev": "canary"}, w: meshTestDeployment()},
		{name: "success.pod-revision-label", w: meshTestDeployment(meshTestPodLabels("istio.io/rev", "canary"))},
		{name: "success.pod-revision-label-in-enabled-namespace", nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("istio.io/rev", "canary"))},
		{name: "success.pod-label-true-unlabelled-ns", w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "true"))},
		{name: "success.pod-label-true-and-revision", w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "true", "istio.io/rev", "canary"))},
		{name: "success.inject-by-default", byDefault: true, w: meshTestDeployment()},
		{name: "success.inject-by-default-pod-label-true", byDefault: true, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "true"))},
		{name: "success.inject-by-default-annotation-true", byDefault: true, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "true"))},
		{name: "success.label-true-wins-over-annotation-false", w: meshTestDeployment(
			meshTestPodLabels("sidecar.istio.io/inject", "true"), meshTestPodAnn("sidecar.istio.io/inject", "false"))},
		{name: "success.annotation-true-in-enabled-ns", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "true"))},
		{name: "success.invalid-label-value-enabled-ns", nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "yes"))},
		{name: "success.invalid-label-value-wins-over-annotation-false", nsConfig: enabled, w: meshTestDeployment(
			meshTestPodLabels("sidecar.istio.io/inject", "enabled"), meshTestPodAnn("sidecar.istio.io/inject", "false"))},
		{name: "success.capitalised-false-label-is-invalid-and-injects", nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "False"))},
		{name: "success.invalid-annotation-enabled-ns", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "no"))},
		{name: "success.namespace-object-overrides-config",
			nsConfig: map[string]string{"istio-injection": "disabled"},
			nsObject: meshTestNamespace("shop", enabled, nil), w: meshTestDeployment()},
		{name: "success.statefulset", nsConfig: enabled, w: meshTestWorkload("StatefulSet", "db")},
		{name: "success.bare-pod-label", w: meshTestWorkload("Pod", "debug", meshTestPodLabels("sidecar.istio.io/inject", "true"))},

		{name: "failure.unlabelled-ns", w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsUnknown + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`},
		{name: "failure.namespace-config-without-labels", nsConfig: map[string]string{"team": "payments"}, w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`},
		{name: "failure.namespace-object-overrides-config", nsConfig: enabled,
			nsObject: meshTestNamespace("shop", map[string]string{"team": "payments"}, enabled), w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsRendered + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`},
		{name: "failure.annotation-true-unlabelled-ns", w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "true")),
			path: meshTestAnnPath("sidecar.istio.io/inject"),
			want: `pod template has annotation sidecar.istio.io/inject="true" but ` + meshTestNsUnknown + ` has no istio-injection or istio.io/rev label: the injector selects on labels only; use the label sidecar.istio.io/inject="true" on the pod template or label the namespace`},
		{name: "failure.deployment-metadata-label-only", w: meshTestDeployment(meshTestObjLabels("sidecar.istio.io/inject", "true")), path: meshTestMeta,
			want: meshTestNsUnknown + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev; label sidecar.istio.io/inject is on the Deployment's metadata, not on spec.template.metadata`},
		{name: "failure.cronjob-metadata-annotation-only", w: meshTestWorkload("CronJob", "report", meshTestObjAnn("sidecar.istio.io/inject", "true"), meshTestPodLabels("app", "report")),
			path: []any{"spec", "jobTemplate", "spec", "template", "metadata"}, sev: finding.SeverityWarning,
			want: meshTestNsUnknown + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev; annotation sidecar.istio.io/inject is on the CronJob's metadata, not on spec.jobTemplate.spec.template.metadata`},
		{name: "failure.pod-label-false-in-enabled-ns", nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "false")),
			path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "failure.pod-label-false-with-revision", nsConfig: map[string]string{"istio.io/rev": "canary"}, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "false")),
			path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "failure.pod-label-false-with-pod-revision", w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "false", "istio.io/rev", "canary")),
			path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "failure.label-false-wins-over-annotation-true", nsConfig: enabled, w: meshTestDeployment(
			meshTestPodLabels("sidecar.istio.io/inject", "false"), meshTestPodAnn("sidecar.istio.io/inject", "true")),
			path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="false", which opts out of injection; the label wins over annotation sidecar.istio.io/inject="true"`},
		{name: "failure.annotation-false-in-enabled-ns", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "false")),
			path: meshTestAnnPath("sidecar.istio.io/inject"),
			want: `pod template has annotation sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "failure.annotation-false-with-pod-revision", w: meshTestDeployment(meshTestPodLabels("istio.io/rev", "canary"), meshTestPodAnn("sidecar.istio.io/inject", "false")),
			path: meshTestAnnPath("sidecar.istio.io/inject"),
			want: `pod template has annotation sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "failure.inject-by-default-annotation-false", byDefault: true, w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "false")),
			path: meshTestAnnPath("sidecar.istio.io/inject"),
			want: `pod template has annotation sidecar.istio.io/inject="false", which opts out of injection`},
		{name: "failure.namespace-injection-disabled", nsConfig: map[string]string{"istio-injection": "disabled"},
			w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "true")), path: meshTestMeta,
			want: meshTestNsConfig + ` has label istio-injection="disabled", which blocks every injection path, pod labels included`},
		{name: "failure.namespace-injection-disabled-with-revision", nsConfig: map[string]string{"istio-injection": "disabled", "istio.io/rev": "canary"},
			w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has label istio-injection="disabled", which blocks every injection path, pod labels included`},
		{name: "failure.namespace-injection-invalid", nsObject: meshTestNamespace("shop", map[string]string{"istio-injection": "true"}, nil),
			w: meshTestDeployment(meshTestPodLabels("istio.io/rev", "canary")), path: meshTestMeta,
			want: meshTestNsRendered + ` has label istio-injection="true", which is not "enabled": no injector selects the namespace, and the label blocks pod-level injection too`},
		{name: "failure.empty-namespace-revision", nsConfig: map[string]string{"istio.io/rev": ""}, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "true")), path: meshTestMeta,
			want: meshTestNsConfig + ` has an empty istio.io/rev label, which selects no revision and blocks pod-level injection`},
		{name: "failure.empty-pod-revision", w: meshTestDeployment(meshTestPodLabels("istio.io/rev", "")), path: meshTestLabelPath("istio.io/rev"),
			want: `pod template has an empty istio.io/rev label, which selects no revision`},
		{name: "failure.invalid-label-value-unlabelled-ns", w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "enabled")),
			path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="enabled", which is not "true" or "false": ` + meshTestNsUnknown + ` has no istio-injection or istio.io/rev label, so only the value "true" selects the pod for injection`},
		{name: "failure.invalid-label-inject-by-default", byDefault: true, w: meshTestDeployment(meshTestPodLabels("sidecar.istio.io/inject", "yes")),
			path: meshTestLabelPath("sidecar.istio.io/inject"),
			want: `pod template has label sidecar.istio.io/inject="yes", which is not "true" or "false": ` + meshTestNsUnknown + ` has no istio-injection or istio.io/rev label, so only the value "true" selects the pod for injection`},
		{name: "failure.invalid-annotation-unlabelled-ns", w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "yes")), path: meshTestMeta,
			want: meshTestNsUnknown + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev; annotation sidecar.istio.io/inject="yes" is not "true" or "false", and the annotation can only opt out anyway`},
		{name: "failure.hostnetwork", nsConfig: enabled, w: meshTestDeployment(meshTestHostNetwork, meshTestPodLabels("sidecar.istio.io/inject", "true")),
			path: meshTestHostNet, want: `pod template sets hostNetwork: true; istio never injects host-network pods`},
		{name: "failure.kube-system", nsConfig: enabled, w: meshTestDeployment(meshTestIn("kube-system"), meshTestPodLabels("sidecar.istio.io/inject", "true")),
			path: meshTestMeta, want: `namespace "kube-system" is never injected by istio`},
		{name: "failure.local-path-storage-inject-by-default", byDefault: true, w: meshTestDeployment(meshTestIn("local-path-storage")),
			path: meshTestMeta, want: `namespace "local-path-storage" is never injected by istio`},
		{name: "failure.bare-pod-unlabelled-ns", w: meshTestWorkload("Pod", "debug", meshTestPodAnn("sidecar.istio.io/inject", "true")),
			path: []any{"metadata", "annotations", "sidecar.istio.io/inject"},
			want: `pod template has annotation sidecar.istio.io/inject="true" but ` + meshTestNsUnknown + ` has no istio-injection or istio.io/rev label: the injector selects on labels only; use the label sidecar.istio.io/inject="true" on the pod template or label the namespace`},
	}, config.ProviderIstio)
}

func TestMeshInjectionIstioAmbient(t *testing.T) {
	ambientNS := map[string]string{"istio.io/dataplane-mode": "ambient"}
	runMeshInjectCases(t, []meshInjectCase{
		{name: "success.ambient-namespace", nsConfig: ambientNS, w: meshTestDeployment(), ambient: true},
		{name: "success.ambient-pod-label", w: meshTestDeployment(meshTestPodLabels("istio.io/dataplane-mode", "ambient")), ambient: true},
		{name: "success.ambient-namespace-object", nsObject: meshTestNamespace("shop", ambientNS, nil), w: meshTestDeployment(), ambient: true},
		{name: "success.ambient-other-pod-value-in-ambient-ns", nsConfig: ambientNS, w: meshTestDeployment(meshTestPodLabels("istio.io/dataplane-mode", "Ambient")), ambient: true},
		{name: "success.ambient-sidecar-counts", nsConfig: map[string]string{"istio-injection": "enabled"}, w: meshTestDeployment()},
		{name: "success.ambient-opt-out-but-sidecar", w: meshTestDeployment(meshTestPodLabels("istio.io/dataplane-mode", "none", "sidecar.istio.io/inject", "true"))},
		{name: "success.ambient-kube-public", nsConfig: ambientNS, w: meshTestDeployment(meshTestIn("kube-public")), ambient: true},

		{name: "failure.ambient-unlabelled", w: meshTestDeployment(), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has label istio.io/dataplane-mode=ambient, and no sidecar is injected`},
		{name: "failure.ambient-pod-opt-out", nsConfig: ambientNS, w: meshTestDeployment(meshTestPodLabels("istio.io/dataplane-mode", "none")),
			path: meshTestLabelPath("istio.io/dataplane-mode"),
			want: `pod template has label istio.io/dataplane-mode="none", which opts out of ambient, and no sidecar is injected`},
		{name: "failure.ambient-invalid-pod-value", w: meshTestDeployment(meshTestPodLabels("istio.io/dataplane-mode", "enabled")),
			path: meshTestLabelPath("istio.io/dataplane-mode"),
			want: `pod template has label istio.io/dataplane-mode="enabled", which is not "ambient", and ` + meshTestNsUnknown + ` has no label istio.io/dataplane-mode=ambient, and no sidecar is injected`},
		{name: "failure.ambient-invalid-namespace-value", nsConfig: map[string]string{"istio.io/dataplane-mode": "true"}, w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has label istio.io/dataplane-mode="true", which is not "ambient", and the pod template has no label istio.io/dataplane-mode=ambient, and no sidecar is injected`},
		{name: "failure.ambient-invalid-values-both", nsConfig: map[string]string{"istio.io/dataplane-mode": "on"}, w: meshTestDeployment(meshTestPodLabels("istio.io/dataplane-mode", "yes")),
			path: meshTestLabelPath("istio.io/dataplane-mode"),
			want: `pod template has label istio.io/dataplane-mode="yes" and ` + meshTestNsConfig + ` has label istio.io/dataplane-mode="on", neither of which is "ambient", and no sidecar is injected`},
		{name: "failure.ambient-hostnetwork", nsConfig: ambientNS, w: meshTestDeployment(meshTestHostNetwork), path: meshTestHostNet,
			want: `pod template sets hostNetwork: true; istio captures host-network pods neither with ambient nor with a sidecar`},
		{name: "failure.ambient-kube-system", nsConfig: ambientNS, w: meshTestDeployment(meshTestIn("kube-system")), path: meshTestMeta,
			want: `namespace "kube-system" is excluded from ambient by istio-cni and never gets sidecars`},
		{name: "failure.ambient-annotation-true-unlabelled-ns", w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/inject", "true")), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has label istio.io/dataplane-mode=ambient, and no sidecar is injected (pod template has annotation sidecar.istio.io/inject="true" but ` + meshTestNsUnknown + ` has no istio-injection or istio.io/rev label: the injector selects on labels only; use the label sidecar.istio.io/inject="true" on the pod template or label the namespace)`},
		{name: "failure.ambient-deployment-metadata-label-only", w: meshTestDeployment(meshTestObjLabels("istio.io/dataplane-mode", "ambient")), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has label istio.io/dataplane-mode=ambient, and no sidecar is injected; label istio.io/dataplane-mode is on the Deployment's metadata, not on spec.template.metadata`},
	}, config.ProviderIstioAmbient)
}

func TestMeshInjectionLinkerd(t *testing.T) {
	enabled := map[string]string{"linkerd.io/inject": "enabled"}
	runMeshInjectCases(t, []meshInjectCase{
		{name: "success.linkerd-namespace-enabled", nsConfig: enabled, w: meshTestDeployment()},
		{name: "success.linkerd-namespace-object-annotation", nsObject: meshTestNamespace("shop", nil, enabled), w: meshTestDeployment()},
		{name: "success.linkerd-pod-enabled", w: meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "enabled"))},
		{name: "success.linkerd-pod-ingress", w: meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "ingress"))},
		{name: "success.linkerd-namespace-ingress", nsConfig: map[string]string{"linkerd.io/inject": "ingress"}, w: meshTestDeployment()},
		{name: "success.linkerd-pod-overrides-namespace-disabled", nsConfig: map[string]string{"linkerd.io/inject": "disabled"},
			w: meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "enabled"))},
		{name: "success.linkerd-automount-true", nsConfig: enabled, w: meshTestDeployment(meshTestAutomount(true))},

		{name: "failure.linkerd-unannotated", w: meshTestDeployment(), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has annotation linkerd.io/inject=enabled`},
		{name: "failure.linkerd-namespace-disabled", nsConfig: map[string]string{"linkerd.io/inject": "disabled"}, w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has annotation linkerd.io/inject="disabled" and the pod template does not set annotation linkerd.io/inject=enabled`},
		{name: "failure.linkerd-pod-disabled-overrides-namespace", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "disabled")),
			path: meshTestAnnPath("linkerd.io/inject"),
			want: `pod template has annotation linkerd.io/inject="disabled", which opts out of injection`},
		{name: "failure.linkerd-invalid-value", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "true")),
			path: meshTestAnnPath("linkerd.io/inject"),
			want: `pod template has annotation linkerd.io/inject="true", which is not enabled, ingress or disabled: linkerd does not inject it`},
		{name: "failure.linkerd-invalid-namespace-value", nsConfig: map[string]string{"linkerd.io/inject": "yes"}, w: meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "enabled")),
			path: meshTestAnnPath("linkerd.io/inject"),
			want: meshTestNsConfig + ` has annotation linkerd.io/inject="yes", which is not enabled, ingress or disabled: linkerd injects nothing in it`},
		{name: "failure.linkerd-hostnetwork", nsConfig: enabled, w: meshTestDeployment(meshTestHostNetwork), path: meshTestHostNet,
			want: `pod template sets hostNetwork: true; linkerd never injects host-network pods`},
		{name: "failure.linkerd-automount-false", nsConfig: enabled, w: meshTestDeployment(meshTestAutomount(false)),
			path: []any{"spec", "template", "spec", "automountServiceAccountToken"},
			want: `pod template sets automountServiceAccountToken: false; linkerd does not inject pods without a service account token`},
		{name: "failure.linkerd-kube-system", nsConfig: enabled, w: meshTestDeployment(meshTestIn("kube-system"), meshTestPodAnn("linkerd.io/inject", "enabled")),
			path: meshTestMeta, want: `namespace "kube-system" is excluded by linkerd's proxy-injector webhook`},
		{name: "failure.linkerd-admission-webhooks-disabled", nsConfig: map[string]string{"config.linkerd.io/admission-webhooks": "disabled", "linkerd.io/inject": "enabled"},
			w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has label config.linkerd.io/admission-webhooks=disabled, so linkerd's proxy injector never sees its pods`},
		{name: "failure.linkerd-label-instead-of-annotation", w: meshTestDeployment(meshTestPodLabels("linkerd.io/inject", "enabled")),
			path: meshTestLabelPath("linkerd.io/inject"),
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has annotation linkerd.io/inject=enabled; linkerd.io/inject is a label on the pod template, but linkerd reads only the annotation`},
		{name: "failure.linkerd-namespace-label-instead-of-annotation", nsObject: meshTestNamespace("shop", enabled, nil), w: meshTestDeployment(), path: meshTestMeta,
			want: `neither ` + meshTestNsRendered + ` nor the pod template has annotation linkerd.io/inject=enabled; linkerd.io/inject is a label on namespace "shop", but linkerd reads only the annotation`},
		{name: "failure.linkerd-deployment-metadata-annotation-only", w: meshTestDeployment(meshTestObjAnn("linkerd.io/inject", "enabled")), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has annotation linkerd.io/inject=enabled; annotation linkerd.io/inject is on the Deployment's metadata, not on spec.template.metadata`},
	}, config.ProviderLinkerd)
}

func TestMeshInjectionConsul(t *testing.T) {
	runMeshInjectCases(t, []meshInjectCase{
		{name: "success.consul-annotation-true", w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "true"))},
		{name: "success.consul-annotation-parsebool-true", w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "True"))},
		{name: "success.consul-inject-by-default", byDefault: true, w: meshTestDeployment()},

		{name: "failure.consul-unannotated", w: meshTestDeployment(), path: meshTestMeta,
			want: `pod template has no annotation consul.hashicorp.com/connect-inject="true" and mesh.injectByDefault (consul's connectInject.default) is off`},
		{name: "failure.consul-annotation-false", byDefault: true, w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "false")),
			path: meshTestAnnPath("consul.hashicorp.com/connect-inject"),
			want: `pod template has annotation consul.hashicorp.com/connect-inject="false", which opts out of injection`},
		{name: "failure.consul-invalid-value", byDefault: true, w: meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "yes")),
			path: meshTestAnnPath("consul.hashicorp.com/connect-inject"),
			want: `pod template has annotation consul.hashicorp.com/connect-inject="yes", which is not a boolean: consul's injector rejects the pod`},
		{name: "failure.consul-kube-system", w: meshTestDeployment(meshTestIn("kube-system"), meshTestPodAnn("consul.hashicorp.com/connect-inject", "true")),
			path: meshTestMeta, want: `namespace "kube-system" is never injected by consul`},
		{name: "failure.consul-kube-public-by-default", byDefault: true, w: meshTestDeployment(meshTestIn("kube-public")),
			path: meshTestMeta, want: `namespace "kube-public" is never injected by consul`},
		{name: "failure.consul-hostnetwork", w: meshTestDeployment(meshTestHostNetwork, meshTestPodAnn("consul.hashicorp.com/connect-inject", "true")),
			path: meshTestHostNet,
			want: `pod template sets hostNetwork: true; meshgate does not count host-network pods as meshed under consul, whose sidecar would share the node's network namespace`},
		{name: "failure.consul-label-instead-of-annotation", w: meshTestDeployment(meshTestPodLabels("consul.hashicorp.com/connect-inject", "true")), path: meshTestMeta,
			want: `pod template has no annotation consul.hashicorp.com/connect-inject="true" and mesh.injectByDefault (consul's connectInject.default) is off; consul.hashicorp.com/connect-inject is a label on the pod template, but consul reads only the annotation`},
		{name: "failure.consul-deployment-metadata-annotation-only", w: meshTestDeployment(meshTestObjAnn("consul.hashicorp.com/connect-inject", "true")), path: meshTestMeta,
			want: `pod template has no annotation consul.hashicorp.com/connect-inject="true" and mesh.injectByDefault (consul's connectInject.default) is off; annotation consul.hashicorp.com/connect-inject is on the Deployment's metadata, not on spec.template.metadata`},
	}, config.ProviderConsul)
}

func TestMeshInjectionKuma(t *testing.T) {
	enabled := map[string]string{"kuma.io/sidecar-injection": "enabled"}
	disabled := map[string]string{"kuma.io/sidecar-injection": "disabled"}
	runMeshInjectCases(t, []meshInjectCase{
		{name: "success.kuma-namespace-enabled", nsConfig: enabled, w: meshTestDeployment()},
		{name: "success.kuma-namespace-true", nsObject: meshTestNamespace("shop", map[string]string{"kuma.io/sidecar-injection": "true"}, nil), w: meshTestDeployment()},
		{name: "success.kuma-pod-enabled", w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "enabled"))},
		{name: "success.kuma-pod-enabled-overrides-namespace-disabled", nsConfig: disabled, w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "enabled"))},
		{name: "success.kuma-legacy-annotation", w: meshTestDeployment(meshTestPodAnn("kuma.io/sidecar-injection", "enabled"))},
		{name: "success.kuma-label-wins-over-legacy-annotation", w: meshTestDeployment(
			meshTestPodLabels("kuma.io/sidecar-injection", "enabled"), meshTestPodAnn("kuma.io/sidecar-injection", "disabled"))},
		{name: "success.kuma-legacy-namespace-annotation", nsObject: meshTestNamespace("shop", nil, enabled), w: meshTestDeployment()},
		{name: "success.kuma-pod-enabled-overrides-invalid-namespace", nsConfig: map[string]string{"kuma.io/sidecar-injection": "on"},
			w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "enabled"))},

		{name: "failure.kuma-unlabelled", w: meshTestDeployment(), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has label kuma.io/sidecar-injection=enabled`},
		{name: "failure.kuma-namespace-disabled", nsConfig: disabled, w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsConfig + ` has label kuma.io/sidecar-injection="disabled" and the pod template does not enable injection`},
		{name: "failure.kuma-pod-disabled-overrides-namespace", nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "disabled")),
			path: meshTestLabelPath("kuma.io/sidecar-injection"),
			want: `pod template has label kuma.io/sidecar-injection="disabled", which opts out of injection`},
		{name: "failure.kuma-legacy-annotation-disabled", nsConfig: enabled, w: meshTestDeployment(meshTestPodAnn("kuma.io/sidecar-injection", "false")),
			path: meshTestAnnPath("kuma.io/sidecar-injection"),
			want: `pod template has annotation kuma.io/sidecar-injection="false", which opts out of injection`},
		{name: "failure.kuma-invalid-value", nsConfig: enabled, w: meshTestDeployment(meshTestPodLabels("kuma.io/sidecar-injection", "on")),
			path: meshTestLabelPath("kuma.io/sidecar-injection"),
			want: `pod template has label kuma.io/sidecar-injection="on", which is not enabled or disabled: kuma's injector rejects the pod`},
		{name: "failure.kuma-invalid-namespace-value", nsObject: meshTestNamespace("shop", map[string]string{"kuma.io/sidecar-injection": "Enabled"}, nil),
			w: meshTestDeployment(), path: meshTestMeta,
			want: meshTestNsRendered + ` has label kuma.io/sidecar-injection="Enabled", which is not enabled or disabled: kuma's injector rejects pods created in it`},
		{name: "failure.kuma-kube-system", nsConfig: enabled, w: meshTestDeployment(meshTestIn("kube-system"), meshTestPodLabels("kuma.io/sidecar-injection", "enabled")),
			path: meshTestMeta, want: `namespace "kube-system" is never injected by kuma`},
		{name: "failure.kuma-deployment-metadata-label-only", w: meshTestDeployment(meshTestObjLabels("kuma.io/sidecar-injection", "enabled")), path: meshTestMeta,
			want: `neither ` + meshTestNsUnknown + ` nor the pod template has label kuma.io/sidecar-injection=enabled; label kuma.io/sidecar-injection is on the Deployment's metadata, not on spec.template.metadata`},
	}, config.ProviderKuma)
}

func TestMeshInjectionNone(t *testing.T) {
	runMeshInjectCases(t, []meshInjectCase{
		{name: "success.none-checks-no-injection", w: meshTestDeployment()},
		{name: "success.none-ignores-opt-outs", w: meshTestDeployment(meshTestHostNetwork, meshTestPodLabels("sidecar.istio.io/inject", "false"))},
	}, config.ProviderNone)
}
