package report

import (
	"fmt"

	"github.com/meshgate/meshgate/internal/finding"
)

// Merge combines reports (the shards of a matrix job, or re-runs) into one:
// environments by name, the later report winning; findings and ignored
// findings deduplicated by fingerprint and environment, the later winning.
// The result is finalized.
func Merge(reports ...Report) Report {
	var out Report
	envAt := map[string]int{}
	findingAt := map[string]int{}
	ignoredAt := map[string]int{}
	for _, r := range reports {
		if r.Tool.Name != "" || r.Tool.Version != "" {
			out.Tool = r.Tool
		}
		if r.Baseline != nil {
			b := *r.Baseline
			out.Baseline = &b
		}
		for _, e := range r.Environments {
			e.WorkloadIDs = append([]string(nil), e.WorkloadIDs...)
			if i, ok := envAt[e.Name]; ok {
				out.Environments[i] = e
				continue
			}
			envAt[e.Name] = len(out.Environments)
			out.Environments = append(out.Environments, e)
		}
		out.Findings = mergeFindings(out.Findings, findingAt, r.Findings)
		out.Ignored = mergeFindings(out.Ignored, ignoredAt, r.Ignored)
	}
	out.Version = Version
	out.Finalize()
	return out
}

func mergeFindings(dst []finding.Finding, at map[string]int, src []finding.Finding) []finding.Finding {
	for _, f := range src {
		k := dedupeKey(f)
		if i, ok := at[k]; ok {
			dst[i] = f
			continue
		}
		at[k] = len(dst)
		dst = append(dst, f)
	}
	return dst
}

// dedupeKey is fingerprint+environment; a finding without a fingerprint
// (hand-written report) is keyed by everything that identifies it.
func dedupeKey(f finding.Finding) string {
	if f.Fingerprint != "" {
		return f.Environment + "\x00" + f.Fingerprint
	}
	return fmt.Sprintf("\x01%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%s", f.Environment, f.Rule, f.WorkloadID(), f.Container, f.File, f.Line, f.Message)
}
