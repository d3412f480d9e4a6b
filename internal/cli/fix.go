package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/fix"
)

// fixOptions are the flags of `meshgate fix`.
type fixOptions struct {
	Dir, Config, FailOn string
	Envs                []string
	Write               bool
}

func newFixCmd(s Streams) *cobra.Command {
	o := &fixOptions{}
	cmd := &cobra.Command{
		Use:   "fix [DIR]",
		Short: "print the proven fixes as a unified diff, or apply them with --write",
		Long: `Check, then try the known edit of each gap that has one and keep those that,
checked again in every environment, remove their gaps and add none. They
are printed as a unified diff to apply from DIR (git apply, patch -p1), or
written with --write; stderr says what each removes and which gaps only get
the fix in words. The exit code is check's with the fixes applied.`,
		Example: "  meshgate fix | git apply\n  meshgate fix --write --env prod",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := finding.ParseFailOn(o.FailOn); err != nil {
				return usagef("fix: --fail-on %v", err)
			}
			if err := takeDir(cmd, &o.Dir, args); err != nil {
				return err
			}
			return runFix(cmd.Context(), s, o)
		},
	}
	addRepoFlags(cmd, &o.Dir, &o.Config, &o.Envs)
	addFailOnFlag(cmd, &o.FailOn)
	cmd.Flags().BoolVar(&o.Write, "write", false, "apply the fixes to the files instead of printing the diff")
	return cmd
}

func runFix(ctx context.Context, s Streams, o *fixOptions) error {
	plan, err := newPlan(ctx, s, engine.Request{Dir: o.Dir, ConfigFile: o.Config, Envs: o.Envs, Getenv: s.Getenv})
	if err != nil {
		return err
	}
	fix.Record(plan)
	rep, err := engine.Run(ctx, plan)
	if err != nil {
		return err // a bug in meshgate: nothing to prove
	}
	after, err := fix.Run(ctx, plan, rep, o.Write, s.Stdout, s.Stderr)
	if err != nil {
		return fmt.Errorf("fix: %w", err)
	}
	return exit(after.ExitCode(o.FailOn, false))
}
