package check

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/finding"
)

// update rewrites docs/rules and testdata/rules.golden instead of
// comparing: go test ./internal/check -update.
var update = flag.Bool("update", false, "rewrite docs/rules and the golden files")

// golden compares got with the file at p, or writes it with -update.
func golden(t *testing.T, p string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/check -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./internal/check -update and review the diff):\n--- got\n%s", p, got)
	}
}

// sameNames fails unless the table's entries are named as list, in
// order: a table here and the names a lower package validates.
func sameNames[T any](t *testing.T, table []T, name func(T) string, list []string) {
	t.Helper()
	var names []string
	for _, e := range table {
		names = append(names, name(e))
	}
	if !slices.Equal(names, list) {
		t.Errorf("the table has\n%v\nthe list has\n%v", names, list)
	}
}

// TestRuleIDs holds the table to the ids finding declares, in order.
func TestRuleIDs(t *testing.T) {
	sameNames(t, Rules, func(r RuleInfo) string { return r.ID }, finding.RuleIDs)
	for _, r := range Rules {
		if r.Description == "" || r.Why == "" || r.Fix == "" || r.Example == "" || r.Category == "" {
			t.Errorf("%s: description, why, fix, example and category are all required", r.ID)
		}
	}
}

func TestWriteRules(t *testing.T) {
	var b bytes.Buffer
	if err := WriteRules(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "rules.golden"), b.Bytes())
}

func TestParseRule(t *testing.T) {
	valid := strings.Join(finding.RuleIDs, ", ")
	for id, want := range map[string]string{
		finding.RuleMeshEnv: "",
		"mesh-inject":       `unknown rule "mesh-inject" (did you mean "mesh-injection"? valid: ` + valid + `)`,
		"no-such-rule":      `unknown rule "no-such-rule" (valid: ` + valid + `)`,
		"mesh-injectoin":    `unknown rule "mesh-injectoin" (did you mean "mesh-injection"? valid: ` + valid + `)`,
		"Secret_Missing":    `unknown rule "Secret_Missing" (did you mean "secret-missing"? valid: ` + valid + `)`,
	} {
		r, err := ParseRule(id)
		switch {
		case want == "" && (err != nil || r.ID != id):
			t.Errorf("ParseRule(%q) = %q, %v", id, r.ID, err)
		case want != "" && (err == nil || err.Error() != want):
			t.Errorf("ParseRule(%q) error = %v, want %s", id, err, want)
		}
	}
}

func TestExplainFormat(t *testing.T) {
	if _, err := ExplainFormat("html"); err == nil || err.Error() != `"html": want text or markdown` {
		t.Errorf("ExplainFormat(html) error = %v", err)
	}
}

func explainText(t *testing.T, r RuleInfo) string {
	t.Helper()
	write, err := ExplainFormat("text")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestExplainTextWidth keeps explain readable in an 80-column terminal:
// only example files and the finding may run longer.
func TestExplainTextWidth(t *testing.T) {
	for _, r := range Rules {
		long := map[string]bool{r.Example: true}
		for _, e := range []Example{r.Failing, r.Passing} {
			for _, f := range e.Files {
				for _, l := range strings.Split(f.Content, "\n") {
					long[strings.TrimSpace(l)] = true
				}
			}
		}
		for i, line := range strings.Split(explainText(t, r), "\n") {
			if len(line) > explainWidth && !long[strings.TrimSpace(line)] && !strings.HasPrefix(line, "More: ") {
				t.Errorf("%s line %d is %d characters long: %q", r.ID, i+1, len(line), line)
			}
		}
	}
}

// TestRuleDocs keeps docs/rules in step with Rules: one page per rule,
// each being `meshgate explain --format markdown RULE`, and an index.
func TestRuleDocs(t *testing.T) {
	dir := filepath.Join("..", "..", "docs", "rules")
	write, err := ExplainFormat("markdown")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"README.md": true}
	var index strings.Builder
	index.WriteString("# Rules\n\nEvery rule meshgate reports, with its stable id and default severity. `meshgate rules` lists them, `meshgate explain RULE` prints a page.\n\n| rule | default severity | finding |\n|---|---|---|\n")
	for _, r := range Rules {
		var b bytes.Buffer
		if err := write(&b, r); err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join(dir, r.ID+".md"), b.Bytes())
		want[r.ID+".md"] = true
		fmt.Fprintf(&index, "| [`%s`](%s.md) | %s | %s |\n", r.ID, r.ID, r.Severity, r.Description)
	}
	index.WriteString("\nThese pages are generated: `go test ./internal/check -run TestRuleDocs -update` rewrites them from `internal/check/rules.go`.\n")
	golden(t, filepath.Join(dir, "README.md"), []byte(index.String()))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !want[e.Name()] {
			t.Errorf("docs/rules/%s documents no rule: remove it", e.Name())
		}
	}
}
