package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/render"
)

// decodeError is a problem in a rendered document at a line of that
// document (not yet of the source file).
type decodeError struct {
	line int
	msg  string
}

// maxListDepth bounds nested List expansion.
const maxListDepth = 8

// aliasBudget bounds the nodes that alias expansion may add to a document,
// so that an alias bomb ("billion laughs") fails fast instead of exhausting
// memory. It is generous for real manifests, which rarely use aliases.
const aliasBudget = 100_000

// parserErrors are yaml.v3's parser messages (as opposed to its scanner's).
var parserErrors = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// yamlLineRE finds yaml.v3's "line N: " position in its messages.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// decodedObject is one object of a rendered document.
type decodedObject struct {
	body map[string]any
	node *yaml.Node // its mapping node
	// duplicates are the keys its document repeats (on the first object
	// of a List).
	duplicates []render.Duplicate
}

// decodeDocs decodes the YAML of one rendered doc (usually one document,
// possibly a stream) into objects, expanding Lists and skipping empty
// documents.
func decodeDocs(data []byte) ([]decodedObject, *decodeError) {
	if !utf8.Valid(data) {
		return nil, &decodeError{line: invalidUTF8Line(data), msg: "invalid UTF-8"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []decodedObject
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, yamlError(err)
		}
		root := docRoot(&doc)
		if root == nil || root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
			continue
		}
		if root.Kind != yaml.MappingNode {
			return nil, &decodeError{line: root.Line, msg: "document is " + describeNode(root) + ", not an object"}
		}
		c := &converter{budget: aliasBudget}
		v, derr := c.value(root)
		if derr != nil {
			return nil, derr
		}
		body, _ := v.(map[string]any)
		objs, derr := expand(body, root, "", 0)
		if derr != nil {
			return nil, derr
		}
		if c.duplicates && len(objs) > 0 {
			objs[0].duplicates = render.DuplicateKeys(root)
		}
		out = append(out, objs...)
	}
}

// expand checks an object's identity and expands a List into its items.
func expand(body map[string]any, node *yaml.Node, item string, depth int) ([]decodedObject, *decodeError) {
	kind, _ := body["kind"].(string)
	apiVersion, _ := body["apiVersion"].(string)
	var missing string
	switch {
	case kind == "" && apiVersion == "":
		missing = "no apiVersion and no kind"
	case kind == "":
		missing = "no kind"
	case apiVersion == "":
		missing = "no apiVersion"
	}
	if missing != "" {
		what := "object"
		if item != "" {
			what = item
		}
		return nil, &decodeError{line: node.Line, msg: what + " has " + missing}
	}
	items, isList := body["items"].([]any)
	if kind == "List" && !isList {
		if body["items"] != nil {
			return nil, &decodeError{line: node.Line, msg: "List items is not a list"}
		}
		return nil, nil // an empty List
	}
	_, hasSpec := body["spec"]
	if !isList || !render.IsListKind(kind, hasSpec) {
		return []decodedObject{{body: body, node: node}}, nil
	}
	if depth >= maxListDepth {
		return nil, &decodeError{line: node.Line, msg: "List nested too deeply"}
	}
	_, itemsNode := mappingGet(node, "items")
	var out []decodedObject
	for i, it := range items {
		itemNode := node
		if itemsNode != nil && itemsNode.Kind == yaml.SequenceNode && i < len(itemsNode.Content) {
			if n := resolveAlias(itemsNode.Content[i]); n != nil {
				itemNode = n
			}
		}
		m, ok := it.(map[string]any)
		if !ok {
			return nil, &decodeError{line: itemNode.Line, msg: fmt.Sprintf("%s item %d is not an object", kind, i+1)}
		}
		objs, err := expand(m, itemNode, fmt.Sprintf("%s item %d", kind, i+1), depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	}
	return "not a mapping"
}

func yamlError(err error) *decodeError {
	msg := err.Error()
	line := 1 // yaml.v3 omits the line when the problem is on the first one
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil && n > 0 {
			line = n
		}
		msg = msg[len(m[0]):]
		if parserErrors[msg] {
			// yaml.v3 reports parser (not scanner) errors with a 0-based
			// line: the line where the unfinished construct starts, less one.
			line++
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return &decodeError{line: line, msg: msg}
}

func invalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// converter turns a yaml.v3 node tree into JSON-compatible values the way
// Kubernetes reads YAML (sigs.k8s.io/yaml: YAML 1.1 booleans, merge keys,
// the last of repeated keys winning).
type converter struct {
	budget int
	// duplicates is set when a mapping repeats a key.
	duplicates bool
	active     []*yaml.Node // aliases being expanded, to refuse cycles
}

func (c *converter) value(n *yaml.Node) (any, *decodeError) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0])
	case yaml.AliasNode:
		return c.alias(n)
	case yaml.ScalarNode:
		return scalar(n), nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.value(item)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return c.mapping(n)
	}
	return nil, &decodeError{line: n.Line, msg: "unknown YAML node"}
}

