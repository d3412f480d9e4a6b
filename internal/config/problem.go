package config

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a config file, at the place it is written.
type Problem struct {
	// File is the config file relative to the repository root.
	File   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based; 0 when unknown
	// Field is the dotted path of the field, e.g. environments[1].helm.values;
	// map keys that are not plain words are quoted: labels["app.kubernetes.io/name"].
	// Empty for problems with the document as a whole.
	Field   string
	Message string
}

// String is FILE:LINE:COL: FIELD: MESSAGE; unknown parts are left out.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	if p.Field != "" {
		b.WriteString(": ")
		b.WriteString(p.Field)
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError holds every problem found in a config file, in file order,
// so that a user fixes them all in one go.
type ValidationError struct {
	Problems []Problem
}

// Error prints one problem per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
