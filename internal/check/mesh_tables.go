package check

import (
	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
)

// The injectors' decision procedures as data, one table per provider, read
// by meshRun (mesh_table.go). Each row cites the upstream file and line it
// models at the table's release; docs/mesh-providers.md shows the tables as
// generated from here.

// meshHostNetAdvice ends every host-network message: node agents must keep
// the host network, so the advice is an exemption, never removing it.
const meshHostNetAdvice = ": if the pod must run on the host network (a node agent), exempt it from " +
	finding.RuleMeshInjection + " with a reason, or deploy it to a namespace that does not enable injection"

// Upstream files many rows cite, each in its mesh's repository.
const (
	meshIstioWebhooks = "manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml"
	meshIstioInjectGo = "pkg/kube/inject/inject.go"
	meshLinkerdValues = "charts/linkerd-control-plane/values.yaml"
	meshLinkerdReport = "pkg/inject/report.go"
	meshConsulWebhook = "control-plane/connect-inject/webhook/mesh_webhook.go"
	meshKumaWebhooks  = "deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml"
	meshKumaPrecheck  = "pkg/plugins/runtime/k8s/webhooks/injector/precheck.go"
	meshAmbientCNI    = "manifests/charts/istio-cni/values.yaml:59-66 (ambient.enablementSelectors), cni/pkg/util/enablement_selector.go:76-89"
)

var meshIstioTable = &meshTable{
	provider: config.ProviderIstio,
	upstream: "istio 1.30.3 (56df41f63e513f834c9a3af33d8aed82d1d961f2)",
	steps: []meshStep{
		{name: "pods injected by hand", rows: []meshRow{
			{id: "injected-by-hand", when: []meshCond{podAnn(meshIstioStatus).isNot(""), container(meshAppOrInit, "istio-proxy")}, out: outManual,
				doc:  "`istioctl kube-inject` wrote the proxy and its status into the manifest: the rendered pod runs the proxy, and the webhook skips it or injects it again",
				cite: meshIstioInjectGo + ":686-800 (IntoObject, istioctl kube-inject); pkg/kube/inject/webhook.go:520-522, 1129-1136"},
		}},
		{name: "pods no webhook takes", rows: []meshRow{
			{id: "host-network", when: []meshCond{hostNetwork()}, out: outNot, at: atSpecOf("hostNetwork"),
				msg:  "pod template sets hostNetwork: true; istio never injects host-network pods" + meshHostNetAdvice,
				doc:  "never, whatever the labels",
				cite: meshIstioInjectGo + ":207-209"},
			{id: "system-namespace", when: []meshCond{nsNamed(meshIstioSystemNamespaces...)}, out: outNot,
				msg:  "namespace {nsname} is never injected by istio",
				doc:  "never, whatever the labels",
				cite: meshIstioInjectGo + ":212-216 (IgnoredNamespaces)"},
			{id: "pod-label-false-over-annotation", when: []meshCond{podLabel(meshIstioInject).is("false"), podAnn(meshIstioInject).isNot("false")}, out: outOptOut, at: atLabelOf(meshIstioInject),
				msg:  "pod template has label sidecar.istio.io/inject={pl:sidecar.istio.io/inject}, which opts out of injection; the label wins over annotation sidecar.istio.io/inject={pa:sidecar.istio.io/inject}",
				doc:  "every webhook's objectSelector leaves it out; the label wins over the annotation",
				cite: meshIstioWebhooks + ":80-85, 122-127, 137-142; " + meshIstioInjectGo + ":223-227"},
			{id: "pod-label-false", when: []meshCond{podLabel(meshIstioInject).is("false")}, out: outOptOut, at: atLabelOf(meshIstioInject),
				msg:  "pod template has label sidecar.istio.io/inject={pl:sidecar.istio.io/inject}, which opts out of injection",
				doc:  "every webhook's objectSelector leaves it out",
				cite: meshIstioWebhooks + ":80-85, 122-127, 137-142"},
		}},
		{name: "which webhook selects the pod", rows: meshIstioSelectRows},
		{name: "what the injector decides", rows: meshIstioDecideRows},
		{name: "annotation validation", rows: []meshRow{
			{id: "invalid-annotation", when: []meshCond{istioInvalidAnnotation()}, out: outRejected, at: meshAt{kind: atCapAnn},
				msg:  "pod template has annotation {key}={val}, which istio's injector rejects ({err}): the webhook answers allowed: false",
				doc:  "the webhook answers allowed: false, naming the annotation; the first invalid one in key order is named (the list below)",
				cite: "pkg/kube/inject/validate.go:40-81, " + meshIstioInjectGo + ":434, pkg/kube/inject/webhook.go:342-344; failurePolicy Fail, " + meshIstioWebhooks + ":34"},
			{id: "injected", out: outMeshed, doc: "a sidecar", cite: meshIstioInjectGo + ":285-290"},
		}},
	},
}

