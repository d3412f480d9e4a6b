package report

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/finding"
)

// mdTableBudget is the width, in CSS pixels, a table may take in a pull
// request's conversation column (about 780 px, less the comment's border
// and padding) without being cut off on the right.
const mdTableBudget = 740

// Estimated widths of what a table cell shows, in CSS pixels at GitHub's
// 14 px font: a character on average, an emoji, and a cell's padding and
// border.
const (
	mdCharPx    = 8
	mdEmojiPx   = 20
	mdPaddingPx = 27
	// mdLabelPx caps the workload column: longer names wrap.
	mdLabelPx = 220
)

// mxRow is a row of the matrix: a workload, found in every environment by
// the drift rule's identity, or the rendering row.
type mxRow struct {
	// label names the workload; sub, where labels collide, its file.
	label, sub string
	cells      map[string]string // by environment
}

// name is the label with its file, for a table's first column.
func (r mxRow) name() string {
	if r.sub == "" {
		return r.label
	}
	return r.label + " <sub>" + r.sub + "</sub>"
}

// matrix is the environment × workload table of a report: the rows with a
// gap somewhere, and how many workloads had none.
type matrix struct {
	envs     []string
	rows     []mxRow
	coverage map[string]string // by environment; nil without coverage
	hidden   int
}

// mxCell collects a cell's entries.
type mxCell struct {
	worst finding.Severity
	nums  []int
	fresh map[int]bool
}

func (c *mxCell) add(num int, f finding.Finding) {
	if f.Severity.Rank() > c.worst.Rank() {
		c.worst = f.Severity
	}
	if !slices.Contains(c.nums, num) {
		c.nums = append(c.nums, num)
	}
	if isNew(f) {
		c.fresh[num] = true
	}
}

// String is "❌ 1, **3**": the worst severity and the entries, new ones
// bold.
func (c *mxCell) String() string {
	slices.Sort(c.nums)
	var s []string
	for _, n := range c.nums {
		if c.fresh[n] {
			s = append(s, "**"+strconv.Itoa(n)+"**")
		} else {
			s = append(s, strconv.Itoa(n))
		}
	}
	return Style(c.worst).Icon + " " + strings.Join(s, ", ")
}

// mxWorkloads finds the workloads of every environment, and the objects
// with a finding that are not workloads, and keys them by identity.
type mxWorkloads struct {
	refs []check.WorkloadRef
	ids  []string       // Kind/namespace/name of each ref
	at   map[string]int // env and id → ref
	keys []string
}

