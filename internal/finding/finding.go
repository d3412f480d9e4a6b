// Package finding is meshgate's vocabulary, shared by every stage: a
// Finding, its Severity, the rule ids, the fail-on thresholds and the
// fingerprint that recognises one gap across runs. It imports nothing of
// meshgate's.
package finding

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Severity of a finding, lowest to highest: notice, warning, error.
type Severity string

const (
	SeverityNotice  Severity = "notice"
	SeverityWarning Severity = "warning"
	SeverityError   Severity = "error"
)

// Severities are the valid severities, highest first.
var Severities = []string{string(SeverityError), string(SeverityWarning), string(SeverityNotice)}

// Rank orders severities; unknown values rank below notice.
func (s Severity) Rank() int {
	switch s {
	case SeverityError:
		return 3
	case SeverityWarning:
		return 2
	case SeverityNotice:
		return 1
	}
	return 0
}

// Stable rule ids (SPEC "Rules"). Each has one entry in check.Rules, which
// documents it.
const (
	RuleRenderError      = "render-error"
	RuleRenderWarning    = "render-warning"
	RuleMeshInjection    = "mesh-injection"
	RuleMeshAnnotation   = "mesh-annotation"
	RuleMeshEnv          = "mesh-env"
	RuleSecretMissing    = "secret-missing"
	RuleSecretKeyMissing = "secret-key-missing"
	RuleMeshJobSidecar   = "mesh-job-sidecar"
	RuleMeshDrift        = "mesh-drift"
	RuleIgnoreExpired    = "ignore-expired"
	// RuleGitOpsNotRendered: a GitOps object deploys what is not rendered.
	RuleGitOpsNotRendered = "gitops-not-rendered"
)

// RuleIDs are the rule ids in the order they are documented. A test holds
// check.Rules to the same list.
var RuleIDs = []string{
	RuleRenderError,
	RuleRenderWarning,
	RuleMeshInjection,
	RuleMeshAnnotation,
	RuleMeshEnv,
	RuleSecretMissing,
	RuleSecretKeyMissing,
	RuleMeshJobSidecar,
	RuleMeshDrift,
	RuleIgnoreExpired,
	RuleGitOpsNotRendered,
}

// Fail-on thresholds: the lowest severity that fails a run.
const (
	FailOnError   = "error"
	FailOnWarning = "warning"
	FailOnNever   = "never"
)

// FailOnValues are the valid fail-on thresholds.
var FailOnValues = []string{FailOnError, FailOnWarning, FailOnNever}

// ParseFailOn validates a fail-on threshold; "" is the default, error.
// The error names the valid values; callers prefix the flag or input.
func ParseFailOn(v string) (string, error) {
	switch v {
	case "":
		return FailOnError, nil
	case FailOnError, FailOnWarning, FailOnNever:
		return v, nil
	}
	return "", fmt.Errorf("%q: want error, warning or never", v)
}

// Fails reports whether a finding of severity s fails a run at threshold
// failOn.
func Fails(s Severity, failOn string) bool {
	switch failOn {
	case FailOnNever:
		return false
	case FailOnWarning:
		return s.Rank() >= SeverityWarning.Rank()
	}
	return s.Rank() >= SeverityError.Rank()
}

