package manifest

import (
	"bytes"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/render"
)

// A field that a GitOps object's patch sets (render.Patch) is located in
// that patch, in the object's file: that is the line a person edits. The
// patch wins where it holds more of the field's path than the source file
// does, or as much when it writes the field's value; otherwise the source
// file stands.

// patchSource is one patch, read for locating.
type patchSource struct {
	file string
	line int // the patch entry's line in file
	// start is the line of the patch text's first line in file, 0 when
	// the text is not found there line by line (a folded or quoted
	// string): then every field of it is at line.
	start int
	smp   []*yaml.Node // the documents of a strategic merge patch
	ops   []patchOp    // the operations of a JSON 6902 patch
}

// patchOp is a JSON 6902 operation that writes a value.
type patchOp struct {
	path  []string // the JSON pointer's tokens, unescaped
	line  int      // the operation's line in the patch text
	value *yaml.Node
}

// newPatchSource reads p; text is p.File's content (nil when unknown). It
// is nil when the patch does not parse.
func newPatchSource(p render.Patch, text []byte) *patchSource {
	var root yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(p.Text))
	ps := &patchSource{file: p.File, line: p.Line, start: textStart(text, p.Line, p.Text)}
	for {
		root = yaml.Node{}
		if err := dec.Decode(&root); err != nil {
			break
		}
		if len(root.Content) != 1 {
			continue
		}
		switch doc := root.Content[0]; doc.Kind {
		case yaml.MappingNode:
			ps.smp = append(ps.smp, doc)
		case yaml.SequenceNode:
			ps.ops = append(ps.ops, readOps(doc)...)
		}
	}
	if len(ps.smp) == 0 && len(ps.ops) == 0 {
		return nil
	}
	return ps
}

// readOps are the operations of a JSON 6902 patch that write a value: add
// and replace (test only compares, move and copy take theirs from the
// object).
func readOps(seq *yaml.Node) []patchOp {
	var ops []patchOp
	for _, item := range seq.Content {
		if item.Kind != yaml.MappingNode {
			continue
		}
		_, op := mappingGet(item, "op")
		_, ptr := mappingGet(item, "path")
		_, value := mappingGet(item, "value")
		if op == nil || ptr == nil || value == nil || !strings.HasPrefix(ptr.Value, "/") {
			continue
		}
		switch op.Value {
		case "add", "replace":
		default:
			continue
		}
		var tokens []string
		for _, t := range strings.Split(ptr.Value[1:], "/") {
			tokens = append(tokens, strings.NewReplacer("~1", "/", "~0", "~").Replace(t))
		}
		ops = append(ops, patchOp{path: tokens, line: item.Line, value: value})
	}
	return ops
}

// textStart is the line of file text where the patch text, written as a
// literal block below line entry, starts: its lines, indentation aside,
// are the file's from there. 0 when it is not found within the 40 lines
// that follow the entry (a target written before the patch included).
func textStart(text []byte, entry int, patch string) int {
	want := strings.Split(strings.TrimRight(patch, "\n"), "\n")
	if text == nil || entry < 1 || len(want) == 0 {
		return 0
	}
	lines := bytes.Split(text, []byte("\n"))
	for s := entry - 1; s < len(lines) && s < entry+40; s++ {
		ok := s+len(want) <= len(lines)
		for i := 0; ok && i < len(want); i++ {
			ok = strings.TrimSpace(string(lines[s+i])) == strings.TrimSpace(want[i])
		}
		if ok {
			return s + 1
		}
	}
	return 0
}

// at is the file line of line n of the patch text.
func (ps *patchSource) at(n int) int {
	if ps.start == 0 || n < 1 {
		return ps.line
	}
	return ps.start + n - 1
}

// locate is the patch's deepest hold on path in the rendered object: its
// file line, how many elements of path it holds (0: none), and whether it
// writes the field's value (a scalar at the end of path).
func (ps *patchSource) locate(rendered *yaml.Node, path []any) (line, depth int, value bool) {
	for _, doc := range ps.smp {
		// A strategic merge patch is a partial object: only what it sets.
		if l, d, at := walkSourceDepth(doc, rendered, path); d > depth {
			line, depth, value = ps.at(l), d, d == len(path) && isScalar(at)
		}
	}
	for _, op := range ps.ops {
		n := 0
		for n < len(op.path) && n < len(path) && tokenMatches(op, n, rendered, path) {
			n++
		}
		switch {
		case n < len(op.path) && n < len(path):
			continue // another field
		case n < len(op.path):
			// The operation writes below the field: it is where the field
			// gets its content.
			if n > depth {
				line, depth, value = ps.at(op.line), n, false
			}
			continue
		}
		sub := rendered
		for _, el := range path[:n] {
			st, ok := childStep(sub, el)
			if !ok {
				sub = nil
				break
			}
			sub = st.value
		}
		l, d, at := walkSourceDepth(op.value, sub, path[n:])
		if d == 0 {
			l = op.value.Line
		}
		if n+d > depth {
			line, depth, value = ps.at(l), n+d, n+d == len(path) && isScalar(at)
		}
	}
	return line, depth, value
}

// isScalar reports a scalar node.
func isScalar(n *yaml.Node) bool {
	n = resolveAlias(n)
	return n != nil && n.Kind == yaml.ScalarNode
}

// tokenMatches reports whether token n of op's JSON pointer names element
// n of path: the same key, the same index, or "-" (appended) for the item
// the operation appends: the one with its value's merge key (a container
// or env var by its name), else the list's last.
func tokenMatches(op patchOp, n int, rendered *yaml.Node, path []any) bool {
	token, el := op.path[n], path[n]
	if s, ok := el.(string); ok {
		return token == s
	}
	idx, ok := asIndex(el)
	if !ok {
		return false
	}
	if token != "-" {
		return token == strconv.Itoa(idx)
	}
	seq := rendered
	for _, e := range path[:n] {
		st, ok := childStep(seq, e)
		if !ok {
			return false
		}
		seq = st.value
	}
	if seq = resolveAlias(seq); seq == nil || seq.Kind != yaml.SequenceNode || idx >= len(seq.Content) {
		return false
	}
	if n == len(op.path)-1 && hasMergeKey(op.value) {
		return matchItem(seq, op.value) == resolveAlias(seq.Content[idx])
	}
	return idx == len(seq.Content)-1
}

// locatePatches lets obj's fields that its patches set more of than its
// source document (src, nil when unknown) be located in those patches.
func (b *builder) locatePatches(obj *Object, src *yaml.Node, patches []render.Patch) {
	var sources []*patchSource
	for _, p := range patches {
		if ps := newPatchSource(p, b.text(p.File)); ps != nil {
			sources = append(sources, ps)
		}
	}
	if len(sources) == 0 {
		return
	}
	rendered := obj.node
	obj.patched = func(path []any) (string, int, bool) {
		have := -1
		if src != nil {
			_, have, _ = walkSourceDepth(src, rendered, path)
		}
		// A patch holding more of the path than the file is where the field
		// comes from; one holding as much is where its value comes from if
		// it writes that value. Of those, the deepest, and of equals the
		// last: kustomize applies patches in order.
		file, line, best := "", 0, 0
		for _, ps := range sources {
			l, d, value := ps.locate(rendered, path)
			if d > 0 && d >= best && (d > have || (d == have && value)) {
				file, line, best = ps.file, l, d
			}
		}
		return file, line, file != ""
	}
}
