package cli

import (
	"github.com/spf13/cobra"

	"github.com/meshgate/meshgate/internal/check"
)

func newRulesCmd(s Streams) *cobra.Command {
	return plainCmd("rules", "list every rule with its default severity and fix", func() error {
		return check.WriteRules(s.Stdout)
	})
}
