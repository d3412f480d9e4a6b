package config

import "encoding/json"

// DefaultNamespace is the namespace of the environment's objects that set
// none: helm.namespace for a chart, namespace for a kustomize overlay.
func (e Environment) DefaultNamespace() string {
	if e.Helm != nil {
		return e.Helm.Namespace
	}
	return e.Namespace
}

// RenderKey is what the environment's rendering depends on: two
// environments with the same key render the same documents. The name is
// not part of it; a kustomize environment's namespace only defaults the
// namespace of objects after rendering, so it is not part of it either (a
// manifests environment's is: it tells an object without one from one
// that names it, when the folder defines an object twice).
func (e Environment) RenderKey() string {
	var key any
	switch {
	case e.Helm != nil:
		key = struct {
			Source        string
			Helm          Helm
			Inline        []InlineValues
			SetString     map[string]string
			SkipCRDs      bool
			ChartValues   []string
			IgnoreMissing bool
		}{"helm", *e.Helm, e.Helm.Inline, e.Helm.SetString, e.Helm.SkipCRDs, e.Helm.ChartValues, e.Helm.IgnoreMissingChartValues}
	case e.Kustomize != nil:
		key = struct {
			Source  string
			Path    string
			Overlay *Overlay
			Flux    *FluxBuild
		}{"kustomize", e.Kustomize.Path, e.Kustomize.Overlay, e.Kustomize.Flux}
	case e.Manifests != nil:
		key = struct {
			Source    string
			Manifests Manifests
			Namespace string
		}{SourceManifests, *e.Manifests, e.Namespace}
	}
	b, _ := json.Marshal(key) // plain strings, slices and maps: cannot fail
	return string(b)
}
