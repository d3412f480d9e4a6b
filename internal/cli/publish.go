package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"context"
	"os"

	"github.com/meshgate/meshgate/internal/action"
	"github.com/meshgate/meshgate/internal/publish"
	"github.com/meshgate/meshgate/internal/report"
)

// publishCmdOptions are the flags of `meshgate publish`.
type publishCmdOptions struct {
	Reports        []string
	FailOn         string
	FailOnExisting bool
	Outputs        []output
}

func newPublishCmd(s Streams) *cobra.Command {
	o := &publishCmdOptions{}
	cmd := &cobra.Command{
		Use:   "publish REPORT.json...",
		Short: "merge JSON reports and publish them to GitHub",
		Long: `Merge JSON reports made elsewhere (matrix shards, or an unprivileged
pull_request job in the fork-safe workflow_run pattern) and publish them as
meshgate check does in a workflow: check run, pull-request comment, job
summary and outputs. Outside GitHub Actions nothing is published; the merged
report is written, so publish doubles as a merge.`,
		Example: "  meshgate publish shard-*/report.json\n  meshgate publish --format sarif --output merged.sarif a.json b.json",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("publish: name at least one REPORT.json")
			}
			return nil
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"json"}, cobra.ShellCompDirectiveFilterFileExt
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Reports = args
			outs, err := finishGate("publish", o.FailOn, o.Outputs)
			if err != nil {
				return err
			}
			o.Outputs = outs
			code, err := runPublish(cmd.Context(), s, o)
			if err != nil {
				return err
			}
			return exit(code)
		},
	}
	addOutputFlags(cmd, &o.Outputs, "also write the merged report in FORMAT")
	addFailOnFlag(cmd, &o.FailOn)
	cmd.Flags().BoolVar(&o.FailOnExisting, "fail-on-existing", false, "count findings a base marked existing for --fail-on too")
	return cmd
}

// runPublish merges the reports and publishes them like `meshgate check`
// does in a workflow.
func runPublish(ctx context.Context, s Streams, o *publishCmdOptions) (int, error) {
	var reps []report.Report
	for _, path := range o.Reports {
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
		fmt.Fprintln(s.Stderr, "meshgate: not running in GitHub Actions (GITHUB_ACTIONS is not true): nothing was published; the merged report follows")
		if err := writeOutputs(s, o.Outputs, merged); err != nil {
			return 0, err
		}
	}
	return merged.ExitCode(o.FailOn, onlyNew), nil
}