func (c *converter) alias(n *yaml.Node) (any, *decodeError) {
	target := n.Alias
	if target == nil {
		return nil, &decodeError{line: n.Line, msg: "unknown anchor " + strconv.Quote(n.Value)}
	}
	for _, a := range c.active {
		if a == target {
			return nil, &decodeError{line: n.Line, msg: "anchor " + strconv.Quote(n.Value) + " contains itself"}
		}
	}
	c.budget -= countNodes(target, c.budget+1)
	if c.budget < 0 {
		return nil, &decodeError{line: n.Line, msg: fmt.Sprintf("aliases expand beyond %d nodes", aliasBudget)}
	}
	c.active = append(c.active, target)
	v, err := c.value(target)
	c.active = c.active[:len(c.active)-1]
	return v, err
}

// countNodes counts the nodes under n, stopping once limit is reached.
func countNodes(n *yaml.Node, limit int) int {
	count := 0
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if count >= limit {
			return
		}
		count++
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return count
}

func (c *converter) mapping(n *yaml.Node) (map[string]any, *decodeError) {
	out := make(map[string]any, len(n.Content)/2)
	seen := make(map[string]int, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		key, err := c.key(k)
		if err != nil {
			return nil, err
		}
		if _, dup := seen[key]; dup {
			c.duplicates = true // the last one wins, as kubectl takes it
		}
		seen[key] = k.Line
		val, err := c.value(v)
		if err != nil {
			return nil, err
		}
		out[key] = val
	}
	// Merged keys never override the mapping's own keys; earlier merge
	// sources win over later ones.
	for _, m := range merges {
		if err := c.merge(out, m); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *converter) merge(out map[string]any, src *yaml.Node) *decodeError {
	v, err := c.value(src)
	if err != nil {
		return err
	}
	var sources []any
	switch t := v.(type) {
	case map[string]any:
		sources = []any{t}
	case []any:
		sources = t
	default:
		return &decodeError{line: src.Line, msg: "merge key value is not a mapping"}
	}
	for _, s := range sources {
		m, ok := s.(map[string]any)
		if !ok {
			return &decodeError{line: src.Line, msg: "merge key value is not a mapping"}
		}
		for k, val := range m {
			if _, exists := out[k]; !exists {
				out[k] = val
			}
		}
	}
	return nil
}

// key is a mapping key as a string, since JSON keys are strings.
func (c *converter) key(k *yaml.Node) (string, *decodeError) {
	k = resolveAlias(k)
	if k == nil || k.Kind != yaml.ScalarNode {
		line := 0
		if k != nil {
			line = k.Line
		}
		return "", &decodeError{line: line, msg: "mapping key is not a scalar"}
	}
	// Keys of other types (1, true, null) keep their text.
	return k.Value, nil
}

// yaml11Bools are the plain scalars YAML 1.1 (and so Kubernetes) reads as
// booleans beyond true/false.
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
}

func scalar(n *yaml.Node) any {
	if n.Style == 0 { // plain and untagged
		if b, ok := yaml11Bools[n.Value]; ok {
			return b
		}
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return i
		}
		var u uint64
		if n.Decode(&u) == nil {
			return float64(u)
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			if math.IsInf(f, 0) || math.IsNaN(f) {
				// JSON has no infinities; keep the text.
				return n.Value
			}
			return f
		}
	}
	return n.Value
}