// meshIstioSelectRows: the webhooks select on labels only
// (mutatingwebhook.yaml); every revision named is assumed installed.
var meshIstioSelectRows = []meshRow{
	{id: "namespace-injection-enabled", when: []meshCond{nsLabel(meshIstioNsInjection).is("enabled")}, out: outNext,
		doc: "the namespace webhook", cite: meshIstioWebhooks + ":115-128"},
	{id: "namespace-injection-disabled", when: []meshCond{nsLabel(meshIstioNsInjection).is("disabled")}, out: outOptOut,
		msg:  "{ns} has label istio-injection={nl:istio-injection}, which blocks every injection path, pod labels included",
		doc:  "every other webhook requires the label absent",
		cite: meshIstioWebhooks + ":77-79, 93-94, 115-121, 133-134"},
	{id: "namespace-injection-other", when: []meshCond{nsLabel(meshIstioNsInjection).exists()}, out: outNot,
		msg:  `{ns} has label istio-injection={nl:istio-injection}, which is not "enabled": no injector selects the namespace, and the label blocks pod-level injection too`,
		doc:  "no webhook selects it, and the label blocks the pod-level ones",
		cite: meshIstioWebhooks + ":77-79, 93-94, 115-121, 133-134"},
	{id: "namespace-revision-empty", when: []meshCond{nsLabel(meshIstioRev).is("")}, out: outNot,
		msg:  "{ns} has an empty istio.io/rev label, which selects no revision and blocks pod-level injection",
		doc:  "selects no revision and blocks the pod-level webhooks",
		cite: meshIstioWebhooks + ":66-86, 88-94"},
	{id: "namespace-revision", when: []meshCond{nsLabel(meshIstioRev).exists()}, out: outNext,
		doc: "the revision namespace webhook", cite: meshIstioWebhooks + ":66-86"},
	{id: "pod-revision-empty", when: []meshCond{podLabel(meshIstioRev).is("")}, out: outNot, at: atLabelOf(meshIstioRev),
		msg:  "pod template has an empty istio.io/rev label, which selects no revision",
		doc:  "selects no revision",
		cite: meshIstioWebhooks + ":88-108"},
	{id: "pod-revision", when: []meshCond{podLabel(meshIstioRev).exists()}, out: outNext,
		doc: "the revision object webhook", cite: meshIstioWebhooks + ":88-108"},
	{id: "pod-label-true", when: []meshCond{podLabel(meshIstioInject).is("true")}, out: outNext,
		doc: "the object webhook", cite: meshIstioWebhooks + ":130-145"},
	{id: "inject-by-default", when: []meshCond{installIs(meshSettingInjectByDefault, "true"), podLabel(meshIstioInject).absent()}, out: outNext,
		doc: "the auto webhook (enableNamespacesByDefault)", cite: meshIstioWebhooks + ":146-164"},
	{id: "pod-label-other", when: []meshCond{podLabel(meshIstioInject).exists()}, out: outNot, at: atLabelOf(meshIstioInject),
		msg:  `pod template has label sidecar.istio.io/inject={pl:sidecar.istio.io/inject}, which is not "true" or "false": {ns} has no istio-injection or istio.io/rev label, so only the value "true" selects the pod for injection`,
		doc:  `only "true" selects the pod; the message names the value`,
		cite: meshIstioWebhooks + ":130-145"},
	{id: "annotation-true", when: []meshCond{podAnn(meshIstioInject).is("true")}, out: outNot, at: atAnnOf(meshIstioInject),
		msg:  `pod template has annotation sidecar.istio.io/inject="true" but {ns} has no istio-injection or istio.io/rev label: the injector selects on labels only; use the label sidecar.istio.io/inject="true" on the pod template or label the namespace`,
		doc:  "the classic mistake: the webhooks select on labels only",
		cite: meshIstioWebhooks + ":130-145", remedy: remedyInjectLabel},
	{id: "unselected", out: outNot,
		msg: `{ns} has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`,
		hints: []meshHint{{when: []meshCond{podAnn(meshIstioInject).isNot("false")},
			text: `; annotation sidecar.istio.io/inject={pa:sidecar.istio.io/inject} is not "true" or "false", and the annotation can only opt out anyway`}},
		doc:  "no webhook selects it",
		cite: meshIstioWebhooks + ":66-164"},
}

