package fix

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/finding"
)

// op replaces lines [start, end) (0-based) of the original file with
// lines; start == end inserts.
type op struct {
	start, end int
	lines      []string
}

// errUnsure: the source is not shaped as the edit expects (a flow map, a
// block value, a key in another place); no edit is offered.
var errUnsure = errors.New("the source is not shaped as expected")

// templatedError: the line to edit is a template expression, or the
// field to add is written under a template condition (cond), so the fix
// is described, not suggested.
type templatedError struct {
	line int
	cond bool
}

func (e *templatedError) Error() string {
	if e.cond {
		return fmt.Sprintf("line %d writes the field under a template condition", e.line)
	}
	return fmt.Sprintf("line %d is a template expression", e.line)
}

// unsure is the error for an unexpected line i: templated if it holds a
// template expression.
func (s *source) unsure(i int) error {
	if i >= 0 && i < len(s.lines) && s.line(i).templ {
		return &templatedError{line: i + 1}
	}
	return errUnsure
}

// ops makes a remedy concrete on the file's lines.
func (s *source) ops(r *finding.Remedy) ([]op, error) {
	switch r.Op {
	case finding.RemedySet:
		return s.setEntry(r.At, r.Key, strconv.Quote(r.Value), true)
	case finding.RemedyMove:
		return s.move(r)
	case finding.RemedyAddEnv:
		return s.addEnv(r)
	case finding.RemedyRename:
		return s.rename(r)
	}
	return nil, errUnsure
}

// literal is the 0-based index of 1-based line n and what it says; an
// error when there is no such line or it is a template expression.
func (s *source) literal(n int) (int, yline, error) {
	i := s.validLine(n)
	if i < 0 {
		return i, yline{}, errUnsure
	}
	y := s.line(i)
	if y.templ {
		return i, y, &templatedError{line: n}
	}
	return i, y, nil
}

// validLine is the 0-based index of a 1-based line, -1 when out of range.
func (s *source) validLine(n int) int {
	if n < 1 || n > len(s.lines) {
		return -1
	}
	return n - 1
}

// setEntry gives the block map at (or, when the source lacks it, a new
// one under its parent) the entry key: value, value written as YAML.
// replace allows an existing entry's value to change.
func (s *source) setEntry(at finding.Anchor, key, value string, replace bool) ([]op, error) {
	i := s.validLine(at.Line)
	if i < 0 {
		return nil, errUnsure
	}
	y := s.line(i)
	entry := yamlKey(key) + ": " + value
	if at.Missing {
		if y.key != at.Parent || !emptyValue(y.rest) || y.templ {
			return nil, s.unsure(i)
		}
		n := s.childIndent(i)
		for j := i + 1; j < s.end(i); j++ {
			if y := s.line(j); y.indent == n && y.key == at.Field {
				// Rendered only under a condition that is off here: a
				// second map would collide with it where it is on.
				return nil, &templatedError{line: j + 1, cond: true}
			}
		}
		return []op{{start: i + 1, end: i + 1, lines: []string{pad(n) + at.Field + ":", pad(n+2) + entry}}}, nil
	}
	if y.key != at.Field || !emptyValue(y.rest) || y.templ {
		return nil, s.unsure(i)
	}
	for _, c := range s.children(i) {
		cy := s.line(c)
		if cy.key != key {
			continue
		}
		if !replace || s.end(c) != c+1 {
			return nil, errUnsure
		}
		if cy.templ {
			return nil, &templatedError{line: c + 1}
		}
		return []op{{start: c, end: c + 1, lines: []string{pad(cy.indent) + entry + trailingComment(s.lines[c])}}}, nil
	}
	n := s.childIndent(i)
	if n <= y.keyCol {
		n = y.keyCol + 2
	}
	e := s.end(i)
	return []op{{start: e, end: e, lines: []string{pad(n) + entry}}}, nil
}

// move removes the entry on line r.At (and its map, when that is all the
// map held) and adds it, value as written, to the map r.To.
func (s *source) move(r *finding.Remedy) ([]op, error) {
	i, y, err := s.literal(r.At.Line)
	if err != nil {
		return nil, err
	}
	if y.key == r.At.Field && y.key != r.Key {
		// The map whose entries a template expression writes.
		return nil, s.templatedChild(i)
	}
	if y.key != r.Key || y.dash || s.end(i) != i+1 || emptyValue(y.rest) {
		return nil, errUnsure
	}
	del := op{start: i, end: i + 1}
	if p := s.parentOf(i); p >= 0 && !s.line(p).templ && len(s.children(p)) == 1 && s.end(p) == i+1 {
		del.start = p
	}
	ins, err := s.setEntry(r.To, r.Key, y.rest, false)
	if err != nil {
		return nil, err
	}
	return append(ins, del), nil
}

// addEnv adds an env var to the container item on line r.At: a copy of
// the env item on line r.Copy, else name and value.
func (s *source) addEnv(r *finding.Remedy) ([]op, error) {
	i := s.validLine(r.At.Line)
	if i < 0 || r.At.Missing {
		return nil, errUnsure
	}
	y := s.line(i)
	if !y.dash {
		return nil, s.unsure(i)
	}
	item := s.copyItem(s.validLine(r.Copy), r.Key)
	if item == nil {
		if r.Value == "" {
			return nil, errUnsure
		}
		item = []string{"- name: " + r.Key, "  value: " + strconv.Quote(r.Value)}
	}
	for _, c := range s.children(i) {
		cy := s.line(c)
		if cy.key != "env" {
			continue
		}
		if cy.templ {
			return nil, &templatedError{line: c + 1}
		}
		if !emptyValue(cy.rest) {
			return nil, errUnsure
		}
		n := s.childIndent(c)
		if n < cy.indent {
			n = cy.indent + 2
		}
		e := s.end(c)
		return []op{{start: e, end: e, lines: indented(item, n)}}, nil
	}
	e := s.end(i)
	return []op{{start: e, end: e, lines: append([]string{pad(y.keyCol) + "env:"}, indented(item, y.keyCol+2)...)}}, nil
}

