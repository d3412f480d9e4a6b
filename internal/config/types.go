// Package config loads and validates .meshgate.yaml and discovers
// environments when there is none.
package config

import (
	"regexp"
	"time"
)

// Config is .meshgate.yaml after loading: paths resolved, defaults applied.
type Config struct {
	Environments []Environment `yaml:"environments" json:"environments"`
	Mesh         Mesh          `yaml:"mesh" json:"mesh"`
	Secrets      Secrets       `yaml:"secrets" json:"secrets"`
	Rules        []Rule        `yaml:"rules" json:"rules"`
	Ignore       []Ignore      `yaml:"ignore" json:"ignore"`
	Limits       Limits        `yaml:"limits,omitempty" json:"limits,omitempty"`
	Drift        Drift         `yaml:"drift,omitempty" json:"drift,omitempty"`
	GitOps       GitOps        `yaml:"gitops,omitempty" json:"gitops,omitempty"`

	// Root is the repository root (absolute); every path in findings is
	// relative to it.
	Root string `yaml:"-" json:"-"`
	// File is the config file relative to Root ("" when discovered).
	File string `yaml:"-" json:"-"`
	// Discovered is true when environments came from Discovery.
	Discovered bool `yaml:"-" json:"-"`
	// Skipped are the charts and kustomizations discovery passed over, and
	// why (a library chart, a file:// dependency, a test fixture).
	Skipped []Skipped `yaml:"-" json:"-"`
	// Unmatched are environment globs of rules and ignore that match no
	// configured environment; with gitops on, CheckUnmatched decides once
	// the environments of GitOps objects are known.
	Unmatched []Problem `yaml:"-" json:"-"`
}

// Environment is one deployment target: exactly one of Helm, Kustomize or
// Manifests.
type Environment struct {
	Name      string     `yaml:"name" json:"name"`
	Helm      *Helm      `yaml:"helm,omitempty" json:"helm,omitempty"`
	Kustomize *Kustomize `yaml:"kustomize,omitempty" json:"kustomize,omitempty"`
	Manifests *Manifests `yaml:"manifests,omitempty" json:"manifests,omitempty"`
	// Namespace for kustomize and manifests objects that set none (default
	// "default").
	Namespace string `yaml:"namespace,omitempty" json:"namespace,omitempty"`

	// Line is where the entry starts in the config file (0 if discovered).
	Line int `yaml:"-" json:"-"`
	// Origin explains a discovered environment ("charts/shop/values-prod.yaml").
	Origin string `yaml:"-" json:"-"`
	// From is the GitOps object that defines the environment (an Argo CD
	// Application, a Flux Kustomization); nil for the others.
	From *Origin `yaml:"-" json:"-"`
	// Redact are values the environment was given from Secrets (a Flux
	// substituteFrom or valuesFrom): no message may show them.
	Redact []string `yaml:"-" json:"-"`
}

// Sources of environments: what Source returns and the renderers are
// registered under.
const (
	SourceHelm      = "helm"
	SourceKustomize = "kustomize"
	SourceManifests = "manifests"
)

// Source is "helm", "kustomize" or "manifests".
func (e Environment) Source() string {
	switch {
	case e.Helm != nil:
		return SourceHelm
	case e.Manifests != nil:
		return SourceManifests
	}
	return SourceKustomize
}

// Path is the chart, overlay or manifests folder relative to the
// repository root.
func (e Environment) Path() string {
	switch {
	case e.Helm != nil:
		return e.Helm.Chart
	case e.Kustomize != nil:
		return e.Kustomize.Path
	case e.Manifests != nil:
		return e.Manifests.Path
	}
	return ""
}

// Helm renders a chart like `helm template`. Paths are relative to the
// repository root after loading.
type Helm struct {
	Chart        string            `yaml:"chart" json:"chart"`
	Release      string            `yaml:"release,omitempty" json:"release,omitempty"`
	Namespace    string            `yaml:"namespace,omitempty" json:"namespace,omitempty"`
	Values       []string          `yaml:"values,omitempty" json:"values,omitempty"`
	Set          map[string]string `yaml:"set,omitempty" json:"set,omitempty"`
	KubeVersion  string            `yaml:"kubeVersion,omitempty" json:"kubeVersion,omitempty"`
	APIVersions  []string          `yaml:"apiVersions,omitempty" json:"apiVersions,omitempty"`
	IncludeHooks *bool             `yaml:"includeHooks,omitempty" json:"includeHooks,omitempty"`

	// Inline are values documents written in a GitOps object (an
	// Application's values, a HelmRelease's values), applied after Values
	// in order, like later -f files.
	Inline []InlineValues `yaml:"-" json:"-"`
	// SetString is applied after Set, with --set-string semantics.
	SetString map[string]string `yaml:"-" json:"-"`
	// SkipCRDs leaves the chart's crds/ folder out (helm template without
	// --include-crds).
	SkipCRDs bool `yaml:"-" json:"-"`
	// ChartValues, when set, replace the chart's values.yaml with their
	// merge (a Flux HelmChart's valuesFiles, which source-controller
	// packages into the chart); IgnoreMissingChartValues skips those
	// that do not exist.
	ChartValues              []string `yaml:"-" json:"-"`
	IgnoreMissingChartValues bool     `yaml:"-" json:"-"`
}

