package manifest

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// A Helm template is Go template text, not YAML, so a rendered field is
// found in it by its text: the literal parts of a template keep their exact
// indentation in the output, so a rendered "key: value" line at column c
// comes from a template line with that key at column c, either verbatim or
// with a template action as its value. Lines produced by helpers and toYaml
// are not in the template; those fields map to their nearest ancestor.

// tmplLine is one template line, parsed just enough for matching.
type tmplLine struct {
	indent  int  // leading spaces
	content int  // column of the content after any "- " markers
	dash    bool // a sequence item starts on this line
	isKey   bool // "key: value" or "key:"
	key     string
	// keyTemplated: the key itself is a template action ({{ $k }}: ...).
	keyTemplated bool
	// value is the text after the key (or after the dash), unquoted.
	value string
	// templated: the value holds a template action.
	templated  bool
	meaningful bool // counts for block structure (not blank, comment or action-only)
	sep        bool // a "---" document separator
}

// helmTemplate is a template split into lines, parsed once per file.
type helmTemplate struct {
	lines       []tmplLine
	anchorCache map[string][]anchor
}

func parseTemplate(text []byte) *helmTemplate {
	raw := bytes.Split(text, []byte("\n"))
	if len(raw) > 0 && len(raw[len(raw)-1]) == 0 {
		raw = raw[:len(raw)-1]
	}
	t := &helmTemplate{lines: make([]tmplLine, len(raw))}
	for i, r := range raw {
		t.lines[i] = parseTmplLine(strings.TrimRight(string(r), "\r"))
	}
	return t
}

func parseTmplLine(s string) tmplLine {
	var l tmplLine
	for l.indent < len(s) && s[l.indent] == ' ' {
		l.indent++
	}
	rest := s[l.indent:]
	l.content = l.indent
	if l.indent == 0 && strings.HasPrefix(rest, "---") && (len(rest) == 3 || rest[3] == ' ' || rest[3] == '\t') {
		l.sep = true
		return l
	}
	trimmed := strings.TrimSpace(rest)
	l.meaningful = trimmed != "" && !strings.HasPrefix(trimmed, "#") && !strings.HasPrefix(trimmed, "{{")
	for rest == "-" || strings.HasPrefix(rest, "- ") {
		l.dash = true
		n := 1
		for n < len(rest) && rest[n] == ' ' {
			n++
		}
		l.content += n
		rest = rest[n:]
	}
	rest = strings.TrimRight(rest, " \t")
	key, value, ok := splitKey(rest)
	if ok {
		l.isKey = true
		l.key = key
		l.keyTemplated = strings.Contains(key, "{{")
		rest = value
	}
	l.templated = strings.Contains(rest, "{{")
	l.value = normalizeValue(rest)
	return l
}

// splitKey splits "key: value", "key:" and quoted keys. A colon inside a
// plain scalar without a following space is not a key separator.
func splitKey(s string) (key, value string, ok bool) {
	if s == "" {
		return "", "", false
	}
	if s[0] == '"' || s[0] == '\'' {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return "", "", false
		}
		after := s[end+2:]
		if after == ":" || strings.HasPrefix(after, ": ") {
			return s[1 : end+1], strings.TrimSpace(after[1:]), true
		}
		return "", "", false
	}
	if s[0] == '{' && !strings.HasPrefix(s, "{{") || s[0] == '[' {
		return "", "", false
	}
	// A template action may hold ": " (e.g. {{ printf "%s: x" }}), so skip
	// over actions when looking for the separator.
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "{{") {
			end := strings.Index(s[i:], "}}")
			if end < 0 {
				return "", "", false
			}
			i += end + 1
			continue
		}
		if s[i] == ':' && (i == len(s)-1 || s[i+1] == ' ' || s[i+1] == '\t') {
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]), true
		}
		if s[i] == ' ' && i+1 < len(s) && s[i+1] == '#' {
			return "", "", false
		}
	}
	return "", "", false
}

// normalizeValue drops a trailing comment and surrounding quotes so that
// `name: "x"  # why` compares equal to the rendered scalar x.
func normalizeValue(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return v
	}
	if q := v[0]; q == '"' || q == '\'' {
		if end := strings.LastIndexByte(v, q); end > 0 {
			inner := v[1:end]
			if q == '"' {
				if u, err := strconv.Unquote(v[:end+1]); err == nil {
					return u
				}
			}
			if q == '\'' {
				return strings.ReplaceAll(inner, "''", "'")
			}
			return inner
		}
		return v
	}
	if i := strings.Index(v, " #"); i >= 0 && !strings.Contains(v[:i], "{{") {
		v = strings.TrimSpace(v[:i])
	}
	return v
}