// meshIstioDecideRows: injectRequired, once a webhook called it: the label
// (else the annotation) "true" or "false" decides, else the never and
// always selectors, else global.proxy.autoInject.
var meshIstioDecideRows = []meshRow{
	{id: "annotation-false", when: []meshCond{podLabel(meshIstioInject).absent(), podAnn(meshIstioInject).is("false")}, out: outOptOut, at: atAnnOf(meshIstioInject),
		msg:  "pod template has annotation sidecar.istio.io/inject={pa:sidecar.istio.io/inject}, which opts out of injection",
		doc:  "read where the label is absent",
		cite: meshIstioInjectGo + ":223-232"},
	{id: "explicit-true", when: []meshCond{anyOf(podLabel(meshIstioInject).is("true"), allOf(podLabel(meshIstioInject).absent(), podAnn(meshIstioInject).is("true")))}, out: outNext,
		doc: "injected whatever the selectors and autoInject say", cite: meshIstioInjectGo + ":223-230, 279-290"},
	{id: "never-inject-selector", when: []meshCond{selectorMatches(meshSettingNeverInject)}, out: outOptOut,
		msg:  "pod template labels match mesh.install.neverInjectSelector (istio's sidecarInjectorWebhook.neverInjectSelector), which refuses injection",
		doc:  "another value or none: the never selectors first",
		cite: meshIstioInjectGo + ":241-255; manifests/charts/istio-control/istio-discovery/values.yaml:122"},
	{id: "always-inject-selector", when: []meshCond{selectorMatches(meshSettingAlwaysInject)}, out: outNext,
		doc: "then the always selectors", cite: meshIstioInjectGo + ":257-271; manifests/charts/istio-control/istio-discovery/values.yaml:123"},
	{id: "auto-inject-disabled", when: []meshCond{installIs(meshSettingAutoInject, "false")}, out: outNot,
		msg: `mesh.install.autoInject is false (istio's global.proxy.autoInject: disabled): a selected pod is injected only with sidecar.istio.io/inject="true"`,
		hints: []meshHint{{when: []meshCond{installIs(meshSettingAlwaysInject, "set")},
			text: " or with labels that match mesh.install.alwaysInjectSelector"}},
		doc:  "a selected pod is injected only when asked",
		cite: meshIstioInjectGo + ":273-284"},
}

var meshAmbientTable = &meshTable{
	provider: config.ProviderIstioAmbient,
	upstream: "istio 1.30.3 (56df41f63e513f834c9a3af33d8aed82d1d961f2)",
	steps:    []meshStep{{name: "sidecar or ambient", rows: meshAmbientRows}},
}

// meshAmbientHints end every ambient message: the sidecar side is
// explained when the pod or namespace mentions sidecar injection.
var meshAmbientHints = []meshHint{{when: []meshCond{anyOf(podLabel(meshIstioInject).exists(), podLabel(meshIstioRev).exists(),
	podAnn(meshIstioInject).exists(), nsLabel(meshIstioNsInjection).exists(), nsLabel(meshIstioRev).exists())}, text: " ({sub})"}}

var meshAmbientRows = []meshRow{
	{id: "host-network", when: []meshCond{hostNetwork()}, out: outNot, at: atSpecOf("hostNetwork"),
		msg:  "pod template sets hostNetwork: true; istio captures host-network pods neither with ambient nor with a sidecar" + meshHostNetAdvice,
		doc:  "in the node's network namespace: neither ztunnel nor a sidecar captures it",
		cite: meshIstioInjectGo + ":207-209"},
	{id: "sidecar", when: []meshCond{sub(meshIstioTable)}, out: outSub,
		doc: "the `istio` table injects a sidecar, or rejects the pod: a sidecar counts", cite: meshIstioWebhooks + ":62-164"},
	{id: "kube-system", when: []meshCond{nsNamed("kube-system")}, out: outNot,
		msg:  "namespace {nsname} is excluded from ambient by istio-cni and never gets sidecars",
		doc:  "istio-cni's excludeNamespaces",
		cite: "manifests/charts/istio-cni/values.yaml:31-32"},
	{id: "pod-ambient", when: []meshCond{podLabel(meshAmbientMode).is("ambient")}, out: outAmbient, doc: "ztunnel", cite: meshAmbientCNI},
	{id: "pod-none", when: []meshCond{podLabel(meshAmbientMode).is("none")}, out: outOptOut, at: atLabelOf(meshAmbientMode),
		msg: "pod template has label istio.io/dataplane-mode={pl:istio.io/dataplane-mode}, which opts out of ambient, and no sidecar is injected", hints: meshAmbientHints,
		doc: "opted out of ambient", cite: meshAmbientCNI},
	{id: "namespace-ambient", when: []meshCond{nsLabel(meshAmbientMode).is("ambient")}, out: outAmbient, doc: "ztunnel", cite: meshAmbientCNI},
	{id: "both-other", when: []meshCond{podLabel(meshAmbientMode).exists(), nsLabel(meshAmbientMode).exists()}, out: outNot, optOutIf: []meshCond{subOptOut()}, at: atLabelOf(meshAmbientMode),
		msg: `pod template has label istio.io/dataplane-mode={pl:istio.io/dataplane-mode} and {ns} has label istio.io/dataplane-mode={nl:istio.io/dataplane-mode}, neither of which is "ambient", and no sidecar is injected`, hints: meshAmbientHints,
		doc: "the message names both values", cite: meshAmbientCNI},
	{id: "pod-other", when: []meshCond{podLabel(meshAmbientMode).exists()}, out: outNot, optOutIf: []meshCond{subOptOut()}, at: atLabelOf(meshAmbientMode),
		msg: `pod template has label istio.io/dataplane-mode={pl:istio.io/dataplane-mode}, which is not "ambient", and {ns} has no label istio.io/dataplane-mode=ambient, and no sidecar is injected`, hints: meshAmbientHints,
		doc: "the message names the value", cite: meshAmbientCNI},
	{id: "namespace-other", when: []meshCond{nsLabel(meshAmbientMode).exists()}, out: outNot, optOutIf: []meshCond{subOptOut()},
		msg: `{ns} has label istio.io/dataplane-mode={nl:istio.io/dataplane-mode}, which is not "ambient", and the pod template has no label istio.io/dataplane-mode=ambient, and no sidecar is injected`, hints: meshAmbientHints,
		doc: "the message names the value", cite: meshAmbientCNI},
	{id: "unlabelled", out: outNot, optOutIf: []meshCond{subOptOut()}, at: atLabelOf(meshAmbientMode),
		msg: "neither {ns} nor the pod template has label istio.io/dataplane-mode=ambient, and no sidecar is injected", hints: meshAmbientHints,
		doc: "neither ambient nor a sidecar", cite: meshAmbientCNI},
}

