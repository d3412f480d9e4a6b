package cli

import (
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/finding"
)

// docsURL is where the repository's docs are read on GitHub.
const docsURL = check.DocsURL

// runExplain prints a rule's documentation: `meshgate explain [--format
// text|markdown] RULE`. The markdown format is what docs/rules/RULE.md holds.
func runExplain(s Streams, args []string) (int, error) {
	fs := newFlagSet("explain", s.Stderr)
	format := fs.String("format", "text", "output `FORMAT`: text or markdown")
	// Flags may follow the rule id too: explain mesh-env --format markdown.
	var ids []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == errHelp {
				return 0, errHelp
			}
			return 0, usagef("explain: %v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		ids = append(ids, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(ids) != 1 {
		return 0, usagef("explain: name one rule: %s", strings.Join(finding.RuleIDs, ", "))
	}
	r, err := check.ParseRule(ids[0])
	if err != nil {
		return 0, usagef("explain: %v", err)
	}
	write, err := check.ExplainFormat(*format)
	if err != nil {
		return 0, usagef("explain: --format %v", err)
	}
	if err := write(s.Stdout, r); err != nil {
		return 0, fmt.Errorf("explain %s: %w", r.ID, err)
	}
	return 0, nil
}
