package check

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/meshgate/meshgate/internal/config"
)

// The injectors' facts as data: which keys they read, which namespaces
// their webhooks skip, which values they accept, and which release changed
// what. Each entry cites the upstream file and line at the release tag
// docs/mesh-providers.md names (istio 1.30.3, linkerd2 edge-26.8.3,
// consul-k8s v2.0.3, kuma v2.14.3) unless it names another.

// Keys the injectors read.
const (
	meshIstioInject      = "sidecar.istio.io/inject"
	meshIstioRev         = "istio.io/rev"
	meshIstioNsInjection = "istio-injection"
	meshIstioNative      = "sidecar.istio.io/nativeSidecar"
	meshIstioStatus      = "sidecar.istio.io/status"
	meshAmbientMode      = "istio.io/dataplane-mode"
	meshLinkerdInject    = "linkerd.io/inject"
	meshLinkerdWebhooks  = "config.linkerd.io/admission-webhooks"
	meshLinkerdNativeGA  = "config.linkerd.io/proxy-enable-native-sidecar"
	meshLinkerdNative    = "config.beta.linkerd.io/proxy-enable-native-sidecar"
	meshLinkerdNativeA   = "config.alpha.linkerd.io/proxy-enable-native-sidecar"
	meshConsulInject     = "consul.hashicorp.com/connect-inject"
	meshConsulStatus     = "consul.hashicorp.com/connect-inject-status"
	meshConsulNative     = "consul.hashicorp.com/enable-consul-dataplane-as-sidecar"
	meshKumaInject       = "kuma.io/sidecar-injection"
)

// meshIstioSystemNamespaces are never injected: istio's injectRequired skips
// them (pkg/kube/inject/inject.go:212-216, IgnoredNamespaces) whatever the
// labels say.
var meshIstioSystemNamespaces = []string{"kube-system", "kube-public", "kube-node-lease", "local-path-storage"}

// meshLinkerdExcludedNamespaces are left out by the default namespaceSelector
// of linkerd's proxy-injector webhook (charts/linkerd-control-plane
// values.yaml:523-532).
var meshLinkerdExcludedNamespaces = []string{"kube-system", "cert-manager"}

// meshLinkerdObjectSelector: the webhook's default objectSelector sends no
// pod labelled with these keys to the injector (values.yaml:536-541).
var meshLinkerdObjectSelector = []string{"linkerd.io/control-plane-component", "linkerd.io/cni-resource"}

// meshLinkerdProxy is the proxy container. HasExistingSidecars
// (pkg/healthcheck/sidecar.go:12-33) takes a pod for injected already when
// a container (app or init) is named linkerd-proxy or istio-proxy or runs
// one of the proxy images, or an init container is named linkerd-init or
// istio-init or runs one of the init images.
const meshLinkerdProxy = "linkerd-proxy"

var (
	meshLinkerdSidecarImages = []string{"cr.l5d.io/linkerd/proxy:", "gcr.io/istio-release/proxyv2:"}
	meshLinkerdInitImages    = []string{"cr.l5d.io/linkerd/proxy-init:", "gcr.io/istio-release/proxy_init:"}
)

// meshConsulSelectorNamespaces are excluded by the connect-inject webhook's
// default namespaceSelector (charts/consul/values.yaml:2858-2863); a
// namespace labelled openshift.io/cluster-monitoring is excluded too.
var meshConsulSelectorNamespaces = []string{"kube-system", "local-path-storage", "openebs", "gmp-system", "gke-managed-cim"}

const meshConsulOpenShiftMonitoring = "openshift.io/cluster-monitoring"

// meshConsulSystemNamespaces are skipped by MeshWebhook.shouldInject
// (control-plane/connect-inject/webhook/mesh_webhook.go:56, 616) before
// any list or annotation is read.
var meshConsulSystemNamespaces = []string{"kube-system", "kube-public"}

// meshConsulApp: the webhook's objectSelector skips pods labelled
// app: consul, consul's own (connect-inject-mutatingwebhookconfiguration.yaml:269-273).
const meshConsulApp = "consul"

// meshConsulDataplane is the sidecar consul injects.
const meshConsulDataplane = "consul-dataplane"

