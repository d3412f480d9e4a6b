package render

import (
	"bytes"
	"fmt"
	"iter"
	"strconv"
	"strings"

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

// Duplicate is a mapping key that repeats an earlier key of its mapping:
// where both stand, and the value of the last, which YAML readers that do
// not refuse it (helm's values, kubectl) take.
type Duplicate struct {
	Line, First int
	// Fields is the key's field path from the document's root (string
	// keys, int indexes), Path the same written out: a.b[0].c.
	Fields []any
	Path   string
	// Value is the winning value: its scalar text, or "a mapping" or
	// "a list".
	Value string
}

// DuplicateKeys are every repeated mapping key under n, in document order.
func DuplicateKeys(n *yaml.Node) []Duplicate {
	var out []Duplicate
	var walk func(n *yaml.Node, fields []any)
	walk = func(n *yaml.Node, fields []any) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, fields)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, append(fields[:len(fields):len(fields)], i))
			}
		case yaml.MappingNode:
			seen := map[string]int{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
					continue
				}
				at := append(fields[:len(fields):len(fields)], k.Value)
				if l, dup := seen[k.Value]; dup {
					out = append(out, Duplicate{Line: k.Line, First: l, Fields: at, Path: dottedPath(at), Value: DescribeValue(n.Content[i+1])})
				}
				seen[k.Value] = k.Line
				walk(n.Content[i+1], at)
			}
		}
	}
	walk(n, nil)
	return out
}

// dottedPath writes field names joined by dots and indexes in brackets:
// spec.containers[0].image.
func dottedPath(fields []any) string {
	var b strings.Builder
	for _, f := range fields {
		switch f := f.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", f)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, f)
		}
	}
	return b.String()
}

// maxValueText bounds a scalar quoted in a message.
const maxValueText = 60

// DescribeValue is a value for a message: a scalar quoted (cut short when
// long), else what it is.
func DescribeValue(n *yaml.Node) string {
	if n.Kind == yaml.AliasNode {
		return "the alias *" + n.Value
	}
	if what, ok := nodeKinds[n.Kind]; ok {
		return what
	}
	v := n.Value
	if len(v) > maxValueText {
		v = v[:maxValueText] + "…"
	}
	return strconv.Quote(v)
}

var nodeKinds = map[yaml.Kind]string{yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list"}

// IsListKind is kubectl's rule for a list of objects, given an object with
// an items array: kind List, or a kind ending in "List" without a spec (a
// resource with a spec is not a list even if its kind ends so).
func IsListKind(kind string, hasSpec bool) bool {
	return kind == "List" || strings.HasSuffix(kind, "List") && !hasSpec
}
