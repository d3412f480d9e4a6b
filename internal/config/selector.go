package config

import (
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Label keys and values as Kubernetes validates them: an optional DNS
// subdomain prefix and a name of at most 63 characters; a value is empty
// or such a name.
var (
	labelName   = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)
	labelPrefix = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// validLabelKey reports whether k is a Kubernetes label key.
func validLabelKey(k string) bool {
	prefix, name, found := strings.Cut(k, "/")
	if !found {
		prefix, name = "", k
	}
	if found && (prefix == "" || len(prefix) > 253 || !labelPrefix.MatchString(prefix)) {
		return false
	}
	return len(name) <= 63 && labelName.MatchString(name)
}

// validLabelValue reports whether v is a Kubernetes label value.
func validLabelValue(v string) bool {
	return v == "" || len(v) <= 63 && labelName.MatchString(v)
}

// labels decodes a map of label keys to label values; star allows the
// value "*" (any value).
func (d *decoder) labels(n *yaml.Node, field string, star bool) map[string]string {
	ps, ok := d.pairs(n, field)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, p := range ps {
		f := join(field, p.name)
		if !validLabelKey(p.name) {
			d.add(p.key, f, "invalid label key %q: use NAME or PREFIX/NAME, NAME at most 63 letters, digits, '-', '_' or '.'", p.name)
			continue
		}
		v, ok := d.str(p.val, f)
		if !ok {
			continue
		}
		if !validLabelValue(v) && !(star && v == "*") {
			d.add(resolve(p.val), f, "invalid label value %q: at most 63 letters, digits, '-', '_' or '.'%s", v, map[bool]string{true: `, or "*" for any value`}[star])
			continue
		}
		out[p.name] = v
	}
	return out
}

// labelSelector decodes one Kubernetes label selector.
func (d *decoder) labelSelector(m *yaml.Node, field string) LabelSelector {
	var s LabelSelector
	given := false
	for _, p := range d.fields(m, field, "matchLabels", "matchExpressions") {
		f := join(field, p.name)
		if v := resolve(p.val); !isNull(v) && (v.Kind == yaml.ScalarNode || len(v.Content) > 0) {
			given = true
		}
		switch p.name {
		case "matchLabels":
			s.MatchLabels = d.labels(p.val, f, false)
		case "matchExpressions":
			s.MatchExpressions = mapItems(d, p.val, f, d.selectorRequirement)
		}
	}
	if !given {
		d.add(m, field, "an empty selector matches no pod (the injector skips it): give matchLabels or matchExpressions")
	}
	return s
}

// selectorRequirement decodes one matchExpressions entry: In and NotIn
// need values, Exists and DoesNotExist take none.
func (d *decoder) selectorRequirement(m *yaml.Node, field string) LabelSelectorRequirement {
	var r LabelSelectorRequirement
	var valuesNode *yaml.Node
	for _, p := range d.fields(m, field, "key", "operator", "values") {
		f := join(field, p.name)
		switch p.name {
		case "key":
			if k, ok := d.nonEmpty(p.val, f); ok {
				if validLabelKey(k) {
					r.Key = k
				} else {
					d.add(resolve(p.val), f, "invalid label key %q: use NAME or PREFIX/NAME, NAME at most 63 letters, digits, '-', '_' or '.'", k)
				}
			}
		case "operator":
			r.Operator, _ = d.enum(p.val, f, SelectorOperators)
		case "values":
			valuesNode = resolve(p.val)
			r.Values = d.stringList(p.val, f, nil)
		}
	}
	switch {
	case r.Key == "" && !hasField(m, "key"):
		d.add(m, field, "key is required")
	case r.Operator == "" && !hasField(m, "operator"):
		d.add(m, field, "operator is required (valid: %s)", strings.Join(SelectorOperators, ", "))
	case (r.Operator == SelectorIn || r.Operator == SelectorNotIn) && len(r.Values) == 0:
		d.add(m, join(field, "values"), "operator %s needs at least one value", r.Operator)
	case (r.Operator == SelectorExists || r.Operator == SelectorDoesNotExist) && valuesNode != nil && !isNull(valuesNode) && len(valuesNode.Content) > 0:
		d.add(valuesNode, join(field, "values"), "operator %s takes no values", r.Operator)
	}
	return r
}

// hasField reports whether the mapping m has the key name.
func hasField(m *yaml.Node, name string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return true
		}
	}
	return false
}
