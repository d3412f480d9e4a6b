package fix

import (
	"strings"
)

// source is a text file as lines, edited by whole lines so that
// indentation, comments and template expressions around an edit stay as
// they are.
type source struct {
	lines []string // without line endings
	// crlf: the file ends its lines with "\r\n"; eol: its last line ends
	// with a line ending.
	crlf, eol bool
}

func parseSource(b []byte) *source {
	text := string(b)
	s := &source{crlf: strings.Contains(text, "\r\n")}
	if s.crlf {
		text = strings.ReplaceAll(text, "\r\n", "\n")
	}
	s.eol = strings.HasSuffix(text, "\n")
	text = strings.TrimSuffix(text, "\n")
	if text != "" || s.eol {
		s.lines = strings.Split(text, "\n")
	}
	return s
}

// bytes joins lines as the file ends its lines.
func (s *source) bytes(lines []string) []byte {
	nl := "\n"
	if s.crlf {
		nl = "\r\n"
	}
	out := strings.Join(lines, nl)
	if s.eol && len(lines) > 0 {
		out += nl
	}
	return []byte(out)
}

// yline is what one line says in a YAML block: its indentation, a
// sequence dash, a mapping key and what follows the colon.
type yline struct {
	indent int
	// dash marks a sequence item ("- "); keyCol is the column of what
	// follows the dash (indent without one).
	dash   bool
	keyCol int
	key    string // "" when the line holds no key
	rest   string // after "key:", trimmed, comment included
	blank  bool   // empty or a comment: belongs to no node
	templ  bool   // holds a template expression ({{ ... }})
}

func parseLine(l string) yline {
	t := strings.TrimLeft(l, " ")
	y := yline{indent: len(l) - len(t), templ: strings.Contains(l, "{{")}
	y.keyCol = y.indent
	if t == "" || strings.HasPrefix(t, "#") {
		y.blank = true
		return y
	}
	if t == "-" || strings.HasPrefix(t, "- ") {
		y.dash = true
		rest := strings.TrimLeft(t[1:], " ")
		y.keyCol = len(l) - len(rest)
		t = rest
	}
	y.key, y.rest = splitKey(t)
	return y
}

// splitKey splits "key: rest" (a plain or quoted key); "" when t is no
// mapping entry.
func splitKey(t string) (key, rest string) {
	if t == "" || strings.ContainsRune("{[&*!|>%@`", rune(t[0])) {
		return "", ""
	}
	if q := t[0]; q == '"' || q == '\'' {
		end := strings.IndexByte(t[1:], q)
		if end < 0 || !strings.HasPrefix(t[end+2:], ":") {
			return "", ""
		}
		after := t[end+3:]
		if after != "" && after[0] != ' ' {
			return "", ""
		}
		return t[1 : end+1], strings.TrimSpace(after)
	}
	for i := 0; i < len(t); i++ {
		switch {
		case t[i] == '#' && i > 0 && t[i-1] == ' ':
			return "", ""
		case t[i] == ':' && (i+1 == len(t) || t[i+1] == ' '):
			return strings.TrimSpace(t[:i]), strings.TrimSpace(t[i+1:])
		}
	}
	return "", ""
}

// emptyValue reports whether what follows a key's colon is nothing but a
// comment: the value is the block below it.
func emptyValue(rest string) bool { return rest == "" || strings.HasPrefix(rest, "#") }

func (s *source) line(i int) yline { return parseLine(s.lines[i]) }

// end is the index after the last line of the node starting at line i:
// the lines below it that are indented deeper (for a sequence item,
// deeper than its dash), and for a key whose value is a sequence at its
// own indentation, those items. Blank and comment lines at the end are
// not the node's.
func (s *source) end(i int) int {
	head := s.line(i)
	compact := false
	if !head.dash && head.key != "" && emptyValue(head.rest) {
		for j := i + 1; j < len(s.lines); j++ {
			if y := s.line(j); !y.blank {
				compact = y.dash && y.indent == head.indent
				break
			}
		}
	}
	last := i
	for j := i + 1; j < len(s.lines); j++ {
		y := s.line(j)
		if y.blank {
			continue
		}
		if y.indent > head.indent || compact && y.dash && y.indent == head.indent {
			last = j
			continue
		}
		break
	}
	return last + 1
}

// children are the lines of the node at i that start its direct entries:
// those at the column of its first entry.
func (s *source) children(i int) []int {
	end := s.end(i)
	col := -1
	var out []int
	for j := i + 1; j < end; j++ {
		y := s.line(j)
		if y.blank {
			continue
		}
		if col < 0 {
			col = y.indent
		}
		if y.indent == col {
			out = append(out, j)
		}
	}
	return out
}

// childIndent is the column of the entries of the node at i, or its
// indentation plus two when it has none.
func (s *source) childIndent(i int) int {
	if c := s.children(i); len(c) > 0 {
		return s.line(c[0]).indent
	}
	return s.line(i).keyCol + 2
}

// parentOf is the line of the node that holds line i, -1 at the top.
func (s *source) parentOf(i int) int {
	y := s.line(i)
	for j := i - 1; j >= 0; j-- {
		p := s.line(j)
		if p.blank {
			continue
		}
		if p.indent < y.indent || p.indent == y.indent && y.dash && !p.dash && emptyValue(p.rest) && p.key != "" {
			return j
		}
	}
	return -1
}

func pad(n int) string { return strings.Repeat(" ", n) }
