package check

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/manifest"
)

// Keys the injectors read.
const (
	meshIstioInject      = "sidecar.istio.io/inject"
	meshIstioRev         = "istio.io/rev"
	meshIstioNsInjection = "istio-injection"
	meshIstioNative      = "sidecar.istio.io/nativeSidecar"
	meshAmbientMode      = "istio.io/dataplane-mode"
	meshLinkerdInject    = "linkerd.io/inject"
	meshLinkerdWebhooks  = "config.linkerd.io/admission-webhooks"
	meshLinkerdNative    = "config.beta.linkerd.io/proxy-enable-native-sidecar"
	meshConsulInject     = "consul.hashicorp.com/connect-inject"
	meshConsulNative     = "consul.hashicorp.com/enable-consul-dataplane-as-sidecar"
	meshKumaInject       = "kuma.io/sidecar-injection"
)

// meshLinkerdNativeKeys in linkerd's order of precedence (pkg/inject
// inject.go): the GA name, then the beta and alpha names it still honours.
var meshLinkerdNativeKeys = []string{
	"config.linkerd.io/proxy-enable-native-sidecar",
	meshLinkerdNative,
	"config.alpha.linkerd.io/proxy-enable-native-sidecar",
}

// meshIstioSystemNamespaces are never injected: istio's injectRequired skips
// them (pkg/kube/inject IgnoredNamespaces) whatever the labels say.
var meshIstioSystemNamespaces = []string{"kube-system", "kube-public", "kube-node-lease", "local-path-storage"}

// meshLinkerdExcludedNamespaces are left out by the default namespaceSelector
// of linkerd's proxy-injector webhook (linkerd-control-plane values.yaml).
var meshLinkerdExcludedNamespaces = []string{"kube-system", "cert-manager"}

// meshConsulSystemNamespaces are skipped by consul-k8s's MeshWebhook
// shouldInject before any annotation is read.
var meshConsulSystemNamespaces = []string{"kube-system", "kube-public"}

// meshVerdict is whether a pod gets the mesh dataplane and, if not, why.
type meshVerdict struct {
	meshed bool
	// sidecar is true when the dataplane is a sidecar container (it is
	// false for ambient), which matters for Jobs.
	sidecar bool
	why     string
	path    []any
}

func meshSidecar() meshVerdict { return meshVerdict{meshed: true, sidecar: true} }

func meshNot(why string, path []any) meshVerdict { return meshVerdict{why: why, path: path} }

// meshDecide applies the provider's injection semantics; ok is false when
// the provider checks no injection (none).
func meshDecide(mesh config.Mesh, ns meshNamespace, w *manifest.Workload) (v meshVerdict, ok bool) {
	p, _ := LookupProvider(mesh.Provider)
	if p.inject == nil {
		return meshVerdict{}, false
	}
	return p.inject(mesh.InjectByDefault, ns, w), true
}

