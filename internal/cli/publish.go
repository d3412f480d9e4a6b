package cli

import (
	"context"
	"os"

	"github.com/meshgate/meshgate/internal/action"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/publish"
	"github.com/meshgate/meshgate/internal/report"
)

// runPublish merges JSON reports made elsewhere (matrix shards, or an
// unprivileged pull_request job in the fork-safe workflow_run pattern) and
// publishes them like `meshgate check` does in a workflow.
func runPublish(ctx context.Context, s Streams, args []string) (int, error) {
	o := &checkOptions{FailOn: finding.FailOnError}
	fs := newFlagSet("publish", s.Stderr)
	fs.StringVar(&o.FailOn, "fail-on", finding.FailOnError, "exit 1 on findings at or above `LEVEL`: error, warning or never")
	fs.BoolVar(&o.FailOnExisting, "fail-on-existing", false, "count findings a base marked existing for --fail-on too")
	fs.Var(formatFlag{&o.Outputs}, "format", "also write the merged report in `FORMAT`")
	fs.Var(outputFlag{&o.Outputs}, "output", "write the preceding --format to `FILE`")
	if err := fs.Parse(args); err != nil {
		if err == errHelp {
			return 0, errHelp
		}
		return 0, usagef("publish: %v", err)
	}
	if fs.NArg() == 0 {
		return 0, usagef("publish: name at least one REPORT.json")
	}
	switch o.FailOn {
	case finding.FailOnError, finding.FailOnWarning, finding.FailOnNever:
	default:
		return 0, usagef("publish: --fail-on %q: want error, warning or never", o.FailOn)
	}
	var reps []report.Report
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			return 0, usagef("publish: %v", err)
		}
		rep, err := report.ReadJSON(f)
		f.Close()
		if err != nil {
			return 0, usagef("publish: %s: %v", path, err)
		}
		reps = append(reps, rep)
	}
	merged := report.Merge(reps...)
	merged.Tool = report.Tool{Name: "meshgate", Version: Version()}
	onlyNew := false
	for _, f := range merged.Findings {
		if f.New != nil {
			onlyNew = !o.FailOnExisting
			break
		}
	}
	if !hasStdout(o.Outputs) {
		o.Outputs = append([]output{{Format: "text"}}, o.Outputs...)
	}
	if action.InActions(s.Getenv) {
		run, err := action.Load(s.Getenv, s.Stdout)
		if err != nil {
			return 0, usagef("publish: github action: %v", err)
		}
		reportPath := run.Inputs.JSONFile
		if reportPath != "" {
			o.Outputs = append(o.Outputs, output{Format: report.FormatJSON, File: reportPath})
		}
		if err := writeOutputs(s, o.Outputs, merged); err != nil {
			return 0, err
		}
		gate := publish.Gate{FailOn: o.FailOn, OnlyNew: onlyNew}
		if _, err := run.Finish(ctx, run.Publisher(publishOptions()), merged, gate); err != nil {
			return 0, usagef("publish: github action: %v", err)
		}
	} else {
		// Outside a workflow there is nowhere to publish: the merged
		// report is written, so that publish doubles as `merge`.
		if err := writeOutputs(s, o.Outputs, merged); err != nil {
			return 0, err
		}
	}
	return merged.ExitCode(o.FailOn, onlyNew), nil
}
