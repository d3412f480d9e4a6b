package gitops

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/kustomization"
)

// Argo CD's source types (pkg/apis/application/v1alpha1, ApplicationSourceType).
const (
	argoHelm      = "Helm"
	argoKustomize = "Kustomize"
	argoDirectory = "Directory"
	argoPlugin    = "Plugin"
)

// app is one Argo CD Application being expanded.
type app struct {
	s *Scope
	o Object
	x *Expansion
	// ns is destination.namespace: the namespace of objects that set none.
	ns string
	// refs are the repoURLs of the sources with a ref, by "$ref".
	refs map[string]string
}

// source is one entry of spec.sources, or spec.source, and where it is.
type source struct {
	m  map[string]any
	at []any
}

func (sr source) path(p ...any) []any { return append(append([]any(nil), sr.at...), p...) }

// expandApplication expands an Argo CD Application: one environment per
// source that renders something (spec.source, or each of spec.sources
// that is not only a ref), rendered as Argo CD's repo server would
// (reposerver/repository/repository.go, GenerateManifests).
func expandApplication(s *Scope, o Object) Expansion {
	var x Expansion
	spec := mapOf(o.Body, "spec")
	a := &app{s: s, o: o, x: &x, ns: str(mapOf(spec, "destination"), "namespace"), refs: map[string]string{}}
	var srcs []source
	if list := listOf(spec, "sources"); len(list) > 0 {
		for i, it := range list {
			if m, ok := it.(map[string]any); ok {
				srcs = append(srcs, source{m, []any{"spec", "sources", i}})
			}
		}
	} else if m := mapOf(spec, "source"); m != nil {
		srcs = []source{{m, []any{"spec", "source"}}}
	}
	if len(srcs) == 0 {
		x.note(o, []any{"spec"}, "not followed: it has no source")
		return x
	}
	for _, sr := range srcs {
		if r := str(sr.m, "ref"); r != "" {
			a.refs["$"+r] = str(sr.m, "repoURL")
		}
	}
	var rendering []source
	for _, sr := range srcs {
		// A source with a ref and no path or chart only lends its files.
		if str(sr.m, "ref") == "" || str(sr.m, "path") != "" || str(sr.m, "chart") != "" {
			rendering = append(rendering, sr)
		}
	}
	for _, sr := range rendering {
		env := a.source(sr)
		if env == nil {
			continue
		}
		if len(rendering) > 1 {
			// Argo CD deploys the sources as one application; meshgate
			// renders each on its own.
			env.Name = fmt.Sprintf("%s[%d]", o.Name, sr.at[len(sr.at)-1])
		}
		x.Environments = append(x.Environments, *env)
	}
	return x
}

// source makes the environment of one source, nil with a note when it
// cannot be rendered here.
func (a *app) source(sr source) *config.Environment {
	repo, chart := str(sr.m, "repoURL"), str(sr.m, "chart")
	var dir, typ string
	if chart != "" {
		dir = a.s.vendoredChart(repo, chart, str(sr.m, "targetRevision"))
		if dir == "" {
			a.x.note(a.o, sr.path("chart"), "not followed: chart %s of %s is not fetched; vendor it in this repository and point gitops.charts at it", chartVersion(chart, str(sr.m, "targetRevision")), repo)
			return nil
		}
		typ = argoHelm
	} else {
		if !a.s.Repo.Is(repo) {
			a.x.note(a.o, sr.path("repoURL"), "not followed: its source is another repository (%s), which is not fetched; if it is this one, list the URL in gitops.repoURLs", repo)
			return nil
		}
		p, err := repoPath(".", str(sr.m, "path"))
		if err != nil {
			a.x.note(a.o, sr.path("path"), "not followed: path %v", err)
			return nil
		}
		if !isDir(a.s.Root, p) {
			a.x.note(a.o, sr.path("path"), "not followed: path %s is no folder of this checkout (Argo CD renders %s of revision %q)", p, p, str(sr.m, "targetRevision"))
			return nil
		}
		dir = p
		if typ = a.sourceType(sr, dir); typ == "" {
			return nil
		}
	}
	env := &config.Environment{Name: a.o.Name, From: a.o.origin(), Origin: a.o.origin().String()}
	switch typ {
	case argoHelm:
		env.Helm = a.helm(sr, dir)
	case argoKustomize:
		env.Kustomize = a.kustomize(sr, dir)
		env.Namespace = a.ns
	case argoDirectory:
		a.x.note(a.o, sr.path("path"), "not followed: %s is a folder of plain manifests, which meshgate does not render for Argo CD yet", dir)
		return nil
	case argoPlugin:
		a.x.note(a.o, sr.path("plugin"), "not followed: it renders with the config management plugin %q, which runs in Argo CD's repo server", str(mapOf(sr.m, "plugin"), "name"))
		return nil
	}
	config.EnvDefaults(env, a.s.Root)
	return env
}

