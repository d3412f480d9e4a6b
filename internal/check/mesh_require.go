package check

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// meshRequireFindings checks one set of requirements (mesh.require, or a
// rules: entry named by policy) on a workload's pod template as rendered:
// what an injector adds later does not count.
func meshRequireFindings(in Input, w *manifest.Workload, idx meshEnvIndex, req config.Requirements, sev finding.Severity, policy string) []finding.Finding {
	var out []finding.Finding
	add := func(rule, container, subject, msg string, path []any, remedy *finding.Remedy) {
		if policy != "" {
			// The policy name keeps the fingerprint apart from the same
			// requirement in mesh.require.
			subject = policy + "/" + subject
		}
		f := newFinding(in, rule, sev, w.Object, container, subject, msg, path...)
		f.Policy, f.Remedy = policy, remedy
		out = append(out, f)
	}
	for _, s := range []struct {
		section  string
		matchers map[string]config.Matcher
	}{{"annotation", req.Annotations}, {"label", req.Labels}} {
		for _, key := range slices.Sorted(maps.Keys(s.matchers)) {
			m := s.matchers[key]
			if msg, path, bad := meshCheckValue(w, s.section, key, m); bad {
				var remedy *finding.Remedy
				if m.Equals != nil {
					// The value the config requires.
					remedy = remedySet(w, s.section+"s", key, *m.Equals)
				}
				add(finding.RuleMeshAnnotation, "", s.section+":"+key, msg, path, remedy)
			}
		}
	}
	if len(req.Env) == 0 {
		return out
	}
	for _, c := range w.Pod.Containers {
		if c.Type != manifest.ContainerApp {
			continue
		}
		for _, name := range req.Env {
			set, consulted := meshEnvSet(idx, w.Namespace, c, name)
			if set {
				continue
			}
			msg := fmt.Sprintf("container %q does not set env %s", c.Name, name)
			if len(consulted) > 0 {
				msg += " (not in envFrom " + strings.Join(consulted, ", ") + ")"
			}
			add(finding.RuleMeshEnv, c.Name, "env:"+name, msg, append(slices.Clone(c.Path), "env"), remedyEnv(w, c, name))
		}
	}
	return out
}

// meshCheckValue checks one required label or annotation of the pod
// template; bad is true with a message when the requirement fails.
func meshCheckValue(w *manifest.Workload, section, key string, m config.Matcher) (msg string, path []any, bad bool) {
	values := w.Pod.Annotations
	if section == "label" {
		values = w.Pod.Labels
	}
	v, ok := values[key]
	if !ok {
		msg = fmt.Sprintf("%s %s is missing", section, key)
		if hint := meshObjectMetadataHint(w, []meshKey{{section, key}}); hint != "" {
			msg += " (" + strings.TrimPrefix(hint, "; ") + ")"
		}
		return msg, meshMetaPath(w, "", ""), true
	}
	path = meshMetaPath(w, section+"s", key)
	if m.Equals != nil && v != *m.Equals {
		return fmt.Sprintf("%s %s=%s does not equal %q", section, key, meshQuotePrefix(v), *m.Equals), path, true
	}
	if re := m.Regexp; re != nil || m.Matches != "" {
		if re == nil {
			var err error
			if re, err = regexp.Compile(m.Matches); err != nil {
				return fmt.Sprintf("%s %s cannot be checked: matches %q is not a valid regular expression: %v", section, key, m.Matches, err), path, true
			}
		}
		if !re.MatchString(v) {
			return fmt.Sprintf("%s %s=%s does not match %s", section, key, meshQuotePrefix(v), re.String()), path, true
		}
	}
	if m.HasKey != "" {
		if why := meshHasKey(v, m.HasKey); why != "" {
			return fmt.Sprintf("%s %s%s", section, key, why), path, true
		}
	}
	return "", nil, false
}

// meshHasKey parses an annotation value as YAML (a superset of JSON: Istio's
// proxy.istio.io/config is YAML) and looks up a dotted key path; segments
// that are integers index lists. It returns "" when the key is there, else
// the rest of a message that starts with the annotation's name.
func meshHasKey(value, keyPath string) string {
	var doc any
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
		return fmt.Sprintf("=%s is not valid YAML or JSON (%v), so it has no key %s", meshQuotePrefix(value), err, keyPath)
	}
	switch doc.(type) {
	case map[string]any, map[any]any:
	case nil:
		return fmt.Sprintf(" has no key %s: its value is empty", keyPath)
	default:
		return fmt.Sprintf(" has no key %s: its value %s is not a YAML or JSON map", keyPath, meshQuotePrefix(value))
	}
	cur := doc
	for _, seg := range strings.Split(keyPath, ".") {
		next, ok := meshChild(cur, seg)
		if !ok {
			return fmt.Sprintf(" has no key %s", keyPath)
		}
		cur = next
	}
	return ""
}