// meshIstio models istiod's sidecar injector. The MutatingWebhookConfiguration
// (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml)
// decides on labels only whether the webhook is called at all:
//
//	rev.namespace  ns istio.io/rev In [rev], ns istio-injection DoesNotExist; pod inject NotIn [false]
//	rev.object     ns has neither label; pod inject NotIn [false], pod istio.io/rev In [rev]
//	namespace      ns istio-injection In [enabled]; pod inject NotIn [false]
//	object         ns has neither label; pod inject In [true], pod istio.io/rev DoesNotExist
//	auto           (enableNamespacesByDefault) ns has neither label and is no
//	               system namespace; pod inject and istio.io/rev DoesNotExist
//
// Then injectRequired (pkg/kube/inject/inject.go) skips hostNetwork pods and
// system namespaces, takes the label over the annotation, and injects unless
// the value is "false": "true", no value and invalid values all fall back to
// the default policy, which injects. Every named revision is assumed to be
// installed, and a default revision too.
func meshIstio(injectByDefault bool, ns meshNamespace, w *manifest.Workload) meshVerdict {
	pl, pa := w.Pod.Labels, w.Pod.Annotations
	if w.Pod.HostNetwork {
		return meshNot("pod template sets hostNetwork: true; istio never injects host-network pods", meshSpecPath(w, "hostNetwork"))
	}
	if slices.Contains(meshIstioSystemNamespaces, ns.name) {
		return meshNot(fmt.Sprintf("namespace %q is never injected by istio", ns.name), meshMetaPath(w, "", ""))
	}
	podInj, hasPodInj := pl[meshIstioInject]
	podRev, hasPodRev := pl[meshIstioRev]
	annInj, hasAnnInj := pa[meshIstioInject]
	nsInj, hasNsInj := ns.labels[meshIstioNsInjection]
	nsRev, hasNsRev := ns.labels[meshIstioRev]

	if hasPodInj && podInj == "false" {
		// NotIn [false], In [true] and DoesNotExist all exclude it.
		msg := fmt.Sprintf("pod template has label %s=%q, which opts out of injection", meshIstioInject, podInj)
		if hasAnnInj && annInj != podInj {
			msg += fmt.Sprintf("; the label wins over annotation %s=%q", meshIstioInject, annInj)
		}
		return meshNot(msg, meshMetaPath(w, "labels", meshIstioInject))
	}
	switch {
	case hasNsInj:
		// Only the "namespace" webhook selects istio-injection; all others
		// require it absent, so any other value blocks every path.
		switch nsInj {
		case "enabled":
		case "disabled":
			return meshNot(fmt.Sprintf("%s has label %s=%q, which blocks every injection path, pod labels included", ns, meshIstioNsInjection, nsInj), meshMetaPath(w, "", ""))
		default:
			return meshNot(fmt.Sprintf("%s has label %s=%q, which is not \"enabled\": no injector selects the namespace, and the label blocks pod-level injection too", ns, meshIstioNsInjection, nsInj), meshMetaPath(w, "", ""))
		}
	case hasNsRev:
		if nsRev == "" {
			return meshNot(fmt.Sprintf("%s has an empty %s label, which selects no revision and blocks pod-level injection", ns, meshIstioRev), meshMetaPath(w, "", ""))
		}
	case hasPodRev:
		if podRev == "" {
			return meshNot(fmt.Sprintf("pod template has an empty %s label, which selects no revision", meshIstioRev), meshMetaPath(w, "labels", meshIstioRev))
		}
	case hasPodInj && podInj == "true":
	case injectByDefault && !hasPodInj:
	default:
		return meshIstioUnselected(ns, w, podInj, hasPodInj, annInj, hasAnnInj)
	}
	// The webhook is called; injectRequired lets the label win over the
	// annotation, and only "false" opts out (the label is not "false" here).
	if !hasPodInj && hasAnnInj && annInj == "false" {
		return meshNot(fmt.Sprintf("pod template has annotation %s=%q, which opts out of injection", meshIstioInject, annInj), meshMetaPath(w, "annotations", meshIstioInject))
	}
	return meshSidecar()
}

// meshIstioUnselected explains why no webhook selects a pod in a namespace
// without injection labels.
func meshIstioUnselected(ns meshNamespace, w *manifest.Workload, podInj string, hasPodInj bool, annInj string, hasAnnInj bool) meshVerdict {
	if hasPodInj {
		return meshNot(fmt.Sprintf("pod template has label %s=%q, which is not \"true\" or \"false\": %s has no %s or %s label, so only the value \"true\" selects the pod for injection",
			meshIstioInject, podInj, ns, meshIstioNsInjection, meshIstioRev), meshMetaPath(w, "labels", meshIstioInject))
	}
	if hasAnnInj && annInj == "true" {
		return meshNot(fmt.Sprintf("pod template has annotation %s=\"true\" but %s has no %s or %s label: the injector selects on labels only; use the label %s=\"true\" on the pod template or label the namespace",
			meshIstioInject, ns, meshIstioNsInjection, meshIstioRev, meshIstioInject), meshMetaPath(w, "annotations", meshIstioInject))
	}
	msg := fmt.Sprintf("%s has no %s or %s label and the pod template has no label %s=\"true\" or %s",
		ns, meshIstioNsInjection, meshIstioRev, meshIstioInject, meshIstioRev)
	if hasAnnInj && annInj != "false" {
		msg += fmt.Sprintf("; annotation %s=%q is not \"true\" or \"false\", and the annotation can only opt out anyway", meshIstioInject, annInj)
	}
	return meshNot(msg, meshMetaPath(w, "", ""))
}

