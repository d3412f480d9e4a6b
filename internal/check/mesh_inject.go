package check

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// meshVerdict is whether a pod gets the mesh dataplane and, if not, why.
type meshVerdict struct {
	meshed bool
	// sidecar is true when the dataplane is a sidecar container (it is
	// false for ambient), which matters for Jobs.
	sidecar bool
	// manual is true when the rendered pod already has the sidecar
	// (injected by hand), so its own containers say whether it is native.
	manual bool
	// optOut marks a deliberate opt-out through the mesh's own switch,
	// reported with mesh.optOut's severity.
	optOut bool
	// rejected marks a pod the webhook refuses: it is not created at all.
	rejected bool
	why      string
	path     []any
}

func meshSidecar() meshVerdict { return meshVerdict{meshed: true, sidecar: true} }

func meshNot(why string, path []any) meshVerdict { return meshVerdict{why: why, path: path} }

func meshOptOut(why string, path []any) meshVerdict {
	return meshVerdict{why: why, path: path, optOut: true}
}

func meshRejected(why string, path []any) meshVerdict {
	return meshVerdict{why: why + "; the pod is not created at all", path: path, rejected: true}
}

// meshCtx is what a decision needs besides the pod and its namespace: the
// config, the mesh version in force and the nodes' Kubernetes minor version.
type meshCtx struct {
	mesh    config.Mesh
	version config.MeshVersion
	kube    int
}