// looseValue: a value that may render to anything (an action, nothing, a
// block or flow collection, an anchor or alias).
func (l *tmplLine) looseValue() bool {
	if l.templated || l.value == "" {
		return true
	}
	switch l.value[0] {
	case '|', '>', '[', '{', '&', '*', '!':
		return true
	}
	return false
}

// Match qualities, best first.
const (
	matchNone = iota
	matchLooseAnyColumn
	matchExactAnyColumn
	matchLoose
	matchExact
)

// step is one rendered path step: a mapping key (keyNode set) or a
// sequence item.
type step struct {
	keyNode *yaml.Node // the key, for a mapping step
	value   *yaml.Node // the value or the item
}

// quality is how well template line l matches the rendered step.
func (s step) quality(l *tmplLine) int {
	var exact, loose bool
	var column int
	if s.keyNode != nil {
		column = s.keyNode.Column - 1
		if !l.isKey {
			return matchNone
		}
		exact = l.key == s.keyNode.Value && valueEqual(l, s.value)
		loose = (l.key == s.keyNode.Value || l.keyTemplated) && l.looseValue()
	} else {
		column = s.value.Column - 1
		if !l.dash {
			return matchNone
		}
		switch s.value.Kind {
		case yaml.MappingNode:
			if len(s.value.Content) >= 2 {
				fk, fv := s.value.Content[0], resolveAlias(s.value.Content[1])
				exact = l.isKey && l.key == fk.Value && valueEqual(l, fv)
				loose = l.isKey && (l.key == fk.Value || l.keyTemplated) && l.looseValue()
			}
			loose = loose || !l.isKey && l.looseValue()
		case yaml.ScalarNode:
			exact = !l.isKey && !l.templated && l.value == s.value.Value
			loose = !l.isKey && l.templated
		default:
			loose = !l.isKey && l.looseValue()
		}
	}
	switch {
	case exact && l.content == column:
		return matchExact
	case loose && l.content == column:
		return matchLoose
	case exact:
		return matchExactAnyColumn
	case loose:
		return matchLooseAnyColumn
	}
	return matchNone
}

// valueEqual: the template line's literal value is the rendered value (a
// scalar), or the line is a bare key and the value a block collection.
func valueEqual(l *tmplLine, v *yaml.Node) bool {
	if v == nil || l.templated {
		return false
	}
	if v.Kind == yaml.ScalarNode {
		return l.value == v.Value && l.value != ""
	}
	return l.value == ""
}

// helmObject maps the paths of one rendered object to its template lines.
type helmObject struct {
	t        *helmTemplate
	root     *yaml.Node
	anchor   int // the object's "kind:" line, -1 when not found
	docStart int
	docEnd   int
	// byName: the anchor was chosen by a literal metadata.name, so the
	// document does not count as an occurrence of a repeated one.
	byName bool

	mu   sync.Mutex
	memo map[string]located
}

// located is where a rendered node was found: a line index, and whether it
// was matched as a sequence item (its first key shares the line).
type located struct {
	line int // -1: nowhere (only the root may be nowhere)
	dash bool
	root bool
}

// anchor is a "kind:" line of a template with the document around it.
type anchor struct {
	line, docStart, docEnd int
	name                   string // the literal metadata.name
	literal                bool   // name is literal (not templated, and found)
}

// anchors are the "kind: <kind>" lines at column col, computed once per
// template and kind.
func (t *helmTemplate) anchors(kind string, col int) []anchor {
	key := strconv.Itoa(col) + "\x00" + kind
	if a, ok := t.anchorCache[key]; ok {
		return a
	}
	var out []anchor
	for i := range t.lines {
		l := &t.lines[i]
		if !l.isKey || l.key != "kind" || l.templated || l.value != kind || l.content != col {
			continue
		}
		a := anchor{line: i, docStart: 0, docEnd: len(t.lines)}
		for j := i - 1; j >= 0; j-- {
			if t.lines[j].sep {
				a.docStart = j + 1
				break
			}
		}
		for j := i + 1; j < len(t.lines); j++ {
			if t.lines[j].sep {
				a.docEnd = j
				break
			}
		}
		a.name, a.literal = t.literalName(a, col)
		out = append(out, a)
	}
	if t.anchorCache == nil {
		t.anchorCache = map[string][]anchor{}
	}
	t.anchorCache[key] = out
	return out
}

