package finding

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestParseFailOn(t *testing.T) {
	for in, want := range map[string]string{"": "error", "error": "error", "warning": "warning", "never": "never"} {
		got, err := ParseFailOn(in)
		if err != nil || got != want {
			t.Errorf("ParseFailOn(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseFailOn("Warning")
	if err == nil || err.Error() != `"Warning": want error, warning or never` {
		t.Errorf("ParseFailOn(Warning) error = %v", err)
	}
}

func TestFails(t *testing.T) {
	cases := []struct {
		sev    Severity
		failOn string
		want   bool
	}{
		{SeverityError, FailOnError, true},
		{SeverityWarning, FailOnError, false},
		{SeverityNotice, FailOnError, false},
		{SeverityError, FailOnWarning, true},
		{SeverityWarning, FailOnWarning, true},
		{SeverityNotice, FailOnWarning, false},
		{SeverityError, FailOnNever, false},
		{Severity("bogus"), FailOnWarning, false},
	}
	for _, c := range cases {
		if got := Fails(c.sev, c.failOn); got != c.want {
			t.Errorf("Fails(%s, %s) = %v, want %v", c.sev, c.failOn, got, c.want)
		}
	}
}

// The fingerprint is part of the report contract: baselines and sticky
// comments from earlier versions must keep matching.
func TestFingerprintStable(t *testing.T) {
	got := Fingerprint(RuleSecretMissing, "prod", "Deployment", "shop", "cart", "server", "cart-db")
	if want := "0d213e0c01d26e7380a14aad7f9ca068"; got != want {
		t.Fatalf("Fingerprint = %q, want %q", got, want)
	}
	f := Finding{Rule: RuleSecretMissing, Environment: "prod", Kind: "Deployment", Namespace: "shop", Name: "cart", Container: "server", Subject: "cart-db"}
	f.SetFingerprint()
	if f.Fingerprint != got {
		t.Errorf("SetFingerprint = %q, Fingerprint = %q", f.Fingerprint, got)
	}
	f.Subject = "other"
	f.SetFingerprint()
	if f.Fingerprint == got {
		t.Error("the subject does not change the fingerprint")
	}
}

func TestLessOrder(t *testing.T) {
	fs := []Finding{
		{Environment: "prod", Namespace: "b", Name: "x"},
		{Environment: "dev", Namespace: "z", Name: "y"},
		{Environment: "prod", Namespace: "a", Name: "z", Rule: "r2"},
		{Environment: "prod", Namespace: "a", Name: "z", Rule: "r1", Line: 9},
		{Environment: "prod", Namespace: "a", Name: "z", Rule: "r1", Line: 3},
	}
	sort.Slice(fs, func(i, j int) bool { return Less(fs[i], fs[j]) })
	var got []string
	for _, f := range fs {
		got = append(got, f.Environment+"/"+f.Namespace+"/"+f.Rule)
	}
	want := []string{"dev/z/", "prod/a/r1", "prod/a/r1", "prod/a/r2", "prod/b/"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order = %v, want %v", got, want)
		}
	}
	if fs[1].Line != 3 {
		t.Errorf("line does not break the tie: %+v", fs[1])
	}
}

func TestSentence(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"  pod is missing ": "Pod is missing.",
		"done.":             "Done.",
		"why?":              "Why?",
		"état":              "État.",
	} {
		if got := Sentence(in); got != want {
			t.Errorf("Sentence(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRuleIDLiterals keeps each rule id spelt once in Go code outside
// tests: in the constants above. Everything else names them.
func TestRuleIDLiterals(t *testing.T) {
	ids := regexp.MustCompile(`(^|[^a-z-])(` + strings.Join(RuleIDs, "|") + `)($|[^a-z-])`)
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || p == filepath.Join(root, "internal", "finding", "finding.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if l, ok := n.(*ast.BasicLit); ok && l.Kind == token.STRING && ids.MatchString(l.Value) {
				t.Errorf("%s: %s spells a rule id: use its finding.Rule constant", fset.Position(l.Pos()), l.Value)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestArchiveLocations(t *testing.T) {
	tests := []struct {
		file, archive, path string
		ok                  bool
	}{
		{"charts/grafana-12.11.1.tgz#templates/deployment.yaml", "charts/grafana-12.11.1.tgz", "templates/deployment.yaml", true},
		{"charts/a.tar.gz#charts/sub/templates/x.yaml", "charts/a.tar.gz", "charts/sub/templates/x.yaml", true},
		{"dir#1/a.tgz#templates/x.yaml", "dir#1/a.tgz", "templates/x.yaml", true},
		{"notes/a#b.yaml", "", "", false}, // a repository file with a "#"
		{"charts/a.tgz", "", "", false},
		{"charts/a.tgz#", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		a, p, ok := SplitArchive(tt.file)
		if a != tt.archive || p != tt.path || ok != tt.ok {
			t.Errorf("SplitArchive(%q) = %q, %q, %v; want %q, %q, %v", tt.file, a, p, ok, tt.archive, tt.path, tt.ok)
		}
	}
	if got := InArchive("charts/a.tgz", "templates/x.yaml"); got != "charts/a.tgz#templates/x.yaml" {
		t.Errorf("InArchive = %q", got)
	}
	// An archive whose name would not be told apart stands for itself.
	if got := InArchive("charts/chart.bin", "templates/x.yaml"); got != "charts/chart.bin" {
		t.Errorf("InArchive of an unrecognised archive name = %q, want the archive", got)
	}
}
