package manifest

import (
	"encoding/base64"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/render"
)

func build(res render.Result, shared *Shared) (*Set, *render.Error) {
	if res.Err != nil {
		return nil, res.Err
	}
	b := &builder{res: res, shared: shared, templates: map[string]*helmTemplate{}, sources: map[string]*yamlSource{},
		texts: map[string][]byte{}, occurrences: map[string]int{}}
	set := &Set{Namespaces: map[string]*Object{}, ServiceAccounts: map[string]*Object{}, SourceLine: b.line}
	set.Warnings = append(set.Warnings, res.Warnings...)
	for i, doc := range res.Docs {
		decoded, derr := decodeDocs(doc.YAML)
		if derr != nil {
			return nil, b.docError(i, doc, derr)
		}
		for _, d := range decoded {
			obj, values := newObject(d, doc.File, res.DefaultNamespace)
			set.Redact = append(set.Redact, values...)
			src := b.locate(obj, doc.Line)
			if len(doc.Patches) > 0 {
				b.locatePatches(obj, src, doc.Patches)
			}
			set.Objects = append(set.Objects, obj)
			set.Warnings = append(set.Warnings, b.duplicateWarnings(doc, obj, d.duplicates)...)
		}
	}
	for _, obj := range set.Objects {
		if group(obj.APIVersion) == "" {
			switch obj.Kind {
			case "Namespace":
				set.Namespaces[obj.Name] = obj
			case "ServiceAccount":
				set.ServiceAccounts[obj.Namespace+"/"+obj.Name] = obj
			}
		}
		if w := workload(obj); w != nil {
			set.Workloads = append(set.Workloads, w)
		}
		set.Producers = append(set.Producers, producers(obj)...)
	}
	configMaps := map[string]*Object{}
	for _, obj := range set.Objects {
		if group(obj.APIVersion) == "" && obj.Kind == "ConfigMap" {
			configMaps[obj.Namespace+"/"+obj.Name] = obj
		}
	}
	for _, w := range set.Workloads {
		set.Producers = append(set.Producers, generatorProducers(w, configMaps)...)
	}
	set.Creators = runTimeCreators(set)
	wi := 0
	for _, obj := range set.Objects {
		if wi < len(set.Workloads) && set.Workloads[wi].Object == obj {
			refs, problems := workloadRefs(set.Workloads[wi])
			set.Refs = append(set.Refs, refs...)
			set.Problems = append(set.Problems, problems...)
			wi++
		}
		set.Refs = append(set.Refs, objectRefs(obj, set.Workloads)...)
	}
	return set, nil
}

// newObject makes an Object of a decoded document; for a Secret it also
// returns the values it blanked.
func newObject(d decodedObject, file, defaultNS string) (*Object, []string) {
	obj := &Object{
		Body: d.body,
		File: file,
		node: d.node,
	}
	obj.APIVersion, _ = d.body["apiVersion"].(string)
	obj.Kind, _ = d.body["kind"].(string)
	obj.Name = stringify(mapAt(d.body, "metadata")["name"])
	obj.Labels = stringMap(d.body, "metadata", "labels")
	obj.Annotations = stringMap(d.body, "metadata", "annotations")
	var values []string
	if group(obj.APIVersion) == "" && obj.Kind == "Secret" {
		values = redactSecret(obj)
	}
	if namespaced(obj.Kind) {
		obj.Namespace = stringify(mapAt(d.body, "metadata")["namespace"])
		if obj.Namespace == "" {
			obj.Namespace = defaultNS
		}
	}
	return obj, values
}

// builder holds the per-file caches of one Build.
type builder struct {
	res       render.Result
	shared    *Shared // nil: files are read and parsed for this Build only
	templates map[string]*helmTemplate
	sources   map[string]*yamlSource
	texts     map[string][]byte
	// occurrences counts objects per file and kind, so the n-th Deployment
	// of a template maps to the n-th "kind: Deployment" line in it.
	occurrences map[string]int
}

// text is a source file's text: from the renderer, else from the
// repository (nil when unavailable or outside the repository).
func (b *builder) text(file string) []byte {
	if file == "" {
		return nil
	}
	if t, ok := b.texts[file]; ok {
		return t
	}
	t, ok := b.res.Sources[file]
	switch {
	case ok:
	case b.shared != nil:
		t = b.shared.file(b.res.Root, file).readText(b.res.Root, file)
	default:
		t, _ = readSource(b.res.Root, file)
	}
	b.texts[file] = t
	return t
}

