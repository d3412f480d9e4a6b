package render

import (
	"bytes"
	"iter"

	"gopkg.in/yaml.v3"
)

// Documents yields the documents of a YAML stream in order, up to the
// first that does not parse: what comes after a syntax error cannot be
// told apart reliably, and the callers (the renderers' checks, the
// manifest's source reader) leave broken text to the tool that reports it.
func Documents(data []byte) iter.Seq[*yaml.Node] {
	return func(yield func(*yaml.Node) bool) {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc yaml.Node
			if dec.Decode(&doc) != nil || !yield(&doc) {
				return
			}
		}
	}
}

// DuplicateKey finds a mapping key under n that repeats an earlier key of
// its mapping, checking a mapping's own keys before the nodes inside it,
// those in order: its line, the earlier one's and the key; line is 0 when
// there is none. Both renderers refuse such
// text, which Helm and kustomize would read with the last key winning,
// or fail on without naming the file.
func DuplicateKey(n *yaml.Node) (line, first int, key string) {
	if n.Kind == yaml.MappingNode {
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				continue
			}
			if l, dup := seen[k.Value]; dup {
				return k.Line, l, k.Value
			}
			seen[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if line, first, key := DuplicateKey(c); line > 0 {
			return line, first, key
		}
	}
	return 0, 0, ""
}