// DefaultKubeVersion is used for .Capabilities.KubeVersion when an
// environment sets none: a current Kubernetes release, because helm's
// client-only default (v1.20.0) fails real charts' kubeVersion constraints.
const DefaultKubeVersion = "1.34.0"

// Kustomize builds an overlay with krusty.
type Kustomize struct {
	Path string `yaml:"path" json:"path"`
	// Overlay is what a GitOps object changes on top of the kustomization
	// at Path; nil for a plain build.
	Overlay *Overlay `yaml:"-" json:"-"`
	// Flux is how kustomize-controller builds Path for a Flux
	// Kustomization; nil for any other build.
	Flux *FluxBuild `yaml:"-" json:"-"`
}

// Manifests reads a folder of plain YAML and JSON objects, like `kubectl
// apply -f DIR` (-R when Recursive) and Argo CD's directory source, whose
// fields these are: Include and Exclude are globs matched against a file's
// path relative to Path (see Selects).
type Manifests struct {
	Path      string   `yaml:"path" json:"path"`
	Recursive bool     `yaml:"recursive,omitempty" json:"recursive,omitempty"`
	Include   []string `yaml:"include,omitempty" json:"include,omitempty"`
	Exclude   []string `yaml:"exclude,omitempty" json:"exclude,omitempty"`
}

// Mesh providers.
const (
	ProviderIstio        = "istio"
	ProviderIstioAmbient = "istio-ambient"
	ProviderLinkerd      = "linkerd"
	ProviderConsul       = "consul"
	ProviderKuma         = "kuma"
	ProviderNone         = "none"
)

// Job policies (mesh.jobs).
const (
	JobsRequire = "require"
	JobsWarn    = "warn"
	JobsIgnore  = "ignore"
)

// Mesh is what the platform requires of every pod template.
type Mesh struct {
	Provider string `yaml:"provider" json:"provider"`
	// Namespaces holds namespace labels and annotations that exist in the
	// cluster but are not rendered; keys are label or annotation names.
	Namespaces      map[string]map[string]string `yaml:"namespaces,omitempty" json:"namespaces,omitempty"`
	Require         Requirements                 `yaml:"require,omitempty" json:"require,omitempty"`
	Jobs            string                       `yaml:"jobs,omitempty" json:"jobs,omitempty"`
	InjectByDefault bool                         `yaml:"injectByDefault,omitempty" json:"injectByDefault,omitempty"`
	// Version is the mesh release whose injector behaviour applies; ""
	// means the provider's current release (DefaultVersions).
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
	// KubernetesVersion is the version of the cluster's nodes, for the
	// meshes whose native sidecars depend on it; "" means each
	// environment's helm.kubeVersion, else DefaultKubeVersion.
	KubernetesVersion string `yaml:"kubernetesVersion,omitempty" json:"kubernetesVersion,omitempty"`
	// Install holds installation-wide settings that change injection.
	Install Install `yaml:"install,omitempty" json:"install,omitempty"`
	// OptOut is the severity of a deliberate opt-out through the mesh's
	// own switch (default notice).
	OptOut string `yaml:"optOut,omitempty" json:"optOut,omitempty"`

	// ProviderDefaulted is true when no config named the provider: the
	// engine then detects it from the rendered objects.
	ProviderDefaulted bool `yaml:"-" json:"-"`
}