// meshKumaControlPlaneNamespace: both pod injector webhooks exclude
// kube-system and the control plane's own namespace, the chart's release
// namespace (cp-webhooks-and-secrets.yaml:204-208, 240-244); kuma-system is
// kuma's default (kuma-cp.defaults.yaml:12 store.kubernetes.systemNamespace)
// and mesh.install.controlPlaneNamespace names another.
const meshKumaControlPlaneNamespace = "kuma-system"

// Zone proxies in the control plane's namespace, labelled with a mesh and a
// zone proxy type, have a webhook of their own since 2.14
// (cp-webhooks-and-secrets.yaml:272-290).
const (
	meshKumaMesh          = "kuma.io/mesh"
	meshKumaZoneProxyType = "k8s.kuma.io/zone-proxy-type"
)

// meshKumaDefaultExceptions is runtime.kubernetes.injector.exceptions.labels
// by default (kuma-cp.defaults.yaml:263-268, config.go:98-104): OpenShift's
// build and deployer pods are never injected.
var meshKumaDefaultExceptions = map[string]string{
	"openshift.io/build.name":            "*",
	"openshift.io/deployer-pod-for.name": "*",
}

// meshKumaSidecar is kuma's sidecar container (needToInject skips a pod
// that has it, precheck.go:151-156); meshKumaUID is the sidecar's UID,
// which no app container may run as (precheck.go:87-106,
// kuma-cp.defaults.yaml runtime.kubernetes.injector.sidecarContainer.uid).
const (
	meshKumaSidecar = "kuma-sidecar"
	meshKumaUID     = 5678
)

// kuma's injection label as metadata.Annotations.GetEnabled reads it
// (pkg/plugins/runtime/k8s/metadata/annotations.go:272-295): these inject,
// these do not, anything else is an error that fails the webhook.
var (
	meshKumaOn     = []string{"enabled", "true", "yes"}
	meshKumaOff    = []string{"disabled", "false", "no"}
	meshKumaValues = append(slices.Clone(meshKumaOn), meshKumaOff...)
)

// Version gates.
var (
	// Kuma 2.11 added the namespace label requirement to the
	// pods-kuma-injector webhook (2.10.2 cp-webhooks-and-secrets.yaml:180-190
	// has none; 2.11.0 has kuma.io/sidecar-injection Exists).
	meshKumaNamespaceLabelSince = config.MeshVersion{Major: 2, Minor: 11}
	// Kuma 2.2 stopped reading the legacy annotation of the same name.
	meshKumaLegacyAnnotationUntil = config.MeshVersion{Major: 2, Minor: 2}
	// Kuma 2.14 added the zone proxy webhook.
	meshKumaZoneProxySince = config.MeshVersion{Major: 2, Minor: 14}
	// Linkerd introduced identity.serviceAccountTokenProjection, on by
	// default, in edge-21.11.1 (commit 92421d047, first stable stable-2.12.0;
	// report.go:107-117, values.yaml:470).
	meshLinkerdProjectionSince = meshEdge(21, 11, 1)
)

// meshEdge is a linkerd edge release.
func meshEdge(yy, m, p int) config.MeshVersion {
	return config.MeshVersion{Edge: true, Major: yy, Minor: m, Patch: p}
}

// meshLinkerdStable maps linkerd's 2.N releases to the edge release they
// correspond to, so that every linkerd version compares on one line. From
// 2.15 linkerd2 tags version-2.N on that edge release's commit (and
// linkerd/website data/versions.yaml names it; version-2.20 is one commit
// after edge-26.6.3); before, stable-2.N.0 was cut on a release branch
// after the edge release given here (git describe --match 'edge-*').
var meshLinkerdStable = map[int]config.MeshVersion{
	11: meshEdge(21, 9, 5), 12: meshEdge(22, 8, 2), 13: meshEdge(23, 4, 1), 14: meshEdge(23, 8, 3),
	15: meshEdge(24, 2, 4), 16: meshEdge(24, 8, 2), 17: meshEdge(24, 11, 8), 18: meshEdge(25, 4, 4),
	19: meshEdge(25, 10, 7), 20: meshEdge(26, 6, 3),
}

// meshLinkerdVersion is the configured linkerd version as an edge release.
func meshLinkerdVersion(v config.MeshVersion) config.MeshVersion {
	if v.Edge {
		return v
	}
	if e, ok := meshLinkerdStable[v.Minor]; ok {
		return e
	}
	if v.Minor < 11 {
		return meshEdge(0, 0, 0)
	}
	return meshEdge(99, 0, 0)
}

