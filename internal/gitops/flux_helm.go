package gitops

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/strvals"
)

// A Flux HelmRelease (helm.toolkit.fluxcd.io/v2) as helm-controller v1
// installs it: its release name and namespace, its values composed from
// spec.values and spec.valuesFrom, and whether the chart's CRDs go in.

// fluxMaxReleaseName is Helm's limit on a release name; helm-controller
// shortens a longer one (internal/release/name.go).
const fluxMaxReleaseName = 53

// FluxReleaseName is the Helm release name of a HelmRelease: releaseName,
// else "[targetNamespace-]name"; one longer than 53 characters becomes
// its first 40 characters, a hyphen and the first 12 hex digits of its
// SHA-256, as helm-controller's ShortenName does.
func FluxReleaseName(name, targetNamespace, releaseName string) string {
	n := releaseName
	if n == "" {
		n = name
		if targetNamespace != "" {
			n = targetNamespace + "-" + name
		}
	}
	if len(n) <= fluxMaxReleaseName {
		return n
	}
	const hashLen = 12
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(n)))
	return n[:fluxMaxReleaseName-hashLen-1] + "-" + sum[:hashLen]
}

// FluxReleaseNamespace is where the release's objects go: targetNamespace,
// else the HelmRelease's own namespace.
func FluxReleaseNamespace(namespace, targetNamespace string) string {
	if targetNamespace != "" {
		return targetNamespace
	}
	return namespace
}

// FluxSkipCRDs reports whether install.crds keeps the chart's crds/
// folder out: only the Skip policy does (Create is the default for an
// install).
func FluxSkipCRDs(spec map[string]any) (bool, error) {
	switch p := str(sub(spec, "install"), "crds"); p {
	case "", "Create", "CreateReplace":
		return false, nil
	case "Skip":
		return true, nil
	default:
		return false, fmt.Errorf("spec.install.crds: want Skip, Create or CreateReplace, got %q", p)
	}
}

// FluxValuesRef is one entry of a HelmRelease's spec.valuesFrom.
type FluxValuesRef struct {
	Kind       string // ConfigMap or Secret
	Name       string
	ValuesKey  string // default values.yaml
	TargetPath string // helm --set path the whole value goes to
	Optional   bool
	Literal    bool // targetPath value taken verbatim (--set-literal)
}

// ReadFluxValuesFrom reads spec.valuesFrom.
func ReadFluxValuesFrom(spec map[string]any) ([]FluxValuesRef, error) {
	refs, err := readList(spec, "valuesFrom", "spec.valuesFrom")
	if err != nil {
		return nil, err
	}
	var out []FluxValuesRef
	for i, r := range refs {
		field := fmt.Sprintf("spec.valuesFrom[%d]", i)
		ref := FluxValuesRef{Kind: str(r, "kind"), Name: str(r, "name"), ValuesKey: str(r, "valuesKey"),
			TargetPath: str(r, "targetPath"), Optional: r["optional"] == true, Literal: r["literal"] == true}
		if ref.Kind != "ConfigMap" && ref.Kind != "Secret" {
			return nil, fmt.Errorf("%s.kind: want ConfigMap or Secret, got %q", field, ref.Kind)
		}
		if ref.Name == "" {
			return nil, fmt.Errorf("%s.name: missing", field)
		}
		if ref.ValuesKey == "" {
			ref.ValuesKey = "values.yaml"
		}
		out = append(out, ref)
	}
	return out, nil
}

// FluxValues is one values document of a HelmRelease, in the order Flux
// merges them: File and Line say where a person edits it.
type FluxValues struct {
	File   string
	Line   int
	Values map[string]any
	// Secret is true when the document holds values of a Secret.
	Secret bool
}

// FluxHelmValues composes a HelmRelease's values as helm-controller does
// (fluxcd/pkg chartutil ChartValuesFromReferences): each valuesFrom
// reference in order, merged over the previous ones, spec.values last
// over them all. inline is spec.values at file:line; the references are
// resolved in namespace. Where no reference has a targetPath the result
// is the documents themselves, each with its place, for Helm to merge as
// later -f files: Helm's merge of -f files is the same merge. A targetPath
// sets a value with --set semantics, in the middle of that merge, which
// no sequence of -f files does: then the result is the one document Flux
// computes, at the HelmRelease's values. It also returns the values that
// came from Secrets, which no message may show, and notes on what is not
// known here.
func FluxHelmValues(inline FluxValues, refs []FluxValuesRef, namespace string, lookup FluxDataLookup) ([]FluxValues, []string, []string, error) {
	var found []resolvedRef
	var secrets, notes []string
	targetPath := false
	for _, ref := range refs {
		r, note, err := resolveValuesRef(ref, namespace, lookup)
		if err != nil {
			return nil, nil, nil, err
		}
		if note != "" {
			notes = append(notes, note)
		}
		if r == nil {
			continue
		}
		if r.doc.Secret {
			secrets = append(secrets, r.raw)
			secrets = append(secrets, leafStrings(r.doc.Values)...)
		}
		targetPath = targetPath || ref.TargetPath != ""
		found = append(found, *r)
	}
	if targetPath {
		merged, err := fluxComposeValues(inline.Values, found)
		if err != nil {
			return nil, nil, nil, err
		}
		one := FluxValues{File: inline.File, Line: inline.Line, Values: merged}
		for _, r := range found {
			one.Secret = one.Secret || r.doc.Secret
		}
		return []FluxValues{one}, secrets, notes, nil
	}
	var docs []FluxValues
	for _, r := range found {
		docs = append(docs, r.doc)
	}
	if len(inline.Values) > 0 {
		docs = append(docs, inline)
	}
	return docs, secrets, notes, nil
}

