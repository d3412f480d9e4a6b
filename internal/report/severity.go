package report

import (
	"strings"

	"github.com/meshgate/meshgate/internal/finding"
)

// SeverityStyle is how the outputs show one severity.
type SeverityStyle struct {
	// Label is the text format's column, ANSI its colour.
	Label, ANSI string
	// Icon marks it in markdown: the report and the pull request's inline
	// comments.
	Icon string
	// SARIF is the SARIF level, Workflow the workflow command (::error),
	// Annotation the Checks API annotation_level.
	SARIF, Workflow, Annotation string
}

// severityStyles, highest severity first.
var severityStyles = []struct {
	sev   finding.Severity
	style SeverityStyle
}{
	{finding.SeverityError, SeverityStyle{Label: "ERROR", ANSI: ansiRed, Icon: mdError, SARIF: "error", Workflow: "error", Annotation: "failure"}},
	{finding.SeverityWarning, SeverityStyle{Label: "WARNING", ANSI: ansiYellow, Icon: mdWarning, SARIF: "warning", Workflow: "warning", Annotation: "warning"}},
	{finding.SeverityNotice, SeverityStyle{Label: "NOTICE", ANSI: ansiCyan, Icon: mdNotice, SARIF: "note", Workflow: "notice", Annotation: "notice"}},
}

// Style is how the outputs show s. An unknown severity (a hand-edited
// report) is shown as a notice, labelled with its own name, uncoloured.
func Style(s finding.Severity) SeverityStyle {
	for _, x := range severityStyles {
		if x.sev == s {
			return x.style
		}
	}
	st := severityStyles[len(severityStyles)-1].style
	st.Label, st.ANSI = strings.ToUpper(string(s)), ""
	return st
}

// Counts is "4 errors, 1 warning": the findings' non-zero counts by
// severity, highest first.
func (s Summary) Counts() string {
	var parts []string
	for _, c := range []struct {
		n   int
		sev finding.Severity
	}{{s.Errors, finding.SeverityError}, {s.Warnings, finding.SeverityWarning}, {s.Notices, finding.SeverityNotice}} {
		if c.n > 0 {
			parts = append(parts, Plural(c.n, string(c.sev), string(c.sev)+"s"))
		}
	}
	return strings.Join(parts, ", ")
}

// Describe names a finding's object, container and config policy before
// its message, for outputs that show little else (annotations, SARIF,
// inline comments): "Deployment shop/cart [server]: message".
func Describe(f finding.Finding) string {
	obj := object(f)
	if obj == "" {
		return f.Message
	}
	if f.Container != "" {
		obj += " [" + f.Container + "]"
	}
	if f.Policy != "" {
		obj += " (policy " + f.Policy + ")"
	}
	return obj + ": " + f.Message
}
