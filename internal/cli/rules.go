package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/meshgate/meshgate/internal/check"
)

func runRules(s Streams, args []string) (int, error) {
	if len(args) > 0 {
		return 0, usagef("rules: unexpected argument %q", args[0])
	}
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
