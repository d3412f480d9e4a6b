package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/meshgate/meshgate/internal/suggest"
	"gopkg.in/yaml.v3"
)

// This file holds the strict node walker: instead of yaml.Unmarshal, which
// stops at the first error, it checks every node itself so that Load reports
// every problem of a file at once, each at its own line and column.

type decoder struct {
	root     string // repository root, absolute
	dir      string // config file's folder, absolute
	file     string // config file relative to root, for messages
	problems []Problem
}

// pair is one key of a mapping with its value; name is the key's text.
type pair struct {
	key, val *yaml.Node
	name     string
}

func (d *decoder) add(n *yaml.Node, field, format string, args ...any) {
	p := Problem{File: d.file, Field: field, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	d.problems = append(d.problems, p)
}

// resolve follows aliases to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// isString reports a string scalar. Unquoted dates resolve to !!timestamp in
// yaml.v3 but are strings to editors (YAML 1.2), so they count as strings.
func isString(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	t := n.ShortTag()
	return t == "!!str" || t == "!!timestamp"
}

// kindName names what a node is, for "expected X, got Y" messages.
func kindName(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a map"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isString(n):
		return "a string"
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	case "!!null":
		return "null"
	}
	return "a value tagged " + n.Tag
}

func (d *decoder) typeErr(n *yaml.Node, field, want string) {
	msg := fmt.Sprintf("expected %s, got %s", want, kindName(n))
	if strings.HasPrefix(want, "a string") && n.Kind == yaml.ScalarNode && !isNull(n) {
		// 1.31, true, 8080: the user almost always meant the text.
		msg += fmt.Sprintf(" (quote it: %q)", n.Value)
	}
	d.add(n, field, "%s", msg)
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// join extends a field path with a map key, quoting keys that are not plain
// words so that annotation names with dots stay readable.
func join(field, key string) string {
	if !plainKey.MatchString(key) {
		return fmt.Sprintf("%s[%q]", field, key)
	}
	if field == "" {
		return key
	}
	return field + "." + key
}

func index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

// pairs returns the keys of a mapping in file order, with merge keys (<<)
// expanded under YAML's rules: explicit keys win over merged ones, earlier
// merged maps over later ones. Null counts as an empty map; any other
// non-map is a problem and ok is false.
func (d *decoder) pairs(n *yaml.Node, field string) (ps []pair, ok bool) {
	if n, ok = d.collection(n, field, yaml.MappingNode, "a map"); n == nil {
		return nil, ok
	}
	seen := map[string]*yaml.Node{}
	var merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, d.mergePairs(v, field)...)
			continue
		}
		kr := resolve(k)
		if kr.Kind != yaml.ScalarNode || isNull(kr) {
			d.add(k, field, "keys must be strings, got %s", kindName(kr))
			continue
		}
		if first, dup := seen[kr.Value]; dup {
			d.add(k, join(field, kr.Value), "duplicate key (first at line %d)", first.Line)
			continue
		}
		seen[kr.Value] = k
		ps = append(ps, pair{key: k, val: v, name: kr.Value})
	}
	for _, p := range merged {
		if _, dup := seen[p.name]; !dup {
			seen[p.name] = p.key
			ps = append(ps, p)
		}
	}
	return ps, true
}

func (d *decoder) mergePairs(v *yaml.Node, field string) []pair {
	v = resolve(v)
	if v.Kind == yaml.SequenceNode {
		var out []pair
		for _, item := range v.Content {
			if resolve(item).Kind != yaml.MappingNode {
				d.add(item, field, "<< merges a map or a list of maps, got %s", kindName(resolve(item)))
				continue
			}
			ps, _ := d.pairs(item, field)
			out = append(out, ps...)
		}
		return out
	}
	if v.Kind != yaml.MappingNode {
		d.add(v, field, "<< merges a map or a list of maps, got %s", kindName(v))
		return nil
	}
	ps, _ := d.pairs(v, field)
	return ps
}

// fields returns the pairs of a mapping that are known fields and reports
// the others.
func (d *decoder) fields(n *yaml.Node, field string, known ...string) []pair {
	ps, _ := d.pairs(n, field)
	out := ps[:0]
	for _, p := range ps {
		if !slices.Contains(known, p.name) {
			d.add(p.key, join(field, p.name), "%s", unknownField(p.name, known))
			continue
		}
		out = append(out, p)
	}
	return out
}

func unknownField(name string, known []string) string {
	if s := suggest.Closest(name, known); s != "" {
		return fmt.Sprintf("unknown field (did you mean %q?)", s)
	}
	return "unknown field (valid: " + strings.Join(known, ", ") + ")"
}

