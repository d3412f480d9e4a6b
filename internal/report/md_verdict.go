package report

import (
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/finding"
)

// Since is this run compared with the previous run on the same pull
// request (the sticky comment's fingerprints): gaps new since and fixed
// since, counted per environment.
type Since struct {
	New, Fixed int
}

// Verdict is the report in one line, the same in the pull request's
// comment, the check run's title and the job summary: "2 new gaps in this
// pull request · 14 existing · 3 fixed since the last run" when a
// baseline marked the findings, "10 gaps in 4 of 5 environments" when
// none did, "no gaps in 5 environments". A gap is the findings of one
// rule at one line with one message, in every environment it occurs in.
func Verdict(r Report, o Options) string {
	r = normalized(r)
	return verdict(r, o, mdGroups(envNames(r), r.Findings))
}

func verdict(r Report, o Options, groups []*mdGroup) string {
	var parts []string
	total := len(envNames(r))
	switch {
	case hasNew(r.Findings):
		fresh, existing := mdSplit(r, groups)
		where := mdNewWhere(r)
		if n := mdGapCount(fresh); n == 0 {
			parts = append(parts, "no new gaps "+where)
		} else {
			parts = append(parts, Plural(n, "new gap ", "new gaps ")+where)
		}
		if n := mdGapCount(existing); n > 0 {
			parts = append(parts, fmt.Sprintf("%d existing", n))
		}
	case len(groups) == 0:
		parts = append(parts, "no gaps in "+Plural(total, "environment", "environments"))
	default:
		failing := map[string]bool{}
		for _, f := range r.Findings {
			failing[f.Environment] = true
		}
		parts = append(parts, fmt.Sprintf("%s in %d of %s", Plural(mdGapCount(groups), "gap", "gaps"), len(failing),
			Plural(total, "environment", "environments")))
	}
	switch {
	case o.Since == nil:
	case !hasNew(r.Findings):
		parts = append(parts, fmt.Sprintf("since the last run: %d new, %d fixed", o.Since.New, o.Since.Fixed))
	case o.Since.Fixed > 0:
		fixed := fmt.Sprintf("%d fixed", o.Since.Fixed)
		if r.Baseline == nil || r.Baseline.Kind != BaselinePreviousRun {
			fixed += " since the last run"
		}
		parts = append(parts, fixed)
	}
	return strings.Join(parts, " · ")
}

// mdGapCount counts the gaps of entries: those of a cause one each.
func mdGapCount(groups []*mdGroup) int {
	n := 0
	for _, g := range groups {
		n += len(g.gaps)
	}
	return n
}

// mdNewWhere says what new is compared with, mdExistingWhere where the
// existing gaps already were.
func mdNewWhere(r Report) string      { return mdBaselineWords(r)[0] }
func mdExistingWhere(r Report) string { return mdBaselineWords(r)[1] }

func mdBaselineWords(r Report) [2]string {
	switch {
	case r.Baseline == nil:
	case r.Baseline.Kind == BaselineBaseCommit:
		return [2]string{"in this pull request", "already on the base branch, not counted against this pull request"}
	case r.Baseline.Kind == BaselinePreviousRun:
		return [2]string{"since the last run", "already there in the last run"}
	}
	return [2]string{"compared with the base", "already in the base"}
}

// mdFreshTitle heads the open list of gaps.
func mdFreshTitle(r Report) string {
	switch {
	case !hasNew(r.Findings):
		return "Gaps"
	case r.Baseline == nil:
		return "New gaps"
	}
	return "New " + mdNewWhere(r)
}

// mdBaselineNote says plainly when new could not mean new in this pull
// request. The Action leaves the findings unmarked then, so that every gap
// counts for the check.
func mdBaselineNote(r Report) string {
	if r.Baseline == nil || r.Baseline.Kind != BaselinePreviousRun {
		return ""
	}
	why := "it was not rendered"
	if r.Baseline.Fallback != "" {
		why = r.Baseline.Fallback
	}
	note := "> [!NOTE]\n> New means new since the last run; the base commit could not be rendered: " +
		mdInline(strings.Join(strings.Fields(why), " "))
	if !hasNew(r.Findings) {
		note += "\n>\n> Every gap counts for the check."
	}
	return note
}

// mdSplit parts the entries into those the reader must see (new ones when
// a baseline marked them, else all) and the existing ones.
func mdSplit(r Report, groups []*mdGroup) (fresh, existing []*mdGroup) {
	marked := hasNew(r.Findings)
	for _, g := range groups {
		if marked && !g.isNew() {
			existing = append(existing, g)
		} else {
			fresh = append(fresh, g)
		}
	}
	return fresh, existing
}

// mdVerdictIcon is the worst severity of the entries that matter, a pass
// without any.
func mdVerdictIcon(fresh []*mdGroup) string {
	worst := finding.Severity("")
	for _, g := range fresh {
		if w := g.worst(); w.Rank() > worst.Rank() {
			worst = w
		}
	}
	if worst == "" {
		return mdPass
	}
	return Style(worst).Icon
}

// mdTally is the line of counts under the verdict: findings by severity
// (one per environment, as the other formats count them), exemptions and
// the base commit.
func mdTally(r Report) string {
	s := r.Summary
	envs := Plural(len(envNames(r)), "environment", "environments")
	var t string
	if s.Findings == 0 {
		t = fmt.Sprintf("%s, %s checked", envs, Plural(s.Workloads, "workload", "workloads"))
	} else {
		t = fmt.Sprintf("%s in %s: %s", Plural(s.Findings, "finding", "findings"), envs, s.Counts())
	}
	if n := len(r.Ignored); n > 0 {
		t += fmt.Sprintf(" · %d exempted", n)
	}
	if r.Baseline != nil && r.Baseline.Kind == BaselineBaseCommit && r.Baseline.Commit != "" {
		c := r.Baseline.Commit
		if len(c) > 7 {
			c = c[:7]
		}
		t += " · base " + mdSpan(c)
	}
	return "<sub>" + t + "</sub>"
}