// meshLinkerdValid are the values of linkerd.io/inject linkerd accepts, ""
// counting as absent (report.go:235-243).
var meshLinkerdValid = []string{"", "enabled", "ingress", "disabled"}

var meshLinkerdTable = &meshTable{
	provider: config.ProviderLinkerd,
	upstream: "linkerd2 edge-26.8.3 (19a0d90d5a4a65e0b976f079ba8a5f1dab12c005)",
	steps: []meshStep{
		{name: "pods the injector does not take", rows: []meshRow{
			{id: "proxy-injected-by-hand", when: []meshCond{container(meshAppOrInit, meshLinkerdProxy)}, out: outManual,
				doc: "injected by hand (linkerd's manual injection): the rendered pod runs the proxy", cite: "pkg/healthcheck/sidecar.go:12-21"},
			{id: "host-network", when: []meshCond{hostNetwork()}, out: outNot, at: atSpecOf("hostNetwork"),
				msg:  "pod template sets hostNetwork: true; linkerd never injects host-network pods" + meshHostNetAdvice,
				doc:  "an error; the advice is an exemption, not removing hostNetwork",
				cite: meshLinkerdReport + ":104, 140-142"},
			{id: "object-selector", when: []meshCond{anyOf(podLabel(meshLinkerdObjectSelector[0]).exists(), podLabel(meshLinkerdObjectSelector[1]).exists())}, out: outOptOut, at: meshAt{kind: atCapLabel},
				msg:  "pod template has label {key}, so linkerd's proxy-injector webhook never sees it (its objectSelector leaves linkerd's own components out)",
				doc:  "the webhook's objectSelector never sends it",
				cite: meshLinkerdValues + ":536-541"},
			{id: "existing-sidecar", when: []meshCond{anyOf(container(meshAppOrInit, "istio-proxy"), container(meshInitOnly, "linkerd-init", "istio-init"),
				containerImage(meshAppOrInit, meshLinkerdSidecarImages...), containerImage(meshInitOnly, meshLinkerdInitImages...))}, out: outNot, at: meshAt{kind: atCtr},
				msg:  "pod template already has container {ctr}, and linkerd does not inject a pod that has a sidecar already: remove the leftover container",
				doc:  "a sidecar is there already",
				cite: "pkg/healthcheck/sidecar.go:12-33, " + meshLinkerdReport + ":105, 143-145"},
			{id: "automount-without-projection", when: []meshCond{automountOff(), installIs(meshSettingTokenProjection, "false")}, out: outNot, at: atSpecOf("automountServiceAccountToken"),
				msg:  "pod template sets automountServiceAccountToken: false and mesh.install.serviceAccountTokenProjection is off, so linkerd does not inject it: turn the projection on (the default since 2.12) or mount the token",
				doc:  "blocks injection only without token projection (on by default since edge-21.11.1, stable 2.12)",
				cite: meshLinkerdReport + ":107-110, 153-155; " + meshLinkerdValues + ":470"},
			{id: "excluded-namespace", when: []meshCond{nsNamed(meshLinkerdExcludedNamespaces...)}, out: outNot,
				msg:  "namespace {nsname} is excluded by linkerd's proxy-injector webhook",
				doc:  "the webhook's default namespaceSelector",
				cite: meshLinkerdValues + ":529-533"},
			{id: "webhooks-disabled", when: []meshCond{nsLabel(meshLinkerdWebhooks).is("disabled")}, out: outOptOut,
				msg:  "{ns} has label config.linkerd.io/admission-webhooks=disabled, so linkerd's proxy injector never sees its pods",
				doc:  "the webhook's namespaceSelector",
				cite: meshLinkerdValues + ":523-528"},
		}},
		{name: "the inject annotation", rows: meshLinkerdAnnotationRows},
	},
}