// meshNativeGate says, from one release on, whether a meshed Job gets a
// native sidecar by default and which per-pod annotations change it.
type meshNativeGate struct {
	since config.MeshVersion
	// def is the installation default: "true", "false", or "auto"
	// (istio: native when the nodes run Kubernetes 1.33 or later).
	def string
	// keys are the per-pod annotations honoured, in precedence order.
	keys []string
	// anyButFalse: any value but "false" means native (istio 1.27+);
	// otherwise a value strconv.ParseBool takes as true does.
	anyButFalse bool
	// advice is what makes a Job's sidecar native on this release.
	advice string
	// none: the release has no native sidecars at all, so
	// mesh.install.nativeSidecars changes nothing.
	none bool
	// minKube: below this Kubernetes minor version the sidecar is classic
	// whatever the settings say (kuma), and kubeAdvice is what works there.
	minKube    int
	kubeAdvice string
	cite       string
}

// meshNativeGates per provider, oldest first; the last whose since is at
// or before the configured version applies.
var meshNativeGates = map[string][]meshNativeGate{
	config.ProviderIstio: {
		{def: "false", advice: `this istio release has no per-pod switch: set ENABLE_NATIVE_SIDECARS=true on istiod (and mesh.install.nativeSidecars: true), or opt the Job out with label sidecar.istio.io/inject: "false"`,
			cite: "istio 1.23.0 manifests/charts/istio-control/istio-discovery/files/injection-template.yaml:27, pilot/pkg/features/experimental.go:187 (ENABLE_NATIVE_SIDECARS only)"},
		{since: config.MeshVersion{Major: 1, Minor: 24}, def: "false", keys: []string{meshIstioNative},
			advice: `set annotation sidecar.istio.io/nativeSidecar: "true"`,
			cite:   "istio 1.24.0 manifests/charts/istio-control/istio-discovery/files/injection-template.yaml:27 (only \"true\" opts in; ENABLE_NATIVE_SIDECARS defaults to false)"},
		{since: config.MeshVersion{Major: 1, Minor: 27}, def: config.NativeAuto, keys: []string{meshIstioNative}, anyButFalse: true,
			advice: `set annotation sidecar.istio.io/nativeSidecar: "true"`,
			cite:   "istio 1.30.3 manifests/charts/istio-control/istio-discovery/files/injection-template.yaml:29 (any value but \"false\"), pilot/pkg/features/pilot.go:330-346 (auto), pkg/kube/inject/webhook.go:1235-1290 (Kubernetes 1.33)"},
	},
	config.ProviderLinkerd: {
		{def: "false", none: true, advice: `this linkerd release has no native sidecars: opt the Job out with annotation linkerd.io/inject: disabled, or end the proxy from the job (linkerd-await --shutdown)`,
			cite: "linkerd2 stable-2.14.10 pkg/k8s/labels.go (no proxy-enable-native-sidecar annotation before edge-23.11.4)"},
		{since: meshEdge(23, 11, 4), def: "false", keys: []string{meshLinkerdNativeA},
			advice: `set annotation config.alpha.linkerd.io/proxy-enable-native-sidecar: "true"`,
			cite:   "linkerd2 edge-23.11.4 pkg/k8s/labels.go:268 (the alpha annotation, commit 1b37e1989; first in version-2.15)"},
		{since: meshEdge(25, 10, 2), def: "false", keys: []string{meshLinkerdNative, meshLinkerdNativeA},
			advice: `set annotation config.beta.linkerd.io/proxy-enable-native-sidecar: "true"`,
			cite:   "linkerd2 edge-25.10.2 pkg/k8s/labels.go:301-304: the beta annotation"},
		{since: meshEdge(26, 5, 2), def: "true", keys: []string{meshLinkerdNativeGA, meshLinkerdNative, meshLinkerdNativeA},
			advice: `remove the annotation that turns native sidecars off, or set config.linkerd.io/proxy-enable-native-sidecar: "true"`,
			cite:   "linkerd2 edge-26.8.3 pkg/inject/inject.go:429-445 (GA before beta before alpha), charts/linkerd-control-plane/values.yaml:255 (nativeSidecar: true since edge-26.5.2, commit 009a25fa3)"},
	},
	config.ProviderConsul: {
		{def: "false", keys: []string{meshConsulNative},
			advice: `set annotation consul.hashicorp.com/enable-consul-dataplane-as-sidecar: "true"`,
			cite:   "consul-k8s v2.0.3 control-plane/connect-inject/lifecycle/lifecycle_configuration.go:130-140, control-plane/subcommand/inject-connect/command.go:312 (default false)"},
	},
	config.ProviderKuma: {
		{def: "false", none: true, advice: `this kuma release has no native sidecars: opt the Job out with label kuma.io/sidecar-injection: disabled`,
			cite: "kuma v2.14.3 CHANGELOG.md:2006, 2096 (sidecar containers arrive in 2.7.0, #9321)"},
		{since: config.MeshVersion{Major: 2, Minor: 7}, def: "false", minKube: 29, kubeAdvice: meshKumaKubeAdvice,
			advice: `kuma before 2.14 injects classic sidecars: turn on experimental.sidecarContainers (KUMA_EXPERIMENTAL_SIDECAR_CONTAINERS=true) on the control plane and set mesh.install.nativeSidecars: true, or opt the Job out with label kuma.io/sidecar-injection: disabled`,
			cite:   "kuma v2.13.0 pkg/config/app/kuma-cp/kuma-cp.defaults.yaml:801 (sidecarContainers: false), v2.14.3 pkg/plugins/runtime/k8s/plugin.go:35, 391-398 (only from Kubernetes 1.29)"},
		{since: config.MeshVersion{Major: 2, Minor: 14}, def: "true", minKube: 29, kubeAdvice: meshKumaKubeAdvice,
			advice: `turn experimental.sidecarContainers back on (KUMA_EXPERIMENTAL_SIDECAR_CONTAINERS=true) and set mesh.install.nativeSidecars: true, or opt the Job out with label kuma.io/sidecar-injection: disabled`,
			cite:   "kuma v2.14.3 pkg/config/app/kuma-cp/kuma-cp.defaults.yaml:889 (sidecarContainers: true), pkg/plugins/runtime/k8s/plugin.go:35, 391-398 (only from Kubernetes 1.29)"},
	},
}