// literalName is the metadata.name the anchor's document sets literally;
// literal is false when it is templated or not found.
func (t *helmTemplate) literalName(a anchor, col int) (name string, literal bool) {
	h := &helmObject{t: t, anchor: a.line, docStart: a.docStart, docEnd: a.docEnd}
	for m := a.docStart; m < a.docEnd; m++ {
		l := &t.lines[m]
		if !l.isKey || l.key != "metadata" || l.content != col || l.value != "" {
			continue
		}
		lo, hi := h.block(located{line: m})
		childCol := -1
		for j := lo; j < hi; j++ {
			n := &t.lines[j]
			if !n.meaningful {
				continue
			}
			if childCol < 0 {
				childCol = n.content
			}
			if n.isKey && n.key == "name" && n.content == childCol {
				if n.templated || n.value == "" {
					return "", false
				}
				return n.value, true
			}
		}
		return "", false
	}
	return "", false
}

// newHelmObject anchors a rendered document at a "kind: <Kind>" line of
// the template: the one whose document sets the rendered name literally,
// else the occurrence-th of those that do not set another name literally
// (a range repeats its document, so later occurrences clamp to the last).
func newHelmObject(t *helmTemplate, root *yaml.Node, occurrence int) *helmObject {
	h := &helmObject{t: t, root: docRoot(root), anchor: -1, docEnd: len(t.lines), memo: map[string]located{}}
	if h.root == nil || h.root.Kind != yaml.MappingNode {
		return h
	}
	kindKey, kindValue := mappingGet(h.root, "kind")
	if kindKey == nil || kindValue.Kind != yaml.ScalarNode {
		return h
	}
	name := ""
	if _, meta := mappingGet(h.root, "metadata"); meta != nil {
		if _, n := mappingGet(meta, "name"); n != nil && n.Kind == yaml.ScalarNode {
			name = n.Value
		}
	}
	all := t.anchors(kindValue.Value, kindKey.Column-1)
	var open []anchor // anchors whose name is templated or not found
	for _, a := range all {
		if a.literal && a.name == name {
			h.anchor, h.docStart, h.docEnd, h.byName = a.line, a.docStart, a.docEnd, true
			return h
		}
		if !a.literal {
			open = append(open, a)
		}
	}
	if len(open) == 0 {
		// Every document names another object literally (a post-renderer
		// renamed it?): count occurrences over all of them.
		open = all
	}
	if len(open) == 0 {
		return h
	}
	occurrence = min(max(occurrence, 0), len(open)-1)
	a := open[occurrence]
	h.anchor, h.docStart, h.docEnd = a.line, a.docStart, a.docEnd
	return h
}

// objectLine is the object's own line: its kind line, else 1.
func (h *helmObject) objectLine() int {
	if h.anchor >= 0 {
		return h.anchor + 1
	}
	return 1
}

// line is the 1-based template line for path (string keys, int indexes):
// the line of the field or of its nearest ancestor found in the template,
// else the object's kind line, else 1.
func (h *helmObject) line(path []any) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.t.lines) == 0 {
		return 1
	}
	loc := h.resolve(path)
	if loc.line < 0 {
		return h.objectLine()
	}
	return loc.line + 1
}

// resolve finds path, or its nearest ancestor that can be found.
func (h *helmObject) resolve(path []any) located {
	rootLoc := located{line: h.anchor, root: true}
	if h.root == nil {
		return rootLoc
	}
	loc := rootLoc
	node := h.root
	var key strings.Builder
	for i, el := range path {
		st, ok := childStep(node, el)
		if !ok {
			return loc
		}
		appendPathKey(&key, el)
		k := key.String()
		next, seen := h.memo[k]
		if !seen {
			next = h.find(path[:i], loc, st, el)
			h.memo[k] = next
		}
		if next.line < 0 {
			return loc
		}
		loc, node = next, st.value
	}
	return loc
}

// find locates one step below its parent's location. Sequence items are
// searched after their previous sibling first, so the second container's
// fields map below the first container; the object's own fields after its
// kind line first. A line at the rendered column wins over one elsewhere.
func (h *helmObject) find(parentPath []any, parent located, st step, el any) located {
	lo, hi := h.block(parent)
	isItem := st.keyNode == nil
	if idx, ok := asIndex(el); ok && isItem && idx > 0 {
		prev := h.resolveItem(parentPath, idx-1)
		if prev.line >= lo && prev.line < hi {
			if l := h.search(prev.line+1, hi, st, matchLoose); l >= 0 {
				return located{line: l, dash: true}
			}
		}
	}
	if parent.root && h.anchor >= 0 {
		if l := h.search(h.anchor, hi, st, matchLoose); l >= 0 {
			return located{line: l, dash: isItem}
		}
	}
	if l := h.search(lo, hi, st, matchLooseAnyColumn); l >= 0 {
		return located{line: l, dash: isItem}
	}
	return located{line: -1}
}

