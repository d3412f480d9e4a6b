package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/manifest"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/render/helm"
	"github.com/meshgate/meshgate/internal/render/kustomize"
	"github.com/meshgate/meshgate/internal/report"
)

// renderers by environment source; the two implementations of render.Renderer.
var renderers = map[string]render.Renderer{
	"helm":      helm.Renderer{},
	"kustomize": kustomize.Renderer{},
}

// loadConfig finds and loads the config of the repository at dir, or
// discovers environments when there is none. Problems are usage errors.
func loadConfig(dir, file string) (*config.Config, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, usagef("-C %s: %v", dir, err)
	}
	path, err := config.Find(root, file)
	if err != nil {
		return nil, usagef("%v", err)
	}
	if path == "" {
		cfg, err := config.DefaultConfig(root)
		if err != nil {
			return nil, usagef("discover environments in %s: %v", dir, err)
		}
		return cfg, nil
	}
	cfg, err := config.Load(root, path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return cfg, nil
}

// selectEnvironments applies --env and --shard.
func selectEnvironments(cfg *config.Config, names []string, sh shard) ([]config.Environment, error) {
	envs := append([]config.Environment(nil), cfg.Environments...)
	sort.Slice(envs, func(i, j int) bool { return envs[i].Name < envs[j].Name })
	if len(names) > 0 {
		byName := map[string]config.Environment{}
		for _, e := range envs {
			byName[e.Name] = e
		}
		var picked []config.Environment
		seen := map[string]bool{}
		for _, n := range names {
			e, ok := byName[n]
			if !ok {
				valid := make([]string, 0, len(envs))
				for _, e := range envs {
					valid = append(valid, e.Name)
				}
				where := "discovered"
				if cfg.File != "" {
					where = "in " + cfg.File
				}
				return nil, usagef("--env %q: no such environment %s (have: %s)", n, where, strings.Join(valid, ", "))
			}
			if !seen[n] {
				seen[n] = true
				picked = append(picked, e)
			}
		}
		sort.Slice(picked, func(i, j int) bool { return picked[i].Name < picked[j].Name })
		envs = picked
	}
	if sh.active() {
		// Round-robin over the sorted names: every shard of one run gets a
		// stable, balanced slice.
		var part []config.Environment
		for i, e := range envs {
			if i%sh.N == sh.I-1 {
				part = append(part, e)
			}
		}
		envs = part
	}
	return envs, nil
}

// elapsedMs measures an environment's duration; tests pin it so that golden
// reports are byte-for-byte stable.
var elapsedMs = func(start time.Time) int64 { return time.Since(start).Milliseconds() }

// runOptions tune one run over environments.
type runOptions struct {
	Today time.Time
	// Progress, if set, is told each environment's state changes.
	Progress func(name, state string)
	// Done, if set, is told each environment's result as it finishes.
	Done func(envResult)
	// RenderOnly stops after rendering (benchmarks measure the cost of
	// checking against it).
	RenderOnly bool
}

// envResult is one environment's outcome.
type envResult struct {
	Env      report.Environment
	Findings []check.Finding
	Ignored  []check.Finding
	Docs     []render.Doc
	Panicked bool
}

// runEnvironments renders and checks envs concurrently, bounded by the CPU
// count, and returns the results in the order of envs.
func runEnvironments(ctx context.Context, cfg *config.Config, envs []config.Environment, ro runOptions) []envResult {
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
					ro.Done(results[i])
				}
			}
		}()
	}
	for i := range envs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results
}

// runEnvironment renders and checks one environment. A panic in any stage is
// a bug: it becomes a render-error finding asking for a report, and the
// other environments go on.
func runEnvironment(ctx context.Context, cfg *config.Config, env config.Environment, ro runOptions) (res envResult) {
	progress := ro.Progress
	start := time.Now()
	res.Env = report.Environment{Name: env.Name, Source: env.Source(), Path: env.Path()}
	in := check.Input{Config: cfg, Env: env, Today: ro.Today}
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprintf("internal error while checking this environment: %v; this is a bug in meshgate, please report it", r)
			res.Findings, res.Ignored = check.RenderFailure(in, &render.Error{Message: msg})
			res.Env.Error = msg
			res.Panicked = true
		}
		res.Env.DurationMs = elapsedMs(start)
	}()
	if progress != nil {
		progress(env.Name, "rendering")
	}
	r := renderers[env.Source()].Render(ctx, cfg.Root, env, render.Options{})
	res.Docs = r.Docs
	if r.Err != nil {
		res.Env.Error = r.Err.Error()
		res.Findings, res.Ignored = check.RenderFailure(in, r.Err)
		return res
	}
	if ro.RenderOnly {
		return res
	}
	set, berr := manifest.Build(r)
	if berr != nil {
		res.Env.Error = berr.Error()
		res.Findings, res.Ignored = check.RenderFailure(in, berr)
		return res
	}
	if len(set.Objects) == 0 {
		// An environment that deploys nothing is almost always a broken
		// values file or kustomization, and would pass every check.
		e := &render.Error{Message: "the environment rendered no objects", File: env.Path()}
		res.Env.Error = e.Error()
		res.Findings, res.Ignored = check.RenderFailure(in, e)
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
	}
	res.Findings, res.Ignored = check.Environment(in)
	return res
}

// buildReport assembles the results into a finalized report.
func buildReport(results []envResult) report.Report {
	rep := report.Report{Tool: report.Tool{Name: "meshgate", Version: Version()}}
	for _, r := range results {
		rep.Environments = append(rep.Environments, r.Env)
		rep.Findings = append(rep.Findings, r.Findings...)
		rep.Ignored = append(rep.Ignored, r.Ignored...)
	}
	rep.Finalize()
	return rep
}