func (w *mxWorkloads) add(env, id, file string) {
	if _, ok := w.at[env+"\x00"+id]; ok {
		return
	}
	parts := strings.SplitN(id, "/", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	w.at[env+"\x00"+id] = len(w.refs)
	w.refs = append(w.refs, check.WorkloadRef{Env: env, Kind: parts[0], Name: parts[2], File: file})
	w.ids = append(w.ids, id)
}

// key is the identity of id in env ("" when unknown).
func (w *mxWorkloads) key(env, id string) string {
	if i, ok := w.at[env+"\x00"+id]; ok {
		return w.keys[i]
	}
	return ""
}

func mdWorkloads(r Report) *mxWorkloads {
	w := &mxWorkloads{at: map[string]int{}}
	for _, e := range r.Environments {
		for _, id := range e.WorkloadIDs {
			w.add(e.Name, id, e.WorkloadFiles[id])
		}
	}
	for _, f := range r.Findings {
		if f.Kind != "" {
			w.add(f.Environment, f.WorkloadID(), f.File)
		}
	}
	w.keys = check.WorkloadKeys(w.refs)
	dup := check.Duplicated(w.refs, w.keys)
	for i, k := range w.keys {
		if dup[k] {
			// Two workloads of one environment share it: it identifies
			// neither, so each is itself.
			w.keys[i] = "\x02" + w.ids[i]
		}
	}
	return w
}

// mdMatrixOf lays the report's gaps out by workload and environment.
func mdMatrixOf(r Report, groups []*mdGroup) matrix {
	m := matrix{envs: envNames(r)}
	w := mdWorkloads(r)
	cells := map[string]map[string]*mxCell{} // key → env → cell
	cell := func(key, env string) *mxCell {
		if cells[key] == nil {
			cells[key] = map[string]*mxCell{}
		}
		if cells[key][env] == nil {
			cells[key][env] = &mxCell{fresh: map[int]bool{}}
		}
		return cells[key][env]
	}
	for _, g := range groups {
		for _, gap := range g.gaps {
			for _, f := range gap.fs {
				key := ""
				if f.Kind != "" {
					key = w.key(f.Environment, f.WorkloadID())
				}
				cell(key, f.Environment).add(g.num, f)
			}
		}
	}
	present := map[string]bool{} // key and env
	labels := map[string]string{}
	files := map[string]string{}
	for i, ref := range w.refs {
		k := w.keys[i]
		present[k+"\x00"+ref.Env] = true
		label := ref.Kind + " " + check.StripEnv(ref.Name, ref.Env)
		if l, ok := labels[k]; !ok || len(label) < len(l) {
			labels[k] = label
		}
		if _, ok := files[k]; !ok {
			files[k] = ref.File
		}
	}
	var keys []string
	for k := range labels {
		if cells[k] == nil {
			m.hidden++
			continue
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return strings.Compare(labels[a]+"\x00"+a, labels[b]+"\x00"+b) })
	if r := mdRenderRow(r, cells[""]); r != nil {
		m.rows = append(m.rows, *r)
	}
	for i, k := range keys {
		row := mxRow{label: mdText(labels[k]), cells: map[string]string{}}
		if (i > 0 && labels[keys[i-1]] == labels[k]) || (i+1 < len(keys) && labels[keys[i+1]] == labels[k]) {
			if f := files[k]; f != "" {
				row.sub = mdText(path.Join(path.Base(path.Dir(f)), path.Base(f)))
			}
		}
		for _, env := range m.envs {
			switch {
			case cells[k][env] != nil:
				row.cells[env] = cells[k][env].String()
			case present[k+"\x00"+env]:
				row.cells[env] = mdPass
			default:
				row.cells[env] = mdAbsent
			}
		}
		m.rows = append(m.rows, row)
	}
	m.coverage = mdCoverageCells(r)
	return m
}

// mdRenderLabel heads the row of environments that did not render.
const mdRenderLabel = "_rendering_"

// mdRenderRow is the rendering row, nil when every environment rendered.
func mdRenderRow(r Report, cells map[string]*mxCell) *mxRow {
	failed := map[string]bool{}
	for _, e := range r.Environments {
		if e.Error != "" {
			failed[e.Name] = true
		}
	}
	if len(cells) == 0 && len(failed) == 0 {
		return nil
	}
	row := mxRow{label: mdRenderLabel, cells: map[string]string{}}
	for _, env := range envNames(r) {
		switch {
		case cells[env] != nil:
			row.cells[env] = cells[env].String()
		case failed[env]:
			// Its render-error was exempted.
			row.cells[env] = mdAbsent
		default:
			row.cells[env] = mdPass
		}
	}
	return &row
}

// mxColumn is a column of the matrix: one environment, or environments
// whose cells are all alike.
type mxColumn struct {
	envs  []string
	cells []string
}

// mdMatrix adds the matrix, folded: one row per workload with a gap, one
// column per environment; environments whose cells are alike share a
// column when one each would not fit, and the table is turned (a row per
// environment) when that does not fit either.
func mdMatrix(d *mdDoc, r Report, groups []*mdGroup) {
	m := mdMatrixOf(r, groups)
	gaps, cells := 0, 0 // workloads with a gap, cells with one
	for _, row := range m.rows {
		n := 0
		for _, c := range row.cells {
			if c != mdPass && c != mdAbsent {
				n++
			}
		}
		if n > 0 && row.label != mdRenderLabel {
			gaps++
		}
		cells += n
	}
	if len(m.envs) == 0 || len(m.rows) == 0 && m.coverage == nil {
		return
	}
	summary := "Matrix: " + Plural(len(m.envs), "environment", "environments")
	if gaps > 0 {
		summary += " × " + Plural(gaps, "workload", "workloads") + " with gaps"
	}
	if m.coverage != nil {
		summary += ", mesh coverage"
	}
	d.glue("\n")
	d.open(summary)
	cols := m.columns(false)
	if !m.fits(cols) {
		cols = m.columns(true)
	}
	var legend []string
	if m.fits(cols) {
		m.table(d, cols)
		if cells > 0 {
			legend = append(legend, "Numbers are the entries above (**bold**: new), "+mdPass+" no gap, "+mdAbsent+" not deployed there.")
		}
		for _, c := range cols {
			if len(c.envs) > 1 {
				legend = append(legend, "**"+mdColumnHeader(c.envs)+"**: "+mdText(strings.Join(c.envs, ", ")))
			}
		}
	} else {
		m.turned(d, cols)
		legend = append(legend, "Numbers are the entries above (**bold**: new).")
	}
	if m.hidden > 0 {
		legend = append(legend, Plural(m.hidden, "workload has", "workloads have")+" no gap and "+
			map[bool]string{true: "is", false: "are"}[m.hidden == 1]+" not shown.")
	}
	d.add("\n" + strings.Join(legend, "<br>\n") + "\n")
	d.close()
}

// columns is a column per environment, or per set of environments whose
// cells are alike with grouped.
func (m matrix) columns(grouped bool) []mxColumn {
	var out []mxColumn
	at := map[string]int{}
	for _, env := range m.envs {
		var cells []string
		for _, row := range m.rows {
			cells = append(cells, row.cells[env])
		}
		sig := strings.Join(cells, "\x00")
		if i, ok := at[sig]; ok && grouped {
			out[i].envs = append(out[i].envs, env)
			continue
		}
		at[sig] = len(out)
		out = append(out, mxColumn{envs: []string{env}, cells: cells})
	}
	return out
}

// coverageOf is the coverage cell of a column: each environment's value
// once.
func (m matrix) coverageOf(c mxColumn) string {
	var vals []string
	for _, env := range c.envs {
		if v := m.coverage[env]; !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	return strings.Join(vals, ", ")
}

// fits reports whether the table of cols is within mdTableBudget.
func (m matrix) fits(cols []mxColumn) bool {
	label := mdPxWords("_meshed_")
	for _, row := range m.rows {
		label = max(label, min(mdPx(row.name()), mdLabelPx))
	}
	total := label + mdPaddingPx
	for _, c := range cols {
		w := mdPxWords(mdColumnHeader(c.envs))
		for _, cell := range c.cells {
			w = max(w, mdPx(cell))
		}
		if m.coverage != nil {
			w = max(w, mdPx(m.coverageOf(c)))
		}
		total += w + mdPaddingPx
	}
	return total <= mdTableBudget
}

func (m matrix) table(d *mdDoc, cols []mxColumn) {
	header := []string{"Workload"}
	for _, c := range cols {
		header = append(header, mdColumnHeader(c.envs))
	}
	var rows [][]string
	for i, row := range m.rows {
		cells := []string{row.name()}
		for _, c := range cols {
			cells = append(cells, c.cells[i])
		}
		rows = append(rows, cells)
	}
	if m.coverage != nil {
		cells := []string{"_meshed_"}
		for _, c := range cols {
			cells = append(cells, m.coverageOf(c))
		}
		rows = append(rows, cells)
	}
	d.table(header, rows)
}

// turned is the matrix with a row per column of environments and their
// gaps in one cell.
func (m matrix) turned(d *mdDoc, cols []mxColumn) {
	header := []string{"Environments", "Gaps"}
	if m.coverage != nil {
		header = append(header, "Meshed")
	}
	var rows [][]string
	for _, c := range cols {
		var gaps []string
		for i, row := range m.rows {
			if cell := c.cells[i]; cell != mdPass && cell != mdAbsent {
				gaps = append(gaps, cell+" "+row.label)
			}
		}
		if len(gaps) == 0 {
			gaps = []string{mdPass}
		}
		cells := []string{mdEnvList(c.envs, m.envs), strings.Join(gaps, "<br>")}
		if m.coverage != nil {
			cells = append(cells, m.coverageOf(c))
		}
		rows = append(rows, cells)
	}
	d.table(header, rows)
}

// mdColumnHeader names a column: the environment, or the first of its
// environments and how many more.
func mdColumnHeader(envs []string) string {
	if len(envs) == 1 {
		return mdText(envs[0])
	}
	return fmt.Sprintf("%s +%d", mdText(envs[0]), len(envs)-1)
}

// mdPx estimates the width of a cell's markdown as GitHub draws it on one
// line.
func mdPx(s string) int {
	s = strings.NewReplacer("**", "", "`", "", "_", "", "\\", "", "<sub>", "", "</sub>", "").Replace(s)
	px := 0
	for _, r := range s {
		switch {
		case r == 0xFE0F:
		case r >= 0x2000:
			px += mdEmojiPx
		default:
			px += mdCharPx
		}
	}
	return px
}

// mdPxWords is the width of the longest word: text that may wrap.
func mdPxWords(s string) int {
	w := 0
	for _, word := range strings.Fields(s) {
		w = max(w, mdPx(word))
	}
	return w
}

// mdCoverageCells is each environment's mesh coverage ("41/42 meshed",
// with the change since the base), nil when no environment has one.
func mdCoverageCells(r Report) map[string]string {
	var out map[string]string
	for _, e := range r.Environments {
		if e.Mesh == nil {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		c := e.Mesh
		cell := fmt.Sprintf("%d/%d", c.Meshed, c.Workloads)
		if c.Base != nil && c.Meshed != c.Base.Meshed {
			cell += strings.Replace(fmt.Sprintf(" (%+d)", c.Meshed-c.Base.Meshed), "-", "−", 1)
		}
		out[e.Name] = cell
	}
	if out != nil {
		for _, env := range envNames(r) {
			if _, ok := out[env]; !ok {
				out[env] = mdAbsent
			}
		}
	}
	return out
}