// line is the text of line n (1-based) of a source file, "" when unknown.
func (b *builder) line(file string, n int) string {
	lines := strings.Split(string(b.text(file)), "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// yamlSource is a repository file's YAML documents: parsed once per run
// when the file came from the repository and Builds share files.
func (b *builder) yamlSource(file string, text []byte) *yamlSource {
	if _, fromRenderer := b.res.Sources[file]; b.shared != nil && !fromRenderer {
		return b.shared.file(b.res.Root, file).source(text)
	}
	return parseYAMLSource(text)
}

// locate sets the object's line and its field line mapper; line is where
// the renderer says the object starts in its file (0: unknown). It returns
// the object's document in a YAML source file (nil for a template, or when
// not found).
func (b *builder) locate(obj *Object, line int) *yaml.Node {
	text := b.text(obj.File)
	if text == nil {
		return nil
	}
	if b.res.Source == "helm" {
		t, ok := b.templates[obj.File]
		if !ok {
			t = parseTemplate(text)
			b.templates[obj.File] = t
		}
		occKey := obj.File + "\x00" + obj.Kind
		h := newHelmObject(t, obj.node, b.occurrences[occKey])
		if !h.byName {
			b.occurrences[occKey]++
		}
		obj.Line = h.objectLine()
		obj.locate = h.line
		return nil
	}
	src, ok := b.sources[obj.File]
	if !ok {
		src = b.yamlSource(obj.File, text)
		b.sources[obj.File] = src
	}
	doc := src.at(line)
	if doc == nil {
		doc = src.find(obj.APIVersion, obj.Kind, obj.Name, obj.node)
	}
	if doc == nil {
		return nil
	}
	obj.Line = docLine(doc)
	rendered := obj.node
	obj.locate = func(path []any) int { return walkSource(doc, rendered, path) }
	return doc
}

// docError turns a decoding problem into a render error at the source line
// that holds the offending text, when it can be found there.
func (b *builder) docError(i int, doc render.Doc, derr *decodeError) *render.Error {
	where := "rendered YAML"
	if doc.File == "" {
		where = fmt.Sprintf("rendered document %d", i+1)
	}
	e := &render.Error{
		File:    doc.File,
		Line:    derr.line,
		Message: fmt.Sprintf("%s: line %d: %s", where, derr.line, derr.msg),
	}
	if l, ok := sourceLine(b.text(doc.File), doc.YAML, derr.line); ok {
		e.Line = l
	}
	return e
}

// duplicateWarnings are the keys a rendered document repeats, at the
// source line of the one taken (the last). A Secret's value is not quoted.
func (b *builder) duplicateWarnings(doc render.Doc, obj *Object, dups []render.Duplicate) []render.Warning {
	var out []render.Warning
	for _, d := range dups {
		w := render.Warning{File: doc.File, Line: b.duplicateLine(doc, obj, d)}
		value := d.Value
		if obj.Kind == "Secret" && group(obj.APIVersion) == "" {
			value = "its value"
		}
		w.Message = fmt.Sprintf("%s %s: key %s is rendered twice; Kubernetes takes the last: %s", obj.Kind, obj.Name, d.Path, value)
		out = append(out, w)
	}
	return out
}

// duplicateLine is the source line of a repeated key: the line of the
// first key of that name, found like any field, then the key's next
// siblings of that name in the source (a template's literal keys keep
// their column), one for each earlier occurrence; else the source line
// holding the rendered key's text; else the first key's line.
func (b *builder) duplicateLine(doc render.Doc, obj *Object, d render.Duplicate) int {
	first := obj.LineOf(d.Fields...)
	text := b.text(doc.File)
	key, _ := d.Fields[len(d.Fields)-1].(string)
	if text != nil && key != "" && first > 0 {
		t, ok := b.templates[doc.File]
		if !ok {
			t = parseTemplate(text)
			b.templates[doc.File] = t
		}
		if l := t.nextKey(first-1, key, earlierKeys(obj.node, d)); l >= 0 {
			return l + 1
		}
	}
	if l, ok := sourceLine(text, doc.YAML, d.Line); ok {
		return l
	}
	return first
}

// earlierKeys counts the keys of d's name in its rendered mapping before
// it: 1 for the second occurrence.
func earlierKeys(root *yaml.Node, d render.Duplicate) int {
	parent := root
	for _, el := range d.Fields[:len(d.Fields)-1] {
		st, ok := childStep(parent, el)
		if !ok {
			return 0
		}
		parent = st.value
	}
	n := 0
	for i := 0; parent != nil && parent.Kind == yaml.MappingNode && i+1 < len(parent.Content); i += 2 {
		if k := parent.Content[i]; k.Value == d.Fields[len(d.Fields)-1] && k.Line < d.Line {
			n++
		}
	}
	return n
}

// redactSecret blanks a Secret's values in the body and the node tree as
// soon as it is decoded: nothing downstream needs them, and a value that is
// not kept cannot leak into a message, a report or a crash dump.
func redactSecret(obj *Object) (values []string) {
	keep := func(field string, v any) {
		var str string
		switch t := v.(type) {
		case string:
			str = t
		case int64, float64:
			str = fmt.Sprint(t)
		}
		if str == "" {
			return
		}
		values = append(values, str)
		if field == "data" {
			if dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(str), "")); err == nil && len(dec) > 0 {
				values = append(values, string(dec))
			}
		}
	}
	for _, field := range []string{"data", "stringData"} {
		if m := mapAt(obj.Body, field); m != nil {
			for k, v := range m {
				keep(field, v)
				m[k] = ""
			}
		} else if v, ok := obj.Body[field]; ok && v != nil {
			// Not a map (kubectl would refuse it), but still a value.
			keep(field, v)
			obj.Body[field] = ""
		}
		_, n := mappingGet(obj.node, field)
		switch {
		case n == nil:
		case n.Kind == yaml.MappingNode:
			for i := 1; i < len(n.Content); i += 2 {
				n.Content[i] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Line: n.Content[i].Line, Column: n.Content[i].Column}
			}
		default:
			*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Line: n.Line, Column: n.Column}
		}
	}
	return values
}
