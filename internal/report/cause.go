package report

import (
	"sort"

	"github.com/meshgate/meshgate/internal/finding"
)

// byCause groups findings for the human outputs: those of one cause (the
// same Cause, rule and new/existing mark) are one group, at the place of
// the first of them, its most severe finding first; any other finding is
// a group of one. JSON and SARIF keep one finding per workload.
func byCause(fs []finding.Finding) [][]finding.Finding {
	type key struct {
		cause, rule, mark string
	}
	var out [][]finding.Finding
	at := map[key]int{}
	for _, f := range fs {
		if f.Cause == "" {
			out = append(out, []finding.Finding{f})
			continue
		}
		mark := "none"
		if f.New != nil {
			mark = map[bool]string{true: "new", false: "existing"}[*f.New]
		}
		k := key{f.Cause, f.Rule, mark}
		if i, ok := at[k]; ok {
			out[i] = append(out[i], f)
			continue
		}
		at[k] = len(out)
		out = append(out, []finding.Finding{f})
	}
	for _, g := range out {
		sort.SliceStable(g, func(i, j int) bool { return g[i].Severity.Rank() > g[j].Severity.Rank() })
	}
	return out
}

// causeMember is a workload of a cause's entry, with its severity when
// that is not the entry's.
func causeMember(g []finding.Finding, f finding.Finding) string {
	s := object(f)
	if f.Severity != g[0].Severity {
		s += " (" + string(f.Severity) + ")"
	}
	return s
}

// causeHeading is "cause namespace-not-injected:shop, 3 workloads".
func causeHeading(g []finding.Finding) string {
	return "cause " + g[0].Cause + ", " + Plural(len(g), "workload", "workloads")
}
