package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// MarkdownMarker is the hidden first line of every markdown report: the
// publisher finds its own sticky comment by it.
const MarkdownMarker = "<!-- meshgate:report -->"

// Matrix and table symbols.
const (
	mdPass    = "✅"
	mdError   = "❌"
	mdWarning = "⚠️"
	mdNotice  = "ℹ️"
	mdAbsent  = "—"
)

// mdPart is one unit the cutter keeps or drops whole: a line or a table
// row, with any heading glued to it so that a cut never leaves a heading,
// a table header or a <details> opener without content.
type mdPart struct {
	text string
	// opens is the text that closes what this part opens (</details>);
	// closes marks the part that ends the innermost open one.
	opens  string
	closes bool
}

type mdDoc struct {
	parts   []mdPart
	pending mdPart // glued to the next part
}

// glue holds text back to be kept or cut with the next part.
func (d *mdDoc) glue(text string) { d.pending.text += text }

func (d *mdDoc) add(text string) {
	p := d.pending
	p.text += text
	d.parts = append(d.parts, p)
	d.pending = mdPart{}
}

// open starts a folded section, glued to its first content.
func (d *mdDoc) open(summary string) {
	d.pending.text += "<details><summary>" + summary + "</summary>\n"
	d.pending.opens = "\n</details>\n"
}

func (d *mdDoc) close() {
	d.parts = append(d.parts, mdPart{text: "\n</details>\n", closes: true})
}

// table adds a table whose header is glued to its first row.
func (d *mdDoc) table(header []string, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	d.glue("\n| " + strings.Join(header, " | ") + " |\n|" + strings.Repeat(" --- |", len(header)) + "\n")
	for _, row := range rows {
		d.add("| " + strings.Join(row, " | ") + " |\n")
	}
}

// Markdown renders the report for a pull-request comment, a check run's
// summary or a job summary, for a reviewer who reads it in five seconds:
// the hidden marker, the verdict (Verdict) and a line of counts, then the
// gaps that matter (those a baseline marked new, else all of them), one
// entry per gap with the environments it occurs in and a link to its
// line; then, folded, the existing gaps, the environment × workload
// matrix and the exemptions. With o.MaxBytes > 0 the result is at most
// that many bytes: whole entries are cut from the end and a last line
// points to the full report.
func Markdown(r Report, o Options) string {
	r = normalized(r)
	envs := envNames(r)
	groups := mdGroups(envs, r.Findings)
	fresh, existing := mdSplit(r, groups)
	for i, g := range append(slices.Clone(fresh), existing...) {
		g.num = i + 1
	}
	var d mdDoc
	d.glue(MarkdownMarker + "\n")
	d.add("### " + mdVerdictIcon(fresh) + " meshgate: " + mdInline(verdict(r, o, groups)) + "\n")
	d.add(mdTally(r) + "\n")
	if note := mdBaselineNote(r); note != "" {
		d.add("\n" + note + "\n")
	}
	mdCoverageChanges(&d, r)
	if len(fresh) > 0 {
		d.glue(fmt.Sprintf("\n#### %s (%d)\n", mdFreshTitle(r), mdGapCount(fresh)))
		mdEntries(&d, r, fresh, o)
	}
	if len(existing) > 0 {
		d.glue("\n")
		d.open(fmt.Sprintf("Existing gaps (%d): %s", mdGapCount(existing), mdExistingWhere(r)))
		mdEntries(&d, r, existing, o)
		d.close()
	}
	mdMatrix(&d, r, groups)
	mdExemptions(&d, r, o)
	if v := toolVersion(r, o); v != "" {
		d.add("\n<sub>meshgate " + mdText(v) + "</sub>\n")
	}
	return d.render(o)
}

func writeMarkdown(w io.Writer, r Report, o Options) error {
	_, err := io.WriteString(w, Markdown(r, o))
	return err
}

// render joins the parts, cutting whole parts from the end when the body
// would exceed o.MaxBytes.
func (d *mdDoc) render(o Options) string {
	if d.pending.text != "" {
		d.add("")
	}
	var full strings.Builder
	for _, p := range d.parts {
		full.WriteString(p.text)
	}
	if o.MaxBytes <= 0 || full.Len() <= o.MaxBytes {
		return full.String()
	}
	var where []string
	if o.CheckRunURL != "" {
		where = append(where, "[the check run]("+o.CheckRunURL+")")
	}
	if o.SummaryURL != "" {
		where = append(where, "[the job summary]("+o.SummaryURL+")")
	}
	if len(where) == 0 {
		where = append(where, "the JSON report artifact")
	}
	pointer := "\n_This report was cut to fit. The full report is in " + strings.Join(where, " and ") + "._\n"

	var out strings.Builder
	var closers []string
	closing := func() int {
		n := 0
		for _, c := range closers {
			n += len(c)
		}
		return n
	}
	for _, p := range d.parts {
		after := closing()
		switch {
		case p.opens != "":
			after += len(p.opens)
		case p.closes && len(closers) > 0:
			after -= len(closers[len(closers)-1])
		}
		if out.Len()+len(p.text)+after+len(pointer) > o.MaxBytes {
			break
		}
		out.WriteString(p.text)
		switch {
		case p.opens != "":
			closers = append(closers, p.opens)
		case p.closes && len(closers) > 0:
			closers = closers[:len(closers)-1]
		}
	}
	for i := len(closers) - 1; i >= 0; i-- {
		out.WriteString(closers[i])
	}
	out.WriteString(pointer)
	return cutUTF8(out.String(), o.MaxBytes)
}

// cutUTF8 is the last resort for a limit too small for even the pointer:
// the longest valid prefix within n bytes.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// mdText escapes text for a table cell: pipes would end the cell, newlines
// the row, and < > & would be read as HTML (helm errors quote `<.Values.x>`).
func mdText(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", `\|`).Replace(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "<br>")
}

// InsertAfterVerdict puts extra after a markdown report's verdict (the
// heading and the line of counts under it, after MarkdownMarker): where
// the job summary and the pull request comment say what publishing has to
// add.
func InsertAfterVerdict(md, extra string) string {
	if extra == "" {
		return md
	}
	lines := strings.SplitAfter(md, "\n")
	at := min(2, len(lines))
	if at < len(lines) && strings.HasPrefix(lines[at], "<sub>") {
		at++
	}
	head := strings.Join(lines[:at], "")
	if !strings.HasSuffix(head, "\n") {
		head += "\n"
	}
	return head + extra + strings.Join(lines[at:], "")
}
