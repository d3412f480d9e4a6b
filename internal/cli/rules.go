package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/spf13/cobra"
)

func newRulesCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "list every rule with its default severity and fix",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := runRules(s, nil)
			return err
		},
	}
}

func runRules(s Streams, _ []string) (int, error) {
	tw := tabwriter.NewWriter(s.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tDESCRIPTION")
	for _, r := range check.Rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Description)
	}
	if err := tw.Flush(); err != nil {
		return 0, err
	}
	fmt.Fprintln(s.Stdout)
	for _, r := range check.Rules {
		fmt.Fprintf(s.Stdout, "%s\n  fix: %s\n", r.ID, r.Fix)
	}
	return 0, nil
}