// meshKumaKubeAdvice is what works for a kuma Job on nodes older than 1.29.
const meshKumaKubeAdvice = `opt the Job out with label kuma.io/sidecar-injection: disabled, or run it where the nodes run Kubernetes 1.29 or later`

// meshNativeGateFor is the gate in force for the provider at version v.
func meshNativeGateFor(provider string, v config.MeshVersion) meshNativeGate {
	if provider == config.ProviderIstioAmbient {
		provider = config.ProviderIstio
	}
	if provider == config.ProviderLinkerd {
		v = meshLinkerdVersion(v)
	}
	gates := meshNativeGates[provider]
	g := gates[0]
	for _, c := range gates[1:] {
		if v.Compare(c.since) >= 0 {
			g = c
		}
	}
	return g
}

// meshIstioValidators: the annotations istio's webhook validates before it
// injects (pkg/kube/inject/validate.go:40-60, called from inject.go:434);
// a value that fails makes the webhook answer allowed: false
// (webhook.go:342-344), and the chart's failurePolicy is Fail
// (mutatingwebhook.yaml:34), so the pod is not created.
var meshIstioValidators = map[string]func(string) error{
	// Since 1.30.0 (commit 76b606f2f36): validate.go:53-55, 207-210,
	// pkg/util/net/ip.go:104-124; meshIstioValidatorsSince gates them.
	"traffic.sidecar.istio.io/excludeInterfaces":  meshIstioInterfaces,
	"traffic.sidecar.istio.io/kubevirtInterfaces": meshIstioInterfaces,
	"istio.io/reroute-virtual-interfaces":         meshIstioInterfaces,

	"sidecar.istio.io/interceptionMode":                     meshIstioInterceptionMode,
	"status.sidecar.istio.io/port":                          meshIstioPort,
	"readiness.status.sidecar.istio.io/initialDelaySeconds": meshIstioUint32,
	"readiness.status.sidecar.istio.io/periodSeconds":       meshIstioUint32,
	"readiness.status.sidecar.istio.io/failureThreshold":    meshIstioUint32,
	"traffic.sidecar.istio.io/includeOutboundIPRanges":      meshIstioStarOr(meshIstioCIDRs),
	"traffic.sidecar.istio.io/excludeOutboundIPRanges":      meshIstioCIDRs,
	"traffic.sidecar.istio.io/includeInboundPorts":          meshIstioStarOr(meshIstioPorts),
	"traffic.sidecar.istio.io/excludeInboundPorts":          meshIstioPorts,
	"traffic.sidecar.istio.io/excludeOutboundPorts":         meshIstioPorts,
	"prometheus.istio.io/merge-metrics":                     meshIstioBool,
	"proxy.istio.io/config":                                 meshIstioProxyConfig,
	"sidecar.istio.io/proxyCPU":                             meshIstioQuantity,
	"sidecar.istio.io/proxyMemory":                          meshIstioQuantity,
	"sidecar.istio.io/proxyCPULimit":                        meshIstioQuantity,
	"sidecar.istio.io/proxyMemoryLimit":                     meshIstioQuantity,
}