// resolveItem resolves item idx of the sequence at parentPath, resolving
// the items before it first (in order, so no deep recursion on long lists).
func (h *helmObject) resolveItem(parentPath []any, idx int) located {
	p := make([]any, len(parentPath), len(parentPath)+1)
	copy(p, parentPath)
	start := idx
	for start > 0 && !h.memoized(append(p, start-1)) {
		start--
	}
	var loc located
	for j := start; j <= idx; j++ {
		loc = h.resolve(append(p, j))
	}
	return loc
}

func (h *helmObject) memoized(path []any) bool {
	var key strings.Builder
	for _, el := range path {
		appendPathKey(&key, el)
	}
	_, ok := h.memo[key.String()]
	return ok
}

// block is the line range in which the children of loc may be found.
func (h *helmObject) block(loc located) (lo, hi int) {
	if loc.root || loc.line < 0 {
		return h.docStart, h.docEnd
	}
	l := &h.t.lines[loc.line]
	lo = loc.line + 1
	if loc.dash {
		lo = loc.line // the item's first key is on the dash line
	}
	for j := loc.line + 1; j < h.docEnd; j++ {
		n := &h.t.lines[j]
		if n.sep {
			return lo, j
		}
		if !n.meaningful {
			continue
		}
		if loc.dash && n.indent <= l.indent {
			return lo, j
		}
		if !loc.dash && (n.indent < l.content || n.indent == l.content && !n.dash) {
			return lo, j
		}
	}
	return lo, h.docEnd
}

// search returns the best line in [lo, hi) matching at least minQ, -1 when
// none.
func (h *helmObject) search(lo, hi int, st step, minQ int) int {
	if lo < 0 {
		lo = 0
	}
	if hi > len(h.t.lines) {
		hi = len(h.t.lines)
	}
	best, bestQ := -1, minQ-1
	for i := lo; i < hi; i++ {
		q := st.quality(&h.t.lines[i])
		if q > bestQ {
			best, bestQ = i, q
			if q == matchExact {
				break
			}
		}
	}
	return best
}

// nextKey is the index of the n-th line after line i that holds key at
// the column line i holds it, in the same block (before a line less
// indented than that column); -1 when line i does not hold key literally
// or there is no such line.
func (t *helmTemplate) nextKey(i int, key string, n int) int {
	if n < 1 || i < 0 || i >= len(t.lines) {
		return -1
	}
	at := &t.lines[i]
	if !at.isKey || at.keyTemplated || at.key != key {
		return -1
	}
	for j := i + 1; j < len(t.lines); j++ {
		l := &t.lines[j]
		if l.sep {
			return -1
		}
		if !l.meaningful {
			continue
		}
		if l.indent < at.content {
			return -1
		}
		if l.isKey && !l.keyTemplated && l.key == key && l.content == at.content && !l.dash {
			if n--; n == 0 {
				return j
			}
		}
	}
	return -1
}

// childStep is the rendered step for one path element below node.
func childStep(node *yaml.Node, el any) (step, bool) {
	node = resolveAlias(node)
	if node == nil {
		return step{}, false
	}
	switch e := el.(type) {
	case string:
		if node.Kind != yaml.MappingNode {
			return step{}, false
		}
		k, v := mappingGet(node, e)
		if k == nil {
			return step{}, false
		}
		return step{keyNode: k, value: v}, true
	default:
		idx, ok := asIndex(el)
		if !ok || node.Kind != yaml.SequenceNode || idx < 0 || idx >= len(node.Content) {
			return step{}, false
		}
		v := resolveAlias(node.Content[idx])
		if v == nil {
			return step{}, false
		}
		return step{value: v}, true
	}
}

func asIndex(el any) (int, bool) {
	switch e := el.(type) {
	case int:
		return e, true
	case int64:
		return int(e), true
	case int32:
		return int(e), true
	}
	return 0, false
}

func appendPathKey(b *strings.Builder, el any) {
	if s, ok := el.(string); ok {
		b.WriteString("\x00k")
		b.WriteString(s)
		return
	}
	idx, _ := asIndex(el)
	b.WriteString("\x00i")
	b.WriteString(strconv.Itoa(idx))
}

// docRoot unwraps a document node to its content.
func docRoot(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	return resolveAlias(n)
}

// resolveAlias follows alias nodes to what they name (bounded, since a
// crafted document can make an alias refer to itself).
func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 64 {
			return nil
		}
		n = n.Alias
	}
	return n
}

// mappingGet returns the key and value nodes for key in a mapping node.
func mappingGet(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			v := resolveAlias(m.Content[i+1])
			if v == nil {
				return nil, nil
			}
			return m.Content[i], v
		}
	}
	return nil, nil
}
