package manifests

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/render"
)

// reader gathers the objects of a folder's files, in order.
type reader struct {
	defaultNS string
	docs      []render.Doc
	// ids are the identities of docs ("" for none); dropped the docs a
	// later definition of the same object replaces.
	ids     []string
	dropped map[int]bool
	// seen is the index in docs of each object by its identity; places
	// are where it is defined, names what it is.
	seen     map[string]int
	places   map[string][]string
	names    map[string]string
	warnings []render.Warning
	sources  map[string][]byte
	// skipped are the lines of the current file's documents that are not
	// Kubernetes objects.
	skipped []int
}

func newReader(defaultNS string) *reader {
	return &reader{defaultNS: defaultNS, dropped: map[int]bool{}, seen: map[string]int{},
		places: map[string][]string{}, names: map[string]string{}, sources: map[string][]byte{}}
}

// result fills res with what the files gave: an object defined more than
// once is taken as `kubectl apply -f` leaves it, the last definition, and
// a notice there names every place.
func (r *reader) result(res render.Result) render.Result {
	for i, d := range r.docs {
		if r.dropped[i] {
			continue
		}
		res.Docs = append(res.Docs, d)
		if ps := r.places[r.ids[i]]; len(ps) > 1 {
			times := "twice"
			if len(ps) > 2 {
				times = fmt.Sprintf("%d times", len(ps))
			}
			r.warnings = append(r.warnings, render.Warning{File: d.File, Line: d.Line, Severity: finding.SeverityNotice,
				Message: fmt.Sprintf("%s is defined %s, at %s and %s; kubectl apply -f takes the last, which is what meshgate checks",
					r.names[r.ids[i]], times, strings.Join(ps[:len(ps)-1], ", "), ps[len(ps)-1])})
		}
	}
	res.Warnings = r.warnings
	res.Sources = r.sources
	return res
}

// file reads the documents of the file rel.
func (r *reader) file(rel string, data []byte) *render.Error {
	r.sources[rel] = data
	r.skipped = nil
	chunks, rerr := split(data)
	if rerr != nil {
		rerr.File = rel
		return rerr
	}
	for _, c := range chunks {
		r.chunk(rel, c)
	}
	switch n := len(r.skipped); {
	case n == 1:
		r.warnings = append(r.warnings, render.Warning{File: rel, Line: r.skipped[0],
			Message: fmt.Sprintf("skipped %s: it is not a Kubernetes object (no apiVersion and kind)", rel)})
	case n > 1:
		r.warnings = append(r.warnings, render.Warning{File: rel, Line: r.skipped[0],
			Message: fmt.Sprintf("skipped %d documents of %s that are not Kubernetes objects (no apiVersion and kind)", n, rel)})
	}
	return nil
}

// chunk is the text between two document separators, and the line of the
// file it starts at.
type chunk struct {
	text []byte
	line int
}

// split cuts a file into documents as kubectl's YAML reader does: at lines
// that start with "---" followed by nothing but spaces or a comment, which
// are dropped. Another "---" line is an error, as for kubectl. JSON (text
// starting with '{' or '[') is one document.
func split(data []byte) ([]chunk, *render.Error) {
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return []chunk{{text: data, line: 1}}, nil
	}
	var out []chunk
	var cur []byte
	start := 1
	br := bufio.NewReader(bytes.NewReader(data))
	for line := 1; ; line++ {
		text, err := br.ReadBytes('\n')
		if rest, ok := bytes.CutPrefix(text, []byte("---")); ok {
			trimmed := strings.TrimSpace(string(rest))
			if trimmed != "" && trimmed[0] != '#' {
				return nil, &render.Error{Line: line, Message: fmt.Sprintf("invalid YAML document separator %q: kubectl accepts only a comment after ---", strings.TrimSpace(string(text)))}
			}
			if len(cur) > 0 {
				out = append(out, chunk{text: cur, line: start})
			}
			cur, start = nil, line+1
		} else {
			cur = append(cur, text...)
		}
		if err != nil {
			break
		}
	}
	if len(cur) > 0 {
		out = append(out, chunk{text: cur, line: start})
	}
	return out, nil
}

