package report

import (
	"io"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/finding"
)

// GitHub writes one workflow command per finding
// (`::error file=F,line=L,title=meshgate RULE (ENV)::MESSAGE`), which the
// runner turns into annotations. Findings without a file omit file and line.
func GitHub(w io.Writer, r Report, _ Options) error {
	r = normalized(r)
	var b strings.Builder
	for _, f := range r.Findings {
		var props []string
		if f.File != "" {
			props = append(props, "file="+escapeProperty(f.File))
			if f.Line > 0 {
				props = append(props, "line="+strconv.Itoa(f.Line))
			}
		}
		title := "meshgate " + f.Rule
		if f.Environment != "" {
			title += " (" + f.Environment + ")"
		}
		props = append(props, "title="+escapeProperty(title))
		b.WriteString("::" + workflowCommand(f.Severity) + " " + strings.Join(props, ",") + "::" + escapeData(githubMessage(f)) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func workflowCommand(s finding.Severity) string {
	switch s {
	case finding.SeverityError:
		return "error"
	case finding.SeverityWarning:
		return "warning"
	}
	return "notice"
}

// githubMessage names the object: an annotation shows only its title and
// message.
func githubMessage(f finding.Finding) string {
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

// escapeData escapes a workflow command's message the way the runner
// unescapes it (actions/toolkit command.ts escapeData).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value (escapeProperty: also ':' and ',',
// which separate properties).
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