// copyItem is the env item on line j, which must set env var name, with
// its indentation removed; nil when line j is no such item.
func (s *source) copyItem(j int, name string) []string {
	if j < 0 {
		return nil
	}
	y := s.line(j)
	if !y.dash || y.key != "name" || unquote(y.rest) != name {
		return nil
	}
	var out []string
	for k := j; k < s.end(j); k++ {
		l := s.lines[k]
		if strings.TrimSpace(l) != "" && len(l)-len(strings.TrimLeft(l, " ")) < y.indent {
			return nil
		}
		out = append(out, strings.TrimPrefix(l, pad(min(y.indent, len(l)))))
	}
	return out
}

// rename replaces the scalar r.Old on line r.At with r.Value, keeping its
// quotes and comment.
func (s *source) rename(r *finding.Remedy) ([]op, error) {
	i, y, err := s.literal(r.At.Line)
	if err != nil {
		return nil, err
	}
	val, _, _ := strings.Cut(y.rest, " #")
	val = strings.TrimSpace(val)
	var repl string
	switch val {
	case r.Old:
		repl = r.Value
	case strconv.Quote(r.Old), "'" + r.Old + "'":
		repl = val[:1] + r.Value + val[:1]
	default:
		return nil, errUnsure
	}
	l := s.lines[i]
	at := strings.Index(l, y.key+":") + len(y.key) + 1
	if at <= len(y.key) || !strings.Contains(l[at:], val) {
		return nil, errUnsure
	}
	return []op{{start: i, end: i + 1, lines: []string{l[:at] + strings.Replace(l[at:], val, repl, 1)}}}, nil
}

// indented puts lines at column n.
func indented(lines []string, n int) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			out[i] = l
			continue
		}
		out[i] = pad(n) + l
	}
	return out
}

// yamlKey writes a mapping key, quoted when a plain scalar cannot be.
func yamlKey(k string) string {
	if k == "" || strings.ContainsAny(k, ":#{}[],&*!|>'\"%@` ") || strings.HasPrefix(k, "-") {
		return strconv.Quote(k)
	}
	return k
}

// unquote strips the quotes of a YAML scalar and any comment after it.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
			return v[1 : end+1]
		}
	}
	v, _, _ = strings.Cut(v, " #")
	return strings.TrimSpace(v)
}

// apply applies ops, all on the original lines, in one pass; an error
// when two overlap.
func apply(lines []string, ops []op) ([]string, error) {
	sorted := append([]op(nil), ops...)
	sort.SliceStable(sorted, func(a, b int) bool {
		if sorted[a].start != sorted[b].start {
			return sorted[a].start < sorted[b].start
		}
		// An insertion goes before what replaces the lines after it.
		return sorted[a].end-sorted[a].start < sorted[b].end-sorted[b].start
	})
	out := make([]string, 0, len(lines)+8)
	cur := 0
	for _, o := range sorted {
		if o.start < cur || o.end > len(lines) {
			return nil, errOverlap
		}
		out = append(out, lines[cur:o.start]...)
		out = append(out, o.lines...)
		cur = o.end
	}
	return append(out, lines[cur:]...), nil
}

var errOverlap = errors.New("edits overlap")

// suggestion is the whole-line replacement that ops make: the lines from
// the first they change to the last. An insertion spans the line before
// it (the line after, at the top), since a suggested change replaces at
// least one line.
func suggestion(file string, old []string, ops []op) (finding.Suggestion, bool) {
	if len(ops) == 0 {
		return finding.Suggestion{}, false
	}
	lo, hi, delta := ops[0].start, ops[0].end, 0
	for _, o := range ops {
		lo, hi = min(lo, o.start), max(hi, o.end)
		delta += len(o.lines) - (o.end - o.start)
	}
	if lo == hi {
		switch {
		case lo > 0:
			lo--
		case hi < len(old):
			hi++
		default:
			return finding.Suggestion{}, false
		}
	}
	lines, err := apply(old, ops)
	if err != nil || slices.Equal(lines, old) {
		return finding.Suggestion{}, false
	}
	var b strings.Builder
	for _, l := range lines[lo : hi+delta] {
		b.WriteString(l + "\n")
	}
	return finding.Suggestion{File: file, StartLine: lo + 1, EndLine: hi, Replacement: b.String()}, true
}

// trailingComment is the comment ending a line, with the spaces before
// it; "" when there is none. A "#" inside quotes is no comment.
func trailingComment(l string) string {
	var quote byte
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && i > 0 && (l[i-1] == ' ' || l[i-1] == '\t'):
			j := i
			for j > 0 && (l[j-1] == ' ' || l[j-1] == '\t') {
				j--
			}
			return l[j:]
		}
	}
	return ""
}

// templatedChild is the error for a map at line i whose entries are not
// all written out: the template expression among them, else errUnsure.
func (s *source) templatedChild(i int) error {
	for _, c := range s.children(i) {
		if s.line(c).templ {
			return &templatedError{line: c + 1}
		}
	}
	return errUnsure
}
