package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/meshgate/meshgate/internal/finding"
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

// Markdown renders the report for a pull-request comment or a job summary:
// the hidden marker, a one-line verdict, the environment × workload matrix,
// the gaps per environment (new ones first when a baseline is known), and
// the exemptions. With o.MaxBytes > 0 the result is at most that many bytes:
// whole rows are cut and a last line points to the full report.
func Markdown(r Report, o Options) string {
	r = normalized(r)
	var d mdDoc
	d.glue(MarkdownMarker + "\n")
	d.add(mdVerdict(r) + "\n")
	marked := hasNew(r.Findings)
	if marked {
		n := 0
		for _, f := range r.Findings {
			if !mdExisting(f) {
				n++
			}
		}
		d.add(fmt.Sprintf("\n%s and %s compared with the base.\n",
			Plural(n, "new gap", "new gaps"), Plural(len(r.Findings)-n, "existing one", "existing ones")))
	}
	mdMatrix(&d, r)
	mdCoverageChanges(&d, r)

	if len(r.Findings) > 0 {
		var fresh, existing []finding.Finding
		for _, f := range r.Findings {
			if marked && mdExisting(f) {
				existing = append(existing, f)
			} else {
				fresh = append(fresh, f)
			}
		}
		if marked {
			d.glue(fmt.Sprintf("\n#### New gaps (%d)\n", len(fresh)))
			if len(fresh) == 0 {
				d.add("\nNo new gaps.\n")
			}
		} else {
			d.glue(fmt.Sprintf("\n#### Gaps (%d)\n", len(fresh)))
		}
		mdGaps(&d, r, fresh)
		if len(existing) > 0 {
			d.glue("\n")
			d.open(fmt.Sprintf("Existing gaps (%d)", len(existing)))
			mdGaps(&d, r, existing)
			d.close()
		}
	}

	if len(r.Ignored) > 0 {
		d.glue("\n")
		d.open(fmt.Sprintf("Exemptions (%d)", len(r.Ignored)))
		var rows [][]string
		for _, f := range r.Ignored {
			rows = append(rows, []string{
				mdText(f.Environment), mdCode(f.Rule), mdObject(f), mdText(f.Reason), mdText(f.Message), mdCode(location(f)),
			})
		}
		d.table([]string{"Environment", "Rule", "Object", "Reason", "Message", "Location"}, rows)
		d.close()
	}
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
	where := "the JSON report artifact"
	if o.CheckRunURL != "" {
		where = "[the check run](" + o.CheckRunURL + ")"
	}
	pointer := "\n_This report was cut to fit. The full report is in " + where + "._\n"

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

// mdVerdict is "### ❌ meshgate: 4 errors, 1 warning in 2 of 3 environments"
// or "### ✅ meshgate: no gaps in 3 environments".
func mdVerdict(r Report) string {
	total := len(envNames(r))
	if len(r.Findings) == 0 {
		return "### " + mdPass + " meshgate: no gaps in " + Plural(total, "environment", "environments")
	}
	s := r.Summary
	failing := map[string]bool{}
	for _, f := range r.Findings {
		failing[f.Environment] = true
	}
	icon := mdNotice
	switch {
	case s.Errors > 0:
		icon = mdError
	case s.Warnings > 0:
		icon = mdWarning
	}
	return fmt.Sprintf("### %s meshgate: %s in %d of %s", icon, s.Counts(),
		len(failing), Plural(total, "environment", "environments"))
}

// mdMatrix adds the environment × workload table. Rows are every workload
// checked plus any other object with a finding (an Ingress, a
// ServiceAccount), and a rendering row when an environment failed to render.
func mdMatrix(d *mdDoc, r Report) {
	envs := envNames(r)
	if len(envs) == 0 {
		return
	}
	present := map[string]map[string]bool{} // env → workload id
	ids := map[string]bool{}
	for _, e := range r.Environments {
		present[e.Name] = map[string]bool{}
		for _, id := range e.WorkloadIDs {
			present[e.Name][id] = true
			ids[id] = true
		}
	}
	type cellKey struct{ env, id string }
	cells := map[cellKey][]finding.Finding{}
	renderRow := false
	for _, f := range r.Findings {
		id := ""
		if f.Kind != "" {
			id = f.WorkloadID()
			ids[id] = true
		} else {
			renderRow = true
		}
		cells[cellKey{f.Environment, id}] = append(cells[cellKey{f.Environment, id}], f)
	}
	failed := map[string]bool{}
	for _, e := range r.Environments {
		if e.Error != "" {
			failed[e.Name] = true
			renderRow = true
		}
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)

	cell := func(env, id string) string {
		if fs := cells[cellKey{env, id}]; len(fs) > 0 {
			return mdCell(fs)
		}
		if id == "" {
			if failed[env] {
				// The render-error finding was exempted.
				return mdAbsent
			}
			return mdPass
		}
		if present[env][id] {
			return mdPass
		}
		return mdAbsent
	}
	header := []string{"Workload"}
	for _, e := range envs {
		header = append(header, mdText(e))
	}
	var rows [][]string
	if renderRow {
		row := []string{"_rendering_"}
		for _, e := range envs {
			row = append(row, cell(e, ""))
		}
		rows = append(rows, row)
	}
	if row := mdCoverageRow(r, envs); row != nil {
		rows = append(rows, row)
	}
	for _, id := range sorted {
		row := []string{mdCode(id)}
		for _, e := range envs {
			row = append(row, cell(e, id))
		}
		rows = append(rows, row)
	}
	d.table(header, rows)
}

// mdCell is the worst severity's symbol and the rule ids that failed.
func mdCell(fs []finding.Finding) string {
	worst := finding.Severity("")
	seen := map[string]bool{}
	var rules []string
	for _, f := range fs {
		if f.Severity.Rank() > worst.Rank() {
			worst = f.Severity
		}
		if !seen[f.Rule] {
			seen[f.Rule] = true
			rules = append(rules, mdCode(f.Rule))
		}
	}
	sort.Strings(rules)
	return Style(worst).Icon + " " + strings.Join(rules, ", ")
}

// mdGaps adds, per environment, an entry per cause (its workloads share
// one fix) and a table of the other findings.
func mdGaps(d *mdDoc, r Report, fs []finding.Finding) {
	byEnv := map[string][]finding.Finding{}
	for _, f := range fs {
		byEnv[f.Environment] = append(byEnv[f.Environment], f)
	}
	for _, env := range envNames(r) {
		list := byEnv[env]
		if len(list) == 0 {
			continue
		}
		d.glue(fmt.Sprintf("\n**%s** (%d)\n", mdText(env), len(list)))
		var rows [][]string
		for _, g := range byCause(list) {
			f := g[0]
			if f.Cause != "" {
				mdCause(d, g)
				continue
			}
			rule := mdCode(f.Rule)
			if f.Policy != "" {
				rule += " (policy " + mdCode(f.Policy) + ")"
			}
			rows = append(rows, []string{
				Style(f.Severity).Icon + " " + string(f.Severity), rule, mdObject(f),
				mdCode(f.Container), mdText(f.Message), mdCode(location(f)),
			})
		}
		d.table([]string{"Severity", "Rule", "Object", "Container", "Message", "Location"}, rows)
	}
}

// mdCause adds the entry of the findings of one cause: the message and
// the fix once, then each workload at its location (with its severity and
// its own message where they differ), one part each for the cutter.
func mdCause(d *mdDoc, g []finding.Finding) {
	head := g[0]
	text := fmt.Sprintf("\n%s %s %s · cause %s, %s\n\n%s", Style(head.Severity).Icon, string(head.Severity), mdCode(head.Rule),
		mdCode(head.Cause), Plural(len(g), "workload", "workloads"), mdText(head.Message))
	if head.CauseFix != "" {
		text += "<br>\n**Fix:** " + mdText(head.CauseFix)
	}
	d.glue(text + "\n\n")
	for _, f := range g {
		item := "- " + mdObject(f)
		if f.Severity != head.Severity {
			item += " " + Style(f.Severity).Icon + " " + string(f.Severity)
		}
		if loc := location(f); loc != "" {
			item += " at " + mdCode(loc)
		}
		if f.Message != head.Message {
			item += ": " + mdText(f.Message)
		}
		d.add(item + "\n")
	}
}

// mdExisting: the baseline already had this finding.
func mdExisting(f finding.Finding) bool { return f.New != nil && !*f.New }

func mdObject(f finding.Finding) string {
	if f.Kind == "" {
		return ""
	}
	return mdCode(f.WorkloadID())
}

// mdText escapes text for a table cell: pipes would end the cell, newlines
// the row, and < > & would be read as HTML (helm errors quote `<.Values.x>`).
func mdText(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", `\|`).Replace(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "<br>")
}

// mdCode is s as a code span in a table cell ("" stays empty). Pipes are
// still escaped: GFM splits cells before it parses code spans.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	fence := "`"
	if strings.Contains(s, "`") {
		fence = "``"
		s = " " + s + " "
	}
	return fence + s + fence
}

// InsertAfterVerdict puts extra after a markdown report's verdict heading
// (its second line, after MarkdownMarker): where the job summary and the
// pull request comment say what publishing has to add.
func InsertAfterVerdict(md, extra string) string {
	if extra == "" {
		return md
	}
	first, rest, ok := strings.Cut(md, "\n")
	if !ok {
		return md + "\n" + extra
	}
	verdict, tail, ok := strings.Cut(rest, "\n")
	if !ok {
		return first + "\n" + rest + "\n" + extra
	}
	return first + "\n" + verdict + "\n" + extra + tail
}
