package report

import (
	"testing"

	"github.com/meshgate/meshgate/internal/finding"
)

func TestStyle(t *testing.T) {
	tests := []struct {
		sev  finding.Severity
		want SeverityStyle
	}{
		{finding.SeverityError, SeverityStyle{Label: "ERROR", ANSI: ansiRed, Icon: "❌", SARIF: "error", Workflow: "error", Annotation: "failure"}},
		{finding.SeverityWarning, SeverityStyle{Label: "WARNING", ANSI: ansiYellow, Icon: "⚠️", SARIF: "warning", Workflow: "warning", Annotation: "warning"}},
		{finding.SeverityNotice, SeverityStyle{Label: "NOTICE", ANSI: ansiCyan, Icon: "ℹ️", SARIF: "note", Workflow: "notice", Annotation: "notice"}},
		// A hand-edited report: shown as a notice under its own name.
		{"fatal", SeverityStyle{Label: "FATAL", Icon: "ℹ️", SARIF: "note", Workflow: "notice", Annotation: "notice"}},
	}
	for _, tt := range tests {
		if got := Style(tt.sev); got != tt.want {
			t.Errorf("Style(%q) = %+v, want %+v", tt.sev, got, tt.want)
		}
	}
}

func TestSummaryCounts(t *testing.T) {
	for s, want := range map[Summary]string{
		{}:                                   "",
		{Errors: 1}:                          "1 error",
		{Errors: 4, Notices: 2}:              "4 errors, 2 notices",
		{Errors: 2, Warnings: 1, Notices: 1}: "2 errors, 1 warning, 1 notice",
	} {
		if got := s.Counts(); got != want {
			t.Errorf("%+v.Counts() = %q, want %q", s, got, want)
		}
	}
}
