package gitops

import (
	"encoding/base64"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/fluxcd/pkg/envsubst"
	"sigs.k8s.io/yaml"
)

// Flux's post-build variable substitution, as kustomize-controller v1.9
// does it (fluxcd/pkg kustomize/kustomize_varsub.go, called per built
// object from kustomization_controller.go): the variables of
// spec.postBuild, substituted with fluxcd/pkg/envsubst into each object of
// the kustomize build, serialised the way kustomize serialises it.

// FluxSubstituteDisabled is the label or annotation value that keeps an
// object out of the substitution (key FluxSubstituteKey).
const (
	FluxSubstituteKey      = "kustomize.toolkit.fluxcd.io/substitute"
	FluxSubstituteDisabled = "disabled"
)

// fluxVarName is the name every variable must have (kustomize-controller
// validates them with this expression before substituting).
var fluxVarName = regexp.MustCompile(`^[_[:alpha:]][_[:alpha:][:digit:]]*$`)

// FluxVarSource is one entry of spec.postBuild.substituteFrom.
type FluxVarSource struct {
	Kind     string // ConfigMap or Secret
	Name     string
	Optional bool
}

// FluxPostBuild is a Flux Kustomization's spec.postBuild.
type FluxPostBuild struct {
	Substitute map[string]string
	From       []FluxVarSource
	// Always is substituteStrategy: Always (substitute even with no
	// variables, for the defaults of ${var:=default}).
	Always bool
}

// Substitution is what the post-build step applies to a kustomize build:
// the variables, and whether it runs with none.
type Substitution struct {
	Vars   map[string]string
	Always bool
	// Strict fails on a variable that is referenced without a default
	// and not defined: kustomize-controller's StrictPostBuildSubstitutions
	// feature gate, on by default since v1.9.
	Strict bool
	// Secrets are the values that came from Secrets: no message may show
	// them.
	Secrets []string
}

// Active reports whether the substitution runs at all: Flux skips it when
// no variable is defined, unless the strategy is Always.
func (s *Substitution) Active() bool {
	return s != nil && (len(s.Vars) > 0 || s.Always)
}

// FluxData is the data of a ConfigMap or Secret found in the repository,
// by key, as the API server would hold it (a Secret's data decoded, its
// stringData over it).
type FluxData struct {
	Data map[string]string
	// File and Line say where the object is written.
	File string
	Line int
	// Secret is true for a Secret: its values are credentials.
	Secret bool
	// Encrypted is true for a SOPS-encrypted object: its keys are known,
	// its values are not (Flux decrypts them in the cluster); they are
	// empty here.
	Encrypted bool
}

// FluxDataLookup finds a ConfigMap or Secret by kind, namespace and name.
type FluxDataLookup func(kind, namespace, name string) (*FluxData, error)

// ReadFluxPostBuild reads spec.postBuild of a Flux Kustomization; nil when
// there is none (Flux then runs no substitution). field names the spec in
// messages.
func ReadFluxPostBuild(spec map[string]any) (*FluxPostBuild, error) {
	raw, ok := spec["postBuild"]
	if !ok || raw == nil {
		return nil, nil
	}
	pb, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("spec.postBuild: want a mapping, got %s", typeName(raw))
	}
	out := &FluxPostBuild{}
	if s, ok := pb["substitute"]; ok && s != nil {
		m, ok := s.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("spec.postBuild.substitute: want a mapping, got %s", typeName(s))
		}
		out.Substitute = map[string]string{}
		for k, v := range m {
			str, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("spec.postBuild.substitute.%s: want a string, got %s (quote it)", k, typeName(v))
			}
			out.Substitute[k] = str
		}
	}
	from, err := readList(pb, "substituteFrom", "spec.postBuild.substituteFrom")
	if err != nil {
		return nil, err
	}
	for i, f := range from {
		field := fmt.Sprintf("spec.postBuild.substituteFrom[%d]", i)
		kind, name := str(f, "kind"), str(f, "name")
		if kind != "ConfigMap" && kind != "Secret" {
			return nil, fmt.Errorf("%s.kind: want ConfigMap or Secret, got %q", field, kind)
		}
		if name == "" {
			return nil, fmt.Errorf("%s.name: missing", field)
		}
		out.From = append(out.From, FluxVarSource{Kind: kind, Name: name, Optional: f["optional"] == true})
	}
	switch st := str(pb, "substituteStrategy"); st {
	case "", "WithVariables":
	case "Always":
		out.Always = true
	default:
		return nil, fmt.Errorf("spec.postBuild.substituteStrategy: want WithVariables or Always, got %q", st)
	}
	return out, nil
}

