// Package engine plans and runs one check over a repository: it selects the
// environments (config or discovery, --env, --shard, changed inputs),
// renders them in a bounded pool with a shared render cache and the
// configured limits, turns a panic in any stage into a finding, redacts
// what the renderings saw, and compares with a base (a baseline report or a
// git ref). The command line, benchmarks and tests all run checks through
// it; nothing else wires the stages together.
package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/gitops"
	"github.com/meshgate/meshgate/internal/manifest"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/report"
)

// Request is what a user asked to check.
type Request struct {
	// Dir is the repository root; ConfigFile the config, "" to find
	// .meshgate.yaml in Dir or discover environments.
	Dir, ConfigFile string
	// Envs names the environments to check; empty means all.
	Envs []string
	// Shard checks the I-th (1-based) of N slices of the environments.
	Shard Shard
	// ChangedSince keeps the environments whose inputs changed since this
	// git ref (or between A..B).
	ChangedSince string
	// ChangedFiles, when not nil, are the changed files themselves (the
	// Action's changed-only, from the pull request); ChangedFrom says
	// since what, for messages.
	ChangedFiles []string
	ChangedFrom  string
	// BaseRef is a git ref to check as well, marking findings new or
	// existing; Baseline takes the base report from a JSON file instead.
	BaseRef, Baseline string
	// BaseTree is a base whose files come from elsewhere than git (the
	// Action's image has none): the pull request's base commit as GitHub
	// serves it. It excludes BaseRef and Baseline.
	BaseTree *BaseTree
	// BaseOptional turns a base that cannot be checked into a warning:
	// findings are then not marked, and the report's baseline says why
	// (the Action chose the base itself).
	BaseOptional bool
	// Getenv reads the environment (GITHUB_REPOSITORY, to know which
	// GitOps objects deploy from this repository); nil reads none.
	Getenv func(string) string
}

// BaseTree is a commit to compare with whose files Fetch provides.
type BaseTree struct {
	// Commit is the commit's SHA, for the report's baseline.
	Commit string
	// Fetch writes the commit's files of the repository root (the
	// folder Request.Dir is at in the checkout) into dir, an empty folder,
	// within limits: the head's configured limits.
	Fetch func(ctx context.Context, dir string, limits config.Limits) error
}

// Shard is the I-th (1-based) of N stable slices of the environments.
type Shard struct{ I, N int }

// Active reports whether the shard selects a slice.
func (s Shard) Active() bool { return s.N > 1 }

// Plan is one check, ready to run.
type Plan struct {
	Config *config.Config
	// Environments are the environments to check, sorted by name.
	Environments []config.Environment
	// Changed is set when changed inputs narrowed the environments: the
	// count before, and since what.
	Changed *Changed

	Today       time.Time
	ToolVersion string
	// RenderOnly renders every environment and stops (the benchmark's
	// render-only baseline).
	RenderOnly bool

	// Progress, if set, is told each environment's state changes
	// (rendering, checking); Done each environment's outcome.
	Progress func(env, state string)
	Done     func(env report.Environment, findings int)
	// Warn, if set, is told what went wrong with an optional base.
	Warn func(msg string)
	// Notice, if set, is told which mesh provider was assumed and why,
	// when the config names none.
	Notice func(msg string)
	// Detection is the provider detected from the rendered objects, set by
	// Run when the config names none.
	Detection *check.Detection
	// Elapsed measures an environment's duration in milliseconds; tests pin
	// it so that golden reports are byte-for-byte stable.
	Elapsed func(start time.Time) int64
	// Renderers by environment source; nil means DefaultRenderers.
	Renderers map[string]render.Renderer

	baseRef, baseline string
	baseTree          *BaseTree
	baseOptional      bool
	// gitops is what the GitOps objects of the repository expanded to;
	// cache and shared hold what NewPlan rendered to find nested ones, for
	// Run to reuse.
	gitops *gitops.Plan
	cache  *renderCache
	shared *manifest.Shared
}

// Changed says how changed inputs narrowed a plan.
type Changed struct {
	From string
	All  int
}

