package publish

import (
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/finding"
)

// TestPostable: a suggested change is posted only where the diff shows
// every line it replaces in one hunk, in the finding's own file, and never
// in a packaged chart.
func TestPostable(t *testing.T) {
	// Two hunks: new-side lines 10-14 (12 added) and 30-33 (31 added).
	pl := parsePatch("@@ -10,4 +10,5 @@\n a\n b\n+c\n d\n e\n@@ -28,3 +30,4 @@\n f\n+g\n h\n i")
	if !pl.added[12] || !pl.added[31] || pl.added[13] {
		t.Fatalf("added lines %v", pl.added)
	}
	f := finding.Finding{File: "deploy/web.yaml", Line: 12}
	for _, tc := range []struct {
		name        string
		file        string
		start, end  int
		wantPosting bool
	}{
		{"the line itself", "deploy/web.yaml", 12, 12, true},
		{"context lines of the same hunk", "deploy/web.yaml", 10, 14, true},
		{"past the hunk", "deploy/web.yaml", 13, 15, false},
		{"across two hunks", "deploy/web.yaml", 14, 30, false},
		{"another file", "deploy/api.yaml", 12, 12, false},
		{"a packaged chart", "charts/web-1.0.0.tgz", 12, 12, false},
		{"a template inside a packaged chart", "charts/web-1.0.0.tgz#web/templates/web.yaml", 12, 12, false},
		{"no lines", "deploy/web.yaml", 12, 11, false},
	} {
		f.File = "deploy/web.yaml"
		if strings.Contains(tc.file, ".tgz") {
			f.File = tc.file
		}
		f.Suggestion = &finding.Suggestion{File: tc.file, StartLine: tc.start, EndLine: tc.end, Replacement: "x\n"}
		if got := postable(f, pl) != nil; got != tc.wantPosting {
			t.Errorf("%s: posted %v, want %v", tc.name, got, tc.wantPosting)
		}
	}
	f.Suggestion = nil
	if postable(f, pl) != nil {
		t.Error("a finding without a suggestion got one")
	}
}

// TestSuggestionBlock: the fence outgrows the replacement's backticks,
// and an empty replacement (deleting the lines) is an empty block.
func TestSuggestionBlock(t *testing.T) {
	for _, tc := range []struct{ replacement, want string }{
		{"a: b\n", "```suggestion\na: b\n```\n"},
		{"```\n", "````suggestion\n```\n````\n"},
		{"", "```suggestion\n```\n"},
	} {
		got := suggestionBlock(&finding.Suggestion{Replacement: tc.replacement, Title: "t"})
		want := "\n**Suggested fix:** t. meshgate checked every environment again with it: this gap is gone and no new one appears.\n\n" + tc.want
		if got != want {
			t.Errorf("replacement %q:\n got %q\nwant %q", tc.replacement, got, want)
		}
	}
}
