package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshgate/meshgate/internal/action"
	"github.com/meshgate/meshgate/internal/config"
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
	if action.InActions(s.Getenv) {
		if ar, err = startAction(ctx, s, o); err != nil {
			return 0, err
		}
	}
	cfg, err := loadConfig(o.Dir, o.Config)
	if err != nil {
		return 0, err
	}
	if cfg.Discovered {
		describeDiscovery(s, cfg)
	}
	envs, err := selectEnvironments(cfg, o.Envs, o.Shard)
	if err != nil {
		return 0, err
	}
	if o.ChangedSince != "" {
		files, err := gitChangedFiles(ctx, cfg.Root, o.ChangedSince)
		if err != nil {
			return 0, usagef("--changed-since %s: %v", o.ChangedSince, err)
		}
		o.changedFiles, o.changedFrom = files, o.ChangedSince
	}
	if o.changedFiles != nil {
		kept := onlyChanged(cfg, envs, o.changedFiles)
		describeChanged(s, o.changedFrom, kept, envs)
		envs = kept
	}
	if o.RenderOnly {
		results := runEnvironments(ctx, cfg, envs, runOptions{Today: day, RenderOnly: true})
		failed := 0
		for _, r := range results {
			if r.Env.Error != "" {
				failed++
			}
		}
		fmt.Fprintf(s.Stderr, "meshgate: rendered %d environment(s), %d failed\n", len(results), failed)
		return 0, nil
	}
	if ar != nil {
		if err := ar.start(ctx); err != nil {
			return 0, err
		}
	}
	ro := runOptions{Today: day}
	var live *liveProgress
	if isTerminal(s.Stderr) && len(envs) > 0 {
		live = newLiveProgress(s.Stderr, envs)
		ro.Progress = live.update
		ro.Done = func(r envResult) {
			live.done(r.Env.Name, r.Env.Workloads, len(r.Findings), time.Duration(r.Env.DurationMs)*time.Millisecond)
		}
	}
	started := time.Now()
	results := runEnvironments(ctx, cfg, envs, ro)
	if live != nil || ar != nil {
		fmt.Fprintln(s.Stderr, timingSummary(results, time.Since(started)))
	}
	rep := buildReport(results)

	names := make([]string, len(envs))
	for i, e := range envs {
		names[i] = e.Name
	}
	base, err := loadBase(ctx, o, names, cfg, day)
	if err != nil && o.autoBase {
		ar.Warning(fmt.Sprintf("cannot check the pull request's base commit (%s); findings are not marked new or existing", strings.ReplaceAll(err.Error(), "\n", "; ")))
		base, err = nil, nil
	}
	if err != nil {
		return 0, err
	}
	if base != nil {
		markNew(&rep, *base)
	}
	if ar != nil {
		ar.LogGroups(rep)
	}
	if err := writeOutputs(s, o.Outputs, rep); err != nil {
		return 0, err
	}
	onlyNew := base != nil && !o.FailOnExisting
	if ar != nil {
		if err := ar.finish(ctx, s, o, rep, onlyNew); err != nil {
			return 0, err
		}
	}
	for _, r := range results {
		if r.Panicked {
			return report.ExitInternal, nil
		}
	}
	return rep.ExitCode(o.FailOn, onlyNew), nil
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

// loadBase returns the base report for new/existing marking, from
// --baseline or by checking --base-ref in a temporary git worktree.
func loadBase(ctx context.Context, o *checkOptions, names []string, cfg *config.Config, day time.Time) (*report.Report, error) {
	switch {
	case o.Baseline != "":
		f, err := os.Open(o.Baseline)
		if err != nil {
			return nil, usagef("--baseline: %v", err)
		}
		defer f.Close()
		rep, err := report.ReadJSON(f)
		if err != nil {
			return nil, usagef("--baseline %s: %v", o.Baseline, err)
		}
		return &rep, nil
	case o.BaseRef != "":
		rep, err := checkRef(ctx, o.BaseRef, names, cfg, day)
		if err != nil {
			return nil, usagef("--base-ref %s: %v", o.BaseRef, err)
		}
		return rep, nil
	}
	return nil, nil
}

// checkRef checks the environments named as they are at git ref, from a
// temporary worktree that is removed afterwards. An environment the ref
// does not have yet has no base findings: all of its findings are new.
func checkRef(ctx context.Context, ref string, names []string, cfg *config.Config, day time.Time) (*report.Report, error) {
	tmp, err := os.MkdirTemp("", "meshgate-base-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	wt := filepath.Join(tmp, "wt")
	if out, err := gitCmd(ctx, cfg.Root, "worktree", "add", "--detach", "--quiet", wt, ref).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("git worktree add: %s", strings.TrimSpace(string(out)))
	}
	defer gitCmd(context.Background(), cfg.Root, "worktree", "remove", "--force", wt).Run()

	// The repository root may be a subfolder of the git top level.
	top, err := gitCmd(ctx, cfg.Root, "rev-parse", "--show-prefix").Output()
	if err != nil {
		return nil, fmt.Errorf("git rev-parse: %w", err)
	}
	baseRoot := filepath.Join(wt, strings.TrimSpace(string(top)))
	var baseCfg *config.Config
	if cfg.File != "" {
		if _, err := os.Stat(filepath.Join(baseRoot, cfg.File)); err == nil {
			baseCfg, err = config.Load(baseRoot, filepath.Join(baseRoot, cfg.File))
			if err != nil {
				return nil, err
			}
		}
	}
	if baseCfg == nil {
		baseCfg, err = config.DefaultConfig(baseRoot)
		if err != nil {
			return nil, err
		}
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var envs []config.Environment
	for _, e := range baseCfg.Environments {
		if want[e.Name] {
			envs = append(envs, e)
		}
	}
	rep := buildReport(runEnvironments(ctx, baseCfg, envs, runOptions{Today: day}))
	return &rep, nil
}

// markNew marks each finding new unless the base report has its fingerprint.
func markNew(rep *report.Report, base report.Report) {
	known := map[string]bool{}
	for _, f := range base.Findings {
		known[f.Fingerprint] = true
	}
	for i := range rep.Findings {
		isNew := !known[rep.Findings[i].Fingerprint]
		rep.Findings[i].New = &isNew
	}
}

func gitCmd(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Env = action.GitEnv()
	return cmd
}