// meshLinkerdAnnotationRows: disabledByAnnotation (report.go:183-228); the
// pod's value overrides the namespace's.
var meshLinkerdAnnotationRows = []meshRow{
	{id: "namespace-invalid", when: []meshCond{nsAnn(meshLinkerdInject).isNot(meshLinkerdValid...)}, out: outNot, at: atAnnOf(meshLinkerdInject),
		msg:  "{ns} has annotation linkerd.io/inject={na:linkerd.io/inject}, which is not enabled, ingress or disabled: linkerd injects nothing in it",
		doc:  "an invalid namespace value disables injection for every pod in it",
		cite: meshLinkerdReport + ":208-210, 235-243"},
	{id: "pod-invalid", when: []meshCond{podAnn(meshLinkerdInject).isNot(meshLinkerdValid...)}, out: outNot, at: atAnnOf(meshLinkerdInject),
		msg:  "pod template has annotation linkerd.io/inject={pa:linkerd.io/inject}, which is not enabled, ingress or disabled: linkerd does not inject it",
		doc:  "the message names the value",
		cite: meshLinkerdReport + ":212-214"},
	{id: "pod-disabled", when: []meshCond{podAnn(meshLinkerdInject).is("disabled")}, out: outOptOut, at: atAnnOf(meshLinkerdInject),
		msg:  "pod template has annotation linkerd.io/inject={pa:linkerd.io/inject}, which opts out of injection",
		doc:  "whatever the namespace says",
		cite: meshLinkerdReport + ":216-219, 223-225"},
	{id: "namespace-enabled", when: []meshCond{nsAnn(meshLinkerdInject).is("enabled", "ingress")}, out: outMeshed,
		doc: "a sidecar", cite: meshLinkerdReport + ":216-221"},
	{id: "pod-enabled", when: []meshCond{podAnn(meshLinkerdInject).is("enabled", "ingress")}, out: outMeshed,
		doc: "a sidecar, also in a disabled namespace", cite: meshLinkerdReport + ":223-227"},
	{id: "namespace-disabled", when: []meshCond{nsAnn(meshLinkerdInject).is("disabled")}, out: outOptOut, at: atLabelOf(meshLinkerdInject),
		msg:  "{ns} has annotation linkerd.io/inject={na:linkerd.io/inject} and the pod template does not set annotation linkerd.io/inject=enabled",
		doc:  "the namespace opted out",
		cite: meshLinkerdReport + ":223-225"},
	{id: "not-annotated", out: outNot, at: atLabelOf(meshLinkerdInject),
		msg: "neither {ns} nor the pod template has annotation linkerd.io/inject=enabled",
		hints: []meshHint{
			{when: []meshCond{podLabel(meshLinkerdInject).exists()}, text: "; linkerd.io/inject is a label on the pod template, but linkerd reads only the annotation"},
			{when: []meshCond{nsRendered(), nsLabel(meshLinkerdInject).exists(), nsAnn(meshLinkerdInject).absent()}, text: "; linkerd.io/inject is a label on namespace {nsname}, but linkerd reads only the annotation"},
		},
		doc:  "linkerd has no inject-by-default setting; a `linkerd.io/inject` label is pointed out, since linkerd reads only the annotation",
		cite: meshLinkerdReport + ":223-225"},
}