// Finding is one gap in one environment. Its JSON shape is the SPEC's report
// contract; field order here is the order in the JSON output.
type Finding struct {
	Rule        string   `json:"rule"`
	Severity    Severity `json:"severity"`
	Environment string   `json:"environment"`
	Kind        string   `json:"kind"`
	Namespace   string   `json:"namespace"`
	Name        string   `json:"name"`
	Container   string   `json:"container"`
	Message     string   `json:"message"`
	File        string   `json:"file"`
	Line        int      `json:"line"`
	Fingerprint string   `json:"fingerprint"`
	// Policy names the config `rules:` entry that produced the finding.
	Policy string `json:"policy,omitempty"`
	// Cause is shared by the findings of one cause, one fix for all of
	// them ("namespace-not-injected:boutique"), and CauseFix is that fix.
	// The human outputs group findings by it.
	Cause    string `json:"cause,omitempty"`
	CauseFix string `json:"causeFix,omitempty"`
	// New is set when a baseline is known (--base-ref / --baseline).
	New *bool `json:"new,omitempty"`
	// Reason is set on exempted findings (the report's "ignored" list);
	// Exemption says where the exemption is written: ExemptionConfig or
	// ExemptionInline. An addition to the SPEC shape.
	Reason    string `json:"reason,omitempty"`
	Exemption string `json:"exemption,omitempty"`
	// Evidence backs a mesh-drift finding: the setting, the peers that
	// carry it and the value most of them use. An addition to the SPEC
	// shape.
	Evidence *Evidence `json:"evidence,omitempty"`
	// Suggestion is a one-click fix for the gap, proven by re-rendering
	// every environment with it (internal/fix); Advice says the fix in
	// words where the line to edit is a template expression. Additions to
	// the SPEC shape.
	Suggestion *Suggestion `json:"suggestion,omitempty"`
	Advice     string      `json:"advice,omitempty"`
	// Remedy is the source edit the check that found the gap knows would
	// close it, for internal/fix to prove; not part of the JSON.
	Remedy *Remedy `json:"-"`
	// Subject distinguishes two findings of one rule on one container (the
	// Secret, key, annotation or env var concerned). It feeds the
	// fingerprint and is not part of the JSON contract.
	Subject string `json:"-"`
}

// Where an exemption is written (Finding.Exemption).
const (
	// ExemptionConfig: an ignore: entry of the config file.
	ExemptionConfig = "config"
	// ExemptionInline: the meshgate.io/ignore annotation in the manifest.
	ExemptionInline = "inline"
)

// Evidence is what a mesh-drift finding compares with.
type Evidence struct {
	// Axis is siblings, environments or commits.
	Axis string `json:"axis"`
	// Setting names what is missing: "meshed", "annotation KEY", "annotation
	// KEY key PATH", "label KEY" or "env NAME".
	Setting string `json:"setting"`
	// Carriers of Of peers carry it; Peers names them (workload ids for
	// siblings, environment names otherwise, the base for commits).
	Carriers int      `json:"carriers"`
	Of       int      `json:"of"`
	Peers    []string `json:"peers"`
	// Value is the value most carriers use ("" for env names and keys
	// whose value is not kept).
	Value string `json:"value"`
}

// WorkloadID is Kind/namespace/name, the form exemption globs match.
func (f Finding) WorkloadID() string {
	return f.Kind + "/" + f.Namespace + "/" + f.Name
}

// Fingerprint is a stable hash of rule+environment+kind+namespace+name+
// container+subject: it survives line moves and message rewording, so
// re-runs and baselines recognise the same gap.
func Fingerprint(rule, env, kind, namespace, name, container, subject string) string {
	h := sha256.Sum256([]byte(strings.Join([]string{rule, env, kind, namespace, name, container, subject}, "\x00")))
	return hex.EncodeToString(h[:16])
}

// SetFingerprint fills f.Fingerprint from its identifying fields.
func (f *Finding) SetFingerprint() {
	f.Fingerprint = Fingerprint(f.Rule, f.Environment, f.Kind, f.Namespace, f.Name, f.Container, f.Subject)
}

// Less is the report order: environment, namespace, kind, name, rule, then
// container, file, line and message so that the order is total.
func Less(a, b Finding) bool {
	return cmp.Or(
		cmp.Compare(a.Environment, b.Environment),
		cmp.Compare(a.Namespace, b.Namespace),
		cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Container, b.Container),
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Message, b.Message),
		cmp.Compare(a.Fingerprint, b.Fingerprint),
	) < 0
}

// Sentence capitalises s and ends it with a full stop unless it ends a
// sentence already: messages and rule texts are lowercase phrases, which
// SARIF and the rule docs print as sentences.
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}
