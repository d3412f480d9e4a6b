package config

// FluxBuild is how kustomize-controller builds the path of a Flux
// Kustomization: the Kustomization's fields written into the kustomization
// at the path (or into the one Flux generates there), the build run with
// Flux's options, then the post-build substitution on every object. Set by
// the Flux expander (internal/gitops), never by .meshgate.yaml.
type FluxBuild struct {
	// Generated are the resources of the kustomization Flux generates at
	// the path when it holds none; nil when it holds one.
	Generated []string
	// Namespace, NamePrefix and NameSuffix are targetNamespace,
	// namePrefix and nameSuffix ("" leaves the kustomization's).
	Namespace, NamePrefix, NameSuffix string
	// Images are merged into the kustomization's entries of the same
	// name field by field, or appended.
	Images []Image
	// Patches and Components are appended to the kustomization's.
	Patches    []Patch
	Components []string
	// PostBuild is spec.postBuild's substitution, nil when there is none.
	PostBuild *PostBuild
}

// PostBuild is a Flux post-build variable substitution.
type PostBuild struct {
	// Vars are the variables, loaded as Flux loads them.
	Vars map[string]string
	// Always substitutes even with no variable (substituteStrategy:
	// Always); else no variable means no substitution.
	Always bool
	// Strict fails on a variable used without a default and not defined.
	Strict bool
	// Files are where the ConfigMaps and Secrets of the variables are
	// written: inputs of the rendering.
	Files []string
}
