// Package report holds the result of a run and the pure formatters that
// write it: text, json, markdown, sarif and github workflow commands.
package report

import (
	"sort"

	"github.com/meshgate/meshgate/internal/finding"
)

// Version of the JSON report format.
const Version = 1

// Report is the result of one run over one or more environments. Its JSON
// form is the SPEC's report contract.
type Report struct {
	Version      int               `json:"version"`
	Tool         Tool              `json:"tool"`
	Environments []Environment     `json:"environments"`
	Findings     []finding.Finding `json:"findings"`
	Ignored      []finding.Finding `json:"ignored"`
	Summary      Summary           `json:"summary"`
	// Baseline says what the findings' "new" was judged against; nil
	// without a base. An addition to the SPEC shape.
	Baseline *Baseline `json:"baseline,omitempty"`
}

// Baseline kinds.
const (
	// BaselineBaseCommit: the pull request's base commit was rendered and
	// checked too; "new" means introduced by the pull request.
	BaselineBaseCommit = "base-commit"
	// BaselinePreviousRun: the base commit could not be checked (Fallback
	// says why); the comment compares with the previous run's instead.
	BaselinePreviousRun = "previous-run"
)

// Baseline is what the findings were compared with.
type Baseline struct {
	// Kind is BaselineBaseCommit or BaselinePreviousRun.
	Kind string `json:"kind"`
	// Commit is the base commit's SHA (base-commit).
	Commit string `json:"commit,omitempty"`
	// Fallback says why the base commit could not be used (previous-run).
	Fallback string `json:"fallback,omitempty"`
}

// Tool names the producer of the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Environment is one environment's rendering and check statistics.
type Environment struct {
	Name       string `json:"name"`
	Source     string `json:"source"`
	Path       string `json:"path"`
	Objects    int    `json:"objects"`
	Workloads  int    `json:"workloads"`
	DurationMs int64  `json:"durationMs"`
	Error      string `json:"error"`
	// WorkloadIDs lists every workload checked (Kind/namespace/name), so the
	// environment × workload matrix can be drawn from a report file alone
	// (meshgate publish). An addition to the SPEC shape.
	WorkloadIDs []string `json:"workloadIds,omitempty"`
	// WorkloadFiles maps each workload id to the source file that defines
	// it, where known: the markdown matrix finds a workload in the other
	// environments by it, as the drift rule does (check.WorkloadKeys).
	WorkloadFiles map[string]string `json:"workloadFiles,omitempty"`
	// Mesh is the environment's mesh coverage (absent with provider none).
	Mesh *Coverage `json:"mesh,omitempty"`
}

// Summary counts what the report holds.
type Summary struct {
	Environments int `json:"environments"`
	Workloads    int `json:"workloads"`
	Findings     int `json:"findings"`
	Errors       int `json:"errors"`
	Warnings     int `json:"warnings"`
	Notices      int `json:"notices"`
	// Ignored counts the exempted findings (the text output's "(N ignored)").
	Ignored int `json:"ignored"`
}

// Finalize sorts environments and findings into their stable order, makes
// nil lists empty (so JSON shows [] not null) and recomputes the summary.
func (r *Report) Finalize() {
	if r.Version == 0 {
		r.Version = Version
	}
	if r.Environments == nil {
		r.Environments = []Environment{}
	}
	if r.Findings == nil {
		r.Findings = []finding.Finding{}
	}
	if r.Ignored == nil {
		r.Ignored = []finding.Finding{}
	}
	sort.SliceStable(r.Environments, func(i, j int) bool { return r.Environments[i].Name < r.Environments[j].Name })
	for i := range r.Environments {
		sort.Strings(r.Environments[i].WorkloadIDs)
	}
	sort.SliceStable(r.Findings, func(i, j int) bool { return finding.Less(r.Findings[i], r.Findings[j]) })
	sort.SliceStable(r.Ignored, func(i, j int) bool { return finding.Less(r.Ignored[i], r.Ignored[j]) })
	s := Summary{Environments: len(r.Environments), Findings: len(r.Findings), Ignored: len(r.Ignored)}
	for _, e := range r.Environments {
		s.Workloads += e.Workloads
	}
	for _, f := range r.Findings {
		switch f.Severity {
		case finding.SeverityError:
			s.Errors++
		case finding.SeverityWarning:
			s.Warnings++
		case finding.SeverityNotice:
			s.Notices++
		}
	}
	r.Summary = s
}

// Exit codes (SPEC "Command line").
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitUsage    = 2
	ExitInternal = 3
)

// Failing returns the findings at or above failOn. With onlyNew, findings a
// baseline marked as existing ("new": false) do not count.
func (r Report) Failing(failOn string, onlyNew bool) []finding.Finding {
	var out []finding.Finding
	for _, f := range r.Findings {
		if !finding.Fails(f.Severity, failOn) {
			continue
		}
		if onlyNew && f.New != nil && !*f.New {
			continue
		}
		out = append(out, f)
	}
	return out
}

// ExitCode is the process exit code the findings call for: 1 when any
// finding is at or above failOn, else 0.
func (r Report) ExitCode(failOn string, onlyNew bool) int {
	if len(r.Failing(failOn, onlyNew)) > 0 {
		return ExitFindings
	}
	return ExitOK
}
