package gitops

import (
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/meshgate/meshgate/internal/config"
)

// The Flux expanders: a Kustomization or a HelmRelease that deploys from
// this repository is an environment (flux_kustomization.go,
// flux_helmrelease.go say how Flux builds it).

// fluxScope is what the Flux expanders read of the repository once per
// expansion: its GitOps objects and its ConfigMaps and Secrets (for the
// sources and data a rendering does not hold), and each source's artifact.
type fluxScope struct {
	once      sync.Once
	objects   []*Object
	data      []*Object
	artifacts map[string]*FluxArtifact
	mu        sync.Mutex
}

// flux is s's fluxScope.
func (s *Scope) flux() *fluxScope {
	if s.fluxCache == nil {
		s.fluxCache = &fluxScope{}
	}
	f := s.fluxCache
	f.once.Do(func() {
		objs, _ := Find(s.Root)
		for i := range objs {
			f.objects = append(f.objects, &objs[i])
		}
		f.data, _ = findDataObjects(s.Root)
		f.artifacts = map[string]*FluxArtifact{}
	})
	return f
}

// fluxRepo is the FluxRepo of a Scope for the object o: the objects found
// with it first (the same rendering), then the repository's; among those,
// the ones written nearest to o first (two clusters' folders may each hold
// a GitRepository flux-system/flux-system, an ArtifactGenerator of the same
// name).
type fluxRepo struct {
	s     *Scope
	file  string
	local []*Object
	repo  []*Object
}

func (s *Scope) fluxRepo(o Object) fluxRepo {
	r := fluxRepo{s: s, file: o.File}
	for i := range s.Objects {
		r.local = append(r.local, &s.Objects[i])
	}
	r.local = nearestFirst(r.local, o.File)
	r.repo = nearestFirst(s.flux().objects, o.File)
	return r
}

// nearestFirst orders objs by how many leading folders their file shares
// with file, most first, keeping the order of those that share as many.
func nearestFirst(objs []*Object, file string) []*Object {
	out := slices.Clone(objs)
	dir := strings.Split(path.Dir(file), "/")
	shared := func(o *Object) int {
		d := strings.Split(path.Dir(o.File), "/")
		n := 0
		for n < len(d) && n < len(dir) && d[n] == dir[n] {
			n++
		}
		return n
	}
	slices.SortStableFunc(out, func(a, b *Object) int { return shared(b) - shared(a) })
	return out
}

func (r fluxRepo) Find(kind, namespace, name string) *Object {
	for _, list := range [][]*Object{r.local, r.repo} {
		if o := pickObject(list, kind, namespace, name); o != nil {
			return o
		}
	}
	return nil
}

func (r fluxRepo) ThisRepository(url string) bool { return r.s.Repo.Is(url) }

func (r fluxRepo) All(kind string) []*Object {
	var out []*Object
	seen := map[string]bool{}
	for _, list := range [][]*Object{r.local, r.repo} {
		for _, o := range list {
			if k := o.Ref().Key(); o.Kind == kind && !seen[k] {
				seen[k] = true
				out = append(out, o)
			}
		}
	}
	return out
}

// pickObject is the object of kind named name in namespace, else one that
// sets no namespace (a kustomization places it).
func pickObject(objs []*Object, kind, namespace, name string) *Object {
	var loose *Object
	for _, o := range objs {
		if o.Kind != kind || o.Name != name {
			continue
		}
		if o.Namespace == namespace {
			return o
		}
		if o.Namespace == "" && loose == nil {
			loose = o
		}
	}
	return loose
}

// artifact is the artifact of a source, read once per spec.ignore.
func (r fluxRepo) artifact(src *FluxSource) (*FluxArtifact, error) {
	f := r.s.flux()
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.artifacts[src.Ignore]; ok {
		return a, nil
	}
	a, err := NewFluxArtifact(r.s.Root, src.Ignore)
	if err == nil {
		f.artifacts[src.Ignore] = a
	}
	return a, err
}

// dataLookup finds ConfigMaps and Secrets in the same rendering, then in
// the repository's files.
func (r fluxRepo) dataLookup() FluxDataLookup {
	return FluxDataFrom(r.local, nearestFirst(r.s.flux().data, r.file))
}

// fluxOrigin is how the listing says where a Flux environment comes from:
// the object, its source, what it depends on.
func fluxOrigin(o Object, source string, dependsOn []string) string {
	s := o.Kind + " " + o.Namespace + "/" + o.Name
	if o.File != "" {
		s += " in " + o.File
	}
	s += " (" + source
	if len(dependsOn) > 0 {
		s += "; depends on " + strings.Join(dependsOn, ", ")
	}
	return s + ")"
}

