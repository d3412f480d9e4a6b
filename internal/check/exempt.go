package check

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// Inline exemption annotations, on an object's metadata or its pod template.
const (
	exemptAnnotation       = "meshgate.io/ignore"
	exemptReasonAnnotation = "meshgate.io/ignore-reason"
)

// exemptStale is an exemption that would cover a finding but does not apply
// (expired, or without a reason): it becomes one ignore-expired warning per
// environment, covered object and exemption, naming every rule it leaves
// reported.
type exemptStale struct {
	warning finding.Finding // everything but Message and finding.Fingerprint
	problem string          // "exemption at .meshgate.yaml:42 expired on 2026-01-31"
	rules   map[string]bool
}

// exempt applies config and inline exemptions and reports ignore-expired.
// Config entries are tried first; the first one that applies gives the
// reason. An exemption that is expired or has no reason leaves the finding
// reported and adds a warning, unless another exemption does apply.
func exempt(in Input, fs []finding.Finding) (kept, ignored []finding.Finding) {
	var entries []config.Ignore
	configFile := ".meshgate.yaml"
	if in.Config != nil {
		entries = in.Config.Ignore
		if in.Config.File != "" {
			configFile = in.Config.File
		}
	}
	objects, workloads := exemptIndex(in.Set)

	stale := map[string]*exemptStale{}
	var staleOrder []string
	addStale := func(key string, s exemptStale, rule string) {
		if stale[key] == nil {
			s.rules = map[string]bool{}
			stale[key] = &s
			staleOrder = append(staleOrder, key)
		}
		stale[key].rules[rule] = true
	}

	for _, f := range fs {
		if f.Rule == finding.RuleIgnoreExpired {
			kept = append(kept, f)
			continue
		}
		reason, ok, pend := exemptByConfig(entries, configFile, in.Today, f)
		where := finding.ExemptionConfig
		if !ok && f.Kind != "" {
			var inline []exemptPending
			reason, ok, inline = exemptInline(objects, workloads, f)
			pend = append(pend, inline...)
			where = finding.ExemptionInline
		}
		if ok {
			f.Reason, f.Exemption = reason, where
			ignored = append(ignored, f)
			continue
		}
		kept = append(kept, f)
		for _, p := range pend {
			addStale(p.key, p.s, f.Rule)
		}
	}

	for _, key := range staleOrder {
		s := stale[key]
		rules := slices.Sorted(maps.Keys(s.rules))
		verb := "is"
		if len(rules) > 1 {
			verb = "are"
		}
		w := s.warning
		w.Message = fmt.Sprintf("%s; %s %s reported again", s.problem, strings.Join(rules, ", "), verb)
		w.SetFingerprint()
		kept = append(kept, w)
	}
	return kept, ignored
}

// exemptPending is an exemption that covers a finding but does not apply:
// it becomes a warning only when no other exemption applies.
type exemptPending struct {
	key string
	s   exemptStale
}

// exemptByConfig returns the reason of the first config entry that applies
// to f, and the entries that cover f but do not apply.
func exemptByConfig(entries []config.Ignore, configFile string, today time.Time, f finding.Finding) (reason string, ok bool, pend []exemptPending) {
	for i, e := range entries {
		if !exemptEntryCovers(e, f) {
			continue
		}
		if problem := exemptEntryProblem(e, configFile, today); problem != "" {
			w := finding.Finding{
				Rule:        finding.RuleIgnoreExpired,
				Severity:    finding.SeverityWarning,
				Environment: f.Environment,
				Kind:        f.Kind,
				Namespace:   f.Namespace,
				Name:        f.Name,
				File:        configFile,
				Line:        e.Line,
				Subject:     exemptEntrySubject(e),
			}
			key := fmt.Sprintf("config|%s|%s|%d", f.Environment, f.WorkloadID(), i)
			pend = append(pend, exemptPending{key, exemptStale{warning: w, problem: problem}})
			continue
		}
		if !ok {
			reason, ok = e.Reason, true
		}
	}
	return reason, ok, pend
}

// exemptInline returns the reason of the first inline exemption of f's
// object or pod template that applies, and those before it that have no
// reason.
func exemptInline(objects map[string]*manifest.Object, workloads map[string]*manifest.Workload, f finding.Finding) (reason string, ok bool, pend []exemptPending) {
	id := f.WorkloadID()
	for _, loc := range exemptLocations(objects[id], workloads[id]) {
		if !exemptInlineCovers(loc.annotations[exemptAnnotation], f.Rule) {
			continue
		}
		r := strings.TrimSpace(loc.annotations[exemptReasonAnnotation])
		if r == "" {
			r = loc.otherReason
		}
		if r != "" {
			return r, true, pend
		}
		w := finding.Finding{
			Rule:        finding.RuleIgnoreExpired,
			Severity:    finding.SeverityWarning,
			Environment: f.Environment,
			Kind:        loc.obj.Kind,
			Namespace:   loc.obj.Namespace,
			Name:        loc.obj.Name,
			File:        loc.obj.File,
			Line:        loc.obj.LineOf(loc.path...),
			Subject:     "inline|" + loc.name,
		}
		problem := fmt.Sprintf("inline exemption %s on %s has no %s", exemptAnnotation, loc.label, exemptReasonAnnotation)
		key := "inline|" + f.Environment + "|" + id + "|" + loc.name
		pend = append(pend, exemptPending{key, exemptStale{warning: w, problem: problem}})
	}
	return "", false, pend
}

