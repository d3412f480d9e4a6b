package engine

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
	"github.com/meshgate/meshgate/internal/render"
)

// runAll renders and checks envs, and then the members of each kustomize
// environment that failed to render (checkMembers).
func runAll(ctx context.Context, cfg *config.Config, envs []config.Environment, ro runOptions) []envResult {
	ro.setDefaults()
	results := runEnvironments(ctx, cfg, envs, ro)
	if ro.RenderOnly {
		return results
	}
	return checkMembers(ctx, cfg, envs, results, ro)
}

// aggregate is an environment that failed to render and what it lists.
type aggregate struct {
	name   string
	result int // its index in the results
	config.Aggregate
	// extra are the members that are no environment of the configuration,
	// to check as environments of their own.
	extra []config.Environment
}

// checkMembers keeps one failing aggregate from hiding its members (issue
// 11 item 8): when a kustomization that lists other kustomizations fails
// to render (a remote base, which meshgate never fetches; not a limit,
// which its members would hit again), each member
// that builds on its own is checked as an environment of its own, named
// after its path, and the aggregate's render-error says which were
// checked instead, and which fail too. A member that is an environment of
// the configuration already is checked as that one, and named so. The
// members of one aggregate are parts of one deployment: they are checked
// in the aggregate's namespace, and a Secret one of them or the aggregate's
// secretGenerator produces counts as produced for the others.
func checkMembers(ctx context.Context, cfg *config.Config, envs []config.Environment, results []envResult, ro runOptions) []envResult {
	aggs, byPath := planMembers(cfg, envs, results)
	if len(aggs) == 0 {
		return results
	}
	// failed tells, of the environments of this run, which fail.
	failed := map[string]bool{}
	for _, r := range results {
		failed[r.Env.Name] = r.Env.Error != ""
	}
	for _, a := range aggs {
		ok, sets := buildMembers(ctx, cfg, a, ro, failed)
		members := ro
		members.sets = sets
		for _, r := range runEnvironments(ctx, cfg, ok, members) {
			failed[r.Env.Name] = r.Env.Error != ""
			if r.Env.Error == "" {
				results = append(results, r)
			}
		}
	}
	for _, a := range aggs {
		explainAggregate(&results[a.result], a.Members, byPath, failed)
	}
	return results
}

// planMembers finds the failed kustomize environments that list other
// kustomizations, and names each member that is no environment yet after
// its path; byPath maps every member's path to its environment's name.
func planMembers(cfg *config.Config, envs []config.Environment, results []envResult) (aggs []aggregate, byPath map[string]string) {
	byPath, names := map[string]string{}, map[string]bool{}
	for _, e := range cfg.Environments {
		names[e.Name] = true
		if e.Kustomize != nil {
			byPath[e.Kustomize.Path] = e.Name
		}
	}
	for i, env := range envs {
		if r := results[i]; r.Env.Error == "" || r.Panicked || r.Limited || env.Kustomize == nil {
			// A limit would stop its members again: they are no less costly.
			continue
		}
		a := aggregate{name: env.Name, result: i, Aggregate: cfg.AggregateOf(env)}
		for _, m := range a.Members {
			if _, ok := byPath[m]; ok {
				continue
			}
			name := m
			if names[name] {
				name = env.Name + "/" + m
			}
			names[name], byPath[m] = true, name
			a.extra = append(a.extra, config.Environment{Name: name, Kustomize: &config.Kustomize{Path: m},
				Namespace: cmp.Or(a.Namespace, env.Namespace), Origin: "listed by " + env.Name})
		}
		if len(a.Members) > 0 {
			aggs = append(aggs, a)
		}
	}
	return aggs, byPath
}

// buildMembers renders and decodes the members of aggregate a that are
// no environment yet: those that fail are marked in failed; the others
// are returned with their objects, each given the Secrets its siblings and
// the aggregate's generators produce.
func buildMembers(ctx context.Context, cfg *config.Config, a aggregate, ro runOptions, failed map[string]bool) ([]config.Environment, map[string]*manifest.Set) {
	var ok []config.Environment
	sets := map[string]*manifest.Set{}
	for _, env := range a.extra {
		r := ro.cache.render(env, func() render.Result { return renderWith(ctx, ro.Renderers[env.Source()], cfg, env) })
		var set *manifest.Set
		if r.Err == nil {
			set, r.Err = manifest.BuildShared(r, ro.shared)
		}
		if r.Err != nil {
			failed[env.Name] = true
			continue
		}
		ok = append(ok, env)
		sets[env.Name] = set
	}
	names := make([]string, len(ok))
	for i, env := range ok {
		names[i] = env.Name
	}
	shareProduced(sets, names, false)
	for _, env := range ok {
		for _, id := range a.Secrets {
			ns, name, _ := strings.Cut(id, "/")
			sets[env.Name].Producers = append(sets[env.Name].Producers,
				manifest.Producer{Namespace: cmp.Or(ns, env.Namespace), Name: name, Via: "the secretGenerator of " + a.name})
		}
	}
	return ok, sets
}

// explainAggregate adds to a failed aggregate's render error which of its
// members were checked as environments of their own, which fail too, and
// which are environments of their own that this run does not check; when
// none is checked at all, nothing.
func explainAggregate(r *envResult, members []string, byPath map[string]string, failed map[string]bool) {
	var groups [3][]string // checked, failing, not in this run
	for _, m := range members {
		name := byPath[m]
		fails, inRun := failed[name]
		switch {
		case !inRun:
			groups[2] = append(groups[2], name)
		case fails:
			groups[1] = append(groups[1], name)
		default:
			groups[0] = append(groups[0], name)
		}
	}
	if len(groups[0]) == 0 && len(groups[2]) == 0 {
		return // nothing checked instead: the error alone says it all
	}
	var b strings.Builder
	for i, format := range []string{
		"; checked instead, as environments of their own, the %d it lists that build alone: %s",
		"; not checked, as they fail on their own too (%d): %s",
		"; environments of their own that this run does not check (%d): %s",
	} {
		if len(groups[i]) > 0 {
			fmt.Fprintf(&b, format, len(groups[i]), strings.Join(groups[i], ", "))
		}
	}
	r.Env.Error += b.String()
	for _, fs := range [][]finding.Finding{r.Findings, r.Ignored} {
		for i := range fs {
			if fs[i].Rule == finding.RuleRenderError {
				fs[i].Message += b.String()
			}
		}
	}
}

// shareProduced gives each of the sets named what the others produce (Via
// names the one it is in), taken from what each renders itself, not from
// what it was given; with namespaces, also the Namespaces of the others
// that it does not render.
func shareProduced(sets map[string]*manifest.Set, names []string, namespaces bool) {
	own := map[string][]manifest.Producer{}
	ownNS := map[string]map[string]*manifest.Object{}
	for _, n := range names {
		own[n], ownNS[n] = slices.Clone(sets[n].Producers), maps.Clone(sets[n].Namespaces)
	}
	for _, n := range names {
		set := sets[n]
		for _, other := range names {
			if other == n {
				continue
			}
			for _, p := range own[other] {
				p.Via += " in " + other
				set.Producers = append(set.Producers, p)
			}
			for name, ns := range ownNS[other] {
				if namespaces && set.Namespaces[name] == nil {
					set.Namespaces[name] = ns
				}
			}
		}
	}
}