// meshIstioMentioned reports whether the pod or its namespace says anything
// about sidecar injection, so an ambient message should explain the sidecar
// side too.
func meshIstioMentioned(ns meshNamespace, w *manifest.Workload) bool {
	return meshHas(w.Pod.Labels, meshIstioInject) || meshHas(w.Pod.Labels, meshIstioRev) ||
		meshHas(w.Pod.Annotations, meshIstioInject) ||
		meshHas(ns.labels, meshIstioNsInjection) || meshHas(ns.labels, meshIstioRev)
}

// meshAmbient models istio in ambient mode, where a sidecar still counts.
// istio-cni enrols a pod (cni/pkg/util/enablement_selector.go and the
// istio-cni chart's default ambient.enablementSelectors) when the pod is
// labelled istio.io/dataplane-mode=ambient, or its namespace is and the pod
// label is not "none"; never a hostNetwork pod or one with a sidecar, and
// never in kube-system (the chart's default excludeNamespaces).
func meshAmbient(injectByDefault bool, ns meshNamespace, w *manifest.Workload) meshVerdict {
	if w.Pod.HostNetwork {
		return meshNot("pod template sets hostNetwork: true; istio captures host-network pods neither with ambient nor with a sidecar", meshSpecPath(w, "hostNetwork"))
	}
	side := meshIstio(injectByDefault, ns, w)
	if side.meshed {
		return side
	}
	if ns.name == "kube-system" {
		return meshNot(fmt.Sprintf("namespace %q is excluded from ambient by istio-cni and never gets sidecars", ns.name), meshMetaPath(w, "", ""))
	}
	podMode, hasPodMode := w.Pod.Labels[meshAmbientMode]
	nsMode, hasNsMode := ns.labels[meshAmbientMode]
	switch {
	case podMode == "ambient":
		return meshVerdict{meshed: true}
	case hasPodMode && podMode == "none":
	case nsMode == "ambient":
		return meshVerdict{meshed: true}
	}
	var msg string
	switch {
	case hasPodMode && podMode == "none":
		msg = fmt.Sprintf("pod template has label %s=%q, which opts out of ambient", meshAmbientMode, podMode)
	case hasPodMode && hasNsMode:
		msg = fmt.Sprintf("pod template has label %s=%q and %s has label %s=%q, neither of which is \"ambient\"", meshAmbientMode, podMode, ns, meshAmbientMode, nsMode)
	case hasPodMode:
		msg = fmt.Sprintf("pod template has label %s=%q, which is not \"ambient\", and %s has no label %s=ambient", meshAmbientMode, podMode, ns, meshAmbientMode)
	case hasNsMode:
		msg = fmt.Sprintf("%s has label %s=%q, which is not \"ambient\", and the pod template has no label %s=ambient", ns, meshAmbientMode, nsMode, meshAmbientMode)
	default:
		msg = fmt.Sprintf("neither %s nor the pod template has label %s=ambient", ns, meshAmbientMode)
	}
	msg += ", and no sidecar is injected"
	if meshIstioMentioned(ns, w) {
		msg += " (" + side.why + ")"
	}
	return meshNot(msg, meshMetaPath(w, "labels", meshAmbientMode))
}