// NewPlan loads the configuration (or discovers environments) and selects
// what req asks for. Its errors are the user's to fix: a bad directory,
// config, environment name, or a git ref that cannot be used.
func NewPlan(ctx context.Context, req Request) (*Plan, error) {
	if req.BaseRef != "" && req.Baseline != "" {
		return nil, errors.New("--base-ref and --baseline exclude each other")
	}
	if req.BaseTree != nil && (req.BaseRef != "" || req.Baseline != "") {
		return nil, errors.New("the pull request's base commit excludes --base-ref and --baseline")
	}
	cfg, err := LoadConfig(req.Dir, req.ConfigFile)
	if err != nil {
		return nil, err
	}
	ro := runOptions{cache: newRenderCache(), shared: manifest.NewShared()}
	gp, err := expandGitOps(ctx, cfg, req.Getenv, ro)
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckUnmatched(cfg.Environments); err != nil {
		return nil, err
	}
	if len(cfg.Environments) == 0 {
		// Passing with nothing checked would open the gate.
		return nil, fmt.Errorf("%s: no .meshgate.yaml, and no chart (Chart.yaml), kustomization or GitOps object found to check; is -C the repository root?", req.Dir)
	}
	envs, err := selectEnvironments(cfg, req.Envs, req.Shard)
	if err != nil {
		return nil, err
	}
	p := &Plan{Config: cfg, Environments: envs, baseRef: req.BaseRef, baseline: req.Baseline, baseTree: req.BaseTree, baseOptional: req.BaseOptional,
		gitops: gp, cache: ro.cache, shared: ro.shared}
	files, from := req.ChangedFiles, req.ChangedFrom
	if req.ChangedSince != "" {
		if err := gitCheckRef(ctx, cfg.Root, "--changed-since", req.ChangedSince, true); err != nil {
			return nil, err
		}
		if files, err = gitChangedFiles(ctx, cfg.Root, req.ChangedSince); err != nil {
			return nil, fmt.Errorf("--changed-since %s: %v", req.ChangedSince, err)
		}
		from = req.ChangedSince
	}
	if files != nil {
		p.Changed = &Changed{From: from, All: len(envs)}
		p.Environments = onlyChanged(cfg, envs, files)
	}
	if req.BaseRef != "" && !req.BaseOptional {
		if err := gitCheckRef(ctx, cfg.Root, "--base-ref", req.BaseRef, false); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// InternalError says that a stage panicked in some environments: a bug in
// meshgate. The report that comes with it is complete, with a render-error
// finding for each.
type InternalError struct{ Environments []string }

func (e *InternalError) Error() string {
	return fmt.Sprintf("internal error while checking %s; this is a bug in meshgate, please report it", strings.Join(e.Environments, ", "))
}

// Run checks the plan's environments and, with a base, marks each finding
// new or existing. The error is an *InternalError (with a complete report)
// or a base that could not be checked.
func Run(ctx context.Context, p *Plan) (report.Report, error) {
	ro := p.runOptions()
	p.detectProvider(ctx, &ro)
	p.poolGitOps(ctx, &ro)
	results := runAll(ctx, p.Config, p.Environments, ro)
	if !p.RenderOnly {
		driftAcross(p.Config, p.Today, results)
	}
	rep := buildReport(results, p.ToolVersion)
	if p.RenderOnly {
		return rep, nil
	}
	base, baseline, err := p.loadBase(ctx)
	if err != nil && p.baseOptional {
		reason := strings.ReplaceAll(err.Error(), "\n", "; ")
		if p.Warn != nil {
			p.Warn(fmt.Sprintf("cannot check the pull request's base commit (%s); findings are not marked new or existing", reason))
		}
		base, baseline, err = nil, &report.Baseline{Kind: report.BaselinePreviousRun, Fallback: reason}, nil
	}
	if err != nil {
		return rep, err
	}
	rep.Baseline = baseline
	if base != nil {
		driftSince(p.Config, p.Today, &rep, results, *base)
		markNew(&rep, *base)
	}
	var panicked []string
	for _, r := range results {
		if r.Panicked {
			panicked = append(panicked, r.Env.Name)
		}
	}
	if panicked != nil {
		return rep, &InternalError{Environments: panicked}
	}
	return rep, nil
}

// HasBase reports whether findings will be marked new or existing.
func (p *Plan) HasBase() bool { return p.baseRef != "" || p.baseline != "" || p.baseTree != nil }

func (p *Plan) runOptions() runOptions {
	ro := runOptions{Today: p.Today, Progress: p.Progress, Done: p.Done, RenderOnly: p.RenderOnly, Elapsed: p.Elapsed, Renderers: p.Renderers, gitops: p.gitops}
	if p.Renderers == nil {
		// What NewPlan rendered with the default renderers.
		ro.cache, ro.shared = p.cache, p.shared
	}
	return ro
}

// LoadConfig finds and loads the config of the repository at dir, or
// discovers environments when there is none.
func LoadConfig(dir, file string) (*config.Config, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("-C %s: %v", dir, err)
	}
	path, err := config.Find(root, file)
	if err != nil {
		return nil, err
	}
	if path != "" {
		return config.Load(root, path)
	}
	cfg, err := config.DefaultConfig(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	return cfg, nil
}

// selectEnvironments applies --env and --shard.
func selectEnvironments(cfg *config.Config, names []string, sh Shard) ([]config.Environment, error) {
	envs := append([]config.Environment(nil), cfg.Environments...)
	sort.Slice(envs, func(i, j int) bool { return envs[i].Name < envs[j].Name })
	if len(names) > 0 {
		picked, err := pickEnvironments(cfg, envs, names)
		if err != nil {
			return nil, err
		}
		envs = picked
	}
	if sh.Active() {
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

// pickEnvironments returns the environments named, sorted, each once.
func pickEnvironments(cfg *config.Config, envs []config.Environment, names []string) ([]config.Environment, error) {
	byName := map[string]config.Environment{}
	valid := make([]string, 0, len(envs))
	for _, e := range envs {
		byName[e.Name] = e
		valid = append(valid, e.Name)
	}
	var picked []config.Environment
	seen := map[string]bool{}
	for _, n := range names {
		e, ok := byName[n]
		if !ok {
			where := "discovered"
			if cfg.File != "" {
				where = "in " + cfg.File
			}
			return nil, fmt.Errorf("--env %q: no such environment %s (have: %s)", n, where, strings.Join(valid, ", "))
		}
		if !seen[n] {
			seen[n] = true
			picked = append(picked, e)
		}
	}
	sort.Slice(picked, func(i, j int) bool { return picked[i].Name < picked[j].Name })
	return picked, nil
}

// Names are the names of envs, in order.
func Names(envs []config.Environment) []string {
	names := make([]string, len(envs))
	for i, e := range envs {
		names[i] = e.Name
	}
	return names
}
