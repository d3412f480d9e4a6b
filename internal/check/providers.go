package check

import (
	"slices"

	"github.com/meshgate/meshgate/internal/config"
)

// Provider is one mesh provider: how its injector decides and what
// `meshgate init` writes for it. config.Providers validates the names; a
// test holds the two lists together.
type Provider struct {
	Name string
	// Upstream is the source release whose injector the table models by
	// default (docs/mesh-providers.md cites its files and lines).
	Upstream string
	// table decides whether a pod gets the dataplane (mesh_tables.go);
	// nil checks no injection. Whether a meshed Job's sidecar is native
	// comes from meshNativeGates.
	table *meshTable
	// sidecarName is the sidecar container, which a pod injected by hand
	// already has.
	sidecarName string
	// detect are the keys whose presence in rendered objects points at
	// this provider when no config names one.
	detect []meshSignal
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
	// Install are the mesh.install settings that matter for the provider,
	// each "key: default" with what upstream calls it.
	Install []InitSetting
}

// InitSetting is one mesh.install line `meshgate init` writes commented.
type InitSetting struct{ Line, Upstream string }

// Installation settings shared by both istio modes.
var meshIstioInstall = []InitSetting{
	{"autoInject: true", "global.proxy.autoInject"},
	{"nativeSidecars: auto", "ENABLE_NATIVE_SIDECARS: native from Kubernetes 1.33"},
	{"neverInjectSelector: []", "sidecarInjectorWebhook.neverInjectSelector"},
	{"alwaysInjectSelector: []", "sidecarInjectorWebhook.alwaysInjectSelector"},
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
		Name: config.ProviderIstio, Upstream: "istio/istio 1.30.3", table: meshIstioTable, sidecarName: "istio-proxy", injectionKeys: meshIstioKeys,
		detect: meshIstioSignals,
		Init: ProviderInit{
			Namespace:         "istio-injection: enabled",
			InjectByDefault:   "Pods in unlabelled namespaces are injected too (istio's enableNamespacesByDefault).",
			RequireAnnotation: meshIstioRequireAnnotation,
			RequireEnv:        meshIstioRequireEnv,
			Install:           meshIstioInstall,
		},
	},
	{
		Name: config.ProviderIstioAmbient, Upstream: "istio/istio 1.30.3", table: meshAmbientTable, sidecarName: "istio-proxy",
		detect:        []meshSignal{{meshOnPod | meshOnNamespace, "label", meshAmbientMode}},
		injectionKeys: append([]meshKey{{"label", meshAmbientMode}}, meshIstioKeys...),
		Init: ProviderInit{
			Namespace:         "istio.io/dataplane-mode: ambient",
			InjectByDefault:   "Pods in unlabelled namespaces get sidecars too (istio's enableNamespacesByDefault).",
			RequireAnnotation: meshIstioRequireAnnotation,
			RequireEnv:        meshIstioRequireEnv,
			Install:           meshIstioInstall,
		},
	},
	{
		Name: config.ProviderLinkerd, Upstream: "linkerd/linkerd2 edge-26.8.3", table: meshLinkerdTable, sidecarName: meshLinkerdProxy,
		detect:        []meshSignal{{meshOnPod | meshOnNamespace, "annotation", meshLinkerdInject}},
		injectionKeys: []meshKey{{"annotation", meshLinkerdInject}},
		Init: ProviderInit{Namespace: "linkerd.io/inject: enabled", Install: []InitSetting{
			{"nativeSidecars: true", "proxy.nativeSidecar"},
			{"serviceAccountTokenProjection: true", "identity.serviceAccountTokenProjection"},
		}},
	},
	{
		Name: config.ProviderConsul, Upstream: "hashicorp/consul-k8s v2.0.3", table: meshConsulTable, sidecarName: meshConsulDataplane,
		detect:        []meshSignal{{meshOnPod, "annotation", meshConsulInject}},
		injectionKeys: []meshKey{{"annotation", meshConsulInject}},
		// Consul injects per pod: no namespace label turns it on.
		Init: ProviderInit{InjectByDefault: "Pods without the connect-inject annotation are injected too (consul's connectInject.default).", Install: []InitSetting{
			{"nativeSidecars: false", "-default-enable-consul-dataplane-as-sidecar"},
			{`allowNamespaces: ["*"]`, "connectInject.k8sAllowNamespaces"},
			{"denyNamespaces: []", "connectInject.k8sDenyNamespaces"},
		}},
	},
	{
		// Kuma has no per-pod native sidecar switch (meshNativeGates).
		Name: config.ProviderKuma, Upstream: "kumahq/kuma v2.14.3", table: meshKumaTable, sidecarName: meshKumaSidecar,
		injectionKeys: []meshKey{{"label", meshKumaInject}, {"annotation", meshKumaInject}},
		detect:        []meshSignal{{meshOnPod | meshOnNamespace, "label", meshKumaInject}},
		Init: ProviderInit{Namespace: "kuma.io/sidecar-injection: enabled", Install: []InitSetting{
			{"nativeSidecars: true", "experimental.sidecarContainers (Kubernetes 1.29+)"},
			{"allowNamespaces: []", "namespaceAllowList: every namespace"},
			{"controlPlaneNamespace: kuma-system", "the chart's release namespace"},
			{`exceptionLabels: {openshift.io/build.name: "*", openshift.io/deployer-pod-for.name: "*"}`, "runtime.kubernetes.injector.exceptions.labels"},
		}},
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

// ChecksInjection reports whether the provider decides mesh-injection (none
// does not).
func (p Provider) ChecksInjection() bool { return p.table != nil }
