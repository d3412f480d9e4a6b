package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/meshgate/meshgate/internal/action"
	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/report"
	"github.com/spf13/cobra"
)

// today is the date exemptions are judged by. MESHGATE_TODAY=YYYY-MM-DD
// pins it, for reproducible audits and tests.
func today(getenv func(string) string) (time.Time, error) {
	if v := getenv("MESHGATE_TODAY"); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return time.Time{}, usagef("MESHGATE_TODAY=%q: want YYYY-MM-DD", v)
		}
		return t, nil
	}
	return time.Now().UTC(), nil
}

// checkOptions are the flags of `meshgate check`.
type checkOptions struct {
	Dir            string
	Config         string
	Envs           []string
	Outputs        []output
	FailOn         string
	Shard          shard
	BaseRef        string
	Baseline       string
	FailOnExisting bool
	// ChangedSince keeps the environments whose inputs changed since this
	// git ref (or between A..B).
	ChangedSince string
	// changedFiles, when not nil, are the changed files (the changed-only
	// action input, from the pull request).
	changedFiles []string
	changedFrom  string

	// RenderOnly renders and stops: the benchmark's render-only baseline.
	RenderOnly bool

	failOnSet bool // --fail-on was given (it wins over the action input)
	// baseTree is the pull request's base commit from GitHub's archive
	// (the Action, without git).
	baseTree *engine.BaseTree
	// autoBase is true when the Action chose the base itself (the pull
	// request's base commit): a base that cannot be checked then only
	// means that no finding is marked new or existing.
	autoBase bool
}

// request is what the options ask the engine to check.
func (o *checkOptions) request(getenv func(string) string) engine.Request {
	return engine.Request{Getenv: getenv,
		Dir: o.Dir, ConfigFile: o.Config, Envs: o.Envs, Shard: engine.Shard(o.Shard),
		ChangedSince: o.ChangedSince, ChangedFiles: o.changedFiles, ChangedFrom: o.changedFrom,
		BaseRef: o.BaseRef, Baseline: o.Baseline, BaseTree: o.baseTree, BaseOptional: o.autoBase,
	}
}

const checkExamples = `  meshgate check                          # the repository in this directory
  meshgate check deploy-repo --env prod   # one environment of another checkout
  meshgate check --format json --output report.json --format sarif --output report.sarif
  meshgate check --base-ref origin/main   # mark findings new or existing
  meshgate check --shard 1/4              # a quarter of the environments, for a matrix`

func newCheckCmd(s Streams) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [DIR]",
		Short: "render and check every environment",
		Long: `Render every environment (Helm charts with their values files, kustomize
overlays) exactly as it would deploy, and check that every workload gets its
mesh dataplane and that every Secret it references exists. DIR, or -C DIR,
is the repository root; paths in findings are relative to it.`,
		Example: checkExamples,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(cmd, args); err != nil {
				return err
			}
			code, err := runCheck(cmd.Context(), s, o)
			if err != nil {
				return err
			}
			return exit(code)
		},
	}
	addRepoFlags(cmd, &o.Dir, &o.Config, &o.Envs)
	addOutputFlags(cmd, &o.Outputs, "output format")
	addFailOnFlag(cmd, &o.FailOn)
	f := cmd.Flags()
	f.Var(&o.Shard, "shard", "check only the I-th of N stable slices of the environments")
	f.StringVar(&o.BaseRef, "base-ref", "", "also check git `REF` and mark findings new or existing")
	f.StringVar(&o.Baseline, "baseline", "", "take the base report from `REPORT.json` instead of --base-ref")
	f.BoolVar(&o.FailOnExisting, "fail-on-existing", false, "with a base, count existing findings for --fail-on too")
	f.StringVar(&o.ChangedSince, "changed-since", "", "check only environments whose inputs changed since git `REF` (or between A..B)")
	f.BoolVar(&o.RenderOnly, "render-only", false, "render every environment and stop (for benchmarks)")
	_ = f.MarkHidden("render-only")
	_ = cmd.MarkFlagFilename("baseline", "json")
	return cmd
}

// complete checks the flags together and takes a positional DIR.
func (o *checkOptions) complete(cmd *cobra.Command, args []string) error {
	if err := takeDir(cmd, &o.Dir, args); err != nil {
		return err
	}
	o.failOnSet = cmd.Flags().Changed("fail-on")
	if o.BaseRef != "" && o.Baseline != "" {
		return usagef("check: --base-ref and --baseline exclude each other")
	}
	outs, err := finishGate("check", o.FailOn, o.Outputs)
	o.Outputs = outs
	return err
}

func runCheck(ctx context.Context, s Streams, o *checkOptions) (int, error) {
	// A bad date is the user's before anything is published.
	_, err := today(s.Getenv)
	var ar *actionRun
	if err == nil && action.InActions(s.Getenv) {
		ar, err = startAction(ctx, s, o)
	}
	if err != nil {
		return 0, err
	}
	plan, err := newPlan(ctx, s, o.request(s.Getenv))
	if err != nil {
		return 0, err
	}
	plan.RenderOnly = o.RenderOnly
	if ar != nil {
		plan.Warn = ar.Warning
		ar.Record(plan)
	}
	if o.RenderOnly {
		rep, _ := engine.Run(ctx, plan)
		fmt.Fprintf(s.Stderr, "meshgate: rendered %d environment(s), %d failed\n", len(rep.Environments), countFailed(rep))
		return 0, nil
	}
	if ar != nil {
		if err := ar.start(ctx); err != nil {
			return 0, err
		}
	}
	live := showProgress(s, plan)
	started := time.Now()
	rep, err := engine.Run(ctx, plan)
	var internal *engine.InternalError
	if err != nil && !errors.As(err, &internal) {
		return 0, usagef("%v", err)
	}
	if live || ar != nil {
		fmt.Fprintln(s.Stderr, timingSummary(rep.Environments, time.Since(started)))
	}
	if ar != nil {
		ar.Suggest(ctx, plan, &rep, internal == nil)
		ar.LogGroups(rep)
	}
	if err := writeOutputs(s, o.Outputs, rep); err != nil {
		return 0, err
	}
	onlyNew := plan.HasBase() && !o.FailOnExisting
	if ar != nil {
		if err := ar.finish(ctx, s, o, rep, onlyNew); err != nil {
			return 0, err
		}
	}
	if internal != nil {
		return report.ExitInternal, nil
	}
	return rep.ExitCode(o.FailOn, onlyNew), nil
}

// newPlan is the engine's plan for req, set up as every command runs it:
// the day, the version, the seams, and notices and discovery on stderr.
func newPlan(ctx context.Context, s Streams, req engine.Request) (*engine.Plan, error) {
	day, err := today(s.Getenv)
	if err != nil {
		return nil, err
	}
	plan, err := engine.NewPlan(ctx, req)
	if err != nil {
		return nil, usagef("%v", err)
	}
	plan.Today, plan.ToolVersion = day, Version()
	plan.Elapsed, plan.Renderers = elapsedMs, renderers
	plan.Notice = func(msg string) { fmt.Fprintf(s.Stderr, "meshgate: %s\n", msg) }
	describePlan(s, plan)
	return plan, nil
}

// Seams for tests: elapsedMs pins durations so that golden reports are
// byte-for-byte stable; renderers replaces a renderer. nil is the real one.
var (
	elapsedMs func(time.Time) int64
	renderers map[string]render.Renderer
)

// showProgress draws a live line per environment on a terminal, and
// reports whether it does.
func showProgress(s Streams, plan *engine.Plan) bool {
	if !isTerminal(s.Stderr) || len(plan.Environments) == 0 {
		return false
	}
	live := newLiveProgress(s.Stderr, plan.Environments)
	plan.Progress = live.update
	plan.Done = func(e report.Environment, findings int) {
		live.done(e.Name, e.Workloads, findings, time.Duration(e.DurationMs)*time.Millisecond)
	}
	return true
}

func countFailed(rep report.Report) int {
	n := 0
	for _, e := range rep.Environments {
		if e.Error != "" {
			n++
		}
	}
	return n
}

// describePlan says on stderr, so that stdout stays the report, which
// environments discovery found and which changed inputs kept.
func describePlan(s Streams, plan *engine.Plan) {
	if plan.Config.Discovered {
		describeDiscovery(s, plan.Config)
	}
	plan.DescribeGitOps(s.Stderr)
	if c := plan.Changed; c != nil {
		list := strings.Join(engine.Names(plan.Environments), ", ")
		if list == "" {
			list = "none"
		}
		fmt.Fprintf(s.Stderr, "meshgate: %d of %d environment(s) changed since %s: %s\n", len(plan.Environments), c.All, c.From, list)
	}
}

// describeDiscovery says which environments discovery found, on stderr so
// that stdout stays the report.
func describeDiscovery(s Streams, cfg *config.Config) {
	fmt.Fprintf(s.Stderr, "meshgate: no .meshgate.yaml; discovered %d environment(s):\n", len(cfg.Environments))
	for _, e := range cfg.Environments {
		fmt.Fprintf(s.Stderr, "  %-24s %s %s\n", e.Name, e.Source(), e.Origin)
	}
	describeSkipped(s, cfg.Skipped)
}

// describeSkipped says what discovery passed over, and why.
func describeSkipped(s Streams, skipped []config.Skipped) {
	if len(skipped) > 0 {
		fmt.Fprintf(s.Stderr, "meshgate: skipped %d:\n", len(skipped))
	}
	for _, sk := range skipped {
		fmt.Fprintf(s.Stderr, "  %s: %s\n", sk.Path, sk.Reason)
	}
}

// writeOutputs writes every requested format; the text format gets colour
// only on a terminal and without NO_COLOR.
func writeOutputs(s Streams, outs []output, rep report.Report) error {
	for _, out := range outs {
		opts := report.Options{ToolVersion: Version()}
		opts.Color = out.File == "" && out.Format == "text" && isTerminal(s.Stdout) && s.Getenv("NO_COLOR") == ""
		if err := report.Write(s.Stdout, out.File, out.Format, rep, opts); err != nil {
			return err
		}
	}
	return nil
}