// meshLinkerdValid: linkerd accepts enabled, ingress and disabled; an empty
// value counts as absent (pkg/inject/report.go isInjectAnnotationValid).
func meshLinkerdValid(v string) bool {
	switch v {
	case "", "enabled", "ingress", "disabled":
		return true
	}
	return false
}

func meshLinkerdEnables(v string) bool { return v == "enabled" || v == "ingress" }

// meshLinkerd models linkerd's proxy injector: the webhook's default
// namespaceSelector, then Report.Injectable and disabledByAnnotation
// (pkg/inject/report.go): hostNetwork and automountServiceAccountToken:
// false are never injected; an invalid value on the namespace or the pod
// disables injection; a pod value overrides the namespace's. Linkerd has no
// inject-by-default setting.
func meshLinkerd(_ bool, ns meshNamespace, w *manifest.Workload) meshVerdict {
	if w.Pod.HostNetwork {
		return meshNot("pod template sets hostNetwork: true; linkerd never injects host-network pods", meshSpecPath(w, "hostNetwork"))
	}
	if a := w.Pod.AutomountServiceAccountToken; a != nil && !*a {
		return meshNot("pod template sets automountServiceAccountToken: false; linkerd does not inject pods without a service account token", meshSpecPath(w, "automountServiceAccountToken"))
	}
	if slices.Contains(meshLinkerdExcludedNamespaces, ns.name) {
		return meshNot(fmt.Sprintf("namespace %q is excluded by linkerd's proxy-injector webhook", ns.name), meshMetaPath(w, "", ""))
	}
	if ns.labels[meshLinkerdWebhooks] == "disabled" {
		return meshNot(fmt.Sprintf("%s has label %s=disabled, so linkerd's proxy injector never sees its pods", ns, meshLinkerdWebhooks), meshMetaPath(w, "", ""))
	}
	nsVal := ns.annotations[meshLinkerdInject]
	podVal := w.Pod.Annotations[meshLinkerdInject]
	annPath := meshMetaPath(w, "annotations", meshLinkerdInject)
	if !meshLinkerdValid(nsVal) {
		return meshNot(fmt.Sprintf("%s has annotation %s=%q, which is not enabled, ingress or disabled: linkerd injects nothing in it", ns, meshLinkerdInject, nsVal), annPath)
	}
	if !meshLinkerdValid(podVal) {
		return meshNot(fmt.Sprintf("pod template has annotation %s=%q, which is not enabled, ingress or disabled: linkerd does not inject it", meshLinkerdInject, podVal), annPath)
	}
	if podVal == "disabled" {
		return meshNot(fmt.Sprintf("pod template has annotation %s=%q, which opts out of injection", meshLinkerdInject, podVal), annPath)
	}
	if meshLinkerdEnables(nsVal) || meshLinkerdEnables(podVal) {
		return meshSidecar()
	}
	var msg string
	if nsVal == "disabled" {
		msg = fmt.Sprintf("%s has annotation %s=%q and the pod template does not set annotation %s=enabled", ns, meshLinkerdInject, nsVal, meshLinkerdInject)
	} else {
		msg = fmt.Sprintf("neither %s nor the pod template has annotation %s=enabled", ns, meshLinkerdInject)
	}
	if meshHas(w.Pod.Labels, meshLinkerdInject) {
		msg += fmt.Sprintf("; %s is a label on the pod template, but linkerd reads only the annotation", meshLinkerdInject)
	}
	if ns.origin == meshOriginRendered && meshHas(ns.labels, meshLinkerdInject) && !meshHas(ns.annotations, meshLinkerdInject) {
		msg += fmt.Sprintf("; %s is a label on namespace %q, but linkerd reads only the annotation", meshLinkerdInject, ns.name)
	}
	return meshNot(msg, meshMetaPath(w, "labels", meshLinkerdInject))
}

