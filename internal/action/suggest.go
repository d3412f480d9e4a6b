package action

import (
	"context"
	"fmt"

	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/fix"
	"github.com/meshgate/meshgate/internal/report"
)

// Record keeps a pull request's renderings, so that Suggest renders again
// only what its edits reach.
func (r *Run) Record(plan *engine.Plan) {
	if r.PullRequest() {
		fix.Record(plan)
	}
}

// Suggest proves the fixes a pull request's inline comments offer as
// suggested changes, from a complete report (complete is false after an
// internal error); when proving fails, the comments go without them.
func (r *Run) Suggest(ctx context.Context, plan *engine.Plan, rep *report.Report, complete bool) {
	if !complete || !r.PullRequest() {
		return
	}
	if err := fix.Suggest(ctx, plan, rep); err != nil {
		r.Warning(fmt.Sprintf("no suggested changes: %v", err))
	}
}
