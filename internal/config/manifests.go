package config

import (
	"path"
	"slices"

	"github.com/gobwas/glob"
	"gopkg.in/yaml.v3"
)

// ManifestExtensions are the extensions of the files `kubectl apply -f DIR`
// and Argo CD's directory source read in a folder; other files are left
// alone.
var ManifestExtensions = []string{".yaml", ".yml", ".json"}

// IsManifestFile reports a file name with one of ManifestExtensions, of
// that case: kubectl and Argo CD leave "a.YAML" alone.
func IsManifestFile(name string) bool {
	return slices.Contains(ManifestExtensions, path.Ext(name))
}

// Selector is the file filter of a manifests environment: it reports
// whether the file at rel, slash-separated and relative to Path, is read.
// It is what Argo CD's directory source does with include and exclude,
// each here a list whose globs are alternatives: a file is read when
// Include is empty or one of its globs matches, and no Exclude glob
// matches. The globs are Argo CD's (gobwas/glob without separators): '*'
// matches any run of characters, '/' included, '?' any one character,
// '[...]' a class and '{a,b}' either pattern; so "*.yaml" also matches
// "sub/x.yaml", and an Argo CD include string is a one-glob list. Globs
// that do not compile (Load refuses them) match nothing.
func (m Manifests) Selector() func(rel string) bool {
	include, exclude := compileGlobs(m.Include), compileGlobs(m.Exclude)
	matchAny := func(gs []glob.Glob, s string) bool {
		return slices.ContainsFunc(gs, func(g glob.Glob) bool { return g != nil && g.Match(s) })
	}
	return func(rel string) bool {
		if matchAny(exclude, rel) {
			return false
		}
		return len(m.Include) == 0 || matchAny(include, rel)
	}
}

func compileGlobs(patterns []string) []glob.Glob {
	out := make([]glob.Glob, len(patterns))
	for i, p := range patterns {
		out[i], _ = glob.Compile(p)
	}
	return out
}

// manifestGlob validates an include or exclude glob of a manifests
// environment.
func (d *decoder) manifestGlob(n *yaml.Node, field, s string) (string, bool) {
	if _, err := glob.Compile(s); err != nil {
		d.add(n, field, "invalid glob %q: %v", s, err)
		return "", false
	}
	return s, true
}

func (d *decoder) manifests(n *yaml.Node, field string) *Manifests {
	m := &Manifests{}
	n, ok := d.mapping(n, field)
	if !ok {
		return m
	}
	found := false
	for _, p := range d.fields(n, field, "path", "recursive", "include", "exclude") {
		f := join(field, p.name)
		switch p.name {
		case "path":
			found = true
			if s, ok := d.nonEmpty(p.val, f); ok {
				m.Path, _ = d.repoPath(resolve(p.val), f, s)
			}
		case "recursive":
			m.Recursive, _ = d.boolean(p.val, f)
		case "include":
			m.Include = d.stringList(p.val, f, d.manifestGlob)
		case "exclude":
			m.Exclude = d.stringList(p.val, f, d.manifestGlob)
		}
	}
	if !found {
		d.add(n, field+".path", "is required")
	}
	return m
}