// Install is the installation-wide settings of the mesh that change
// injection; a zero field keeps the upstream default of the configured
// version.
type Install struct {
	// AutoInject is istio's global.proxy.autoInject (default true): when
	// false a selected pod is injected only with sidecar.istio.io/inject
	// "true".
	AutoInject *bool `yaml:"autoInject,omitempty" json:"autoInject,omitempty"`
	// NativeSidecars is the control plane's native sidecar setting:
	// istio's ENABLE_NATIVE_SIDECARS (auto, true, false), linkerd's
	// proxy.nativeSidecar, consul's -default-enable-consul-dataplane-as-sidecar,
	// kuma's experimental.sidecarContainers. "" keeps the default.
	NativeSidecars string `yaml:"nativeSidecars,omitempty" json:"nativeSidecars,omitempty"`
	// ServiceAccountTokenProjection is linkerd's
	// identity.serviceAccountTokenProjection (default true since 2.12).
	ServiceAccountTokenProjection *bool `yaml:"serviceAccountTokenProjection,omitempty" json:"serviceAccountTokenProjection,omitempty"`
	// AllowNamespaces is consul's connectInject.k8sAllowNamespaces
	// (default ["*"]) or kuma's namespaceAllowList (default: all); nil
	// keeps the default.
	AllowNamespaces []string `yaml:"allowNamespaces,omitempty" json:"allowNamespaces,omitempty"`
	// DenyNamespaces is consul's connectInject.k8sDenyNamespaces (default
	// none: kube-system and kube-public are skipped anyway); nil keeps the
	// default.
	DenyNamespaces []string `yaml:"denyNamespaces,omitempty" json:"denyNamespaces,omitempty"`
	// NeverInjectSelector and AlwaysInjectSelector are istio's
	// sidecarInjectorWebhook.neverInjectSelector and alwaysInjectSelector
	// (default none): a selected pod whose sidecar.istio.io/inject is
	// neither "true" nor "false" and whose labels match one of the never
	// selectors is not injected; else one of the always selectors injects
	// it even when autoInject is false.
	NeverInjectSelector  []LabelSelector `yaml:"neverInjectSelector,omitempty" json:"neverInjectSelector,omitempty"`
	AlwaysInjectSelector []LabelSelector `yaml:"alwaysInjectSelector,omitempty" json:"alwaysInjectSelector,omitempty"`
	// ExceptionLabels is kuma's runtime.kubernetes.injector.exceptions.labels:
	// a pod carrying one of these labels with that value ("*": any value) is
	// not injected. nil keeps kuma's default, the two OpenShift labels of
	// build and deployer pods.
	ExceptionLabels map[string]string `yaml:"exceptionLabels,omitempty" json:"exceptionLabels,omitempty"`
	// ControlPlaneNamespace is the namespace kuma's control plane is
	// installed in (the chart's release namespace), which kuma's pod
	// webhooks leave out; "" keeps kuma's default, kuma-system.
	ControlPlaneNamespace string `yaml:"controlPlaneNamespace,omitempty" json:"controlPlaneNamespace,omitempty"`
}

// LabelSelector is a Kubernetes label selector (metav1.LabelSelector):
// every matchLabels pair and every matchExpressions requirement must hold.
type LabelSelector struct {
	MatchLabels      map[string]string          `yaml:"matchLabels,omitempty" json:"matchLabels,omitempty"`
	MatchExpressions []LabelSelectorRequirement `yaml:"matchExpressions,omitempty" json:"matchExpressions,omitempty"`
}

// LabelSelectorRequirement is one matchExpressions entry.
type LabelSelectorRequirement struct {
	Key      string   `yaml:"key" json:"key"`
	Operator string   `yaml:"operator" json:"operator"`
	Values   []string `yaml:"values,omitempty" json:"values,omitempty"`
}

// Label selector operators.
const (
	SelectorIn           = "In"
	SelectorNotIn        = "NotIn"
	SelectorExists       = "Exists"
	SelectorDoesNotExist = "DoesNotExist"
)

// SelectorOperators are the valid matchExpressions operators.
var SelectorOperators = []string{SelectorIn, SelectorNotIn, SelectorExists, SelectorDoesNotExist}

// Native sidecar settings (mesh.install.nativeSidecars).
const (
	NativeAuto  = "auto"
	NativeTrue  = "true"
	NativeFalse = "false"
)

// NativeSidecarSettings are the valid mesh.install.nativeSidecars values.
var NativeSidecarSettings = []string{NativeAuto, NativeTrue, NativeFalse}

// Opt-out severities (mesh.optOut).
const (
	OptOutError   = "error"
	OptOutWarning = "warning"
	OptOutNotice  = "notice"
)

// OptOutSeverities are the valid mesh.optOut values.
var OptOutSeverities = []string{OptOutError, OptOutWarning, OptOutNotice}

// Requirements on a pod template as rendered.
type Requirements struct {
	Annotations map[string]Matcher `yaml:"annotations,omitempty" json:"annotations,omitempty"`
	Labels      map[string]Matcher `yaml:"labels,omitempty" json:"labels,omitempty"`
	Env         []string           `yaml:"env,omitempty" json:"env,omitempty"`
}

