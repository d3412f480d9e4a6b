package cli

import (
	"github.com/spf13/cobra"

	"github.com/meshgate/meshgate/internal/check"
)

func newRulesCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "list every rule with its default severity and fix",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return check.WriteRules(s.Stdout)
		},
	}
}
