package check

import (
	"slices"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/manifest"
)

// Provider is one mesh provider: how its injector decides and what
// `meshgate init` writes for it. config.Providers validates the names; a
// test holds the two lists together.
type Provider struct {
	Name string
	// inject decides whether a pod gets the dataplane; nil checks no
	// injection.
	inject func(injectByDefault bool, ns meshNamespace, w *manifest.Workload) meshVerdict
	// nativeSidecar decides whether a meshed Job's sidecar exits with the
	// job; nil when it always does.
	nativeSidecar func(ns meshNamespace, w *manifest.Workload) (why string, path []any, native bool)
	// injectionKeys are the keys a mesh-injection message points out when
	// they sit on the workload's own metadata instead of the pod's.
	injectionKeys []meshKey
	Init          ProviderInit
}

// ProviderInit is what `meshgate init --provider` writes for a provider,
// as commented examples; "" leaves one out.
type ProviderInit struct {
	// Namespace is a namespace label that turns injection on.
	Namespace string
	// InjectByDefault says what mesh.injectByDefault changes.
	InjectByDefault string
	// RequireAnnotation and RequireEnv are typical mesh.require entries.
	RequireAnnotation string
	RequireEnv        string
}

// Istio's request-id settings, which both istio modes require alike.
const (
	meshIstioRequireAnnotation = "proxy.istio.io/config: {hasKey: proxyMetadata.ISTIO_META_REQUEST_ID}"
	meshIstioRequireEnv        = "ISTIO_META_REQUEST_ID"
)

var meshIstioKeys = []meshKey{{"label", meshIstioInject}, {"label", meshIstioRev}, {"annotation", meshIstioInject}}

// Providers are the mesh providers, in config.Providers' order.
var Providers = []Provider{
	{
		Name: config.ProviderIstio, inject: meshIstio, nativeSidecar: meshIstioNativeSidecar, injectionKeys: meshIstioKeys,
		Init: ProviderInit{
			Namespace:         "istio-injection: enabled",
			InjectByDefault:   "Pods in unlabelled namespaces are injected too (istio's enableNamespacesByDefault).",
			RequireAnnotation: meshIstioRequireAnnotation,
			RequireEnv:        meshIstioRequireEnv,
		},
	},
	{
		Name: config.ProviderIstioAmbient, inject: meshAmbient, nativeSidecar: meshIstioNativeSidecar,
		injectionKeys: append([]meshKey{{"label", meshAmbientMode}}, meshIstioKeys...),
		Init: ProviderInit{
			Namespace:         "istio.io/dataplane-mode: ambient",
			InjectByDefault:   "Pods in unlabelled namespaces get sidecars too (istio's enableNamespacesByDefault).",
			RequireAnnotation: meshIstioRequireAnnotation,
			RequireEnv:        meshIstioRequireEnv,
		},
	},
	{
		Name: config.ProviderLinkerd, inject: meshLinkerd, nativeSidecar: meshLinkerdNativeSidecar,
		injectionKeys: []meshKey{{"annotation", meshLinkerdInject}},
		Init:          ProviderInit{Namespace: "linkerd.io/inject: enabled"},
	},
	{
		Name: config.ProviderConsul, inject: meshConsul, nativeSidecar: meshConsulNativeSidecar,
		injectionKeys: []meshKey{{"annotation", meshConsulInject}},
		// Consul injects per pod: no namespace label turns it on.
		Init: ProviderInit{InjectByDefault: "Pods without the connect-inject annotation are injected too (consul's connectInject.default)."},
	},
	{
		// Kuma has no per-pod native sidecar switch: since 2.14 it always
		// injects native sidecars (on Kubernetes 1.29 and later).
		Name: config.ProviderKuma, inject: meshKuma,
		injectionKeys: []meshKey{{"label", meshKumaInject}, {"annotation", meshKumaInject}},
		Init:          ProviderInit{Namespace: "kuma.io/sidecar-injection: enabled"},
	},
	// none checks no injection: mesh.require and rules still apply.
	{Name: config.ProviderNone},
}

// LookupProvider returns the provider with that name.
func LookupProvider(name string) (Provider, bool) {
	i := slices.IndexFunc(Providers, func(p Provider) bool { return p.Name == name })
	if i < 0 {
		return Provider{}, false
	}
	return Providers[i], true
}
