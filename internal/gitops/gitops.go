// Package gitops turns the GitOps objects of a repository (Argo CD
// Applications and ApplicationSets, Flux Kustomizations and HelmReleases)
// into environments, rendered as those tools would deploy them: it finds
// the objects in the repository's YAML files and in what environments
// render (an app of apps), decides whether each deploys from this
// repository, and says what it cannot expand and why. Nothing is fetched
// and nothing outside the repository is read.
package gitops

import (
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
)

// Object is one Kubernetes object as generic YAML, with where it was found.
type Object struct {
	APIVersion, Kind, Namespace, Name string
	// Body is the whole object (map[string]any, []any, string, int64,
	// float64, bool, nil).
	Body map[string]any
	// File is the repository file it is written in (for a rendered object,
	// the template or file it came from) and Line its first line there.
	File string
	Line int
	// LineOf is the line in File of the field at path (string keys and int
	// indexes), or Line when unknown; nil means Line.
	LineOf func(path ...any) int

	// written reports an object read from a repository file (Decode), whose
	// lines are exact; a rendered object's are the template's.
	written bool
}

// Group is the API group of the object's apiVersion.
func (o Object) Group() string {
	g, _, ok := strings.Cut(o.APIVersion, "/")
	if !ok {
		return ""
	}
	return g
}

// Ref is the object as the messages and the listing name it.
func (o Object) Ref() Ref {
	return Ref{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, File: o.File, Line: o.Line}
}

// line is the line of the field at path, or the object's.
func (o Object) line(path ...any) int {
	if o.LineOf != nil {
		if l := o.LineOf(path...); l > 0 {
			return l
		}
	}
	return o.Line
}

// origin is the config.Origin of an environment the object defines.
func (o Object) origin() *config.Origin {
	return &config.Origin{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, File: o.File, Line: o.Line}
}

// Ref names a GitOps object: Kind, namespace, name and where it is written.
type Ref struct {
	Kind, Namespace, Name string
	File                  string
	Line                  int
}

// Key identifies the object within one rendering: Kind/namespace/name.
func (r Ref) Key() string { return r.Kind + "/" + r.Namespace + "/" + r.Name }

// String is "Application argocd/guestbook".
func (r Ref) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Note says what of a GitOps object is not expanded, and why.
type Note struct {
	Ref Ref
	// Line is the line of the field concerned, in Ref.File.
	Line    int
	Message string
}

// Expansion is what an expander makes of one object: the environments it
// deploys and what it cannot expand.
type Expansion struct {
	Environments []config.Environment
	Notes        []Note
}

// note adds a note on the field at path of o.
func (x *Expansion) note(o Object, path []any, format string, args ...any) {
	x.Notes = append(x.Notes, Note{Ref: o.Ref(), Line: o.line(path...), Message: fmt.Sprintf(format, args...)})
}

// Scope is what an expander knows beside the object.
type Scope struct {
	// Root is the repository root (absolute).
	Root   string
	Config *config.Config
	Repo   Repo
	// Objects are the objects found with the one expanded: those of the
	// repository's GitOps files, or of the same rendering (a Flux
	// GitRepository, a ConfigMap of values).
	Objects []Object

	// fluxCache is what the Flux expanders read of the repository once.
	fluxCache *fluxScope
}

// Expander expands the objects of one API group and kind.
type Expander struct {
	Group, Kind string
	Expand      func(s *Scope, o Object) Expansion
}

// Expanders are the kinds of GitOps objects meshgate follows.
var Expanders = []Expander{
	{Group: "argoproj.io", Kind: "Application", Expand: expandApplication},
	{Group: "argoproj.io", Kind: "ApplicationSet", Expand: expandApplicationSet},
	{Group: "kustomize.toolkit.fluxcd.io", Kind: "Kustomization", Expand: expandFluxKustomization},
	{Group: "helm.toolkit.fluxcd.io", Kind: "HelmRelease", Expand: expandHelmRelease},
}

// expanderOf is the expander of o, nil when o is no GitOps object.
func expanderOf(o Object) *Expander {
	for i, e := range Expanders {
		if e.Group == o.Group() && e.Kind == o.Kind {
			return &Expanders[i]
		}
	}
	return nil
}

// IsGitOps reports whether an object of this apiVersion and kind is one
// meshgate follows.
func IsGitOps(apiVersion, kind string) bool {
	return expanderOf(Object{APIVersion: apiVersion, Kind: kind}) != nil
}

// markers are text a file must hold to be read for GitOps objects.
var markers = []string{"argoproj.io/", "toolkit.fluxcd.io/", "source.extensions.fluxcd.io/"}
