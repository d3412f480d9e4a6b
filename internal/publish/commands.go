package publish

import (
	"context"
	"io"

	"github.com/meshgate/meshgate/internal/report"
)

// Commands publishes to the workflow run's log: one ::error, ::warning or
// ::notice workflow command per finding (`::error file=F,line=L,title=…::`),
// which the runner turns into annotations. It needs no token, and is what
// the API publisher falls back to.
type Commands struct {
	w io.Writer
}

// NewCommands returns the publisher writing to w (nowhere when nil).
func NewCommands(w io.Writer) *Commands {
	if w == nil {
		w = io.Discard
	}
	return &Commands{w: w}
}

// Start does nothing: the log shows the run in progress already.
func (c *Commands) Start(context.Context) error { return nil }

// Finish annotates every finding of rep.
func (c *Commands) Finish(_ context.Context, rep report.Report, gate Gate) (Result, error) {
	res, _, err := verdict(rep, gate)
	if err != nil {
		return Result{}, err
	}
	res.FixedGaps = -1
	res.Fallback = true
	if problem := c.annotate(rep); problem != "" {
		res.Problems = append(res.Problems, problem)
	}
	return res, nil
}

// annotate writes rep's findings as workflow commands; it returns the
// problem, if any, in words.
func (c *Commands) annotate(rep report.Report) string {
	if err := report.GitHub(c.w, rep, report.Options{}); err != nil {
		return "write workflow commands: " + err.Error()
	}
	return ""
}
