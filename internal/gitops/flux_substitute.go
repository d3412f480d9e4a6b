package gitops

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
)

// The variables of a Flux Kustomization's post-build substitution, loaded
// as kustomize-controller v1.9 loads them (fluxcd/pkg
// kustomize/kustomize_varsub.go, LoadVariables); the substitution itself
// runs on the kustomize build (render/kustomize, postbuild.go).

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

// FluxData is the data of a ConfigMap or Secret found in the repository,
// by key, as the API server would hold it (a Secret's data decoded, its
// stringData over it).
type FluxData struct {
	Data map[string]string
	// File and Line say where the object is written.
	File string
	Line int
	// KeyLine is the line of a key's value, nil when only Line is known.
	KeyLine func(key string) int
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
func FluxSubstitution(pb *FluxPostBuild, namespace string, lookup FluxDataLookup) (s *config.PostBuild, secrets, notes []string, err error) {
	s = &config.PostBuild{Vars: map[string]string{}, Always: pb.Always, Strict: true}
	for _, ref := range pb.From {
		d, err := lookup(ref.Kind, namespace, ref.Name)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("substitute from '%s/%s' error: %w", ref.Kind, ref.Name, err)
		}
		if d == nil {
			if ref.Optional {
				continue
			}
			return nil, nil, nil, fmt.Errorf("substitute from '%s/%s' error: %s %s/%s is not in the repository", ref.Kind, ref.Name, ref.Kind, namespace, ref.Name)
		}
		if d.File != "" && !slices.Contains(s.Files, d.File) {
			s.Files = append(s.Files, d.File)
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
				secrets = append(secrets, v)
			}
		}
	}
	for k, v := range pb.Substitute {
		s.Vars[k] = strings.ReplaceAll(v, "\n", "")
	}
	return s, secrets, notes, nil
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
