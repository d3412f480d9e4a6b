package action

import (
	"bytes"
	"testing"
)

// TestWarning: a warning is one workflow command titled meshgate, its
// message escaped as the runner unescapes it.
func TestWarning(t *testing.T) {
	env := baseEnv("push", "")
	delete(env, "INPUT_GITHUB-TOKEN")
	var out bytes.Buffer
	r, err := Load(func(k string) string { return env[k] }, &out)
	if err != nil {
		t.Fatal(err)
	}
	r.Warning("cannot check the pull request's base commit (fatal: bad object; 100% sure)")
	want := "::warning title=meshgate::cannot check the pull request's base commit (fatal: bad object; 100%25 sure)\n"
	if out.String() != want {
		t.Errorf("log:\n got %q\nwant %q", out.String(), want)
	}
}
