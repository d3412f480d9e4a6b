package cli

import "github.com/meshgate/meshgate/internal/check"

func runRules(s Streams, args []string) (int, error) {
	if len(args) > 0 {
		return 0, usagef("rules: unexpected argument %q", args[0])
	}
	return 0, check.WriteRules(s.Stdout)
}
