package helm

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"

	yamlv3 "gopkg.in/yaml.v3"
	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/yaml"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
)

// mergeValues does what `helm template -f F... --set K=V... --set-string
// K=V...` does with its values: each file merged over the previous ones
// (maps deeply, anything else replaced), then the inline documents of a
// GitOps object as later files, then each set entry parsed with --set
// semantics, then each set-string entry with --set-string semantics. The
// chart's own values.yaml is coalesced under these later by Helm. The
// files are read here rather than by Helm's values.Options so that a "-"
// never reads stdin and a URL is never fetched. A key a file repeats is
// taken as helm takes it, the last one winning, and is returned as a
// warning.
func mergeValues(p paths, h *config.Helm, maxBytes int64) (map[string]interface{}, []render.Warning, *render.Error) {
	base := map[string]interface{}{}
	var warnings []render.Warning
	for _, f := range h.Values {
		data, cur, rerr := readValues(p, f, maxBytes, "failed to parse %s: %s")
		if rerr != nil {
			return nil, nil, rerr
		}
		warnings = append(warnings, duplicateWarnings(f, 0, data)...)
		base = mergeMaps(base, cur)
	}
	for _, in := range h.Inline {
		warnings = append(warnings, duplicateWarnings(in.File, max(in.Line-1, 0), []byte(in.YAML))...)
		cur := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(in.YAML), &cur); err != nil {
			line := yamlLine(err.Error())
			if line > 0 {
				line += max(in.Line-1, 0)
			}
			return nil, nil, &render.Error{Message: fmt.Sprintf("failed to parse the values written in %s: %s", in.File, p.Message(err.Error())), File: in.File, Line: line}
		}
		base = mergeMaps(base, cur)
	}
	if rerr := applySet(base, h.Set, "set", strvals.ParseInto); rerr != nil {
		return nil, nil, rerr
	}
	if rerr := applySet(base, h.SetString, "set-string", strvals.ParseIntoString); rerr != nil {
		return nil, nil, rerr
	}
	return base, warnings, nil
}

// applySet parses each entry of set into base with parse (--set or
// --set-string semantics). --set order matters ("a=1" then "a.b=2"
// differs from the reverse); a map has none, so the keys are applied
// sorted for a stable result.
func applySet(base map[string]interface{}, set map[string]string, flag string, parse func(string, map[string]interface{}) error) *render.Error {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := parse(k+"="+set[k], base); err != nil {
			// helm's wording; the value is left out, it may be a credential
			return &render.Error{Message: fmt.Sprintf("%s %q: failed parsing --%s data: %s", flag, k, flag, err)}
		}
	}
	return nil
}

// mergeMaps merges b over a: nested maps merge, any other value of b
// replaces a's.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]interface{}); ok {
			if am, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

var yamlLineRe = regexp.MustCompile(`yaml: line (\d+):`)

// yamlLine is the line number a YAML parser error names, or 0.
func yamlLine(msg string) int {
	m := yamlLineRe.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// duplicateWarnings are the keys a values file repeats, each at the line
// of the one helm takes (the last), with its value; offset is added to
// the lines of text written inside another file. Text that does not
// parse gives none, for the values parser to report.
func duplicateWarnings(file string, offset int, data []byte) []render.Warning {
	var doc yamlv3.Node
	if yamlv3.Unmarshal(data, &doc) != nil {
		return nil
	}
	var out []render.Warning
	for _, d := range render.DuplicateKeys(&doc) {
		out = append(out, render.Warning{File: file, Line: d.Line + offset, Message: fmt.Sprintf(
			"values key %s is defined twice (lines %d and %d); helm takes the last: %s", d.Path, d.First+offset, d.Line+offset, d.Value)})
	}
	return out
}

// readValues reads and parses the values file f; parseErr words a parse
// error (the file, helm's message).
func readValues(p paths, f string, maxBytes int64, parseErr string) ([]byte, map[string]interface{}, *render.Error) {
	abs, rerr := p.existing(f, "values file")
	if rerr != nil {
		return nil, nil, rerr
	}
	if rerr := checkSize(abs, f, maxBytes); rerr != nil {
		return nil, nil, rerr
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, nil, &render.Error{Message: p.Message(err.Error()), File: f}
	}
	cur := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &cur); err != nil {
		return nil, nil, &render.Error{Message: fmt.Sprintf(parseErr, f, p.Message(err.Error())), File: f, Line: yamlLine(err.Error())}
	}
	return data, cur, nil
}

// chartValues are the values that replace the chart's values.yaml for a
// Flux HelmChart with valuesFiles: their merge, in order, as
// source-controller packages it (internal/helm/chart/builder_local.go,
// mergeFileValues); a missing file is an error unless
// IgnoreMissingChartValues, and then is skipped.
func chartValues(p paths, h *config.Helm, maxBytes int64) (map[string]interface{}, *render.Error) {
	merged := map[string]interface{}{}
	for _, f := range h.ChartValues {
		if h.IgnoreMissingChartValues {
			if _, err := os.Stat(p.Abs(f)); os.IsNotExist(err) && p.Inside(p.Abs(f)) {
				continue
			}
		}
		_, cur, rerr := readValues(p, f, maxBytes, "unmarshaling values from '%s' failed: %s")
		if rerr != nil {
			return nil, rerr
		}
		merged = mergeMaps(merged, cur)
	}
	return merged, nil
}