var meshConsulTable = &meshTable{
	provider: config.ProviderConsul,
	upstream: "consul-k8s v2.0.3 (7af6b659cead99bb688880ebc29686c0dfabc67b)",
	steps: []meshStep{
		{name: "pods the webhook skips", rows: []meshRow{
			{id: "consul-own-pods", when: []meshCond{podLabel("app").is(meshConsulApp)}, out: outOptOut, at: atLabelOf("app"),
				msg:  "pod template has label app: consul, which consul's connect-inject webhook skips (its objectSelector leaves consul's own pods out)",
				doc:  "the webhook's objectSelector leaves consul's own pods out",
				cite: "charts/consul/templates/connect-inject-mutatingwebhookconfiguration.yaml:269-273"},
			{id: "selector-namespace", when: []meshCond{nsNamed(meshConsulSelectorNamespaces...)}, out: outNot,
				msg:  "namespace {nsname} is never injected by consul",
				doc:  "the webhook's default namespaceSelector",
				cite: "charts/consul/values.yaml:2858-2862"},
			{id: "system-namespace", when: []meshCond{nsNamed(meshConsulSystemNamespaces...)}, out: outNot,
				msg:  "namespace {nsname} is never injected by consul",
				doc:  "skipped before any list or annotation is read",
				cite: meshConsulWebhook + ":54-56, 615-618"},
			{id: "openshift-monitoring", when: []meshCond{nsLabel(meshConsulOpenShiftMonitoring).exists()}, out: outNot,
				msg:  "{ns} has label openshift.io/cluster-monitoring, which consul's connect-inject webhook skips",
				doc:  "the webhook's default namespaceSelector",
				cite: "charts/consul/values.yaml:2863-2864"},
			{id: "deny-list", when: []meshCond{nsInList(meshSettingDenyNamespaces)}, out: outNot,
				msg:  "namespace {nsname} is in mesh.install.denyNamespaces (consul's connectInject.k8sDenyNamespaces)",
				doc:  "the deny list wins over the allow list",
				cite: meshConsulWebhook + ":620-624; charts/consul/values.yaml:2894"},
			{id: "allow-list", when: []meshCond{nsNotInList(meshSettingAllowNamespaces)}, out: outNot,
				msg:  "namespace {nsname} is not in mesh.install.allowNamespaces (consul's connectInject.k8sAllowNamespaces)",
				doc:  "not allowed",
				cite: meshConsulWebhook + ":626-629; charts/consul/values.yaml:2881"},
			{id: "injected-by-hand", when: []meshCond{podAnn(meshConsulStatus).isNot(""), container(meshAppOrInit, meshConsulDataplane)}, out: outManual,
				doc: "taken for injected already; the rendered pod runs the dataplane", cite: meshConsulWebhook + ":631-634"},
			{id: "inject-status", when: []meshCond{podAnn(meshConsulStatus).isNot("")}, out: outNot, at: atAnnOf(meshConsulStatus),
				msg:  "pod template has annotation consul.hashicorp.com/connect-inject-status, so consul's webhook takes it for injected already and skips it, but it has no consul-dataplane container: remove the annotation",
				doc:  "taken for injected already, but no dataplane runs",
				cite: meshConsulWebhook + ":631-634"},
		}},
		{name: "the connect-inject annotation", rows: []meshRow{
			{id: "annotation-not-boolean", when: []meshCond{podAnn(meshConsulInject).isNot(meshBools...)}, out: outRejected, at: atAnnOf(meshConsulInject),
				msg:  "pod template has annotation consul.hashicorp.com/connect-inject={pa:consul.hashicorp.com/connect-inject}, which is not a boolean: consul's injector fails the webhook",
				doc:  "strconv.ParseBool fails: the webhook errs and its failurePolicy is Fail",
				cite: meshConsulWebhook + ":262-265, 639-641; charts/consul/values.yaml:2836"},
			{id: "annotation-false", when: []meshCond{podAnn(meshConsulInject).is(meshBoolFalse...)}, out: outOptOut, at: atAnnOf(meshConsulInject),
				msg:  "pod template has annotation consul.hashicorp.com/connect-inject={pa:consul.hashicorp.com/connect-inject}, which opts out of injection",
				doc:  "opted out",
				cite: meshConsulWebhook + ":639-641"},
			{id: "annotation-true", when: []meshCond{podAnn(meshConsulInject).is(meshBoolTrue...)}, out: outNext,
				doc: "asked for", cite: meshConsulWebhook + ":639-641"},
			{id: "inject-by-default", when: []meshCond{installIs(meshSettingInjectByDefault, "true")}, out: outNext,
				doc: "consul's connectInject.default", cite: meshConsulWebhook + ":643; charts/consul/values.yaml:2430"},
			{id: "not-annotated", out: outNot,
				msg:   "pod template has no annotation consul.hashicorp.com/connect-inject=\"true\" and mesh.injectByDefault (consul's connectInject.default) is off",
				hints: []meshHint{{when: []meshCond{podLabel(meshConsulInject).exists()}, text: "; consul.hashicorp.com/connect-inject is a label on the pod template, but consul reads only the annotation"}},
				doc:   "a `connect-inject` label is pointed out, since consul reads only the annotation",
				cite:  meshConsulWebhook + ":643"},
		}},
		{name: "the injected pod", rows: []meshRow{
			{id: "dataplane-flag-not-boolean", when: []meshCond{podAnn(meshConsulNative).isNot(append([]string{""}, meshBools...)...)}, out: outRejected, at: atAnnOf(meshConsulNative),
				msg:  "pod template has annotation consul.hashicorp.com/enable-consul-dataplane-as-sidecar={pa:consul.hashicorp.com/enable-consul-dataplane-as-sidecar}, which is not a boolean: consul's injector fails the webhook",
				doc:  "the webhook errs, naming the value",
				cite: "control-plane/connect-inject/webhook/consul_dataplane_sidecar.go:283-286, control-plane/connect-inject/lifecycle/lifecycle_configuration.go:130-140"},
			{id: "injected", out: outMeshed,
				doc: "a sidecar; consul-k8s does not look at hostNetwork, so a host-network pod is injected too", cite: meshConsulWebhook + ":614-644 (no hostNetwork check anywhere in control-plane/connect-inject)"},
		}},
	},
}

