package check

import (
	"fmt"
	"maps"
	"strings"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// causeNamespaceNotInjected is the cause of the mesh-injection findings of
// the pods that the injector would mesh if their namespace turned
// injection on: one fix, on the namespace, for all of them. The cause is
// this prefix, ":" and the namespace.
const causeNamespaceNotInjected = "namespace-not-injected"

// setCauses fills the cause of the findings that share one.
func setCauses(in Input, fs []finding.Finding) {
	if in.Config == nil || in.Set == nil {
		return
	}
	p, _ := LookupProvider(in.Config.Mesh.Provider)
	workloads := map[string]*manifest.Workload{}
	for _, w := range in.Set.Workloads {
		if w != nil && w.Object != nil {
			workloads[w.ID()] = w
		}
	}
	for i, f := range fs {
		w := workloads[f.WorkloadID()]
		if f.Rule != finding.RuleMeshInjection || w == nil {
			continue
		}
		fs[i].Cause, fs[i].CauseFix = meshNamespaceCause(in, p, meshNamespaceOf(in, w.Namespace), w)
	}
}

// meshNamespaceCause is the cause of a mesh-injection finding of w and its
// fix, or "" when the namespace is not the cause: the namespace sets none
// of the provider's injection switch (a deliberate value is no oversight),
// and with it turned on the provider would mesh the pod.
func meshNamespaceCause(in Input, p Provider, ns meshNamespace, w *manifest.Workload) (cause, fix string) {
	key, value, ok := strings.Cut(p.Init.Namespace, ": ")
	if !ok || p.table == nil || meshHas(ns.labels, key) || meshHas(ns.annotations, key) {
		return "", ""
	}
	on := meshNamespace{name: ns.name, origin: ns.origin, labels: maps.Clone(ns.labels), annotations: maps.Clone(ns.annotations)}
	if on.labels == nil {
		on.labels = map[string]string{}
	}
	if on.annotations == nil {
		on.annotations = map[string]string{}
	}
	on.labels[key], on.annotations[key] = value, value
	if !meshRun(p.table, meshCtxOf(in.Config.Mesh, in.Env), on, w).meshed {
		return "", ""
	}
	section := "label"
	for _, k := range p.injectionKeys {
		if k.key == key {
			section = k.section
			break
		}
	}
	setting := fmt.Sprintf("%s %s=%s", section, key, value)
	switch ns.origin {
	case meshOriginRendered:
		o := in.Set.Namespaces[ns.name]
		fix = fmt.Sprintf("give the Namespace %s the %s (%s:%d)", ns.name, setting, o.File, o.Line)
	case meshOriginConfig:
		fix = fmt.Sprintf("give namespace %s the %s in the cluster, and add %s: %s to its mesh.namespaces entry", ns.name, setting, key, value)
	default:
		fix = fmt.Sprintf("namespace %s is not rendered: if the cluster gives it the %s, say so in mesh.namespaces (%s: {%s: %s}); otherwise render the Namespace with it",
			ns.name, setting, ns.name, key, value)
	}
	return causeNamespaceNotInjected + ":" + ns.name, fix
}
