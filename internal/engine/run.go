package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/gitops"
	"github.com/meshgate/meshgate/internal/manifest"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/render/helm"
	"github.com/meshgate/meshgate/internal/render/kustomize"
	"github.com/meshgate/meshgate/internal/render/manifests"
	"github.com/meshgate/meshgate/internal/report"
)

// DefaultRenderers are the renderers by environment source: the
// implementations of render.Renderer.
func DefaultRenderers() map[string]render.Renderer {
	return map[string]render.Renderer{
		config.SourceHelm:      helm.Renderer{},
		config.SourceKustomize: kustomize.Renderer{},
		config.SourceManifests: manifests.Renderer{},
	}
}

// runOptions tune one run over environments.
type runOptions struct {
	Today time.Time
	// Progress, if set, is told each environment's state changes.
	Progress func(name, state string)
	// Done, if set, is told each environment's result as it finishes.
	Done func(report.Environment, int)
	// RenderOnly stops after rendering.
	RenderOnly bool
	// Renderers by environment source.
	Renderers map[string]render.Renderer
	// Elapsed measures an environment's duration in milliseconds.
	Elapsed func(start time.Time) int64

	// cache shares renderings between environments with identical render
	// inputs; runEnvironments makes one per run.
	cache *renderCache
	// shared holds the source files the environments' Builds share.
	shared *manifest.Shared
	// sets are objects already built, by environment name (provider
	// detection builds them first).
	sets map[string]*manifest.Set
	// gitops says which GitOps objects of each environment's rendering
	// were expanded, and what was not.
	gitops *gitops.Plan
}

// envResult is one environment's outcome.
type envResult struct {
	Env      report.Environment
	Findings []finding.Finding
	Ignored  []finding.Finding
	Docs     []render.Doc
	Panicked bool
	// Limited reports a rendering that a limit stopped.
	Limited bool
	// Drift is what mesh-drift compares across environments and with a
	// base; nil when the environment was not checked.
	Drift *check.DriftProfile
}

// setDefaults gives ro a render cache, shared sources and the default
// renderers where it has none.
func (ro *runOptions) setDefaults() {
	if ro.cache == nil {
		ro.cache = newRenderCache()
	}
	if ro.shared == nil {
		ro.shared = manifest.NewShared()
	}
	if ro.Renderers == nil {
		ro.Renderers = DefaultRenderers()
	}
}

// runEnvironments renders and checks envs concurrently, bounded by the CPU
// count, and returns the results in the order of envs.
func runEnvironments(ctx context.Context, cfg *config.Config, envs []config.Environment, ro runOptions) []envResult {
	ro.setDefaults()
	if ro.Elapsed == nil {
		ro.Elapsed = func(start time.Time) int64 { return time.Since(start).Milliseconds() }
	}
	results := make([]envResult, len(envs))
	workers := runtime.NumCPU()
	if workers > len(envs) {
		workers = len(envs)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = runEnvironment(ctx, cfg, envs[i], ro)
				if ro.Done != nil {
					ro.Done(results[i].Env, len(results[i].Findings))
				}
			}
		}()
	}
	for _, i := range schedule(envs) {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results
}

// schedule is the order the pool takes environments in: the longest first,
// so that no worker is left with a long one at the end. Kustomize builds
// cost about ten times Helm renders of the same services, so kustomize
// environments go first, then Helm, each in configuration order; an
// environment sharing its rendering with an earlier one goes last, where
// the rendering is most likely done and it costs only its checks.
func schedule(envs []config.Environment) []int {
	var kust, helm, shared []int
	seen := map[string]bool{}
	for i, env := range envs {
		key := renderKey(env)
		switch {
		case seen[key]:
			shared = append(shared, i)
		case env.Kustomize != nil:
			kust = append(kust, i)
		default:
			helm = append(helm, i)
		}
		seen[key] = true
	}
	return append(append(kust, helm...), shared...)
}

// runEnvironment renders and checks one environment. A panic in any stage is
// a bug: it becomes a render-error finding asking for a report, and the
// other environments go on.
func runEnvironment(ctx context.Context, cfg *config.Config, env config.Environment, ro runOptions) (res envResult) {
	progress := ro.Progress
	start := time.Now()
	res.Env = report.Environment{Name: env.Name, Source: env.Source(), Path: env.Path()}
	in := check.Input{Config: cfg, Env: env, Today: ro.Today}
	if ro.gitops != nil {
		in.GitOps = &check.GitOps{Followed: ro.gitops.Followed[env.Name], Notes: ro.gitops.Notes[env.Name]}
	}
	var r render.Result
	var set *manifest.Set
	defer func() {
		if p := recover(); p != nil {
			msg := fmt.Sprintf("internal error while checking this environment: %v; this is a bug in meshgate, please report it", p)
			res.Findings, res.Ignored = check.RenderFailure(in, &render.Error{Message: msg})
			res.Env.Error = msg
			res.Panicked = true
		}
		// Whatever goes out of this environment leaves its credentials
		// behind, a bug's message included.
		kept := redactFindings(&res, r.Redact, set)
		redactProfile(res.Drift, kept)
		res.Env.Mesh = coverageOf(res.Drift)
		res.Env.DurationMs = ro.Elapsed(start)
	}()
	if progress != nil {
		progress(env.Name, "rendering")
	}
	r = ro.cache.render(env, func() render.Result { return renderWith(ctx, ro.Renderers[env.Source()], cfg, env) })
	res.Docs = r.Docs
	if r.Err != nil {
		res.Panicked, res.Limited = r.Err.Internal, r.Err.Limit
		res.Env.Error = r.Err.Error()
		res.Findings, res.Ignored = check.RenderFailure(in, r.Err)
		return res
	}
	if ro.RenderOnly {
		return res
	}
	set = ro.sets[env.Name]
	var berr *render.Error
	if set == nil {
		set, berr = manifest.BuildShared(r, ro.shared)
	}
	if berr == nil && len(set.Objects) > cfg.Limits.Objects() {
		berr = &render.Error{Message: fmt.Sprintf("the environment rendered %d objects, more than limits.maxObjects (%d)", len(set.Objects), cfg.Limits.Objects()), File: env.Path(), Limit: true}
	}
	if berr != nil {
		res.Limited = berr.Limit
		res.Env.Error = berr.Error()
		res.Findings, res.Ignored = check.RenderFailure(in, berr)
		return res
	}
	if progress != nil {
		progress(env.Name, "checking")
	}
	in.Set = set
	res.Env.Objects = len(set.Objects)
	res.Env.Workloads = len(set.Workloads)
	for _, w := range set.Workloads {
		res.Env.WorkloadIDs = append(res.Env.WorkloadIDs, w.ID())
		if w.File != "" {
			if res.Env.WorkloadFiles == nil {
				res.Env.WorkloadFiles = map[string]string{}
			}
			res.Env.WorkloadFiles[w.ID()] = w.File
		}
	}
	res.Findings, res.Ignored, res.Drift = check.EnvironmentDrift(in)
	return res
}

