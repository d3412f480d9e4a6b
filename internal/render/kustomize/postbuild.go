package kustomize

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/fluxcd/pkg/envsubst"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/meshgate/meshgate/internal/config"
)

// Flux's post-build variable substitution, as kustomize-controller v1.9
// runs it on every object of the build (internal/controller/
// kustomization_controller.go, build; fluxcd/pkg
// kustomize/kustomize_varsub.go, SubstituteVariables), with Flux's own
// library, fluxcd/pkg/envsubst.

// fluxSubstituteKey: an object labelled or annotated with it, value
// "disabled", is left alone.
const fluxSubstituteKey = "kustomize.toolkit.fluxcd.io/substitute"

// fluxVarName is the name every variable must have; kustomize-controller
// checks them before it substitutes.
var fluxVarName = regexp.MustCompile(`^[_[:alpha:]][_[:alpha:][:digit:]]*$`)

// active reports whether the substitution runs at all: Flux skips it when
// no variable is defined, unless the strategy is Always.
func active(pb *config.PostBuild) bool {
	return pb != nil && (len(pb.Vars) > 0 || pb.Always)
}

// postBuild is r's document y after pb's substitution. y is r as kustomize
// serialises it (Resource.AsYAML), which is the text Flux substitutes
// into: ${var}, ${var:=default}, ${var:-default} and bash's string
// functions; $var is left as it is and $${var} gives ${var}. The result is
// read back into the object and serialised again, as Flux does (keys
// sorted). An object the step leaves alone comes back as it was.
func postBuild(r *resource.Resource, y []byte, pb *config.PostBuild) ([]byte, error) {
	if !active(pb) || r.GetLabels()[fluxSubstituteKey] == "disabled" || r.GetAnnotations()[fluxSubstituteKey] == "disabled" {
		return y, nil
	}
	out, err := fluxSubstitute(y, pb)
	if err != nil {
		return nil, fmt.Errorf("post build failed for '%s/%s': %w", r.GetGvk(), r.GetName(), err)
	}
	return out, nil
}

// fluxSubstitute substitutes pb's variables into the document y.
func fluxSubstitute(y []byte, pb *config.PostBuild) ([]byte, error) {
	for _, k := range slices.Sorted(maps.Keys(pb.Vars)) {
		if !fluxVarName.MatchString(k) {
			return nil, fmt.Errorf("envsubst error: '%s' var name is invalid, must match '%s'", k, fluxVarName)
		}
	}
	out, err := envsubst.Eval(string(y), func(name string) (string, bool) {
		v, ok := pb.Vars[name]
		return v, ok || !pb.Strict
	})
	if err != nil {
		return nil, fmt.Errorf("envsubst error: variable substitution failed: %w", err)
	}
	j, err := yaml.YAMLToJSON([]byte(out))
	if err != nil {
		return nil, fmt.Errorf("envsubst error: YAMLToJSON: %w", err)
	}
	return yaml.JSONToYAML(j)
}