// meshConsul models consul-k8s's MeshWebhook.shouldInject: system
// namespaces are skipped; an explicit annotation is parsed with
// strconv.ParseBool, and a value that does not parse makes the webhook
// return an error, so the API server rejects the pod; without the annotation
// connectInject.default decides (mesh.injectByDefault). consul-k8s itself
// does not check hostNetwork; meshgate does not count a host-network pod as
// meshed because its sidecar would run in the node's network namespace.
func meshConsul(injectByDefault bool, ns meshNamespace, w *manifest.Workload) meshVerdict {
	if slices.Contains(meshConsulSystemNamespaces, ns.name) {
		return meshNot(fmt.Sprintf("namespace %q is never injected by consul", ns.name), meshMetaPath(w, "", ""))
	}
	if w.Pod.HostNetwork {
		return meshNot("pod template sets hostNetwork: true; meshgate does not count host-network pods as meshed under consul, whose sidecar would share the node's network namespace", meshSpecPath(w, "hostNetwork"))
	}
	if raw, ok := w.Pod.Annotations[meshConsulInject]; ok {
		path := meshMetaPath(w, "annotations", meshConsulInject)
		inject, err := strconv.ParseBool(raw)
		if err != nil {
			return meshNot(fmt.Sprintf("pod template has annotation %s=%q, which is not a boolean: consul's injector rejects the pod", meshConsulInject, raw), path)
		}
		if !inject {
			return meshNot(fmt.Sprintf("pod template has annotation %s=%q, which opts out of injection", meshConsulInject, raw), path)
		}
		return meshSidecar()
	}
	if injectByDefault {
		return meshSidecar()
	}
	msg := fmt.Sprintf("pod template has no annotation %s=\"true\" and mesh.injectByDefault (consul's connectInject.default) is off", meshConsulInject)
	if meshHas(w.Pod.Labels, meshConsulInject) {
		msg += fmt.Sprintf("; %s is a label on the pod template, but consul reads only the annotation", meshConsulInject)
	}
	return meshNot(msg, meshMetaPath(w, "", ""))
}

// meshKumaValue parses kuma's injection value as metadata.GetEnabled does:
// enabled/true/yes inject, disabled/false/no do not, anything else makes the
// injector fail, so the pod is rejected.
func meshKumaValue(v string) (inject, valid bool) {
	switch v {
	case "enabled", "true", "yes":
		return true, true
	case "disabled", "false", "no":
		return false, true
	}
	return false, false
}

// meshKuma models kuma's injector (pkg/plugins/runtime/k8s/webhooks/injector
// precheck.go needToInject): the pod's label decides, else the namespace's;
// kube-system is never selected by the webhooks. As SPEC asks, the legacy
// annotation of the same name counts where the label is absent (kuma 2.2
// and later read only the label). Kuma has no inject-by-default setting.
func meshKuma(_ bool, ns meshNamespace, w *manifest.Workload) meshVerdict {
	if ns.name == "kube-system" {
		return meshNot(fmt.Sprintf("namespace %q is never injected by kuma", ns.name), meshMetaPath(w, "", ""))
	}
	for _, src := range []struct {
		section string
		values  map[string]string
	}{{"label", w.Pod.Labels}, {"annotation", w.Pod.Annotations}} {
		v, ok := src.values[meshKumaInject]
		if !ok {
			continue
		}
		path := meshMetaPath(w, src.section+"s", meshKumaInject)
		inject, valid := meshKumaValue(v)
		switch {
		case !valid:
			return meshNot(fmt.Sprintf("pod template has %s %s=%q, which is not enabled or disabled: kuma's injector rejects the pod", src.section, meshKumaInject, v), path)
		case !inject:
			return meshNot(fmt.Sprintf("pod template has %s %s=%q, which opts out of injection", src.section, meshKumaInject, v), path)
		}
		return meshSidecar()
	}
	for _, src := range []struct {
		section string
		values  map[string]string
	}{{"label", ns.labels}, {"annotation", ns.annotations}} {
		v, ok := src.values[meshKumaInject]
		if !ok {
			continue
		}
		inject, valid := meshKumaValue(v)
		switch {
		case !valid:
			return meshNot(fmt.Sprintf("%s has %s %s=%q, which is not enabled or disabled: kuma's injector rejects pods created in it", ns, src.section, meshKumaInject, v), meshMetaPath(w, "", ""))
		case !inject:
			return meshNot(fmt.Sprintf("%s has %s %s=%q and the pod template does not enable injection", ns, src.section, meshKumaInject, v), meshMetaPath(w, "", ""))
		}
		return meshSidecar()
	}
	return meshNot(fmt.Sprintf("neither %s nor the pod template has label %s=enabled", ns, meshKumaInject), meshMetaPath(w, "", ""))
}