// chunk adds the objects of one chunk of the file rel. Text that does not
// parse is passed on as written: decoding the rendered documents reports
// it at its line, and the environment fails as `kubectl apply` would.
func (r *reader) chunk(rel string, c chunk) {
	dec := yaml.NewDecoder(bytes.NewReader(c.text))
	var roots []*yaml.Node
	for {
		var d yaml.Node
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			r.add(render.Doc{YAML: c.text, File: rel, Line: c.line}, "", "")
			return
		}
		if len(d.Content) > 0 && !isNull(d.Content[0]) {
			roots = append(roots, d.Content[0])
		}
	}
	offset := c.line - 1
	for _, root := range roots {
		text := c.text
		if len(roots) > 1 {
			text = encode(root, c.text)
		}
		if root.Kind != yaml.MappingNode || scalar(root, "apiVersion") == "" && scalar(root, "kind") == "" {
			r.skipped = append(r.skipped, offset+root.Line)
			continue
		}
		r.object(rel, offset, root, text, 0)
	}
}

// maxListDepth bounds the nesting of Lists expanded here; deeper ones are
// passed on whole, and decoding them reports the depth.
const maxListDepth = 8

// object adds the object n of the file rel (its lines offset lines down
// the file), written as text, and a List's items in its place, as kubectl
// does. A List that cannot be expanded item by item here (an item that is
// not an object, aliases) is passed on whole.
func (r *reader) object(rel string, offset int, n *yaml.Node, text []byte, depth int) {
	_, hasSpec := get(n, "spec")
	if items, _ := get(n, "items"); items != nil && items.Kind == yaml.SequenceNode && render.IsListKind(scalar(n, "kind"), hasSpec) &&
		depth < maxListDepth && expandable(items) {
		for _, it := range items.Content {
			r.object(rel, offset, it, encode(it, nil), depth+1)
		}
		return
	}
	doc := render.Doc{YAML: text, File: rel, Line: offset + n.Line}
	kind, name := scalar(n, "kind"), scalar(n, "metadata", "name")
	ns := scalar(n, "metadata", "namespace")
	if ns == "" {
		ns = r.defaultNS
	}
	group, _, _ := strings.Cut(scalar(n, "apiVersion"), "/")
	if !strings.Contains(scalar(n, "apiVersion"), "/") {
		group = ""
	}
	id := ""
	if kind != "" && name != "" {
		id = strings.Join([]string{group, kind, ns, name}, "\x00")
	}
	r.add(doc, id, kind+" "+ns+"/"+name)
}

// add appends doc, the object id (none: "") named what. An earlier
// definition of the same object is dropped.
func (r *reader) add(doc render.Doc, id, what string) {
	if id != "" {
		if i, ok := r.seen[id]; ok {
			r.dropped[i] = true
		}
		r.seen[id] = len(r.docs)
		r.places[id] = append(r.places[id], fmt.Sprintf("%s:%d", doc.File, doc.Line))
		r.names[id] = what
	}
	r.ids = append(r.ids, id)
	r.docs = append(r.docs, doc)
}

// expandable reports List items that are all objects written without
// aliases, so that each can be written out on its own.
func expandable(items *yaml.Node) bool {
	for _, it := range items.Content {
		if it.Kind != yaml.MappingNode || hasAlias(it) {
			return false
		}
	}
	return true
}

func hasAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c) {
			return true
		}
	}
	return false
}

// encode writes n as a YAML document; fallback when it cannot be written.
func encode(n *yaml.Node, fallback []byte) []byte {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if enc.Encode(n) != nil || enc.Close() != nil {
		return fallback
	}
	return b.Bytes()
}

// get is the value of key in the mapping n, the last one where the key
// repeats (kubectl takes the last).
func get(n *yaml.Node, key string) (v *yaml.Node, ok bool) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v, ok = n.Content[i+1], true
		}
	}
	return v, ok
}

// scalar is the text of the scalar at path under n, else "".
func scalar(n *yaml.Node, path ...string) string {
	for _, p := range path {
		n, _ = get(n, p)
	}
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }
