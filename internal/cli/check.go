package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/report"
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

func runCheck(ctx context.Context, s Streams, args []string) (int, error) {
	o, err := parseCheckFlags(args, s.Stderr)
	if err != nil {
		return 0, err
	}
	day, err := today(s.Getenv)
	if err != nil {
		return 0, err
	}
	var ar *actionRun
	if inActions(s.Getenv) {
		if ar, err = startAction(ctx, s, o); err != nil {
			return 0, err
		}
	}
	plan, err := engine.NewPlan(ctx, o.request())
	if err != nil {
		return 0, usagef("%v", err)
	}
	plan.Today, plan.ToolVersion, plan.RenderOnly = day, Version(), o.RenderOnly
	plan.Elapsed, plan.Renderers = elapsedMs, renderers
	plan.Warn = func(msg string) { fmt.Fprintf(s.Stdout, "::warning title=meshgate::%s\n", msg) }
	describePlan(s, plan)
	if o.RenderOnly {
		rep, _ := engine.Run(ctx, plan)
		fmt.Fprintf(s.Stderr, "meshgate: rendered %d environment(s), %d failed\n", len(rep.Environments), countFailed(rep))
		return 0, nil
	}
	if ar != nil {
		if err := ar.start(ctx, o); err != nil {
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
		logGroups(s, rep)
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
}

// writeOutputs writes every requested format; the text format gets colour
// only on a terminal and without NO_COLOR.
func writeOutputs(s Streams, outs []output, rep report.Report) error {
	for _, out := range outs {
		f, err := report.Lookup(out.Format)
		if err != nil {
			return usagef("%v", err)
		}
		opts := report.Options{ToolVersion: Version()}
		if out.File == "" {
			opts.Color = out.Format == "text" && isTerminal(s.Stdout) && s.Getenv("NO_COLOR") == ""
			if err := f(s.Stdout, rep, opts); err != nil {
				return fmt.Errorf("write %s report: %w", out.Format, err)
			}
			continue
		}
		var buf bytes.Buffer
		if err := f(&buf, rep, opts); err != nil {
			return fmt.Errorf("write %s report: %w", out.Format, err)
		}
		if dir := filepath.Dir(out.File); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("write %s report: %w", out.Format, err)
			}
		}
		if err := os.WriteFile(out.File, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s report: %w", out.Format, err)
		}
	}
	return nil
}