func meshChild(node any, seg string) (any, bool) {
	switch n := node.(type) {
	case map[string]any:
		v, ok := n[seg]
		return v, ok
	case map[any]any:
		for k, v := range n {
			if fmt.Sprint(k) == seg {
				return v, true
			}
		}
	case []any:
		if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(n) {
			return n[i], true
		}
	}
	return nil, false
}

// meshQuotePrefix quotes the start of a value for a message: annotation
// values are not secret, but may be long.
func meshQuotePrefix(v string) string {
	const max = 40
	if r := []rune(v); len(r) > max {
		return strconv.Quote(string(r[:max]) + "…")
	}
	return strconv.Quote(v)
}

// meshEnvIndex knows, per namespace/name, the keys of the ConfigMaps and
// Secrets the environment renders, for envFrom.
type meshEnvIndex struct {
	configMaps map[string]map[string]bool
	// secrets maps to nil when some producer's keys are unknown.
	secrets map[string]map[string]bool
}

func meshEnvIndexOf(set *manifest.Set) meshEnvIndex {
	idx := meshEnvIndex{configMaps: map[string]map[string]bool{}, secrets: map[string]map[string]bool{}}
	for _, o := range set.Objects {
		if o == nil || o.Kind != "ConfigMap" {
			continue
		}
		id := o.Namespace + "/" + o.Name
		keys := idx.configMaps[id]
		if keys == nil {
			keys = map[string]bool{}
			idx.configMaps[id] = keys
		}
		for _, field := range []string{"data", "binaryData"} {
			if m, ok := o.Body[field].(map[string]any); ok {
				for k := range m {
					keys[k] = true
				}
			}
		}
	}
	unknown := map[string]bool{}
	for _, p := range set.Producers {
		id := p.Namespace + "/" + p.Name
		if !p.KeysKnown {
			unknown[id] = true
		}
		keys := idx.secrets[id]
		if keys == nil {
			keys = map[string]bool{}
			idx.secrets[id] = keys
		}
		for _, k := range p.Keys {
			keys[k] = true
		}
	}
	for id := range unknown {
		idx.secrets[id] = nil
	}
	return idx
}

// meshEnvSet reports whether a container sets env name, by env or by
// envFrom of a rendered ConfigMap or Secret whose keys hold it. An envFrom
// source whose keys are unknown (not rendered, or produced without known
// keys) may set anything, so it counts as set. consulted lists the sources
// with known keys that do not hold it, for the message.
func meshEnvSet(idx meshEnvIndex, ns string, c manifest.Container, name string) (set bool, consulted []string) {
	if slices.Contains(c.Env, name) {
		return true, nil
	}
	for _, src := range c.EnvFrom {
		if !strings.HasPrefix(name, src.Prefix) {
			consulted = append(consulted, src.Kind+" "+src.Name)
			continue
		}
		key := strings.TrimPrefix(name, src.Prefix)
		var keys map[string]bool
		var known bool
		switch src.Kind {
		case "ConfigMap":
			keys, known = idx.configMaps[ns+"/"+src.Name]
		case "Secret":
			keys, known = idx.secrets[ns+"/"+src.Name]
			known = known && keys != nil
		}
		if !known || keys[key] {
			return true, nil
		}
		consulted = append(consulted, src.Kind+" "+src.Name)
	}
	return false, consulted
}

// meshRuleMatches reports whether a rules: entry selects the workload: every
// non-empty list must have a glob that matches, and match.labels must match
// the labels of the object or those of its pod template.
func meshRuleMatches(in Input, r config.Rule, w *manifest.Workload) bool {
	m := r.Match
	return meshAnyGlob(m.Environments, in.Env.Name) &&
		meshAnyGlob(m.Kinds, w.Kind) &&
		meshAnyGlob(m.Namespaces, w.Namespace) &&
		meshAnyGlob(m.Names, w.Name) &&
		(meshLabelsMatch(m.Labels, w.Labels) || meshLabelsMatch(m.Labels, w.Pod.Labels))
}

func meshAnyGlob(globs []string, s string) bool {
	if len(globs) == 0 {
		return true
	}
	for _, g := range globs {
		if config.Glob(g, s) {
			return true
		}
	}
	return false
}

func meshLabelsMatch(selector, labels map[string]string) bool {
	for k, v := range selector {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}