// meshCtxOf is the decision context of an environment.
func meshCtxOf(mesh config.Mesh, env config.Environment) meshCtx {
	kv := mesh.KubernetesVersion
	if kv == "" && env.Helm != nil {
		kv = env.Helm.KubeVersion
	}
	if kv == "" {
		kv = config.DefaultKubeVersion
	}
	minor := 0
	if parts := strings.SplitN(strings.TrimPrefix(kv, "v"), ".", 3); len(parts) > 1 {
		minor, _ = strconv.Atoi(strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	}
	return meshCtx{mesh: mesh, version: mesh.MeshVersion(), kube: minor}
}

// meshDecide applies the provider's injection semantics; ok is false when
// the provider checks no injection (none).
func meshDecide(c meshCtx, ns meshNamespace, w *manifest.Workload) (v meshVerdict, ok bool) {
	p, _ := LookupProvider(c.mesh.Provider)
	if p.inject == nil {
		return meshVerdict{}, false
	}
	return p.inject(c, ns, w), true
}

// meshHostNetwork is the verdict on a host-network pod, which no sidecar
// injector injects: advice that keeps node agents on the host network.
func meshHostNetwork(mesh string, w *manifest.Workload) meshVerdict {
	return meshNot(fmt.Sprintf("pod template sets hostNetwork: true; %s never injects host-network pods: if the pod must run on the host network (a node agent), exempt it from %s with a reason, or deploy it to a namespace that does not enable injection", mesh, finding.RuleMeshInjection),
		meshSpecPath(w, "hostNetwork"))
}

// meshHasContainer reports whether the pod has a container (app or init)
// of one of these names.
func meshHasContainer(w *manifest.Workload, names ...string) (manifest.Container, bool) {
	for _, c := range w.Pod.Containers {
		if c.Type != manifest.ContainerEphemeral && slices.Contains(names, c.Name) {
			return c, true
		}
	}
	return manifest.Container{}, false
}

// meshManual is the verdict on a pod that already has the mesh's sidecar.
func meshManual() meshVerdict { return meshVerdict{meshed: true, sidecar: true, manual: true} }

// meshIstio models istiod's sidecar injector (istio 1.30.3). The
// MutatingWebhookConfiguration
// (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml)
// decides on labels only whether the webhook is called at all:
//
//	rev.namespace  (:66-86)   ns istio.io/rev In [rev], ns istio-injection DoesNotExist; pod inject NotIn [false]
//	rev.object     (:88-105)  ns has neither label; pod inject NotIn [false], pod istio.io/rev In [rev]
//	namespace      (:115-128) ns istio-injection In [enabled]; pod inject NotIn [false]
//	object         (:130-145) ns has neither label; pod inject In [true], pod istio.io/rev DoesNotExist
//	auto           (:146-165, enableNamespacesByDefault) ns has neither label and is no
//	               system namespace; pod inject and istio.io/rev DoesNotExist
//
// Then injectRequired (pkg/kube/inject/inject.go:199-315) skips hostNetwork
// pods and system namespaces, takes the label over the annotation, and
// with autoInject enabled injects unless the value is "false" ("true", no
// value and invalid values fall back to the policy). Every named revision
// is assumed to be installed, and a default revision too. A pod it injects
// must pass the annotation validation (meshIstioValidators).
func meshIstio(c meshCtx, ns meshNamespace, w *manifest.Workload) meshVerdict {
	pl, pa := w.Pod.Labels, w.Pod.Annotations
	if w.Pod.HostNetwork {
		return meshHostNetwork("istio", w)
	}
	if slices.Contains(meshIstioSystemNamespaces, ns.name) {
		return meshNot(fmt.Sprintf("namespace %q is never injected by istio", ns.name), meshMetaPath(w, "", ""))
	}
	podInj, hasPodInj := pl[meshIstioInject]
	annInj, hasAnnInj := pa[meshIstioInject]
	if hasPodInj && podInj == "false" {
		// NotIn [false], In [true] and DoesNotExist all exclude it.
		msg := fmt.Sprintf("pod template has label %s=%q, which opts out of injection", meshIstioInject, podInj)
		if hasAnnInj && annInj != podInj {
			msg += fmt.Sprintf("; the label wins over annotation %s=%q", meshIstioInject, annInj)
		}
		return meshOptOut(msg, meshMetaPath(w, "labels", meshIstioInject))
	}
	if v, selected := meshIstioSelected(c, ns, w); !selected {
		return v
	}
	// The webhook is called; injectRequired lets the label win over the
	// annotation, and only "false" opts out (the label is not "false" here).
	if !hasPodInj && hasAnnInj && annInj == "false" {
		return meshOptOut(fmt.Sprintf("pod template has annotation %s=%q, which opts out of injection", meshIstioInject, annInj), meshMetaPath(w, "annotations", meshIstioInject))
	}
	if v := meshIstioAutoInject(c, w, podInj, hasPodInj, annInj); !v.meshed {
		return v
	}
	return meshIstioValidate(w)
}

// meshIstioSelected reports whether one of the webhooks selects the pod
// (the pod label is not "false" here), and if not, why.
func meshIstioSelected(c meshCtx, ns meshNamespace, w *manifest.Workload) (meshVerdict, bool) {
	podInj, hasPodInj := w.Pod.Labels[meshIstioInject]
	podRev, hasPodRev := w.Pod.Labels[meshIstioRev]
	annInj, hasAnnInj := w.Pod.Annotations[meshIstioInject]
	nsInj, hasNsInj := ns.labels[meshIstioNsInjection]
	nsRev, hasNsRev := ns.labels[meshIstioRev]
	switch {
	case hasNsInj:
		// Only the "namespace" webhook selects istio-injection; all others
		// require it absent, so any other value blocks every path.
		switch nsInj {
		case "enabled":
		case "disabled":
			return meshOptOut(fmt.Sprintf("%s has label %s=%q, which blocks every injection path, pod labels included", ns, meshIstioNsInjection, nsInj), meshMetaPath(w, "", "")), false
		default:
			return meshNot(fmt.Sprintf("%s has label %s=%q, which is not \"enabled\": no injector selects the namespace, and the label blocks pod-level injection too", ns, meshIstioNsInjection, nsInj), meshMetaPath(w, "", "")), false
		}
	case hasNsRev:
		if nsRev == "" {
			return meshNot(fmt.Sprintf("%s has an empty %s label, which selects no revision and blocks pod-level injection", ns, meshIstioRev), meshMetaPath(w, "", "")), false
		}
	case hasPodRev:
		if podRev == "" {
			return meshNot(fmt.Sprintf("pod template has an empty %s label, which selects no revision", meshIstioRev), meshMetaPath(w, "labels", meshIstioRev)), false
		}
	case hasPodInj && podInj == "true":
	case c.mesh.InjectByDefault && !hasPodInj:
	default:
		return meshIstioUnselected(ns, w, podInj, hasPodInj, annInj, hasAnnInj), false
	}
	return meshVerdict{}, true
}

// meshIstioAutoInject applies global.proxy.autoInject: "disabled" injects
// a selected pod only when its label (else annotation) is "true"
// (inject.go:273-291).
func meshIstioAutoInject(c meshCtx, w *manifest.Workload, podInj string, hasPodInj bool, annInj string) meshVerdict {
	if a := c.mesh.Install.AutoInject; a == nil || *a {
		return meshSidecar()
	}
	v := annInj
	if hasPodInj {
		v = podInj
	}
	if v == "true" {
		return meshSidecar()
	}
	return meshNot(fmt.Sprintf("mesh.install.autoInject is false (istio's global.proxy.autoInject: disabled): a selected pod is injected only with %s=\"true\"", meshIstioInject), meshMetaPath(w, "", ""))
}

// meshIstioValidate rejects a pod whose annotations istio's webhook
// refuses; the first invalid annotation in key order is named.
func meshIstioValidate(w *manifest.Workload) meshVerdict {
	for _, k := range slices.Sorted(maps.Keys(w.Pod.Annotations)) {
		f, ok := meshIstioValidators[k]
		if !ok {
			continue
		}
		if err := f(w.Pod.Annotations[k]); err != nil {
			return meshRejected(fmt.Sprintf("pod template has annotation %s=%q, which istio's injector rejects (%v): the webhook answers allowed: false", k, w.Pod.Annotations[k], err),
				meshMetaPath(w, "annotations", k))
		}
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
func meshAmbient(c meshCtx, ns meshNamespace, w *manifest.Workload) meshVerdict {
	if w.Pod.HostNetwork {
		v := meshHostNetwork("istio", w)
		v.why = strings.Replace(v.why, "never injects host-network pods", "captures host-network pods neither with ambient nor with a sidecar", 1)
		return v
	}
	side := meshIstio(c, ns, w)
	if side.meshed || side.rejected {
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
	v := meshNot(msg, meshMetaPath(w, "labels", meshAmbientMode))
	// Opting out of ambient is deliberate; so is a sidecar opt-out in a
	// namespace that is not ambient.
	v.optOut = hasPodMode && podMode == "none" || side.optOut && !(nsMode == "ambient")
	return v
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

// meshLinkerd models linkerd's proxy injector (linkerd2 edge-26.8.3): the
// webhook's default namespaceSelector and objectSelector
// (charts/linkerd-control-plane/values.yaml:523-541), then
// Report.Injectable and disabledByAnnotation (pkg/inject/report.go:95-228):
// hostNetwork pods and pods with a sidecar already
// (pkg/healthcheck/sidecar.go:12-33) are not injected;
// automountServiceAccountToken: false blocks only when
// identity.serviceAccountTokenProjection is off (report.go:107-117), which
// is on by default since 2.12 (values.yaml:470); an invalid value on the
// namespace or the pod disables injection; a pod value overrides the
// namespace's. Linkerd has no inject-by-default setting.
func meshLinkerd(c meshCtx, ns meshNamespace, w *manifest.Workload) meshVerdict {
	if _, ok := meshHasContainer(w, meshLinkerdProxy); ok {
		// Injected by hand (linkerd inject --manual): meshed as rendered.
		return meshManual()
	}
	if w.Pod.HostNetwork {
		return meshHostNetwork("linkerd", w)
	}
	for _, k := range meshLinkerdObjectSelector {
		if meshHas(w.Pod.Labels, k) {
			return meshOptOut(fmt.Sprintf("pod template has label %s, so linkerd's proxy-injector webhook never sees it (its objectSelector leaves linkerd's own components out)", k), meshMetaPath(w, "labels", k))
		}
	}
	if other, ok := meshHasContainer(w, meshLinkerdOtherSidecars...); ok {
		return meshNot(fmt.Sprintf("pod template already has container %s, and linkerd does not inject a pod that has a sidecar already: remove the leftover container", other.Name), other.Path)
	}
	if a := w.Pod.AutomountServiceAccountToken; a != nil && !*a && !meshLinkerdProjection(c) {
		return meshNot("pod template sets automountServiceAccountToken: false and mesh.install.serviceAccountTokenProjection is off, so linkerd does not inject it: turn the projection on (the default since 2.12) or mount the token", meshSpecPath(w, "automountServiceAccountToken"))
	}
	if slices.Contains(meshLinkerdExcludedNamespaces, ns.name) {
		return meshNot(fmt.Sprintf("namespace %q is excluded by linkerd's proxy-injector webhook", ns.name), meshMetaPath(w, "", ""))
	}
	if ns.labels[meshLinkerdWebhooks] == "disabled" {
		return meshOptOut(fmt.Sprintf("%s has label %s=disabled, so linkerd's proxy injector never sees its pods", ns, meshLinkerdWebhooks), meshMetaPath(w, "", ""))
	}
	return meshLinkerdAnnotations(ns, w)
}

// meshLinkerdProjection is identity.serviceAccountTokenProjection in force.
func meshLinkerdProjection(c meshCtx) bool {
	if p := c.mesh.Install.ServiceAccountTokenProjection; p != nil {
		return *p
	}
	return meshLinkerdVersion(c.version).Compare(meshLinkerdProjectionSince) >= 0
}

// meshLinkerdAnnotations is disabledByAnnotation's truth table
// (report.go:183-228).
func meshLinkerdAnnotations(ns meshNamespace, w *manifest.Workload) meshVerdict {
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
		return meshOptOut(fmt.Sprintf("pod template has annotation %s=%q, which opts out of injection", meshLinkerdInject, podVal), annPath)
	}
	if meshLinkerdEnables(nsVal) || meshLinkerdEnables(podVal) {
		return meshSidecar()
	}
	if nsVal == "disabled" {
		return meshOptOut(fmt.Sprintf("%s has annotation %s=%q and the pod template does not set annotation %s=enabled", ns, meshLinkerdInject, nsVal, meshLinkerdInject), meshMetaPath(w, "labels", meshLinkerdInject))
	}
	msg := fmt.Sprintf("neither %s nor the pod template has annotation %s=enabled", ns, meshLinkerdInject)
	if meshHas(w.Pod.Labels, meshLinkerdInject) {
		msg += fmt.Sprintf("; %s is a label on the pod template, but linkerd reads only the annotation", meshLinkerdInject)
	}
	if ns.origin == meshOriginRendered && meshHas(ns.labels, meshLinkerdInject) && !meshHas(ns.annotations, meshLinkerdInject) {
		msg += fmt.Sprintf("; %s is a label on namespace %q, but linkerd reads only the annotation", meshLinkerdInject, ns.name)
	}
	return meshNot(msg, meshMetaPath(w, "labels", meshLinkerdInject))
}

// meshConsul models consul-k8s's connect injector (v2.0.3): the webhook's
// default namespaceSelector and objectSelector
// (charts/consul/values.yaml:2858-2863,
// templates/connect-inject-mutatingwebhookconfiguration.yaml:269-273), then
// MeshWebhook.shouldInject (control-plane/connect-inject/webhook/mesh_webhook.go:614-644):
// system namespaces, the deny list, the allow list, an existing
// connect-inject-status, then the annotation parsed with strconv.ParseBool
// (a value that does not parse fails the webhook, mesh_webhook.go:262-265,
// and the chart's failurePolicy is Fail), else connectInject.default
// (mesh.injectByDefault). consul-k8s itself does not check hostNetwork;
// meshgate does not count a host-network pod as meshed because its sidecar
// would run in the node's network namespace.
func meshConsul(c meshCtx, ns meshNamespace, w *manifest.Workload) meshVerdict {
	if v, skipped := meshConsulSkipped(c, ns, w); skipped {
		return v
	}
	if w.Pod.HostNetwork {
		v := meshHostNetwork("consul", w)
		v.why = strings.Replace(v.why, "consul never injects host-network pods", "meshgate does not count host-network pods as meshed under consul, whose sidecar would share the node's network namespace", 1)
		return v
	}
	if raw, ok := w.Pod.Annotations[meshConsulInject]; ok {
		path := meshMetaPath(w, "annotations", meshConsulInject)
		inject, err := strconv.ParseBool(raw)
		if err != nil {
			return meshRejected(fmt.Sprintf("pod template has annotation %s=%q, which is not a boolean: consul's injector fails the webhook", meshConsulInject, raw), path)
		}
		if !inject {
			return meshOptOut(fmt.Sprintf("pod template has annotation %s=%q, which opts out of injection", meshConsulInject, raw), path)
		}
		return meshConsulValidate(w)
	}
	if c.mesh.InjectByDefault {
		return meshConsulValidate(w)
	}
	msg := fmt.Sprintf("pod template has no annotation %s=\"true\" and mesh.injectByDefault (consul's connectInject.default) is off", meshConsulInject)
	if meshHas(w.Pod.Labels, meshConsulInject) {
		msg += fmt.Sprintf("; %s is a label on the pod template, but consul reads only the annotation", meshConsulInject)
	}
	return meshNot(msg, meshMetaPath(w, "", ""))
}

// meshConsulSkipped: the selectors and the checks of shouldInject that
// come before the annotation.
func meshConsulSkipped(c meshCtx, ns meshNamespace, w *manifest.Workload) (meshVerdict, bool) {
	meta := meshMetaPath(w, "", "")
	switch {
	case w.Pod.Labels["app"] == meshConsulApp:
		return meshOptOut("pod template has label app: consul, which consul's connect-inject webhook skips (its objectSelector leaves consul's own pods out)", meshMetaPath(w, "labels", "app")), true
	case slices.Contains(meshConsulSelectorNamespaces, ns.name), slices.Contains(meshConsulSystemNamespaces, ns.name):
		return meshNot(fmt.Sprintf("namespace %q is never injected by consul", ns.name), meta), true
	case meshHas(ns.labels, meshConsulOpenShiftMonitoring):
		return meshNot(fmt.Sprintf("%s has label %s, which consul's connect-inject webhook skips", ns, meshConsulOpenShiftMonitoring), meta), true
	}
	deny := c.mesh.Install.DenyNamespaces
	if deny == nil {
		deny = meshConsulDefaultDeny
	}
	if slices.Contains(deny, ns.name) {
		return meshNot(fmt.Sprintf("namespace %q is in mesh.install.denyNamespaces (consul's connectInject.k8sDenyNamespaces)", ns.name), meta), true
	}
	if allow := c.mesh.Install.AllowNamespaces; allow != nil && !slices.Contains(allow, "*") && !slices.Contains(allow, ns.name) {
		return meshNot(fmt.Sprintf("namespace %q is not in mesh.install.allowNamespaces (consul's connectInject.k8sAllowNamespaces)", ns.name), meta), true
	}
	if w.Pod.Annotations[meshConsulStatus] != "" {
		if _, ok := meshHasContainer(w, meshConsulDataplane); ok {
			return meshManual(), true
		}
		return meshNot(fmt.Sprintf("pod template has annotation %s, so consul's webhook takes it for injected already and skips it, but it has no %s container: remove the annotation", meshConsulStatus, meshConsulDataplane), meshMetaPath(w, "annotations", meshConsulStatus)), true
	}
	return meshVerdict{}, false
}

// meshConsulValidate: an injected pod whose native sidecar annotation does
// not parse fails the webhook (consul_dataplane_sidecar.go:283-286,
// lifecycle/lifecycle_configuration.go:130-140).
func meshConsulValidate(w *manifest.Workload) meshVerdict {
	if raw := w.Pod.Annotations[meshConsulNative]; raw != "" {
		if _, err := strconv.ParseBool(raw); err != nil {
			return meshRejected(fmt.Sprintf("pod template has annotation %s=%q, which is not a boolean: consul's injector fails the webhook", meshConsulNative, raw), meshMetaPath(w, "annotations", meshConsulNative))
		}
	}
	return meshSidecar()
}

// meshKuma models kuma's injector (kuma v2.14.3). Two webhooks may call it
// (deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml):
// namespace-kuma-injector (:194-232) for namespaces labelled
// kuma.io/sidecar-injection enabled or "true", and pods-kuma-injector
// (:233-271) for pods labelled exactly enabled in a namespace that has the
// label at all (since 2.11; before, in any namespace). Both skip
// kube-system, the control plane's namespace and, when
// namespaceAllowList is set, every other namespace. Then needToInject
// (pkg/plugins/runtime/k8s/webhooks/injector/precheck.go:144-180) lets the
// pod's label decide, else the namespace's; a value GetEnabled cannot read
// fails the webhook (failurePolicy Fail, values.yaml:138). A pod that will
// be injected is rejected when an app container runs as the sidecar's UID
// (precheck.go:87-106). The legacy annotation is read only before 2.2.
func meshKuma(c meshCtx, ns meshNamespace, w *manifest.Workload) meshVerdict {
	if _, ok := meshHasContainer(w, meshKumaSidecar); ok {
		return meshManual()
	}
	meta := meshMetaPath(w, "", "")
	if slices.Contains(meshKumaSystemNamespaces, ns.name) {
		return meshNot(fmt.Sprintf("namespace %q is never injected by kuma", ns.name), meta)
	}
	if allow := c.mesh.Install.AllowNamespaces; len(allow) > 0 && !slices.Contains(allow, ns.name) {
		return meshNot(fmt.Sprintf("namespace %q is not in mesh.install.allowNamespaces (kuma's namespaceAllowList)", ns.name), meta)
	}
	podLabels, nsLabels := w.Pod.Labels, ns.labels
	legacy := c.version.Compare(meshKumaLegacyAnnotationUntil) < 0
	if legacy {
		podLabels, nsLabels = meshWithLegacy(podLabels, w.Pod.Annotations), meshWithLegacy(nsLabels, ns.annotations)
	}
	podVal, hasPod := podLabels[meshKumaInject]
	nsVal, hasNs := nsLabels[meshKumaInject]
	nsSelected := hasNs && slices.Contains(meshKumaNamespaceValues, nsVal)
	podSelected := podVal == "enabled" && (hasNs || c.version.Compare(meshKumaNamespaceLabelSince) < 0)
	if !nsSelected && !podSelected {
		return meshKumaUnselected(ns, w, legacy)
	}
	if hasPod {
		return meshKumaDecide(w, "pod template has label", podVal, meshMetaPath(w, "labels", meshKumaInject))
	}
	return meshKumaDecide(w, ns.String()+" has label", nsVal, meta)
}

// meshWithLegacy adds the legacy annotation where the label is absent.
func meshWithLegacy(labels, annotations map[string]string) map[string]string {
	v, ok := annotations[meshKumaInject]
	if !ok || meshHas(labels, meshKumaInject) {
		return labels
	}
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	out[meshKumaInject] = v
	return out
}

// meshKumaDecide is needToInject's reading of the deciding label, and the
// UID check of a pod it injects.
func meshKumaDecide(w *manifest.Workload, where, v string, path []any) meshVerdict {
	inject, valid := meshKumaValue(v)
	switch {
	case !valid:
		return meshRejected(fmt.Sprintf("%s %s=%q, which is not enabled or disabled: kuma's injector fails the webhook", where, meshKumaInject, v), path)
	case !inject:
		return meshOptOut(fmt.Sprintf("%s %s=%q, which opts out of injection", where, meshKumaInject, v), path)
	}
	for _, ctr := range w.Pod.Containers {
		if ctr.Type == manifest.ContainerApp && ctr.RunAsUser != nil && *ctr.RunAsUser == meshKumaUID {
			return meshRejected(fmt.Sprintf("container %s runs as user %d, the UID of kuma's sidecar: kuma's injector fails the webhook", ctr.Name, meshKumaUID), append(slices.Clone(ctr.Path), "securityContext", "runAsUser"))
		}
	}
	return meshSidecar()
}

// meshKumaUnselected explains why neither webhook selects the pod.
func meshKumaUnselected(ns meshNamespace, w *manifest.Workload, legacy bool) meshVerdict {
	podVal, hasPod := w.Pod.Labels[meshKumaInject]
	nsVal, hasNs := ns.labels[meshKumaInject]
	meta := meshMetaPath(w, "", "")
	var msg string
	switch {
	case podVal == "enabled":
		msg = fmt.Sprintf("pod template has label %s=enabled but %s has no %s label: since kuma 2.11 the injector webhooks select only labelled namespaces; label the namespace %s=enabled", meshKumaInject, ns, meshKumaInject, meshKumaInject)
	case hasPod && hasNs:
		msg = fmt.Sprintf("pod template has label %s=%q and %s has label %s=%q: kuma's webhooks select a namespace labelled enabled or \"true\", or a pod labelled exactly enabled", meshKumaInject, podVal, ns, meshKumaInject, nsVal)
	case hasPod:
		msg = fmt.Sprintf("pod template has label %s=%q, which kuma's pod webhook does not select (only exactly enabled, in a labelled namespace), and %s has no %s label", meshKumaInject, podVal, ns, meshKumaInject)
	case hasNs:
		msg = fmt.Sprintf("%s has label %s=%q, which kuma's namespace webhook does not select (only enabled or \"true\"), and the pod template has no label %s=enabled", ns, meshKumaInject, nsVal, meshKumaInject)
	default:
		msg = fmt.Sprintf("neither %s nor the pod template has label %s=enabled", ns, meshKumaInject)
	}
	if hasNs && nsVal == "disabled" && !hasPod {
		return meshOptOut(fmt.Sprintf("%s has label %s=%q and the pod template does not enable injection", ns, meshKumaInject, nsVal), meta)
	}
	if !legacy && (meshHas(w.Pod.Annotations, meshKumaInject) || meshHas(ns.annotations, meshKumaInject) && ns.origin == meshOriginRendered) {
		msg += fmt.Sprintf("; kuma reads %s only as a label since 2.2, not as an annotation", meshKumaInject)
	}
	path := meta
	if hasPod {
		path = meshMetaPath(w, "labels", meshKumaInject)
	}
	return meshNot(msg, path)
}

// meshNativeSidecar reports whether a meshed Job's sidecar is a native
// sidecar (an init container with restartPolicy: Always), which exits with
// the job; a classic sidecar keeps the Job from ever completing. The gate
// of the configured version says what the default is and which per-pod
// annotations change it (meshNativeGates).
func meshNativeSidecar(c meshCtx, p Provider, v meshVerdict, ns meshNamespace, w *manifest.Workload) (why string, path []any, native bool) {
	prefix := fmt.Sprintf("%s pod gets a classic sidecar and will never complete: ", w.Kind)
	if v.manual {
		ctr, _ := meshHasContainer(w, p.sidecarName)
		if ctr.RestartPolicyAlways {
			return "", nil, true
		}
		return prefix + fmt.Sprintf("its own %s container is not an init container with restartPolicy: Always; inject it again with native sidecars", ctr.Name), ctr.Path, false
	}
	if _, known := meshNativeGates[p.Name]; !known && p.Name != config.ProviderIstioAmbient {
		return "", nil, true
	}
	g := meshNativeGateFor(p.Name, c.version)
	for _, k := range g.keys {
		val, from, ok := meshNativeValue(p, ns, w, k)
		if !ok {
			continue
		}
		b, err := strconv.ParseBool(val)
		switch {
		case g.anyButFalse:
			b, err = val != "false", nil
		case err != nil && p.Name == config.ProviderLinkerd:
			// inject.go:430-445: a value that does not parse leaves the
			// default, and no other key is read.
			return meshNativeDefault(c, g, prefix, w)
		}
		if b {
			return "", nil, true
		}
		msg := prefix + fmt.Sprintf("annotation %s is %q", k, val)
		if from != "" {
			msg += " on " + from
		}
		return msg + "; " + g.advice, meshMetaPath(w, "annotations", k), false
	}
	return meshNativeDefault(c, g, prefix, w)
}

// meshNativeValue is the per-pod annotation k, or the namespace's where
// linkerd copies it onto pods that lack it (AppendNamespaceAnnotations
// copies the GA and alpha names, not the beta one).
func meshNativeValue(p Provider, ns meshNamespace, w *manifest.Workload, k string) (val, from string, ok bool) {
	if v, ok := w.Pod.Annotations[k]; ok {
		return v, "", true
	}
	if p.Name == config.ProviderLinkerd && k != meshLinkerdNative {
		if v, ok := ns.annotations[k]; ok {
			return v, ns.String(), true
		}
	}
	return "", "", false
}

// meshNativeDefault is the installation's default: mesh.install.nativeSidecars,
// else the gate's, where "auto" means native from Kubernetes 1.33.
func meshNativeDefault(c meshCtx, g meshNativeGate, prefix string, w *manifest.Workload) (why string, path []any, native bool) {
	def, from := g.def, "the default of "+c.mesh.Provider+" "+meshVersionString(c)
	if s := c.mesh.Install.NativeSidecars; s != "" {
		def, from = s, "mesh.install.nativeSidecars"
	}
	switch {
	case def == config.NativeTrue:
		return "", nil, true
	case def == config.NativeAuto && c.kube >= 33:
		return "", nil, true
	case def == config.NativeAuto:
		return prefix + fmt.Sprintf("%s makes sidecars native only where the nodes run Kubernetes 1.33 or later, and this environment's run 1.%d; %s", from, c.kube, g.advice), meshMetaPath(w, "", ""), false
	}
	return prefix + fmt.Sprintf("%s is classic sidecars; %s", from, g.advice), meshMetaPath(w, "", ""), false
}

// meshVersionString spells the configured mesh version for messages.
func meshVersionString(c meshCtx) string {
	if c.mesh.Version != "" {
		return c.mesh.Version
	}
	return config.DefaultVersions[c.mesh.Provider]
}
