package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"check", "chek", 1},
		{"format", "formt", 1}, {"kitten", "sitting", 3}, {"same", "same", 0},
		{"evn", "env", 1}, {"--evn", "--env", 1}, {"ca", "abc", 3},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	cands := []string{"check", "render", "publish", "fail-on", "format", "failOn"}
	for name, want := range map[string]string{
		"chek":    "check",
		"formt":   "format",
		"FAIL_ON": "fail-on", // normalised match wins, first candidate first
		"rendre":  "render",
		"xyz":     "",
		"pub":     "publish", // the only one it begins
		"fail":    "failOn",  // two edits, before the prefix rule
		"c":       "",
	} {
		if got := Closest(name, cands); got != want {
			t.Errorf("Closest(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestRelated(t *testing.T) {
	keys := []string{"pass", "username"}
	for name, want := range map[string]string{
		"password": "pass",     // the name begins with the key
		"usrname":  "username", // Closest first
		"user":     "username", // the only key the name begins
		"token":    "",
		"pa":       "",
	} {
		if got := Related(name, keys); got != want {
			t.Errorf("Related(%q) = %q, want %q", name, got, want)
		}
	}
	if got := Related("passwords", []string{"pass", "password"}); got != "password" {
		t.Errorf("Related(passwords) = %q, want the closer password", got)
	}
	if got := Related("abcdef", []string{"abc", "abcd"}); got != "" {
		t.Errorf("Related(abcdef) = %q, want none of two", got)
	}
}