// FluxSubstitution is the substitution pb makes for a Kustomization in
// namespace, its variables loaded as kustomize-controller loads them: each
// substituteFrom object in order, a later one overriding an earlier one,
// then substitute over them all; newlines removed from every value. A
// missing object that is not optional is an error; an optional one
// defines nothing. The notes say what is not known here (a SOPS-encrypted
// Secret's values).
func FluxSubstitution(pb *FluxPostBuild, namespace string, lookup FluxDataLookup) (*Substitution, []string, error) {
	s := &Substitution{Vars: map[string]string{}, Always: pb.Always, Strict: true}
	var notes []string
	for _, ref := range pb.From {
		d, err := lookup(ref.Kind, namespace, ref.Name)
		if err != nil {
			return nil, nil, fmt.Errorf("substitute from '%s/%s' error: %w", ref.Kind, ref.Name, err)
		}
		if d == nil {
			if ref.Optional {
				continue
			}
			return nil, nil, fmt.Errorf("substitute from '%s/%s' error: %s %s/%s is not in the repository", ref.Kind, ref.Name, ref.Kind, namespace, ref.Name)
		}
		keys := slices.Sorted(maps.Keys(d.Data))
		if d.Encrypted {
			notes = append(notes, fmt.Sprintf("%s %s/%s (%s) is SOPS-encrypted: its variables %s are substituted as empty strings",
				ref.Kind, namespace, ref.Name, d.File, strings.Join(keys, ", ")))
		}
		for _, k := range keys {
			v := strings.ReplaceAll(d.Data[k], "\n", "")
			s.Vars[k] = v
			if d.Secret && v != "" {
				s.Secrets = append(s.Secrets, v)
			}
		}
	}
	for k, v := range pb.Substitute {
		s.Vars[k] = strings.ReplaceAll(v, "\n", "")
	}
	return s, notes, nil
}

// FluxSubstitute applies s to one object of a kustomize build, doc being
// the object as kustomize serialises it (Resource.AsYAML): unless the
// object is labelled or annotated FluxSubstituteKey: disabled, the
// variables are substituted into the text with fluxcd/pkg/envsubst
// (${var}, ${var:=default}, ${var:-default} and bash's string functions;
// $var is left as it is and $${var} gives ${var}), and the result is
// serialised again as kustomize would (keys sorted, comments gone). An
// object the step leaves alone comes back as it was.
func FluxSubstitute(doc []byte, s *Substitution) ([]byte, error) {
	if !s.Active() {
		return doc, nil
	}
	var obj map[string]any
	if err := yaml.Unmarshal(doc, &obj); err != nil {
		return nil, fmt.Errorf("YAMLToJSON: %w", err)
	}
	if substituteDisabled(obj) {
		return doc, nil
	}
	for _, k := range slices.Sorted(maps.Keys(s.Vars)) {
		if !fluxVarName.MatchString(k) {
			return nil, fmt.Errorf("envsubst error: '%s' var name is invalid, must match '%s'", k, fluxVarName)
		}
	}
	out, err := envsubst.Eval(string(doc), func(name string) (string, bool) {
		v, ok := s.Vars[name]
		return v, ok || !s.Strict
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

// substituteDisabled reports whether obj opts out of the substitution.
func substituteDisabled(obj map[string]any) bool {
	meta, _ := obj["metadata"].(map[string]any)
	for _, field := range []string{"labels", "annotations"} {
		m, _ := meta[field].(map[string]any)
		if v, _ := m[FluxSubstituteKey].(string); v == FluxSubstituteDisabled {
			return true
		}
	}
	return false
}

// ReadFluxData is the data of a ConfigMap or Secret body as Flux reads it
// from the API server: a ConfigMap's data; a Secret's data decoded from
// base64 with its stringData over it, as the API server merges them.
// binaryData is not read (Flux reads only data).
func ReadFluxData(kind string, body map[string]any) (*FluxData, error) {
	d := &FluxData{Data: map[string]string{}, Secret: kind == "Secret"}
	_, d.Encrypted = body["sops"]
	fields := []string{"data"}
	if d.Secret {
		fields = append(fields, "stringData")
	}
	for _, field := range fields {
		raw, ok := body[field]
		if !ok || raw == nil {
			continue
		}
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: want a mapping, got %s", field, typeName(raw))
		}
		for k, v := range m {
			s, ok := v.(string)
			if !ok && v != nil {
				return nil, fmt.Errorf("%s.%s: want a string, got %s", field, k, typeName(v))
			}
			switch {
			case d.Encrypted:
				s = ""
			case d.Secret && field == "data":
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return nil, fmt.Errorf("data.%s: not base64", k)
				}
				s = string(b)
			}
			d.Data[k] = s
		}
	}
	return d, nil
}
