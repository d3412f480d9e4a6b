package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/fix"
	"github.com/meshgate/meshgate/internal/report"
)

// fixOptions are the flags of `meshgate fix`.
type fixOptions struct {
	Dir, Config string
	Envs        []string
	FailOn      string
	Write       bool
}

func newFixCmd(s Streams) *cobra.Command {
	o := &fixOptions{}
	cmd := &cobra.Command{
		Use:   "fix [DIR]",
		Short: "print the proven fixes as a unified diff, or apply them with --write",
		Long: `Check every environment, then try the known edit of each gap that has one
(an injection annotation that must be a label, a required label, annotation
or env var, a Secret key with a close name, a Job's native-sidecar
annotation) and keep only the edits that, checked again across every
environment, remove their gaps and add none. The fixes are printed as a
unified diff (apply it from DIR with git apply or patch -p1), or written
with --write. A line that is a template expression is not edited: the fix
is described on stderr instead. The exit code is check's, for the
repository with the fixes applied.`,
		Example: "  meshgate fix                 # the diff\n  meshgate fix | git apply\n  meshgate fix --write --env prod",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := takeDir(cmd, &o.Dir, args); err != nil {
				return err
			}
			failOn, err := finding.ParseFailOn(o.FailOn)
			if err != nil {
				return usagef("fix: --fail-on %v", err)
			}
			o.FailOn = failOn
			code, err := runFix(cmd.Context(), s, o)
			if err != nil {
				return err
			}
			return exit(code)
		},
	}
	addRepoFlags(cmd, &o.Dir, &o.Config, &o.Envs)
	addFailOnFlag(cmd, &o.FailOn)
	cmd.Flags().BoolVar(&o.Write, "write", false, "apply the fixes to the files instead of printing the diff")
	return cmd
}

func runFix(ctx context.Context, s Streams, o *fixOptions) (int, error) {
	day, err := today(s.Getenv)
	if err != nil {
		return 0, err
	}
	plan, err := engine.NewPlan(ctx, engine.Request{Dir: o.Dir, ConfigFile: o.Config, Envs: o.Envs})
	if err != nil {
		return 0, usagef("%v", err)
	}
	plan.Today, plan.ToolVersion = day, Version()
	plan.Elapsed, plan.Renderers = elapsedMs, renderers
	plan.Notice = func(msg string) { fmt.Fprintf(s.Stderr, "meshgate: %s\n", msg) }
	describePlan(s, plan)
	fix.Record(plan)
	rep, err := engine.Run(ctx, plan)
	var internal *engine.InternalError
	if err != nil && !errors.As(err, &internal) {
		return 0, usagef("%v", err)
	}
	if internal != nil {
		fmt.Fprintf(s.Stderr, "meshgate: %v\n", internal)
		return report.ExitInternal, nil
	}
	sess, err := fix.Start(ctx, plan, &rep)
	if err != nil {
		return 0, fmt.Errorf("fix: %w", err)
	}
	defer sess.Close()
	patch := sess.Patch(ctx)
	if err := patch.Describe(s.Stderr, sess); err != nil {
		return 0, err
	}
	if o.Write {
		written, err := patch.Write(plan.Config.Root)
		if len(written) > 0 {
			fmt.Fprintf(s.Stderr, "meshgate: wrote %s\n", strings.Join(written, ", "))
		}
		if err != nil {
			return 0, fmt.Errorf("fix --write: %w", err)
		}
	} else if err := patch.Diff(s.Stdout); err != nil {
		return 0, err
	}
	after := rep
	if len(patch.Fixes) > 0 {
		after = patch.After
	}
	return after.ExitCode(o.FailOn, false), nil
}