// renderOptions are the limits of cfg as rendering options.
func renderOptions(cfg *config.Config) render.Options {
	return render.Options{MaxBytes: cfg.Limits.RenderedBytes(), MaxReads: cfg.Limits.Objects()}
}

// Render renders env within the limits of cfg: the render
// timeout, and the size and number of the rendered documents (checked
// before they are decoded, which costs many times their size). A renderer
// that times out is abandoned, not stopped (neither SDK can be
// interrupted): it runs on until it finishes or meshgate exits.
func (p *Plan) Render(ctx context.Context, env config.Environment) render.Result {
	rs := p.Renderers
	if rs == nil {
		rs = DefaultRenderers()
	}
	return renderWith(ctx, rs[env.Source()], p.Config, env)
}

func renderWith(ctx context.Context, renderer render.Renderer, cfg *config.Config, env config.Environment) render.Result {
	lim := cfg.Limits
	rctx, cancel := context.WithTimeout(ctx, lim.Timeout())
	defer cancel()
	r := renderer.Render(rctx, cfg.Root, env, renderOptions(cfg))
	if r.Err != nil {
		if ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded) {
			r.Err = &render.Error{Message: fmt.Sprintf("rendering did not finish within limits.renderTimeout (%s): does a template loop, or an overlay include the same bases over and over?", lim.Timeout()), File: env.Path(), Limit: true}
		}
		return r
	}
	var size int64
	for _, d := range r.Docs {
		size += int64(len(d.YAML))
	}
	switch {
	case size > lim.RenderedBytes():
		r.Err = &render.Error{Message: fmt.Sprintf("the environment rendered %.1f MiB, more than limits.maxRenderedBytes (%.1f MiB)", float64(size)/(1<<20), float64(lim.RenderedBytes())/(1<<20)), File: env.Path(), Limit: true}
	case len(r.Docs) > lim.Objects():
		r.Err = &render.Error{Message: fmt.Sprintf("the environment rendered %d documents, more than limits.maxObjects (%d)", len(r.Docs), lim.Objects()), File: env.Path(), Limit: true}
	}
	if r.Err != nil {
		r.Docs = nil
	}
	return r
}

// redactFindings removes the credentials an environment's rendering saw
// (and the values of its rendered Secrets) from the messages and reasons of
// its findings and from its error. A credential equal to a name the
// environment renders (an object, namespace, container, Secret key) is a
// name, not a secret, and stays.
func redactFindings(res *envResult, redact []string, set *manifest.Set) (kept []string) {
	secrets := append([]string(nil), redact...)
	if set != nil {
		secrets = append(secrets, set.Redact...)
	}
	if len(secrets) == 0 {
		return nil
	}
	names := map[string]bool{}
	if set != nil {
		for _, o := range set.Objects {
			names[o.Name], names[o.Namespace], names[o.Kind] = true, true, true
		}
		for _, w := range set.Workloads {
			for _, c := range w.Pod.Containers {
				names[c.Name] = true
				for _, e := range c.Env {
					names[e] = true
				}
			}
		}
		for _, ref := range set.Refs {
			names[ref.Name], names[ref.Key] = true, true
		}
		for _, p := range set.Producers {
			for _, k := range p.Keys {
				names[k] = true
			}
		}
	}
	kept = secrets[:0]
	for _, s := range secrets {
		if !names[s] {
			kept = append(kept, s)
		}
	}
	for _, list := range [][]finding.Finding{res.Findings, res.Ignored} {
		for i := range list {
			list[i].Message = render.Redacted(list[i].Message, kept)
			list[i].Reason = render.Redacted(list[i].Reason, kept)
		}
	}
	res.Env.Error = render.Redacted(res.Env.Error, kept)
	return kept
}

// buildReport assembles the results into a finalized report.
func buildReport(results []envResult, toolVersion string) report.Report {
	rep := report.Report{Tool: report.Tool{Name: "meshgate", Version: toolVersion}}
	for _, r := range results {
		rep.Environments = append(rep.Environments, r.Env)
		rep.Findings = append(rep.Findings, r.Findings...)
		rep.Ignored = append(rep.Ignored, r.Ignored...)
	}
	rep.Finalize()
	return rep
}
