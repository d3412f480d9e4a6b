package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshgate/meshgate/internal/finding"
)

// ANSI SGR sequences; used only when Options.Color is set.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiFaint   = "\x1b[2m"
	ansiRed     = "\x1b[1;31m"
	ansiYellow  = "\x1b[33m"
	ansiCyan    = "\x1b[36m"
	ansiGreen   = "\x1b[32m"
	ansiMagenta = "\x1b[35m"
)

// messageIndent lines a finding's message up under its rule id.
const messageIndent = "          "

// Text writes the human report: one block per environment, one entry per
// finding, then a summary line.
func Text(w io.Writer, r Report, o Options) error {
	r = normalized(r)
	paint := func(code, s string) string {
		if !o.Color || s == "" {
			return s
		}
		return code + s + ansiReset
	}
	byEnv := map[string][]finding.Finding{}
	for _, f := range r.Findings {
		byEnv[f.Environment] = append(byEnv[f.Environment], f)
	}
	envs := map[string]Environment{}
	for _, e := range r.Environments {
		envs[e.Name] = e
	}
	marked := hasNew(r.Findings)

	var b strings.Builder
	for i, name := range envNames(r) {
		if i > 0 {
			b.WriteString("\n")
		}
		e, known := envs[name]
		b.WriteString(paint(ansiBold, name))
		if known {
			b.WriteString(textEnvHeader(e))
		}
		b.WriteString("\n")
		if ch := coverageChange(e.Mesh); ch != "" {
			fmt.Fprintf(&b, "  mesh: %s\n", ch)
		}
		fs := byEnv[name]
		if e.Error != "" && !hasRule(fs, finding.RuleRenderError) {
			// The render-error finding was exempted: still say why nothing
			// was checked.
			label := "render error:"
			for _, ig := range r.Ignored {
				if ig.Environment == name && ig.Rule == finding.RuleRenderError && ig.Reason != "" {
					label = "render error (exempted: " + ig.Reason + "):"
					break
				}
			}
			fmt.Fprintf(&b, "  %s\n", paint(ansiRed, label))
			writeIndented(&b, e.Error)
		}
		if len(fs) == 0 && e.Error == "" {
			fmt.Fprintf(&b, "  %s\n", paint(ansiGreen, "no gaps"))
		}
		for _, g := range byCause(fs) {
			if g[0].Cause == "" {
				textFinding(&b, g[0], marked, paint)
			} else {
				textCause(&b, g, marked, paint)
			}
		}
	}
	if len(r.Environments) > 0 || len(r.Findings) > 0 {
		b.WriteString("\n")
	}
	summary := summaryLine(r)
	switch {
	case r.Summary.Errors > 0:
		summary = paint(ansiRed, summary)
	case r.Summary.Warnings > 0:
		summary = paint(ansiYellow, summary)
	case r.Summary.Notices > 0:
		summary = paint(ansiCyan, summary)
	default:
		summary = paint(ansiGreen, summary)
	}
	b.WriteString(summary + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// textFinding writes one finding's entry; marked adds its new or existing
// mark.
func textFinding(b *strings.Builder, f finding.Finding, marked bool, paint func(code, s string) string) {
	var fields []string
	if obj := object(f); obj != "" {
		if f.Container != "" {
			obj += " [" + f.Container + "]"
		}
		fields = append(fields, obj)
	}
	if loc := location(f); loc != "" {
		fields = append(fields, paint(ansiFaint, loc))
	}
	textHead(b, f, fields, marked, paint)
	writeIndented(b, f.Message)
}

// textHead writes an entry's first line: severity, rule, the fields and
// the new or existing mark.
func textHead(b *strings.Builder, f finding.Finding, fields []string, marked bool, paint func(code, s string) string) {
	sev := Style(f.Severity)
	fields = append([]string{ruleLabel(f)}, fields...)
	if marked && f.New != nil {
		if *f.New {
			fields = append(fields, paint(ansiMagenta, "new"))
		} else {
			fields = append(fields, paint(ansiFaint, "existing"))
		}
	}
	// The severity column is padded to 8 so rule ids line up.
	b.WriteString("  " + paint(sev.ANSI, sev.Label) + strings.Repeat(" ", max(0, 7-len(sev.Label))) + " " + strings.Join(fields, "  ") + "\n")
}

// textCause writes the entry of the findings of one cause: its message
// and fix once, then each workload at its location (with its own message
// where that differs).
func textCause(b *strings.Builder, g []finding.Finding, marked bool, paint func(code, s string) string) {
	head := g[0]
	textHead(b, head, []string{causeHeading(g)}, marked, paint)
	writeIndented(b, head.Message)
	if head.CauseFix != "" {
		writeIndented(b, "fix: "+head.CauseFix)
	}
	for _, f := range g {
		line := "- " + causeMember(g, f)
		if loc := location(f); loc != "" {
			line += "  " + paint(ansiFaint, loc)
		}
		b.WriteString(messageIndent + line + "\n")
		if f.Message != head.Message {
			writeIndented(b, "  "+f.Message)
		}
	}
}

// textEnvHeader is " (source path): N objects, N workloads, 87ms".
func textEnvHeader(e Environment) string {
	var src []string
	for _, s := range []string{e.Source, e.Path} {
		if s != "" {
			src = append(src, s)
		}
	}
	var h string
	if len(src) > 0 {
		h = " (" + strings.Join(src, " ") + ")"
	}
	stats := Plural(e.Objects, "object", "objects") + ", " + Plural(e.Workloads, "workload", "workloads")
	if cov := coverageShort(e.Mesh); cov != "" {
		stats += ", " + cov
	}
	if e.Error != "" {
		stats = "render failed"
	}
	return h + ": " + stats + ", " + duration(e.DurationMs)
}

func duration(ms int64) string {
	if ms < 1000 {
		return fmt.Sprintf("%dms", ms)
	}
	return fmt.Sprintf("%.1fs", float64(ms)/1000)
}

func writeIndented(b *strings.Builder, msg string) {
	msg = strings.ReplaceAll(msg, "\r\n", "\n")
	for _, line := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
		b.WriteString(strings.TrimRight(messageIndent+line, " ") + "\n")
	}
}

// ruleLabel is the rule id, with the config policy that raised it.
func ruleLabel(f finding.Finding) string {
	if f.Policy != "" {
		return f.Rule + " (policy " + f.Policy + ")"
	}
	return f.Rule
}

func hasRule(fs []finding.Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// summaryLine is "3 environments, 30 workloads: 4 errors, 1 warning,
// 0 notices (2 ignored)", with the new count when a baseline is known.
func summaryLine(r Report) string {
	s := r.Summary
	line := fmt.Sprintf("%s, %s: %s, %s, %s",
		Plural(s.Environments, "environment", "environments"),
		Plural(s.Workloads, "workload", "workloads"),
		Plural(s.Errors, "error", "errors"),
		Plural(s.Warnings, "warning", "warnings"),
		Plural(s.Notices, "notice", "notices"))
	if hasNew(r.Findings) {
		n := 0
		for _, f := range r.Findings {
			if isNew(f) {
				n++
			}
		}
		line += fmt.Sprintf(", %d new", n)
	}
	return line + fmt.Sprintf(" (%d ignored)", s.Ignored)
}
