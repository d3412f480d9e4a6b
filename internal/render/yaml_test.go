package render

import (
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestDocuments(t *testing.T) {
	tests := []struct {
		text string
		want []int // the line of each document's first node
	}{
		{"", nil},
		{"a: 1\n", []int{1}},
		{"a: 1\n---\nb: 2\n---\n- c\n", []int{1, 3, 5}},
		// Documents after a broken one are not reached.
		{"a: 1\n---\nb: [\n---\nc: 3\n", []int{1}},
		{"a: [\n---\nc: 3\n", nil},
	}
	for _, tt := range tests {
		var got []int
		for doc := range Documents([]byte(tt.text)) {
			got = append(got, doc.Content[0].Line)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Documents(%q) at lines %v, want %v", tt.text, got, tt.want)
		}
	}
	n := 0
	for range Documents([]byte("a: 1\n---\nb: 2\n")) {
		n++
		break
	}
	if n != 1 {
		t.Errorf("break after %d documents", n)
	}
}

func TestDuplicateKey(t *testing.T) {
	tests := []struct {
		text        string
		line, first int
		key         string
	}{
		{"a: 1\nb: 2\n", 0, 0, ""},
		{"a: 1\nb: 2\na: 3\n", 3, 1, "a"},
		{"x:\n  - a: 1\n    a: 2\ny: 1\ny: 2\n", 5, 4, "y"},         // a mapping's own keys first
		{"x:\n  - a: 1\n    a: 2\ny:\n  b: 1\n  b: 2\n", 3, 2, "a"}, // then inside, in order
		{"base: &b {a: 1}\nm:\n  <<: *b\n  <<: *b\n", 0, 0, ""},     // merge keys may repeat
		{"? [a]\n: 1\n? [a]\n: 2\n", 0, 0, ""},                      // only scalar keys count
	}
	for _, tt := range tests {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(tt.text), &doc); err != nil {
			t.Fatalf("%q: %v", tt.text, err)
		}
		line, first, key := DuplicateKey(&doc)
		if line != tt.line || first != tt.first || key != tt.key {
			t.Errorf("DuplicateKey(%q) = %d, %d, %q; want %d, %d, %q", tt.text, line, first, key, tt.line, tt.first, tt.key)
		}
	}
}