// resolvedRef is a valuesFrom reference with what it names: its values
// parsed, or for a targetPath the raw value to set.
type resolvedRef struct {
	ref FluxValuesRef
	doc FluxValues
	raw string
}

// resolveValuesRef reads the values one reference names: nil when an
// optional one is missing, or when the values are not known here (the
// note says why).
func resolveValuesRef(ref FluxValuesRef, namespace string, lookup FluxDataLookup) (*resolvedRef, string, error) {
	what := fmt.Sprintf("%s chart values reference '%s/%s' with key '%s'", ref.Kind, namespace, ref.Name, ref.ValuesKey)
	if ref.Optional {
		what = "optional " + what
	}
	d, err := lookup(ref.Kind, namespace, ref.Name)
	if err != nil {
		return nil, "", fmt.Errorf("could not resolve %s: %w", what, err)
	}
	if d == nil {
		if ref.Optional {
			return nil, "", nil
		}
		return nil, "", fmt.Errorf("could not resolve %s: %s %s/%s is not in the repository", what, ref.Kind, namespace, ref.Name)
	}
	if d.Encrypted {
		return nil, fmt.Sprintf("%s %s/%s (%s) is SOPS-encrypted: its values are not known here and are left out", ref.Kind, namespace, ref.Name, d.File), nil
	}
	raw, ok := d.Data[ref.ValuesKey]
	if !ok {
		if ref.Optional {
			return nil, "", nil
		}
		return nil, "", fmt.Errorf("could not resolve %s: key not found", what)
	}
	r := &resolvedRef{ref: ref, raw: raw, doc: FluxValues{File: d.File, Line: d.Line, Secret: d.Secret}}
	if d.KeyLine != nil {
		// A values document is a block under its key: it starts a line
		// below.
		r.doc.Line = d.KeyLine(ref.ValuesKey) + 1
	}
	if ref.TargetPath != "" {
		return r, "", nil
	}
	vals, err := chartutil.ReadValues([]byte(raw))
	if err != nil {
		if d.Secret {
			return nil, "", fmt.Errorf("could not resolve %s: failed to read values data: it does not parse as a YAML mapping", what)
		}
		return nil, "", fmt.Errorf("could not resolve %s: failed to read values data: %w", what, err)
	}
	r.doc.Values = vals
	return r, "", nil
}

// fluxComposeValues is helm-controller's composition when a reference has
// a targetPath: the merge is shallow where Flux's is (a map that only one
// side has is shared, not copied), so a value set at a path also changes
// spec.values, which is merged last — the "target path precedence over
// all" of fluxcd/pkg chartutil's tests.
func fluxComposeValues(inline map[string]any, found []resolvedRef) (map[string]any, error) {
	result := map[string]any{}
	for _, r := range found {
		if r.ref.TargetPath == "" {
			result = shallowMerge(result, r.doc.Values)
			continue
		}
		result = shallowMerge(result, inline)
		if err := setTargetPath(result, r.ref.TargetPath, r.raw, r.ref.Literal); err != nil {
			msg := err.Error()
			if r.doc.Secret {
				msg = "the value does not parse with --set syntax"
			}
			return nil, fmt.Errorf("could not resolve %s chart values reference '%s' with key '%s': failed to merge value: %s",
				r.ref.Kind, r.ref.Name, r.ref.ValuesKey, msg)
		}
	}
	return shallowMerge(result, inline), nil
}

// setTargetPath sets value at a --set path as helm-controller does: a value in
// single or double quotes is a string (--set-string), any other is typed
// (--set); Literal takes the value verbatim.
func setTargetPath(values map[string]any, path, value string, literal bool) error {
	if literal {
		esc := strings.NewReplacer(`\`, `\\`, `,`, `\,`, `[`, `\[`, `]`, `\]`, `{`, `\{`, `}`, `\}`)
		return strvals.ParseIntoString(path+"="+esc.Replace(value), values)
	}
	single := strings.HasPrefix(value, "'") && strings.HasSuffix(value, "'")
	double := strings.HasPrefix(value, `"`) && strings.HasSuffix(value, `"`)
	if single || double {
		return strvals.ParseIntoString(path+"="+strings.Trim(value, `'"`), values)
	}
	return strvals.ParseInto(path+"="+value, values)
}

// shallowMerge merges b over a as Flux's MergeMaps does: nested maps on
// both sides merge into a new map, anything else of b (a map only b has
// included, not copied) replaces a's.
func shallowMerge(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = shallowMerge(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// leafStrings are the scalar values under v, as strings.
func leafStrings(v any) []string {
	switch x := v.(type) {
	case map[string]any:
		var out []string
		for _, e := range x {
			out = append(out, leafStrings(e)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, leafStrings(e)...)
		}
		return out
	case nil:
		return nil
	case string:
		return []string{x}
	}
	return []string{fmt.Sprint(v)}
}
