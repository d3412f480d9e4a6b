package gitops

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
)

// maxGenerated bounds the Applications one ApplicationSet may generate
// here: a matrix of long lists could otherwise make millions of
// environments.
const maxGenerated = 500

// appSet is one ApplicationSet being expanded.
type appSet struct {
	s      *Scope
	o      Object
	x      *Expansion
	goTmpl bool
	opts   []string
}

// clusterGenerators are the generators that need a cluster or a service
// (applicationset/generators): what they generate is not known offline.
var clusterGenerators = map[string]string{
	"clusters":                "the clusters registered in Argo CD",
	"clusterDecisionResource": "a cluster decision resource in the cluster",
	"scmProvider":             "the repositories of an SCM provider",
	"pullRequest":             "the open pull requests of a repository",
	"plugin":                  "a generator plugin's service",
}

// expandApplicationSet expands an Argo CD ApplicationSet: the parameters
// of its list, git (directories, files) and matrix generators, each set
// substituted into the template as the ApplicationSet controller does
// (applicationset/utils/utils.go, RenderTemplateParams), and each
// generated Application expanded like one written by hand. A generator
// that needs a cluster or a service is a note naming it.
func expandApplicationSet(s *Scope, o Object) Expansion {
	var x Expansion
	spec := mapOf(o.Body, "spec")
	a := &appSet{s: s, o: o, x: &x}
	a.goTmpl, _ = spec["goTemplate"].(bool)
	for _, v := range listOf(spec, "goTemplateOptions") {
		a.opts = append(a.opts, scalarString(v))
	}
	if _, ok := spec["templatePatch"]; ok {
		x.note(o, []any{"spec", "templatePatch"}, "templatePatch is not applied: the Applications are rendered from template alone")
	}
	tmpl := mapOf(spec, "template")
	count := 0
	for i, it := range listOf(spec, "generators") {
		g, _ := it.(map[string]any)
		at := []any{"spec", "generators", i}
		params, ok := a.generate(g, at)
		if !ok {
			continue
		}
		t := tmpl
		if gt := mapOf(g, "template"); gt != nil {
			t = mergeMaps(tmpl, gt)
		}
		for _, p := range params {
			if count++; count > maxGenerated {
				x.note(o, at, "generates more than %d Applications: the others are not expanded", maxGenerated)
				return x
			}
			a.application(t, p)
		}
	}
	return x
}

// generate is the parameter sets of one generator; false with a note when
// it cannot be known offline.
func (a *appSet) generate(g map[string]any, at []any) ([]map[string]any, bool) {
	if _, ok := g["selector"]; ok {
		a.x.note(a.o, append(at, "selector"), "the generator's selector is not applied: every parameter set is expanded")
	}
	var kinds []string
	for k := range g {
		if k != "selector" && k != "template" {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	if len(kinds) != 1 {
		a.x.note(a.o, at, "not expanded: a generator needs exactly one kind, it has %d (%s)", len(kinds), strings.Join(kinds, ", "))
		return nil, false
	}
	kind := kinds[0]
	gen := mapOf(g, kind)
	at = append(append([]any(nil), at...), kind)
	switch kind {
	case "list":
		return a.list(gen, at)
	case "git":
		return a.git(gen, at)
	case "matrix":
		return a.matrix(gen, at)
	}
	if what, ok := clusterGenerators[kind]; ok {
		a.x.note(a.o, at, "not expanded: the %s generator reads %s, which is not known offline", kind, what)
	} else {
		a.x.note(a.o, at, "not expanded: the %s generator is not supported", kind)
	}
	return nil, false
}

// list is the list generator's elements (applicationset/generators/
// list.go): as written with goTemplate, else each string value a
// parameter and values.K those of values; elementsYaml appended as read.
func (a *appSet) list(gen map[string]any, at []any) ([]map[string]any, bool) {
	var out []map[string]any
	for i, it := range listOf(gen, "elements") {
		el, _ := it.(map[string]any)
		if a.goTmpl {
			out = append(out, el)
			continue
		}
		p, err := flatList(el)
		if err != nil {
			a.x.note(a.o, append(append([]any(nil), at...), "elements", i), "not expanded: %v", err)
			return nil, false
		}
		out = append(out, p)
	}
	if y := str(gen, "elementsYaml"); y != "" {
		var els []map[string]any
		if err := yamlUnmarshal(y, &els); err != nil {
			a.x.note(a.o, append(at, "elementsYaml"), "not expanded: elementsYaml: %v", err)
			return nil, false
		}
		out = append(out, els...)
	}
	return out, true
}

// flatList is a list element's parameters without goTemplate: string
// values, and values.K for each string of values.
func flatList(el map[string]any) (map[string]any, error) {
	p := map[string]any{}
	for k, v := range el {
		if k == "values" {
			vals, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("error parsing values map")
			}
			for vk, vv := range vals {
				s, ok := vv.(string)
				if !ok {
					return nil, fmt.Errorf("values.%s is not a string", vk)
				}
				p["values."+vk] = s
			}
			continue
		}
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s is not a string", k)
		}
		p[k] = s
	}
	return p, nil
}

