package publish

import (
	"reflect"
	"sort"
	"testing"
)

func TestAddedLines(t *testing.T) {
	for _, tc := range []struct {
		name  string
		patch string
		want  []int
	}{
		{"new file", "@@ -0,0 +1,3 @@\n+a\n+b\n+c", []int{1, 2, 3}},
		{"modified with context", "@@ -8,6 +8,7 @@ spec:\n ctx\n ctx\n ctx\n+added\n ctx\n-removed\n+replaced\n ctx", []int{11, 13}},
		{"two hunks", "@@ -1,2 +1,2 @@\n-a\n+A\n b\n@@ -40 +40,2 @@ tail\n x\n+y", []int{1, 41}},
		{"no newline marker", "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file", []int{1}},
		{"deleted file", "@@ -1,2 +0,0 @@\n-a\n-b", nil},
		{"no patch", "", nil},
		{"malformed header keeps what was read", "@@ -1 +1 @@\n+a\n@@ garbage @@\n+b", []int{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []int
			for l := range addedLines(tc.patch) {
				got = append(got, l)
			}
			sort.Ints(got)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("added lines = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFixBody(t *testing.T) {
	body := inlineMarker + "\nhead\n\n" +
		"- ❌ **error** `a` in **prod**: gone <!-- meshgate:fp=aaa env=prod -->\n" +
		"- ❌ **error** `b` in **prod**: stays <!-- meshgate:fp=bbb env=prod -->\n" +
		"- ❌ **error** `c` in **qa%2Feu**: not checked <!-- meshgate:fp=ccc env=qa%2Feu -->\n" +
		"- ~~❌ old~~ ✅ fixed in 1234567 <!-- meshgate:fixed=ddd env=prod -->\n"
	got, n := fixBody(body, "abcdef0123", func(fp, env string) bool { return fp != "bbb" && env == "prod" })
	want := inlineMarker + "\nhead\n\n" +
		"- ~~❌ **error** `a` in **prod**: gone~~ ✅ fixed in abcdef0 <!-- meshgate:fixed=aaa env=prod -->\n" +
		"- ❌ **error** `b` in **prod**: stays <!-- meshgate:fp=bbb env=prod -->\n" +
		"- ❌ **error** `c` in **qa%2Feu**: not checked <!-- meshgate:fp=ccc env=qa%2Feu -->\n" +
		"- ~~❌ old~~ ✅ fixed in 1234567 <!-- meshgate:fixed=ddd env=prod -->\n"
	if got != want || n != 1 {
		t.Errorf("fixBody = %d\n%s\nwant 1\n%s", n, got, want)
	}
}

func TestCompareStates(t *testing.T) {
	prev := commentState{SHA: "old", Envs: map[string][]string{"prod": {"a", "b"}, "staging": {"c"}, "dev": {"d"}}}
	cur := commentState{SHA: "new", Envs: map[string][]string{"prod": {"a", "e"}, "dev": {}, "qa": {"f"}}}
	// b and d fixed; staging was not checked, so c is not; e and f are new.
	d := compare(prev, cur)
	if !d.known || d.newGaps != 2 || d.fixed != 2 {
		t.Errorf("compare = %+v", d)
	}
	body := commentState{SHA: "x", Envs: map[string][]string{"a<b>": {"1"}}}.marker()
	if got, ok := parseState("text\n" + body + "\nmore"); !ok || got.Envs["a<b>"][0] != "1" {
		t.Errorf("parseState(%q) = %+v %v", body, got, ok)
	}
	if _, ok := parseState("<!-- meshgate:fingerprints {broken -->"); ok {
		t.Error("a broken marker parsed")
	}
}