// meshIstioValidatorsSince: the annotations istio validates only from a
// release on.
var meshIstioValidatorsSince = map[string]config.MeshVersion{
	"traffic.sidecar.istio.io/excludeInterfaces":  {Major: 1, Minor: 30},
	"traffic.sidecar.istio.io/kubevirtInterfaces": {Major: 1, Minor: 30},
	"istio.io/reroute-virtual-interfaces":         {Major: 1, Minor: 30},
}

// pkg/util/net/ip.go:104-124: comma-separated interface names, each at
// most 15 characters; empty is valid.
func meshIstioInterfaces(v string) error {
	if v == "" {
		return nil
	}
	for _, name := range strings.Split(v, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
			return fmt.Errorf("empty interface name")
		case len(name) > 15:
			return fmt.Errorf("interface name %q too long (max 15 chars)", name)
		case !meshIstioInterfaceName.MatchString(name):
			return fmt.Errorf("interface name %q contains invalid characters", name)
		}
	}
	return nil
}

var meshIstioInterfaceName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.\-]*$`)

// validate.go:91-100.
func meshIstioInterceptionMode(v string) error {
	switch v {
	case "REDIRECT", "TPROXY", "NONE":
		return nil
	}
	return fmt.Errorf("use REDIRECT, TPROXY or NONE")
}

// validate.go:184-190: one port, surrounding spaces allowed.
func meshIstioPort(v string) error {
	if _, err := strconv.ParseUint(strings.TrimSpace(v), 10, 16); err != nil {
		return fmt.Errorf("%q is not a port", v)
	}
	return nil
}

// validate.go:192-205: a comma-separated port list; empty is valid.
func meshIstioPorts(v string) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	for _, p := range strings.Split(strings.TrimSpace(v), ",") {
		if err := meshIstioPort(p); err != nil {
			return err
		}
	}
	return nil
}

// validate.go:169-178: comma-separated CIDRs; empty is valid.
func meshIstioCIDRs(v string) error {
	if v == "" {
		return nil
	}
	for _, c := range strings.Split(v, ",") {
		if _, err := netip.ParsePrefix(c); err != nil {
			return fmt.Errorf("%q is not a CIDR", c)
		}
	}
	return nil
}

// validate.go:103-126: includes also accept "*".
func meshIstioStarOr(f func(string) error) func(string) error {
	return func(v string) error {
		if v == "*" {
			return nil
		}
		return f(v)
	}
}

// validate.go:147-150.
func meshIstioUint32(v string) error {
	if _, err := strconv.ParseUint(v, 10, 32); err != nil {
		return fmt.Errorf("not a non-negative 32-bit integer")
	}
	return nil
}

// validate.go:153-156.
func meshIstioBool(v string) error {
	if _, err := strconv.ParseBool(v); err != nil {
		return fmt.Errorf("not a boolean (true or false)")
	}
	return nil
}

// validate.go:159-167.
func meshIstioQuantity(v string) error {
	if _, err := resource.ParseQuantity(v); err != nil {
		return fmt.Errorf("not a Kubernetes quantity such as 100m or 128Mi")
	}
	return nil
}

// validate.go:63-70 applies the YAML to a ProxyConfig; meshgate checks that
// it is a YAML map, the part that fails most often.
func meshIstioProxyConfig(v string) error {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(v), &m); err != nil {
		return fmt.Errorf("not a YAML map of ProxyConfig fields")
	}
	return nil
}