func chartVersion(chart, version string) string {
	if version == "" {
		return chart
	}
	return chart + " " + version
}

// sourceType is the source's type as Argo CD decides it
// (reposerver/repository/repository.go, GetAppSourceType): the one of
// helm, kustomize, directory and plugin the source sets, else from the
// folder's files (util/app/discovery/discovery.go, Discover and AppType):
// a *Chart.yaml makes it Helm, a kustomization Kustomize, the file later in
// name order winning; else a Directory. "" with a note when the source
// sets more than one.
func (a *app) sourceType(sr source, dir string) string {
	var set []string
	for _, t := range []struct{ key, typ string }{{"kustomize", argoKustomize}, {"helm", argoHelm}, {"directory", argoDirectory}, {"plugin", argoPlugin}} {
		if _, ok := sr.m[t.key].(map[string]any); ok {
			set = append(set, t.typ)
		}
	}
	switch len(set) {
	case 1:
		return set[0]
	case 0:
	default:
		a.x.note(a.o, sr.at, "not followed: multiple application sources defined: %s", strings.Join(set, ","))
		return ""
	}
	entries, err := config.ReadDirInRoot(a.s.Root, dir)
	if err != nil {
		return argoDirectory
	}
	names := make([]string, 0, len(entries))
	for _, de := range entries {
		if !de.IsDir() {
			names = append(names, de.Name())
		}
	}
	sort.Strings(names)
	typ := argoDirectory
	for _, n := range names {
		switch {
		case strings.HasSuffix(n, "Chart.yaml"):
			typ = argoHelm
		case isKustomizationFile(n):
			typ = argoKustomize
		}
	}
	return typ
}

func isKustomizationFile(name string) bool {
	for _, f := range kustomization.FileNames {
		if name == f {
			return true
		}
	}
	return false
}

// vendoredChart is the gitops.charts path of a chart of a chart
// repository, "" when none is configured.
func (s *Scope) vendoredChart(repo, chart, version string) string {
	want := NormalizeURL(strings.TrimPrefix(repo, "oci://"))
	for _, c := range s.Config.GitOps.Charts {
		if NormalizeURL(strings.TrimPrefix(c.RepoURL, "oci://")) == want && c.Chart == chart && (c.Version == "" || c.Version == version) {
			return c.Path
		}
	}
	return ""
}

// envsubst replaces $VAR and ${VAR} by the build environment Argo CD
// gives tools (reposerver/repository/repository.go, newEnv; v1alpha1
// Env.Envsubst): an unknown variable is empty, $$ is $. The revision is
// not known offline and is empty.
func (a *app) envsubst(sr source, s string) string {
	vars := map[string]string{
		"ARGOCD_APP_NAME":                   a.o.Name,
		"ARGOCD_APP_NAMESPACE":              a.ns,
		"ARGOCD_APP_PROJECT_NAME":           str(mapOf(a.o.Body, "spec"), "project"),
		"ARGOCD_APP_SOURCE_REPO_URL":        str(sr.m, "repoURL"),
		"ARGOCD_APP_SOURCE_PATH":            str(sr.m, "path"),
		"ARGOCD_APP_SOURCE_TARGET_REVISION": str(sr.m, "targetRevision"),
	}
	return os.Expand(s, func(v string) string {
		if v == "$" {
			return "$"
		}
		return vars[v]
	})
}

// unknownFields notes the fields of m, at path, that meshgate does not
// apply: the rendering may differ from Argo CD's there.
func (a *app) unknownFields(m map[string]any, at []any, known ...string) {
	var unknown []string
	for k := range m {
		if !containsString(known, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		a.x.note(a.o, append(append([]any(nil), at...), k), "%s is not applied: the environment renders without it", k)
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// toYAML writes v as YAML, the way Argo CD turns valuesObject into a
// values file (v1alpha1 ApplicationSourceHelm.ValuesYAML).
func toYAML(v any) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
