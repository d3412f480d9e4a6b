package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/meshgate/meshgate/internal/action"
	"github.com/meshgate/meshgate/internal/publish"
	"github.com/meshgate/meshgate/internal/report"
)

// retryWait replaces how publishing waits between retries of GitHub's
// transient failures; nil fields mean a real wait with random jitter. Tests
// set it so that a flaky API costs them no time.
var retryWait struct {
	sleep  func(context.Context, time.Duration) error
	jitter func(time.Duration) time.Duration
}

// publishOptions are every publisher's options: retryWait's.
func publishOptions() publish.Options {
	return publish.Options{Sleep: retryWait.sleep, Jitter: retryWait.jitter}
}

// actionRun is the Actions side of one `meshgate check`: the inputs applied
// to the options, the check run started early, the report published late.
type actionRun struct {
	*action.Run
	pub publish.Publisher
}

// startAction reads the action's inputs and event and applies them to o.
// Inputs fill only what the command line left unset.
func startAction(ctx context.Context, s Streams, o *checkOptions) (*actionRun, error) {
	run, err := action.Load(s.Getenv, s.Stdout)
	if err != nil {
		return nil, usagef("github action: %v", err)
	}
	in := run.Inputs
	if o.Dir == "." && in.WorkingDirectory != "" {
		o.Dir = in.WorkingDirectory
	}
	if err := run.Guard(ctx, o.Dir); err != nil {
		return nil, usagef("github action: %v", err)
	}
	if o.Config == "" {
		o.Config = in.Config
	}
	if len(o.Envs) == 0 {
		o.Envs = in.Environments
	}
	if !o.failOnSet && in.FailOn != "" {
		o.FailOn = in.FailOn
	}
	if in.JSONFile != "" {
		o.Outputs = append(o.Outputs, output{Format: report.FormatJSON, File: in.JSONFile})
	}
	o.FailOnExisting = o.FailOnExisting || in.FailOnExisting
	if o.BaseRef == "" && o.Baseline == "" {
		o.BaseRef, o.baseTree = run.Base(ctx, o.Dir, publishOptions())
		o.autoBase = o.BaseRef != "" || o.baseTree != nil
	}
	if in.ChangedOnly && o.ChangedSince == "" {
		if files, from, ok := run.ChangedFiles(ctx, publishOptions()); ok {
			o.changedFiles, o.changedFrom = files, from
		}
	}
	return &actionRun{Run: run}, nil
}

// start creates the check run in_progress. It runs once the configuration
// has loaded, so that a configuration error (exit 2) leaves no check run
// behind that would never complete.
func (ar *actionRun) start(ctx context.Context) error {
	ar.pub = ar.Publisher(publishOptions())
	if err := ar.pub.Start(ctx); err != nil {
		return fmt.Errorf("github action: %w", err)
	}
	return nil
}

// finish writes the sarif-file input, with repository-relative paths as
// code scanning resolves them from the checkout's root, and publishes the
// report; the exit code stays the findings'.
func (ar *actionRun) finish(ctx context.Context, s Streams, o *checkOptions, rep report.Report, onlyNew bool) error {
	if f := ar.Inputs.SARIFFile; f != "" {
		if err := writeOutputs(s, []output{{Format: report.FormatSARIF, File: f}}, ar.RepoRelative(rep)); err != nil {
			return err
		}
	}
	if _, err := ar.Finish(ctx, ar.pub, rep, publish.Gate{FailOn: o.FailOn, OnlyNew: onlyNew}); err != nil {
		return fmt.Errorf("github action: %w", err)
	}
	return nil
}