// str decodes a string scalar.
func (d *decoder) str(n *yaml.Node, field string) (string, bool) {
	n = resolve(n)
	if !isString(n) {
		d.typeErr(n, field, "a string")
		return "", false
	}
	return n.Value, true
}

// nonEmpty decodes a string scalar that must not be empty.
func (d *decoder) nonEmpty(n *yaml.Node, field string) (string, bool) {
	s, ok := d.str(n, field)
	if ok && s == "" {
		d.add(resolve(n), field, "must not be empty")
		return "", false
	}
	return s, ok
}

func (d *decoder) boolean(n *yaml.Node, field string) (bool, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.typeErr(n, field, "true or false")
		return false, false
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", true
}

// enum decodes a string that must be one of valid.
func (d *decoder) enum(n *yaml.Node, field string, valid []string) (string, bool) {
	s, ok := d.str(n, field)
	if !ok {
		return "", false
	}
	if !slices.Contains(valid, s) {
		d.add(resolve(n), field, "invalid value %q (valid: %s)", s, strings.Join(valid, ", "))
		return "", false
	}
	return s, true
}

// list returns the items of a sequence; null counts as an empty list.
func (d *decoder) list(n *yaml.Node, field string) ([]*yaml.Node, bool) {
	n, ok := d.collection(n, field, yaml.SequenceNode, "a list")
	if n == nil {
		return nil, ok
	}
	return n.Content, true
}

// mapItems decodes each item of the list n that is a map with item, given
// the map and its field path; an item that is not a map is a problem and
// left out.
func mapItems[T any](d *decoder, n *yaml.Node, field string, item func(m *yaml.Node, f string) T) []T {
	items, _ := d.list(n, field)
	var out []T
	for i, it := range items {
		f := index(field, i)
		if m, ok := d.mapping(it, f); ok {
			out = append(out, item(m, f))
		}
	}
	return out
}

// collection resolves n, which must be of kind (a map or a list; want
// names it in the problem) or null, which stands for an empty one and
// gives nil, true.
func (d *decoder) collection(n *yaml.Node, field string, kind yaml.Kind, want string) (*yaml.Node, bool) {
	n = resolve(n)
	if isNull(n) {
		return nil, true
	}
	if n.Kind != kind {
		d.typeErr(n, field, want)
		return nil, false
	}
	return n, true
}

// mapping resolves n, which must be a map (null is a problem too).
func (d *decoder) mapping(n *yaml.Node, field string) (*yaml.Node, bool) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.typeErr(n, field, "a map")
		return n, false
	}
	return n, true
}

// stringList decodes a list of non-empty strings; check, when set, validates
// each one (it reports its own problem and returns false to drop it).
func (d *decoder) stringList(n *yaml.Node, field string, check func(n *yaml.Node, field, s string) (string, bool)) []string {
	items, _ := d.list(n, field)
	var out []string
	for i, item := range items {
		f := index(field, i)
		s, ok := d.nonEmpty(item, f)
		if ok && check != nil {
			s, ok = check(resolve(item), f, s)
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

// stringMap decodes a map of strings (labels, annotations); values may be
// empty, keys may not.
func (d *decoder) stringMap(n *yaml.Node, field string) map[string]string {
	return decodeMap(d, n, field, d.str)
}

// decodeMap decodes a mapping with non-empty keys, each value by value;
// values that do not decode are left out (value reported them).
func decodeMap[T any](d *decoder, n *yaml.Node, field string, value func(*yaml.Node, string) (T, bool)) map[string]T {
	ps, _ := d.pairs(n, field)
	if len(ps) == 0 {
		return nil
	}
	out := make(map[string]T, len(ps))
	for _, p := range ps {
		if p.name == "" {
			d.add(p.key, field, "keys must not be empty")
			continue
		}
		if v, ok := value(p.val, join(field, p.name)); ok {
			out[p.name] = v
		}
	}
	return out
}

// maxNodes bounds the size of a document with its aliases expanded: a few
// nested aliases can otherwise stand for billions of nodes.
const maxNodes = 1 << 20

// expandedSize counts the nodes of n with aliases expanded, saturating at
// maxNodes+1. yaml.v3 accepts an alias inside the node it names (a: &x [*x]);
// such a cycle counts as infinite.
func expandedSize(n *yaml.Node, memo map[*yaml.Node]int) int {
	if n == nil {
		return 0
	}
	if n.Kind == yaml.AliasNode {
		return expandedSize(n.Alias, memo)
	}
	if s, ok := memo[n]; ok {
		if s < 0 {
			return maxNodes + 1
		}
		return s
	}
	memo[n] = -1 // in progress
	size := 1
	for _, c := range n.Content {
		size += expandedSize(c, memo)
		if size > maxNodes {
			size = maxNodes + 1
			break
		}
	}
	memo[n] = size
	return size
}
