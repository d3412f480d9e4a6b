package render

import (
	"bytes"

	"gopkg.in/yaml.v3"
)

// redactedValue replaces every Secret value that `meshgate render` shows.
const redactedValue = "REDACTED"

// RedactSecretValues returns doc with the values of every Secret's data and
// stringData replaced, keys kept, also for Secrets inside a List. Documents
// without Secrets come back unchanged; one that does not parse is withheld
// entirely, since it might be a Secret.
func RedactSecretValues(doc []byte) []byte {
	if !bytes.Contains(doc, []byte("Secret")) {
		return doc
	}
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil {
		return []byte("# (document withheld: it does not parse as YAML)\n")
	}
	if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
		return doc
	}
	if !redactNode(n.Content[0]) {
		return doc
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return []byte("# (document withheld: it could not be redacted)\n")
	}
	return buf.Bytes()
}

// redactNode redacts obj if it is a Secret, or the Secrets among its items
// if it is a List; it reports whether it changed anything.
func redactNode(obj *yaml.Node) bool {
	kind := mapValue(obj, "kind")
	if kind == nil {
		return false
	}
	if kind.Value != "Secret" {
		items := mapValue(obj, "items")
		if items == nil || items.Kind != yaml.SequenceNode {
			return false
		}
		changed := false
		for _, it := range items.Content {
			changed = redactNode(it) || changed
		}
		return changed
	}
	for _, field := range []string{"data", "stringData"} {
		for i := 0; i+1 < len(obj.Content); i += 2 {
			if obj.Content[i].Value != field {
				continue
			}
			m := obj.Content[i+1]
			if m.Kind != yaml.MappingNode {
				// Not a map of keys: nothing of it is shown.
				obj.Content[i+1] = redactedNode(m)
				continue
			}
			for j := 1; j < len(m.Content); j += 2 {
				m.Content[j] = redactedNode(m.Content[j])
			}
		}
	}
	return true
}

// redactedNode is what stands for a value: the value replaced, its shape
// kept. A null (`stringData:` with nothing) holds no secret and stays null,
// so that the output still validates as the input did.
func redactedNode(v *yaml.Node) *yaml.Node {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return v
	}
	r := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: redactedValue, Line: v.Line, Column: v.Column}
	if v.Kind == yaml.ScalarNode {
		r.Style = v.Style &^ yaml.TaggedStyle
	}
	return r
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