// exemptEntryCovers reports whether a config ignore entry names the
// finding. A finding without an object (render-error) has the ID "//", so
// only entries without a workloads filter (or a glob matching "//", such as
// "*/*/*") cover it.
func exemptEntryCovers(e config.Ignore, f finding.Finding) bool {
	if len(e.Rules) > 0 && !slices.Contains(e.Rules, f.Rule) {
		return false
	}
	if len(e.Environments) > 0 && !exemptAnyGlob(e.Environments, f.Environment) {
		return false
	}
	if len(e.Workloads) > 0 && !exemptAnyGlob(e.Workloads, f.WorkloadID()) {
		return false
	}
	return true
}

// exemptEntryProblem says why a config entry does not apply: past its until
// day (in UTC, inclusive) or without a reason. "" when it applies.
func exemptEntryProblem(e config.Ignore, file string, today time.Time) string {
	at := file
	if e.Line > 0 {
		at = fmt.Sprintf("%s:%d", file, e.Line)
	}
	var problems []string
	if u := strings.TrimSpace(e.Until); u != "" {
		day, err := time.Parse(time.DateOnly, u)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("has until %q, which is not a date (YYYY-MM-DD)", u))
		case !today.IsZero() && !today.UTC().Before(day.AddDate(0, 0, 1)):
			problems = append(problems, "expired on "+day.Format(time.DateOnly))
		}
	}
	if strings.TrimSpace(e.Reason) == "" {
		problems = append(problems, "has no reason")
	}
	if len(problems) == 0 {
		return ""
	}
	return "exemption at " + at + " " + strings.Join(problems, " and ")
}

// exemptEntrySubject identifies a config entry by its content, so the
// warning's fingerprint survives the entry moving in the file.
func exemptEntrySubject(e config.Ignore) string {
	return strings.Join([]string{
		"config",
		strings.Join(e.Rules, ","),
		strings.Join(e.Workloads, ","),
		strings.Join(e.Environments, ","),
		e.Until,
	}, "|")
}

// exemptLocation is one metadata block that may carry an inline exemption.
type exemptLocation struct {
	name        string // "metadata" or "template"
	label       string // "Deployment shop/cart", "the pod template of ..."
	obj         *manifest.Object
	annotations map[string]string
	otherReason string // the reason written on the other block, if any
	path        []any  // field path of the meshgate.io/ignore annotation
}

func exemptLocations(obj *manifest.Object, w *manifest.Workload) []exemptLocation {
	if obj == nil {
		return nil
	}
	id := obj.Kind + " " + obj.Namespace + "/" + obj.Name
	locs := []exemptLocation{{
		name:        "metadata",
		label:       id,
		obj:         obj,
		annotations: obj.Annotations,
		path:        []any{"metadata", "annotations", exemptAnnotation},
	}}
	// A bare Pod's template is its own metadata.
	if w != nil && len(w.Pod.Path) > 0 {
		path := append(append([]any{}, w.Pod.Path...), "metadata", "annotations", exemptAnnotation)
		locs = append(locs, exemptLocation{
			name:        "template",
			label:       "the pod template of " + id,
			obj:         obj,
			annotations: w.Pod.Annotations,
			path:        path,
		})
		locs[0].otherReason = strings.TrimSpace(w.Pod.Annotations[exemptReasonAnnotation])
		locs[1].otherReason = strings.TrimSpace(obj.Annotations[exemptReasonAnnotation])
	}
	return locs
}

// exemptInlineCovers parses a meshgate.io/ignore value: rule ids separated by
// commas; "*" or "all" covers every rule.
func exemptInlineCovers(value, rule string) bool {
	for _, r := range strings.Split(value, ",") {
		r = strings.TrimSpace(r)
		if r == rule || r == "*" || r == "all" {
			return true
		}
	}
	return false
}

func exemptIndex(set *manifest.Set) (map[string]*manifest.Object, map[string]*manifest.Workload) {
	objects := map[string]*manifest.Object{}
	workloads := map[string]*manifest.Workload{}
	if set == nil {
		return objects, workloads
	}
	for _, o := range set.Objects {
		if o != nil {
			objects[o.ID()] = o
		}
	}
	for _, w := range set.Workloads {
		if w == nil || w.Object == nil {
			continue
		}
		workloads[w.ID()] = w
		if objects[w.ID()] == nil {
			objects[w.ID()] = w.Object
		}
	}
	return objects, workloads
}

func exemptAnyGlob(globs []string, s string) bool {
	for _, g := range globs {
		if config.Glob(g, s) {
			return true
		}
	}
	return false
}
