package config

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// GitOps is the gitops section: environments defined by the Argo CD and
// Flux objects of the repository that deploy from it.
type GitOps struct {
	// Enabled defaults to true: GitOps objects define environments with
	// no configuration.
	Enabled *bool `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	// RepoURLs are more URLs that mean this repository, beside its git
	// remotes and GITHUB_REPOSITORY (a mirror, an old name).
	RepoURLs []string `yaml:"repoURLs,omitempty" json:"repoURLs,omitempty"`
	// Charts point a chart of a chart repository at a copy vendored in this
	// repository: nothing is fetched.
	Charts []ChartSource `yaml:"charts,omitempty" json:"charts,omitempty"`
	// MaxDepth bounds how deep GitOps objects rendered by GitOps objects
	// are followed (default DefaultGitOpsDepth).
	MaxDepth int `yaml:"maxDepth,omitempty" json:"maxDepth,omitempty"`
}

// DefaultGitOpsDepth is how many levels of GitOps objects rendered by
// GitOps objects (an app of apps of apps) are followed by default.
const DefaultGitOpsDepth = 5

// On reports whether GitOps objects define environments.
func (g GitOps) On() bool { return g.Enabled == nil || *g.Enabled }

// Depth is the nesting limit in force.
func (g GitOps) Depth() int {
	if g.MaxDepth > 0 {
		return g.MaxDepth
	}
	return DefaultGitOpsDepth
}

// ChartSource maps a chart of a chart repository (Helm or OCI) to a chart
// folder or .tgz in this repository.
type ChartSource struct {
	// RepoURL is the chart repository: an Argo CD source's repoURL, a Flux
	// HelmRepository's url.
	RepoURL string `yaml:"repoURL" json:"repoURL"`
	Chart   string `yaml:"chart" json:"chart"`
	// Version, when set, is the only version this entry stands for.
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
	// Path is the vendored chart, relative to the repository root after
	// loading.
	Path string `yaml:"path" json:"path"`

	Line int `yaml:"-" json:"-"`
}

// Origin is the GitOps object an environment comes from.
type Origin struct {
	Kind, Namespace, Name string
	// File and Line are where the object is written (for an object a
	// rendering made, the template or file it came from).
	File string
	Line int
}

// String is how the environment listing names it: "Application guestbook
// in apps/guestbook.yaml".
func (o Origin) String() string {
	s := o.Kind + " " + o.Name
	if o.File != "" {
		s += " in " + o.File
	}
	return s
}

// InlineValues is one values document written in a GitOps object.
type InlineValues struct {
	// File and Line are where the document is written: findings that come
	// from a value set there point at it.
	File string
	Line int
	YAML string
}

// Overlay is what a GitOps object changes on top of a kustomization: the
// fields `kustomize edit` would set in it before the build.
type Overlay struct {
	Namespace         string
	NamePrefix        string
	NameSuffix        string
	Images            []Image
	CommonLabels      map[string]string
	CommonAnnotations map[string]string
	Patches           []Patch
	// ForceCommonLabels and ForceCommonAnnotations overwrite a key the
	// kustomization sets already (kustomize edit add label --force); else
	// that is an error, as kustomize edit makes it.
	ForceCommonLabels, ForceCommonAnnotations bool
	// LabelsWithoutSelector adds CommonLabels as labels that leave
	// selectors alone (kustomize edit add label --without-selector).
	LabelsWithoutSelector bool
}

// Image is a kustomize images entry. An Overlay's entry replaces the
// kustomization's entry of the same name; "*" as NewName, NewTag or Digest
// keeps that entry's value (kustomize edit set image).
type Image struct {
	Name, NewName, NewTag, Digest string
}

// Patch is a kustomize patches entry written in a GitOps object.
type Patch struct {
	// Patch is a strategic merge or JSON 6902 patch; Path, instead, a file
	// holding one, relative to the kustomization.
	Patch  string
	Path   string
	Target *PatchTarget
	// Options are kustomize's patch options (allowNameChange,
	// allowKindChange).
	Options map[string]bool
	// File and Line are where the patch is written.
	File string
	Line int
}

// PatchTarget selects the objects a Patch applies to.
type PatchTarget struct {
	Group, Version, Kind, Name, Namespace string
	LabelSelector, AnnotationSelector     string
}

// gitops decodes the gitops section.
func (d *decoder) gitops(n *yaml.Node, field string) GitOps {
	var g GitOps
	for _, p := range d.fields(n, field, "enabled", "repoURLs", "charts", "maxDepth") {
		f := join(field, p.name)
		switch p.name {
		case "enabled":
			if b, ok := d.boolean(p.val, f); ok {
				g.Enabled = &b
			}
		case "repoURLs":
			g.RepoURLs = d.stringList(p.val, f, d.repoURL)
		case "charts":
			g.Charts = mapItems(d, p.val, f, d.chartSource)
		case "maxDepth":
			if i, ok := d.positiveInt(resolve(p.val), f); ok {
				g.MaxDepth = i
				if i > maxGitOpsDepth {
					d.add(resolve(p.val), f, "invalid depth %d: at most %d", i, maxGitOpsDepth)
					g.MaxDepth = 0
				}
			}
		}
	}
	return g
}

// maxGitOpsDepth bounds gitops.maxDepth: each level renders again.
const maxGitOpsDepth = 20

// repoURL checks a repository URL: a URL or an scp-like git address.
func (d *decoder) repoURL(n *yaml.Node, field, s string) (string, bool) {
	if strings.ContainsAny(s, " \t\n") || (!strings.Contains(s, "://") && !strings.Contains(s, ":")) {
		d.add(n, field, "invalid repository URL %q: use https://HOST/OWNER/REPO or git@HOST:OWNER/REPO", s)
		return "", false
	}
	return s, true
}

// chartSource decodes one gitops.charts entry.
func (d *decoder) chartSource(m *yaml.Node, field string) ChartSource {
	c := ChartSource{Line: m.Line}
	seen := map[string]bool{}
	for _, p := range d.fields(m, field, "repoURL", "chart", "version", "path") {
		f := join(field, p.name)
		seen[p.name] = true
		s, ok := d.nonEmpty(p.val, f)
		if !ok {
			continue
		}
		switch p.name {
		case "repoURL":
			c.RepoURL, _ = d.repoURL(resolve(p.val), f, s)
		case "chart":
			c.Chart = s
		case "version":
			c.Version = s
		case "path":
			c.Path, _ = d.repoPath(resolve(p.val), f, s)
		}
	}
	for _, req := range []string{"repoURL", "chart", "path"} {
		if !seen[req] {
			d.add(m, join(field, req), "is required")
		}
	}
	return c
}
