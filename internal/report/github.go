package report

import (
	"io"
	"strconv"
	"strings"
)

// GitHub writes one workflow command per finding
// (`::error file=F,line=L,title=meshgate RULE (ENV)::MESSAGE`), which the
// runner turns into annotations. Findings without a file omit file and line;
// one inside a chart archive names the archive, and no line (Annotation).
func GitHub(w io.Writer, r Report, _ Options) error {
	r = normalized(r)
	var b strings.Builder
	for _, f := range r.Findings {
		file, line, text := Annotation(f)
		var props []string
		if file != "" {
			props = append(props, "file="+escapeProperty(file))
			if line > 0 {
				props = append(props, "line="+strconv.Itoa(line))
			}
		}
		title := "meshgate " + f.Rule
		if f.Environment != "" {
			title += " (" + f.Environment + ")"
		}
		props = append(props, "title="+escapeProperty(title))
		b.WriteString("::" + Style(f.Severity).Workflow + " " + strings.Join(props, ",") + "::" + escapeData(text) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
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