// expandFluxKustomization makes the environment of a Flux Kustomization.
func expandFluxKustomization(s *Scope, o Object) Expansion {
	var x Expansion
	if sub(o.Spec(), "sourceRef") == nil {
		return x // no Kustomization Flux applies: a kustomize patch of one
	}
	r := s.fluxRepo(o)
	plan, why, err := PlanFluxKustomization(r, r.artifact, &o, maxFileBytes)
	switch {
	case err != nil:
		x.note(o, []any{"spec"}, "not followed: %v", err)
		return x
	case plan == nil:
		x.note(o, []any{"spec", "sourceRef"}, "not followed: %s", why)
		return x
	}
	fb := &config.FluxBuild{Namespace: plan.TargetNamespace, NamePrefix: plan.NamePrefix,
		NameSuffix: plan.NameSuffix, Components: plan.Components}
	if plan.Generated != nil {
		fb.Generated = append([]string{}, plan.Generated.Resources...)
	}
	for _, im := range plan.Images {
		fb.Images = append(fb.Images, config.Image{Name: im.Name, NewName: im.NewName, NewTag: im.NewTag, Digest: im.Digest})
	}
	for _, p := range plan.Patches {
		cp := config.Patch{Patch: p.Patch, File: o.File, Line: p.Line}
		if t := p.Target; t != nil {
			cp.Target = &config.PatchTarget{Group: t.Group, Version: t.Version, Kind: t.Kind, Name: t.Name,
				Namespace: t.Namespace, LabelSelector: t.LabelSelector, AnnotationSelector: t.AnnotationSelector}
		}
		fb.Patches = append(fb.Patches, cp)
	}
	env := config.Environment{Name: o.Name, From: o.origin(), Origin: fluxOrigin(o, plan.Source, plan.DependsOn),
		Kustomize: &config.Kustomize{Path: plan.Path, Flux: fb}, Namespace: plan.TargetNamespace}
	if plan.PostBuild != nil {
		pb, secrets, notes, err := FluxSubstitution(plan.PostBuild, o.Namespace, r.dataLookup())
		if err != nil {
			x.note(o, []any{"spec", "postBuild"}, "not followed: %v", err)
			return x
		}
		for _, n := range notes {
			x.note(o, []any{"spec", "postBuild", "substituteFrom"}, "%s", n)
		}
		fb.PostBuild, env.Redact = pb, secrets
	}
	if o.Spec()["commonMetadata"] != nil {
		x.note(o, []any{"spec", "commonMetadata"}, "spec.commonMetadata is not applied to the rendered objects")
	}
	config.EnvDefaults(&env, s.Root)
	x.Environments = append(x.Environments, env)
	return x
}

// expandHelmRelease makes the environment of a Flux HelmRelease.
func expandHelmRelease(s *Scope, o Object) Expansion {
	var x Expansion
	if str(sub(sub(o.Spec(), "chart"), "spec"), "chart") == "" && o.Spec()["chartRef"] == nil {
		return x // no HelmRelease Flux installs: a kustomize patch of one
	}
	r := s.fluxRepo(o)
	plan, why, err := PlanFluxHelmRelease(r, &o, r.dataLookup())
	switch {
	case err != nil:
		x.note(o, []any{"spec"}, "not followed: %v", err)
		return x
	case plan == nil:
		x.note(o, chartField(o), "not followed: %s", why)
		return x
	}
	chart := plan.Chart
	if rc := plan.Remote; rc != nil {
		if chart = s.vendoredChart(rc.URL, rc.Chart, rc.Version); chart == "" {
			x.note(o, chartField(o), "not followed: %s is not fetched; vendor it in this repository and point gitops.charts at it", rc)
			return x
		}
		// The valuesFiles of a chart repository's chart are the chart's.
		for _, f := range rc.ValuesFiles {
			plan.ValuesFiles = append(plan.ValuesFiles, path.Join(chart, f))
		}
	}
	h := &config.Helm{Chart: chart, Release: plan.Release, Namespace: plan.Namespace, SkipCRDs: plan.SkipCRDs,
		ChartValues: plan.ValuesFiles, IgnoreMissingChartValues: plan.IgnoreMissingValuesFiles}
	if plan.DisableHooks {
		h.IncludeHooks = new(bool)
	}
	for _, v := range plan.Values {
		h.Inline = append(h.Inline, config.InlineValues{File: v.File, Line: v.Line, YAML: toYAML(v.Values)})
	}
	for _, n := range plan.Notes {
		x.note(o, []any{"spec"}, "%s", n)
	}
	env := config.Environment{Name: o.Name, From: o.origin(), Origin: fluxOrigin(o, plan.Source, plan.DependsOn),
		Helm: h, Redact: plan.Secrets}
	config.EnvDefaults(&env, s.Root)
	x.Environments = append(x.Environments, env)
	return x
}

// chartField is where a HelmRelease names its chart: spec.chartRef, else
// spec.chart.
func chartField(o Object) []any {
	if o.Spec()["chartRef"] != nil {
		return []any{"spec", "chartRef"}
	}
	return []any{"spec", "chart"}
}
