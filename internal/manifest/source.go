package manifest

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/render"
)

// maxSourceBytes bounds a source file read for line mapping; larger files
// simply get no field lines.
const maxSourceBytes = 16 << 20

// readSource reads a repo-relative file for line mapping. It refuses paths
// that leave root, symlinks included (os.Root), since the path comes from
// rendered output a pull request controls.
func readSource(root, file string) ([]byte, bool) {
	if root == "" || file == "" {
		return nil, false
	}
	name := filepath.FromSlash(file)
	if !filepath.IsLocal(name) {
		return nil, false
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, false
	}
	defer r.Close()
	f, err := r.Open(name)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxSourceBytes {
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSourceBytes+1))
	if err != nil || len(b) > maxSourceBytes {
		return nil, false
	}
	return b, true
}

// yamlSource is a plain YAML source file (a kustomize resource or
// kustomization) parsed into documents.
type yamlSource struct {
	docs []*yaml.Node // root mappings, List items flattened in
}

// parseYAMLSource keeps the documents that parse; a broken one ends the
// list (kustomize would have refused it, so this is best effort).
func parseYAMLSource(b []byte) *yamlSource {
	s := &yamlSource{}
	for doc := range render.Documents(b) {
		if root := docRoot(doc); root != nil && root.Kind == yaml.MappingNode {
			s.add(root, 0)
		}
	}
	return s
}

// add appends a document and, for a List, its items.
func (s *yamlSource) add(d *yaml.Node, depth int) {
	s.docs = append(s.docs, d)
	if depth >= maxListDepth || !strings.HasSuffix(scalarOf(d, "kind"), "List") {
		return
	}
	if _, items := mappingGet(d, "items"); items != nil && items.Kind == yaml.SequenceNode {
		for _, it := range items.Content {
			if it = resolveAlias(it); it != nil && it.Kind == yaml.MappingNode {
				s.add(it, depth+1)
			}
		}
	}
}

func scalarOf(m *yaml.Node, path ...string) string {
	cur := m
	for _, p := range path {
		_, cur = mappingGet(cur, p)
		if cur == nil {
			return ""
		}
	}
	if cur.Kind != yaml.ScalarNode {
		return ""
	}
	return cur.Value
}

// at is the source document, or List item, that starts at line; nil when
// none does, or line is 0.
func (s *yamlSource) at(line int) *yaml.Node {
	if line <= 0 {
		return nil
	}
	for _, d := range s.docs {
		if d.Line == line {
			return d
		}
	}
	return nil
}

// find picks the source document of an object: same kind and the same
// name, or a name contained in the rendered one (namePrefix, nameSuffix and
// generator hashes change names); else a generator entry of a
// kustomization; else the document a patch changed the kind of
// (patchedFrom); else the first of that kind; else the first document.
func (s *yamlSource) find(apiVersion, kind, name string, rendered *yaml.Node) *yaml.Node {
	if d := s.named(name, func(d *yaml.Node) bool { return scalarOf(d, "kind") == kind }); d != nil {
		return d
	}
	if g := s.generator(kind, name); g != nil {
		return g
	}
	if d := s.patchedFrom(apiVersion, name, rendered); d != nil {
		return d
	}
	for _, d := range s.docs {
		if scalarOf(d, "kind") == kind {
			return d
		}
	}
	if len(s.docs) > 0 {
		return s.docs[0]
	}
	return nil
}

// patchedFrom is the document of another kind that a patch turned into the
// rendered object (emojivoto's overlays turn Deployments into DaemonSets,
// StatefulSets and Jobs): of those with its name, or else the longest name
// contained in it, the one sharing the most fields with it (a Deployment
// over the ServiceAccount of the same name), of its API group on a tie.
func (s *yamlSource) patchedFrom(apiVersion, name string, rendered *yaml.Node) *yaml.Node {
	var best *yaml.Node
	bestLen, bestScore := 0, 0
	for _, d := range s.docs {
		n := scalarOf(d, "metadata", "name")
		l := len(n)
		switch {
		case n == name:
			l++ // the name itself beats any contained one
		case n == "" || !strings.Contains(name, n):
			continue
		}
		score := 2 * sharedFields(d, rendered, 3)
		if group(scalarOf(d, "apiVersion")) == group(apiVersion) {
			score++
		}
		if l > bestLen || l == bestLen && score > bestScore {
			best, bestLen, bestScore = d, l, score
		}
	}
	return best
}

// sharedFields counts the mapping keys a and b both have, down to depth
// levels.
func sharedFields(a, b *yaml.Node, depth int) int {
	a, b = resolveAlias(a), resolveAlias(b)
	if depth == 0 || a == nil || b == nil || a.Kind != yaml.MappingNode || b.Kind != yaml.MappingNode {
		return 0
	}
	n := 0
	for i := 0; i+1 < len(a.Content); i += 2 {
		if k, v := mappingGet(b, a.Content[i].Value); k != nil {
			n += 1 + sharedFields(a.Content[i+1], v, depth-1)
		}
	}
	return n
}