var meshKumaTable = &meshTable{
	provider:      config.ProviderKuma,
	upstream:      "kuma v2.14.3 (0c7aaec033b7dad03c3a9f4d5b56eb6d941bfff9)",
	labelFallback: &meshFallback{key: meshKumaInject, until: meshKumaLegacyAnnotationUntil},
	steps: []meshStep{
		{name: "namespaces no webhook selects", rows: []meshRow{
			{id: "sidecar-injected-by-hand", when: []meshCond{container(meshAppOrInit, meshKumaSidecar)}, out: outManual,
				doc: "the rendered pod runs the sidecar", cite: meshKumaPrecheck + ":151-156"},
			{id: "zone-proxy", when: []meshCond{since(meshKumaZoneProxySince), nsControlPlane(), podLabel(meshKumaInject).is("enabled"), podLabel(meshKumaMesh).exists(), podLabel(meshKumaZoneProxyType).exists()},
				out: outNext, goTo: "what the injector decides",
				doc: "the zone proxy webhook", cite: meshKumaWebhooks + ":272-290"},
			{id: "kube-system", when: []meshCond{nsNamed("kube-system")}, out: outNot,
				msg:  "namespace {nsname} is never injected by kuma",
				doc:  "both pod webhooks leave it out",
				cite: meshKumaWebhooks + ":204-208, 240-244"},
			{id: "control-plane-namespace", when: []meshCond{nsControlPlane()}, out: outOptOut,
				msg:  "namespace {nsname} is kuma's control plane namespace (mesh.install.controlPlaneNamespace), which kuma's pod webhooks leave out and its chart labels kuma.io/sidecar-injection: \"false\"",
				doc:  "the mesh's own namespace: both pod webhooks leave it out, and the chart labels it `kuma.io/sidecar-injection: \"false\"`",
				cite: meshKumaWebhooks + ":204-208, 240-244; deployments/charts/kuma/templates/pre-install-patch-namespace-job.yaml:121-128; pkg/config/app/kuma-cp/kuma-cp.defaults.yaml:12"},
			{id: "allow-list", when: []meshCond{nsNotInList(meshSettingAllowNamespaces)}, out: outNot,
				msg:  "namespace {nsname} is not in mesh.install.allowNamespaces (kuma's namespaceAllowList)",
				doc:  "namespaceAllowList, when set",
				cite: meshKumaWebhooks + ":209-216, 245-252"},
		}},
		{name: "which webhook selects the pod", rows: meshKumaSelectRows},
		{name: "what the injector decides", rows: []meshRow{
			{id: "exception-label", when: []meshCond{exceptionLabel()}, out: outOptOut, at: meshAt{kind: atCapLabel},
				msg:  "pod template has label {key}={val}, which mesh.install.exceptionLabels (kuma's runtime.kubernetes.injector.exceptions.labels) exempts from injection",
				doc:  "an exception label of the installation",
				cite: meshKumaPrecheck + ":146-149, 182-190; pkg/config/app/kuma-cp/kuma-cp.defaults.yaml:263-268"},
			{id: "pod-label-invalid", when: []meshCond{podLabel(meshKumaInject).isNot(meshKumaValues...)}, out: outRejected, at: atLabelOf(meshKumaInject),
				msg:  "pod template has label kuma.io/sidecar-injection={pl:kuma.io/sidecar-injection}, which is not enabled or disabled: kuma's injector fails the webhook",
				doc:  "GetEnabled fails the webhook (failurePolicy Fail)",
				cite: meshKumaPrecheck + ":158-161; pkg/plugins/runtime/k8s/metadata/annotations.go:272-295; deployments/charts/kuma/values.yaml:138"},
			{id: "pod-label-off", when: []meshCond{podLabel(meshKumaInject).is(meshKumaOff...)}, out: outOptOut, at: atLabelOf(meshKumaInject),
				msg:  "pod template has label kuma.io/sidecar-injection={pl:kuma.io/sidecar-injection}, which opts out of injection",
				doc:  "the pod's label decides before the namespace's",
				cite: meshKumaPrecheck + ":158-167"},
		}},
		{name: "the injected pod", rows: []meshRow{
			{id: "sidecar-uid", when: []meshCond{appRunsAs(meshKumaUID)}, out: outRejected, at: meshAt{kind: atCtr, sub: []any{"securityContext", "runAsUser"}},
				msg:  "container {ctr} runs as user 5678, the UID of kuma's sidecar: kuma's injector fails the webhook",
				doc:  "naming the container (init containers only get a warning upstream)",
				cite: meshKumaPrecheck + ":71-106"},
			{id: "injected", out: outMeshed, doc: "a sidecar", cite: meshKumaPrecheck + ":158-178"},
		}},
	},
}