// meshNativeSidecar reports whether a meshed Job's sidecar is a native
// sidecar (an init container with restartPolicy: Always), which exits with
// the job; a classic sidecar keeps the Job from ever completing.
func meshNativeSidecar(p Provider, ns meshNamespace, w *manifest.Workload) (why string, path []any, native bool) {
	if p.nativeSidecar == nil {
		return "", nil, true
	}
	return p.nativeSidecar(ns, w)
}

// meshIstioNativeSidecar: inject.go opts a pod in only with the exact value
// "true".
func meshIstioNativeSidecar(_ meshNamespace, w *manifest.Workload) (why string, path []any, native bool) {
	v, has := w.Pod.Annotations[meshIstioNative]
	if v == "true" {
		return "", nil, true
	}
	return meshJobSidecarMessage(w, meshIstioNative, v, has, ""), meshMetaPath(w, "annotations", meshIstioNative), false
}

// meshLinkerdNativeSidecar: linkerd copies the namespace's config
// annotations onto pods that lack them (AppendNamespaceAnnotations: the GA
// and alpha names, not the beta one); the first key present in precedence
// order decides, and a value strconv.ParseBool rejects leaves the default.
func meshLinkerdNativeSidecar(ns meshNamespace, w *manifest.Workload) (why string, path []any, native bool) {
	for _, k := range meshLinkerdNativeKeys {
		v, onPod := w.Pod.Annotations[k]
		nsV, onNS := ns.annotations[k]
		onNS = onNS && k != meshLinkerdNative
		if !onPod && !onNS {
			continue
		}
		from := ""
		if !onPod {
			v, from = nsV, ns.String()
		}
		if b, err := strconv.ParseBool(v); err == nil && b {
			return "", nil, true
		}
		return meshJobSidecarMessage(w, k, v, true, from), meshMetaPath(w, "annotations", k), false
	}
	return meshJobSidecarMessage(w, meshLinkerdNative, "", false, ""), meshMetaPath(w, "", ""), false
}

// meshConsulNativeSidecar: lifecycle.Config.EnableConsulDataplaneAsSidecar
// parses the annotation with strconv.ParseBool.
func meshConsulNativeSidecar(_ meshNamespace, w *manifest.Workload) (why string, path []any, native bool) {
	v, has := w.Pod.Annotations[meshConsulNative]
	if b, err := strconv.ParseBool(v); err == nil && b {
		return "", nil, true
	}
	return meshJobSidecarMessage(w, meshConsulNative, v, has, ""), meshMetaPath(w, "annotations", meshConsulNative), false
}

// meshJobSidecarMessage names the opt-in annotation; from names the
// namespace when the value comes from there.
func meshJobSidecarMessage(w *manifest.Workload, key, value string, has bool, from string) string {
	prefix := fmt.Sprintf("%s pod gets a classic sidecar and will never complete: ", w.Kind)
	switch {
	case !has:
		return prefix + fmt.Sprintf("set annotation %s: \"true\"", key)
	case from != "":
		return prefix + fmt.Sprintf("annotation %s is %q on %s; set it to \"true\"", key, value, from)
	}
	return prefix + fmt.Sprintf("annotation %s is %q; set it to \"true\"", key, value)
}