// named is the document of those ok accepts whose name is name, else the
// one with the longest name contained in it; nil when none is.
func (s *yamlSource) named(name string, ok func(*yaml.Node) bool) *yaml.Node {
	var contained *yaml.Node
	longest := 0
	for _, d := range s.docs {
		if !ok(d) {
			continue
		}
		n := scalarOf(d, "metadata", "name")
		if n == name {
			return d
		}
		if n != "" && strings.Contains(name, n) && len(n) > longest {
			contained, longest = d, len(n)
		}
	}
	return contained
}

// generator finds the secretGenerator/configMapGenerator entry that made a
// generated object, when the origin is the kustomization itself.
func (s *yamlSource) generator(kind, name string) *yaml.Node {
	field := map[string]string{"Secret": "secretGenerator", "ConfigMap": "configMapGenerator"}[kind]
	if field == "" {
		return nil
	}
	var best *yaml.Node
	bestLen := 0
	for _, d := range s.docs {
		_, list := mappingGet(d, field)
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range list.Content {
			it = resolveAlias(it)
			n := scalarOf(it, "name")
			if n != "" && strings.Contains(name, n) && len(n) > bestLen {
				best, bestLen = it, len(n)
			}
		}
	}
	return best
}

// docLine is the line of a source document: its apiVersion or kind key,
// whichever comes first, else where the mapping starts.
func docLine(d *yaml.Node) int {
	line := 0
	for _, k := range []string{"apiVersion", "kind"} {
		if key, _ := mappingGet(d, k); key != nil && (line == 0 || key.Line < line) {
			line = key.Line
		}
	}
	if line == 0 {
		line = d.Line
	}
	return line
}

// mergeKeys identify list items across a patch: the strategic-merge keys
// of the lists meshgate points into (containers, env, volumes, ports,
// items), so a patched or reordered list still maps item to item.
var mergeKeys = []string{"name", "key", "mountPath", "containerPort", "port", "secretKey"}

// walkSource finds path in a source document, guided by the rendered node
// for list items; it returns the line of the deepest element found.
func walkSource(src, rendered *yaml.Node, path []any) int {
	line, _, _ := walkSourceDepth(src, rendered, path)
	return line
}

// walkSourceDepth is walkSource, how many elements of path it found, and
// the node of the deepest.
func walkSourceDepth(src, rendered *yaml.Node, path []any) (line, depth int, at *yaml.Node) {
	line = docLine(src)
	cur, ren := src, rendered
	for _, el := range path {
		cur = resolveAlias(cur)
		if cur == nil {
			return line, depth, cur
		}
		st, renOK := childStep(ren, el)
		if s, ok := el.(string); ok {
			k, v := mappingGet(cur, s)
			if k == nil {
				return line, depth, cur
			}
			line, cur = k.Line, v
		} else {
			idx, ok := asIndex(el)
			if !ok || cur.Kind != yaml.SequenceNode {
				return line, depth, cur
			}
			var item *yaml.Node
			switch {
			case renOK && hasMergeKey(st.value):
				item = matchItem(cur, st.value)
			case idx >= 0 && idx < len(cur.Content):
				item = resolveAlias(cur.Content[idx])
			}
			if item == nil {
				return line, depth, cur
			}
			line, cur = item.Line, item
		}
		depth++
		if renOK {
			ren = st.value
		} else {
			ren = nil
		}
	}
	return line, depth, cur
}

func hasMergeKey(item *yaml.Node) bool {
	for _, k := range mergeKeys {
		if scalarOf(item, k) != "" {
			return true
		}
	}
	return false
}

// matchItem finds the source item with the rendered item's merge key.
func matchItem(seq, item *yaml.Node) *yaml.Node {
	for _, k := range mergeKeys {
		want := scalarOf(item, k)
		if want == "" {
			continue
		}
		for _, c := range seq.Content {
			if c = resolveAlias(c); c != nil && scalarOf(c, k) == want {
				return c
			}
		}
		return nil
	}
	return nil
}

// sourceLine maps a line of a rendered document to the source file by its
// text, choosing the occurrence nearest the rendered line; used for
// decoding errors, where there is no node tree to walk.
func sourceLine(source, rendered []byte, renderedLine int) (int, bool) {
	rlines := strings.Split(string(rendered), "\n")
	if source == nil || renderedLine < 1 || renderedLine > len(rlines) {
		return 0, false
	}
	want := strings.TrimSpace(rlines[renderedLine-1])
	if want == "" {
		return 0, false
	}
	best, bestDist := 0, -1
	for i, l := range strings.Split(string(source), "\n") {
		if strings.TrimSpace(l) != want {
			continue
		}
		d := i + 1 - renderedLine
		if d < 0 {
			d = -d
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = i+1, d
		}
	}
	return best, best > 0
}