// meshKumaLegacyHint: the annotation of the same name is ignored since 2.2.
var meshKumaLegacyHint = []meshHint{{when: []meshCond{since(meshKumaLegacyAnnotationUntil), anyOf(podAnn(meshKumaInject).exists(), allOf(nsAnn(meshKumaInject).exists(), nsRendered()))},
	text: "; kuma reads kuma.io/sidecar-injection only as a label since 2.2, not as an annotation"}}

// meshKumaSelectRows: the namespace webhook selects namespaces labelled
// enabled or "true"; the pod webhook pods labelled exactly enabled, since
// 2.11 only in a namespace that has the label at all.
var meshKumaSelectRows = []meshRow{
	{id: "namespace-selected", when: []meshCond{nsLabel(meshKumaInject).is("enabled", "true")}, out: outNext,
		doc: "the namespace webhook", cite: meshKumaWebhooks + ":194-203"},
	{id: "pod-selected", when: []meshCond{podLabel(meshKumaInject).is("enabled"), nsLabel(meshKumaInject).exists()}, out: outNext,
		doc: "the pod webhook, whatever the namespace's value", cite: meshKumaWebhooks + ":233-240, 253-255"},
	{id: "pod-selected-before-2.11", when: []meshCond{before(meshKumaNamespaceLabelSince), podLabel(meshKumaInject).is("enabled")}, out: outNext,
		doc: "the pod webhook in any namespace", cite: "kuma 2.10.2 " + meshKumaWebhooks + ":180-190"},
	{id: "pod-enabled-unlabelled-namespace", when: []meshCond{podLabel(meshKumaInject).is("enabled")}, out: outNot, at: atLabelOf(meshKumaInject), hints: meshKumaLegacyHint,
		msg:  "pod template has label kuma.io/sidecar-injection=enabled but {ns} has no kuma.io/sidecar-injection label: since kuma 2.11 the injector webhooks select only labelled namespaces; label the namespace kuma.io/sidecar-injection=enabled",
		doc:  "since 2.11 a pod label alone injects nothing",
		cite: meshKumaWebhooks + ":236-240"},
	{id: "namespace-disabled", when: []meshCond{nsLabel(meshKumaInject).is("disabled"), podLabel(meshKumaInject).absent()}, out: outOptOut,
		msg:  "{ns} has label kuma.io/sidecar-injection={nl:kuma.io/sidecar-injection} and the pod template does not enable injection",
		doc:  "the namespace opted out",
		cite: meshKumaWebhooks + ":197-203; " + meshKumaPrecheck + ":169-177"},
	{id: "both-other", when: []meshCond{podLabel(meshKumaInject).exists(), nsLabel(meshKumaInject).exists()}, out: outNot, at: atLabelOf(meshKumaInject), hints: meshKumaLegacyHint,
		msg:  `pod template has label kuma.io/sidecar-injection={pl:kuma.io/sidecar-injection} and {ns} has label kuma.io/sidecar-injection={nl:kuma.io/sidecar-injection}: kuma's webhooks select a namespace labelled enabled or "true", or a pod labelled exactly enabled`,
		doc:  "neither webhook selects the pod",
		cite: meshKumaWebhooks + ":197-203, 253-255"},
	{id: "pod-other", when: []meshCond{podLabel(meshKumaInject).exists()}, out: outNot, at: atLabelOf(meshKumaInject), hints: meshKumaLegacyHint,
		msg:  "pod template has label kuma.io/sidecar-injection={pl:kuma.io/sidecar-injection}, which kuma's pod webhook does not select (only exactly enabled, in a labelled namespace), and {ns} has no kuma.io/sidecar-injection label",
		doc:  "neither webhook selects the pod",
		cite: meshKumaWebhooks + ":236-240, 253-255"},
	{id: "namespace-other", when: []meshCond{nsLabel(meshKumaInject).exists()}, out: outNot, hints: meshKumaLegacyHint,
		msg:  `{ns} has label kuma.io/sidecar-injection={nl:kuma.io/sidecar-injection}, which kuma's namespace webhook does not select (only enabled or "true"), and the pod template has no label kuma.io/sidecar-injection=enabled`,
		doc:  "neither webhook selects the pod",
		cite: meshKumaWebhooks + ":197-203"},
	{id: "unlabelled", out: outNot, hints: meshKumaLegacyHint,
		msg:  "neither {ns} nor the pod template has label kuma.io/sidecar-injection=enabled",
		doc:  "neither webhook selects the pod",
		cite: meshKumaWebhooks + ":194-255"},
}
