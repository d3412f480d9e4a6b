// Package manifest decodes rendered documents into objects and extracts what
// the checks need: workloads with their pod templates, Secret producers and
// Secret references, each with the source line a person edits.
package manifest

import (
	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/render"
)

// Object is one rendered Kubernetes object.
type Object struct {
	APIVersion  string
	Kind        string
	Namespace   string // defaulted to the environment's namespace
	Name        string
	Labels      map[string]string
	Annotations map[string]string
	// Body is the whole object decoded to JSON-compatible values
	// (map[string]any, []any, string, int64, float64, bool, nil). A v1
	// Secret's data and stringData values are blanked (keys kept).
	Body map[string]any
	// File is the repo-relative source file ("" when unknown) and Line the
	// line of the object in it (0 when unknown).
	File string
	Line int

	locate func(path []any) int
	// patched locates a field in a GitOps object's patch that sets more of
	// it than File does (ok false: File holds it as well as any patch).
	patched func(path []any) (file string, line int, ok bool)
	// node is the rendered document's root mapping (or the List item), kept
	// so that lines can be mapped from the rendered text to the source.
	node *yaml.Node
}

// ID is Kind/namespace/name, the form exemption globs match.
func (o *Object) ID() string { return o.Kind + "/" + o.Namespace + "/" + o.Name }

// LineOf is the best line in o.File for the field at path (string keys and
// int indexes, e.g. "spec","template","spec","containers",0,"env",2). It
// falls back to the nearest known ancestor, then to o.Line.
func (o *Object) LineOf(path ...any) int {
	if o.locate != nil {
		if l := o.locate(path); l > 0 {
			return l
		}
	}
	return o.Line
}

// Locate is the file and line a person edits for the field at path: a
// GitOps object's patch where it sets more of the field than o.File does
// (an Argo CD Application's or Flux Kustomization's patches), else o.File
// at LineOf.
func (o *Object) Locate(path ...any) (file string, line int) {
	if o.patched != nil {
		if f, l, ok := o.patched(path); ok {
			return f, l
		}
	}
	return o.File, o.LineOf(path...)
}

// Container kinds.
const (
	ContainerInit      = "init"
	ContainerApp       = "container"
	ContainerEphemeral = "ephemeral"
)

// Container is one container of a pod template.
type Container struct {
	Name string
	Type string // ContainerInit, ContainerApp or ContainerEphemeral
	// Image is the container's image as written (linkerd takes some
	// images for a sidecar already there).
	Image string
	// Path is the field path of the container within the object.
	Path []any
	// Env holds the names set by env (not envFrom).
	Env []string
	// EnvFrom lists envFrom sources (ConfigMaps and Secrets) in order.
	EnvFrom []EnvFromSource
	// RestartPolicyAlways marks a native sidecar (init container with
	// restartPolicy: Always).
	RestartPolicyAlways bool
	// RunAsUser is the container's securityContext.runAsUser, nil when
	// unset or not a number (kuma rejects its sidecar's UID).
	RunAsUser *int64
}

// EnvFromSource is one envFrom entry.
type EnvFromSource struct {
	Kind     string // "ConfigMap" or "Secret"
	Name     string
	Prefix   string
	Optional bool
}

// PodTemplate is the pod template of a workload (or a bare Pod's own
// metadata and spec).
type PodTemplate struct {
	// Path is the field path of the template ("spec","template"), empty for
	// a bare Pod.
	Path        []any
	Labels      map[string]string
	Annotations map[string]string
	Spec        map[string]any
	Containers  []Container
	HostNetwork bool
	// AutomountServiceAccountToken is nil when not set.
	AutomountServiceAccountToken *bool
	ServiceAccountName           string // "default" when unset
}

// Workload is an object with a pod template.
type Workload struct {
	*Object
	Pod PodTemplate
	// IsJob is true for Job and CronJob.
	IsJob bool
}

// Producer is something that produces a Secret in a namespace.
type Producer struct {
	Namespace string
	Name      string
	// Keys are the keys it produces, sorted; meaningful only if KeysKnown.
	Keys      []string
	KeysKnown bool
	// Via describes the producer: "Secret", "SealedSecret",
	// "ExternalSecret shop/db-sync", "Certificate shop/tls", "Ingress shop/web
	// (cert-manager)".
	Via    string
	Object *Object
}

// Ref is one reference to a Secret.
type Ref struct {
	Object    *Object
	Container string // "" for pod-level and object-level references
	Namespace string
	Name      string
	// Key is the referenced key ("" when the whole Secret is referenced).
	Key      string
	Optional bool
	// Where says how it is referenced, for messages: "env DB_PASSWORD",
	// "envFrom", "volume certs", "projected volume bundle",
	// "imagePullSecrets", "ServiceAccount imagePullSecrets", "ServiceAccount
	// secrets", "Ingress tls", "Gateway listener https", "Gateway server
	// 443 credentialName", "annotation sidecar.istio.io/userVolume".
	Where string
	// Path is the field path of the reference (the field naming the
	// Secret), for its line.
	Path []any
	// KeyPath is the field path of the referenced key (nil when Key is "").
	KeyPath []any
	// GatewaySelector is set for Istio Gateway credentialName references:
	// the Secret must be in the namespace of the gateway workload these
	// labels pick, when such a workload is rendered.
	GatewaySelector map[string]string
	// AnyNamespace is true when the reference may resolve anywhere in the
	// environment (Istio Gateway whose workload is not rendered).
	AnyNamespace bool
}

// Set is one environment's rendered objects, indexed for the checks.
type Set struct {
	Objects   []*Object
	Workloads []*Workload
	Producers []Producer
	Refs      []Ref
	// Creators are Secrets a workload may create when it runs (its
	// command, args or env name them and its ServiceAccount may create
	// Secrets): they explain a missing Secret, they do not produce it.
	Creators []Producer
	// Namespaces are the Namespace objects rendered, by name.
	Namespaces map[string]*Object
	// ServiceAccounts by namespace/name.
	ServiceAccounts map[string]*Object
	// Problems are malformed values found while extracting (an unparsable
	// sidecar.istio.io/userVolume annotation): data for the checks, not
	// errors, so the rest of the environment is still checked.
	Problems []Problem
	// Warnings are the renderer's (render.Result.Warnings) and the keys a
	// rendered document repeats, the last one taken, at their source line.
	Warnings []render.Warning
	// SourceLine is the text of line (1-based) of a source file of the
	// rendering, "" when unknown: the checks read a template's line to tell
	// which values it uses.
	SourceLine func(file string, line int) string
	// Redact holds the values of the rendered Secrets (as written, and
	// base64-decoded), blanked in every Object: a template or a kustomize
	// replacement may copy one into an annotation that a finding quotes, so
	// the caller removes them from every message. Kept only for that.
	Redact []string
}

// Problem is a malformed value in an object.
type Problem struct {
	Object  *Object
	Path    []any
	Message string
}