// Matcher is one value matcher: a plain string (equals), {present: true},
// {equals: S}, {matches: REGEX} or {hasKey: dotted.path}.
type Matcher struct {
	Present bool    `yaml:"present,omitempty" json:"present,omitempty"`
	Equals  *string `yaml:"equals,omitempty" json:"equals,omitempty"`
	Matches string  `yaml:"matches,omitempty" json:"matches,omitempty"`
	HasKey  string  `yaml:"hasKey,omitempty" json:"hasKey,omitempty"`

	// Regexp is Matches compiled at load time.
	Regexp *regexp.Regexp `yaml:"-" json:"-"`
}

// Secrets settings.
type Secrets struct {
	// External globs name Secrets created outside the rendered manifests;
	// a glob with a "/" matches namespace/name.
	External []string `yaml:"external,omitempty" json:"external,omitempty"`
	// CheckKeys defaults to true.
	CheckKeys *bool `yaml:"checkKeys,omitempty" json:"checkKeys,omitempty"`
}

// KeysChecked reports whether secret-key-missing is on.
func (s Secrets) KeysChecked() bool { return s.CheckKeys == nil || *s.CheckKeys }

// Rule is an extra, targeted requirement (config `rules:`).
type Rule struct {
	Name     string       `yaml:"name" json:"name"`
	Match    Match        `yaml:"match,omitempty" json:"match,omitempty"`
	Require  Requirements `yaml:"require" json:"require"`
	Severity string       `yaml:"severity,omitempty" json:"severity,omitempty"`

	Line int `yaml:"-" json:"-"`
}

// Match selects objects for a Rule; empty lists match everything.
type Match struct {
	Environments []string          `yaml:"environments,omitempty" json:"environments,omitempty"`
	Kinds        []string          `yaml:"kinds,omitempty" json:"kinds,omitempty"`
	Namespaces   []string          `yaml:"namespaces,omitempty" json:"namespaces,omitempty"`
	Names        []string          `yaml:"names,omitempty" json:"names,omitempty"`
	Labels       map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
}

// Ignore is an exemption; every one needs a reason.
type Ignore struct {
	Rules        []string `yaml:"rules,omitempty" json:"rules,omitempty"`
	Workloads    []string `yaml:"workloads,omitempty" json:"workloads,omitempty"`
	Environments []string `yaml:"environments,omitempty" json:"environments,omitempty"`
	Reason       string   `yaml:"reason,omitempty" json:"reason,omitempty"`
	// Until is a date (YYYY-MM-DD); the exemption applies through that day.
	Until string `yaml:"until,omitempty" json:"until,omitempty"`

	Line int `yaml:"-" json:"-"`
}

// Limits bound the rendering of each environment (config `limits:`), so
// that a pull request cannot make meshgate hang or exhaust the runner's
// memory. A zero field takes its default; the methods give the value in
// force.
type Limits struct {
	// RenderTimeout is the time one environment may take to render, written
	// as a Go duration ("60s", "2m").
	RenderTimeout time.Duration `yaml:"renderTimeout,omitempty" json:"renderTimeout,omitempty"`
	// MaxRenderedBytes bounds one environment's rendered YAML, and each file
	// meshgate or kustomize reads for it; written as bytes or with a unit
	// ("64MiB", "512KiB").
	MaxRenderedBytes int64 `yaml:"maxRenderedBytes,omitempty" json:"maxRenderedBytes,omitempty"`
	// MaxObjects bounds the objects one environment renders.
	MaxObjects int `yaml:"maxObjects,omitempty" json:"maxObjects,omitempty"`
}

// Defaults of the limits: far above what real charts and overlays need
// (the largest public charts render a few MiB and a few hundred objects),
// low enough that a runaway rendering ends well within a CI job's memory.
const (
	DefaultRenderTimeout    = 60 * time.Second
	DefaultMaxRenderedBytes = 64 << 20
	DefaultMaxObjects       = 20000
)

// Timeout is the render timeout in force.
func (l Limits) Timeout() time.Duration {
	if l.RenderTimeout > 0 {
		return l.RenderTimeout
	}
	return DefaultRenderTimeout
}

// RenderedBytes is the rendered size limit in force.
func (l Limits) RenderedBytes() int64 {
	if l.MaxRenderedBytes > 0 {
		return l.MaxRenderedBytes
	}
	return DefaultMaxRenderedBytes
}

// Objects is the object count limit in force.
func (l Limits) Objects() int {
	if l.MaxObjects > 0 {
		return l.MaxObjects
	}
	return DefaultMaxObjects
}

// Providers are the valid mesh.provider values.
var Providers = []string{ProviderIstio, ProviderIstioAmbient, ProviderLinkerd, ProviderConsul, ProviderKuma, ProviderNone}

// JobPolicies are the valid mesh.jobs values.
var JobPolicies = []string{JobsRequire, JobsWarn, JobsIgnore}
