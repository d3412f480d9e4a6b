package engine

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
)

// Describe says on w (stderr, so that stdout stays the report) which
// environments discovery found, what GitOps objects added and did not
// expand, and which environments changed inputs kept.
func (p *Plan) Describe(w io.Writer) {
	if p.Config.Discovered {
		fmt.Fprintf(w, "meshgate: no .meshgate.yaml; discovered %d environment(s):\n", len(p.Config.Environments))
		listEnvironments(w, p.Config.Environments)
		DescribeSkipped(w, p.Config.Skipped)
	}
	p.describeGitOps(w)
	if c := p.Changed; c != nil {
		list := strings.Join(Names(p.Environments), ", ")
		if list == "" {
			list = "none"
		}
		fmt.Fprintf(w, "meshgate: %d of %d environment(s) changed since %s: %s\n", len(p.Environments), c.All, c.From, list)
	}
}

// listEnvironments lists envs one a line: name, source, origin, in
// columns as wide as the longest name up to 40 characters (24 at least);
// a longer name pushes its own line only.
func listEnvironments(w io.Writer, envs []config.Environment) {
	width := 24
	for _, e := range envs {
		if n := len(e.Name); n > width && n <= 40 {
			width = n
		}
	}
	for _, e := range envs {
		fmt.Fprintf(w, "  %-*s %s %s\n", width, e.Name, e.Source(), e.Origin)
	}
}

// DescribeSkipped says what discovery passed over, and why.
func DescribeSkipped(w io.Writer, skipped []config.Skipped) {
	if len(skipped) > 0 {
		fmt.Fprintf(w, "meshgate: skipped %d:\n", len(skipped))
	}
	for _, sk := range skipped {
		fmt.Fprintf(w, "  %s: %s\n", sk.Path, sk.Reason)
	}
}

// describeGitOps says on w what the config file does not: the
// environments of GitOps objects (discovery lists them with the others),
// and what of the GitOps objects no environment renders was not expanded.
func (p *Plan) describeGitOps(w io.Writer) {
	gp := p.gitops
	if gp == nil {
		return
	}
	if !p.Config.Discovered && len(gp.Environments) > 0 {
		fmt.Fprintf(w, "meshgate: %d environment(s) from GitOps objects:\n", len(gp.Environments))
		listEnvironments(w, gp.Environments)
	}
	if len(gp.Unrendered) > 0 {
		fmt.Fprintf(w, "meshgate: not expanded (%d):\n", len(gp.Unrendered))
		for _, n := range gp.Unrendered {
			fmt.Fprintf(w, "  %s:%d: %s: %s\n", n.Ref.File, n.Line, n.Ref, n.Message)
		}
	}
}
