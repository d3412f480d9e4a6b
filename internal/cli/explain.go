package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/finding"
)

// docsURL is where the repository's docs are read on GitHub.
const docsURL = check.DocsURL

func newExplainCmd(s Streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "explain RULE",
		Short: "print what a rule checks, why it matters and how to fix it",
		Long: `Print a rule's documentation: what it checks, why it matters, how to fix
it, and a repository that fails it next to the change that fixes it. The
markdown format is what docs/rules/RULE.md holds.`,
		Example: "  meshgate explain " + finding.RuleMeshInjection + "\n  meshgate explain " + finding.RuleSecretMissing + " --format markdown",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("explain: name one rule: %s", strings.Join(finding.RuleIDs, ", "))
			}
			return nil
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []string
			for _, r := range check.Rules {
				out = append(out, r.ID+"\t"+r.Description)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			return runExplain(s, args[0], format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output `FORMAT`: text or markdown")
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletion([]string{"text", "markdown"}))
	return cmd
}

// runExplain prints a rule's documentation in format; the text and
// markdown are made from the rule table (check.Rules).
func runExplain(s Streams, id, format string) error {
	r, err := check.ParseRule(id)
	if err != nil {
		return usagef("explain: %v", err)
	}
	write, err := check.ExplainFormat(format)
	if err != nil {
		return usagef("explain: --format %v", err)
	}
	if err := write(s.Stdout, r); err != nil {
		return fmt.Errorf("explain %s: %w", r.ID, err)
	}
	return nil
}
