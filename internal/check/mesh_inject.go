package check

import (
	"fmt"
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
	// rows are the table rows that matched on the way, "provider/id".
	rows []string
	// remedy is the pod template edit that would mesh the pod, if known.
	remedy *finding.Remedy
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
// config, the mesh version in force (a linkerd version as the edge release
// it corresponds to) and the nodes' Kubernetes minor version.
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
	v := mesh.MeshVersion()
	if mesh.Provider == config.ProviderLinkerd {
		v = meshLinkerdVersion(v)
	}
	return meshCtx{mesh: mesh, version: v, kube: minor}
}

// meshDecide runs the provider's table (mesh_tables.go); ok is false when
// the provider checks no injection (none).
func meshDecide(c meshCtx, ns meshNamespace, w *manifest.Workload) (v meshVerdict, ok bool) {
	p, _ := LookupProvider(c.mesh.Provider)
	if p.table == nil {
		return meshVerdict{}, false
	}
	return meshRun(p.table, c, ns, w), true
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
// else the gate's, where "auto" means native from Kubernetes 1.33; below
// the gate's minimum Kubernetes version sidecars are classic whatever the
// settings say.
func meshNativeDefault(c meshCtx, g meshNativeGate, prefix string, w *manifest.Workload) (why string, path []any, native bool) {
	if c.kube < g.minKube {
		return prefix + fmt.Sprintf("%s %s uses native sidecars only where the nodes run Kubernetes 1.%d or later, and this environment's run 1.%d; %s",
			c.mesh.Provider, meshVersionString(c), g.minKube, c.kube, g.kubeAdvice), meshMetaPath(w, "", ""), false
	}
	def, from := g.def, "the default of "+c.mesh.Provider+" "+meshVersionString(c)
	if s := c.mesh.Install.NativeSidecars; s != "" && !g.none {
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