// matrix is the matrix generator (applicationset/generators/matrix.go):
// every parameter set of the first child combined with each of the
// second's, the second rendered with the first's parameters.
func (a *appSet) matrix(gen map[string]any, at []any) ([]map[string]any, bool) {
	children := listOf(gen, "generators")
	if len(children) != 2 {
		a.x.note(a.o, at, "not expanded: a matrix generator needs exactly 2 child generators, it has %d", len(children))
		return nil, false
	}
	first, _ := children[0].(map[string]any)
	p1, ok := a.generate(first, append(append([]any(nil), at...), "generators", 0))
	if !ok {
		return nil, false
	}
	var out []map[string]any
	for _, p := range p1 {
		second, err := a.substitute(children[1], p)
		if err != nil {
			a.x.note(a.o, append(append([]any(nil), at...), "generators", 1), "not expanded: %v", err)
			return nil, false
		}
		sm, _ := second.(map[string]any)
		p2, ok := a.generate(sm, append(append([]any(nil), at...), "generators", 1))
		if !ok {
			return nil, false
		}
		for _, q := range p2 {
			combined, err := a.combine(p, q)
			if err != nil {
				a.x.note(a.o, at, "not expanded: %v", err)
				return nil, false
			}
			out = append(out, combined)
		}
	}
	return out, true
}

// combine joins two parameter sets of a matrix: with goTemplate the second
// merged over the first; else a key both set differently is an error
// (applicationset/utils/map.go, CombineStringMaps).
func (a *appSet) combine(p, q map[string]any) (map[string]any, error) {
	if a.goTmpl {
		return mergeMaps(p, q), nil
	}
	out := map[string]any{}
	for k, v := range p {
		out[k] = v
	}
	for k, v := range q {
		if old, ok := out[k]; ok && old != v {
			return nil, fmt.Errorf("found duplicate key %s with different value, a: %v ,b: %v", k, old, v)
		}
		out[k] = v
	}
	return out, nil
}

// application makes the Application of one parameter set and expands it.
func (a *appSet) application(tmpl, params map[string]any) {
	v, err := a.substitute(tmpl, params)
	if err != nil {
		a.x.note(a.o, []any{"spec", "template"}, "an Application is not expanded: %v", err)
		return
	}
	t, _ := v.(map[string]any)
	meta := mapOf(t, "metadata")
	app := Object{
		APIVersion: "argoproj.io/v1alpha1", Kind: "Application",
		Name: str(meta, "name"), Namespace: str(meta, "namespace"),
		Body: map[string]any{"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": meta, "spec": mapOf(t, "spec")},
		File: a.o.File, Line: a.o.line("spec", "template"),
		LineOf:  func(p ...any) int { return a.o.line(append([]any{"spec", "template"}, p...)...) },
		written: a.o.written,
	}
	if app.Namespace == "" {
		app.Namespace = a.o.Namespace
	}
	if app.Name == "" {
		a.x.note(a.o, []any{"spec", "template", "metadata"}, "an Application is not expanded: its template gives it no name")
		return
	}
	sub := expandApplication(a.s, app)
	for _, n := range sub.Notes {
		a.x.Notes = append(a.x.Notes, Note{Ref: a.o.Ref(), Line: n.Line, Message: "generated Application " + app.Name + ": " + n.Message})
	}
	for _, e := range sub.Environments {
		e.Origin = "Application " + app.Name + " generated by ApplicationSet " + a.o.Name + " in " + a.o.File
		e.From = &config.Origin{Kind: "ApplicationSet", Namespace: a.o.Namespace, Name: a.o.Name, File: a.o.File, Line: a.o.Line}
		a.x.Environments = append(a.x.Environments, e)
	}
}

// mergeMaps is b deeply merged over a (mergo.WithOverride, as Argo CD
// merges a generator's template over the ApplicationSet's).
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}
