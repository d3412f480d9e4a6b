package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/engine"
)

// fixedCompletion completes a flag from a fixed list of values.
func fixedCompletion(values []string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeEnvs completes --env with the environment names of the
// repository the command line names (-C or DIR, --config), from its config
// or discovery; nothing when it has none.
func completeEnvs(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	dir, _ := cmd.Flags().GetString("dir")
	if len(args) > 0 && !cmd.Flags().Changed("dir") {
		dir = args[0]
	}
	file, _ := cmd.Flags().GetString("config")
	cfg, err := engine.LoadConfig(dir, file)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	envs := slices.Clone(cfg.Environments)
	slices.SortFunc(envs, func(a, b config.Environment) int { return strings.Compare(a.Name, b.Name) })
	for _, e := range envs {
		names = append(names, e.Name+"\t"+strings.TrimSpace(e.Source()+" "+e.Path()))
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// completionShells are the shells cobra writes completion scripts for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// strictCompletion makes `meshgate completion` without a shell, or with
// one cobra has no script for, a usage error instead of its help.
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	c, _, err := root.Find([]string{"completion"})
	if err != nil || c == root {
		return
	}
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(_ *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usagef("completion: name one shell: %s", strings.Join(completionShells, ", "))
		}
		return usagef("completion: unknown shell %q (valid: %s)", args[0], strings.Join(completionShells, ", "))
	}
}
