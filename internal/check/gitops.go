package check

import (
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/gitops"
	"github.com/meshgate/meshgate/internal/manifest"
)

// gitopsFindings: gitops-not-rendered. An Argo CD Application or
// ApplicationSet, or a Flux HelmRelease or Kustomization, in the rendered
// output deploys more than meshgate sees. One that the engine expanded into
// environments of its own is quiet, but for what of it was not expanded
// (in.GitOps.Notes, each a notice at the field concerned); any other is a
// notice naming what was not expanded, unless an environment of the config
// renders that path or chart.
func gitopsFindings(in Input) []finding.Finding {
	if in.Set == nil {
		return nil
	}
	var out []finding.Finding
	for _, obj := range in.Set.Objects {
		what, targets := gitopsTargets(obj)
		if what == "" {
			continue
		}
		if notes, known := gitopsOutcome(in, obj); known {
			for _, n := range notes {
				f := newFinding(in, finding.RuleGitOpsNotRendered, finding.SeverityNotice, obj, "", "gitops:"+n.Message, n.Message)
				if n.Line > 0 && n.Ref.File == obj.File {
					f.Line = n.Line
				}
				out = append(out, f)
			}
			continue
		}
		if gitopsCovered(in, targets) {
			continue
		}
		out = append(out, newFinding(in, finding.RuleGitOpsNotRendered, finding.SeverityNotice, obj, "", "gitops", what))
	}
	return out
}

// gitopsOutcome is what the engine made of obj: the notes on it, and
// whether it expanded it or noted anything on it at all.
func gitopsOutcome(in Input, obj *manifest.Object) (notes []gitops.Note, known bool) {
	if in.GitOps == nil {
		return nil, false
	}
	key := gitops.Ref{Kind: obj.Kind, Namespace: obj.Namespace, Name: obj.Name}.Key()
	for _, r := range in.GitOps.Followed {
		if r.Key() == key && r.File == obj.File {
			known = true
		}
	}
	for _, n := range in.GitOps.Notes {
		if n.Ref.Key() == key && n.Ref.File == obj.File {
			notes, known = append(notes, n), true
		}
	}
	return notes, known
}

// gitopsTarget is a path or a chart an object deploys.
type gitopsTarget struct {
	path  string // in its repository, cleaned ("" for a chart of a chart repository)
	chart string // chart name ("" for a plain path)
}

// gitopsTargets says what obj deploys that is not rendered, "" when obj is
// no GitOps object.
func gitopsTargets(obj *manifest.Object) (string, []gitopsTarget) {
	g, _, _ := strings.Cut(obj.APIVersion, "/")
	spec, _ := obj.Body["spec"].(map[string]any)
	switch {
	case g == "argoproj.io" && obj.Kind == "Application":
		var sources []map[string]any
		if s, ok := spec["source"].(map[string]any); ok {
			sources = append(sources, s)
		}
		sources = append(sources, gitopsList(spec["sources"])...)
		var descs []string
		var targets []gitopsTarget
		for _, s := range sources {
			repo, p, chart, rev := gitopsStr(s, "repoURL"), gitopsStr(s, "path"), gitopsStr(s, "chart"), gitopsStr(s, "targetRevision")
			d := "path " + p
			if chart != "" {
				d = "chart " + chart
			}
			d += " of " + repo
			if rev != "" {
				d += " at " + rev
			}
			descs = append(descs, d)
			targets = append(targets, gitopsTarget{path: gitopsClean(p), chart: chart})
		}
		return "not rendered (" + strings.Join(descs, "; ") + "); add an environment for it", targets
	case g == "argoproj.io" && obj.Kind == "ApplicationSet":
		return "the Applications it generates are not rendered; add environments for them", nil
	case g == "helm.toolkit.fluxcd.io" && obj.Kind == "HelmRelease":
		chartSpec, _ := gitopsMap(spec, "chart")["spec"].(map[string]any)
		chart := gitopsStr(chartSpec, "chart")
		src := gitopsRef(gitopsMap(chartSpec, "sourceRef"), obj.Namespace)
		if ref := gitopsMap(spec, "chartRef"); ref != nil {
			src = gitopsRef(ref, obj.Namespace)
		}
		d := "chart not rendered"
		if chart != "" || src != "" {
			d += " (" + strings.TrimSpace(chart+" from "+src) + ")"
		}
		t := gitopsTarget{chart: path.Base(chart)}
		if strings.Contains(chart, "/") {
			t = gitopsTarget{path: gitopsClean(chart)}
		}
		return d + "; add an environment for it", []gitopsTarget{t}
	case g == "kustomize.toolkit.fluxcd.io" && obj.Kind == "Kustomization":
		p := gitopsStr(spec, "path")
		if p == "" {
			p = "./"
		}
		return "not rendered (path " + p + " of " + gitopsRef(gitopsMap(spec, "sourceRef"), obj.Namespace) + "); add an environment for it",
			[]gitopsTarget{{path: gitopsClean(p)}}
	}
	return "", nil
}

