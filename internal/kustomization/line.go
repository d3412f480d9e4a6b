package kustomization

import "gopkg.in/yaml.v3"

// Line is the line of the first scalar of k's text equal to value, or 0:
// a message about an entry points at where it is written.
func (k *Kustomization) Line(value string) int {
	return k.LineWhere(func(s string) bool { return s == value })
}

// LineWhere is the line of the first scalar of k's text that match
// accepts, in document order; 0 when none does or the text is not YAML.
func (k *Kustomization) LineWhere(match func(string) bool) int {
	var doc yaml.Node
	if len(k.Data) == 0 || yaml.Unmarshal(k.Data, &doc) != nil {
		return 0
	}
	return findScalar(&doc, match)
}

func findScalar(n *yaml.Node, match func(string) bool) int {
	if n.Kind == yaml.ScalarNode && match(n.Value) {
		return n.Line
	}
	for _, c := range n.Content {
		if l := findScalar(c, match); l > 0 {
			return l
		}
	}
	return 0
}