// gitopsCovered: every target is rendered by an environment of the config
// (the same path, or a chart folder of that name).
func gitopsCovered(in Input, targets []gitopsTarget) bool {
	if len(targets) == 0 || in.Config == nil {
		return false
	}
	for _, t := range targets {
		covered := false
		for _, e := range in.Config.Environments {
			p := gitopsClean(e.Path())
			if (t.path != "" && p == t.path) || (t.chart != "" && e.Helm != nil && path.Base(p) == t.chart) {
				covered = true
				break
			}
		}
		if !covered {
			return false
		}
	}
	return true
}

func gitopsClean(p string) string {
	if p == "" {
		return ""
	}
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}

func gitopsMap(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

func gitopsStr(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func gitopsList(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// gitopsRef is a Flux sourceRef as "Kind namespace/name".
func gitopsRef(ref map[string]any, defaultNS string) string {
	if ref == nil {
		return ""
	}
	ns := gitopsStr(ref, "namespace")
	if ns == "" {
		ns = defaultNS
	}
	return gitopsStr(ref, "kind") + " " + ns + "/" + gitopsStr(ref, "name")
}

// valuesRef is a template's reference to a value: .Values.a.b.
var valuesRef = regexp.MustCompile(`\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)`)

// inlineLocations points a finding at the line of a GitOps object's own
// values (an Application's values or valuesObject) when the chart
// template line it is at reads a value those set: that line, in the
// object's file, is the one a person edits. The last document that sets
// the value wins, as helm takes the later -f file; templates of subcharts
// read values of their own and are left alone.
func inlineLocations(in Input, fs []finding.Finding) {
	h := in.Env.Helm
	if h == nil || len(h.Inline) == 0 || in.Set == nil || in.Set.SourceLine == nil {
		return
	}
	docs := make([]*yaml.Node, len(h.Inline))
	for i, v := range h.Inline {
		var n yaml.Node
		if v.Line > 0 && yaml.Unmarshal([]byte(v.YAML), &n) == nil && len(n.Content) == 1 {
			docs[i] = n.Content[0]
		}
	}
	templates := path.Join(h.Chart, "templates") + "/"
	for i := range fs {
		f := &fs[i]
		if f.Line == 0 || !strings.HasPrefix(f.File, templates) {
			continue
		}
		for _, m := range valuesRef.FindAllStringSubmatch(in.Set.SourceLine(f.File, f.Line), -1) {
			if file, line := inlineLine(h.Inline, docs, strings.Split(m[1][1:], ".")); line > 0 {
				f.File, f.Line = file, line
				break
			}
		}
	}
}

// inlineLine is where the last inline document that sets the value at
// keys sets it.
func inlineLine(inline []config.InlineValues, docs []*yaml.Node, keys []string) (string, int) {
	for i := len(docs) - 1; i >= 0; i-- {
		n := docs[i]
		line := 0
		for _, k := range keys {
			var next *yaml.Node
			for j := 0; n != nil && n.Kind == yaml.MappingNode && j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == k {
					line, next = n.Content[j].Line, n.Content[j+1]
				}
			}
			if n = next; n == nil {
				line = 0
				break
			}
		}
		if line > 0 {
			return inline[i].File, inline[i].Line + line - 1
		}
	}
	return "", 0
}
