package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// env is a fake process environment for Run.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// pinDurations makes reported durations 0 for the test's lifetime.
func pinDurations(t *testing.T) {
	t.Helper()
	old := elapsedMs
	elapsedMs = func(time.Time) int64 { return 0 }
	t.Cleanup(func() { elapsedMs = old })
}

// run calls Run and returns its exit code, stdout and stderr.
func run(t *testing.T, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestDemoGolden runs meshgate on the demo repository, the README's first
// command, and compares every output format with testdata/golden.
func TestDemoGolden(t *testing.T) {
	pinDurations(t)
	dir := t.TempDir()
	formats := []struct{ format, ext string }{
		{"json", "json"}, {"markdown", "md"}, {"sarif", "sarif"}, {"github", "github.txt"},
	}
	args := []string{"check", "-C", "../../testdata/demo"}
	for _, f := range formats {
		args = append(args, "--format", f.format, "--output", filepath.Join(dir, "demo."+f.ext))
	}
	code, stdout, stderr := run(t, env("MESHGATE_TODAY", "2026-11-25"), args...)
	if code != 1 {
		t.Fatalf("exit code %d, want 1 (the demo has errors); stderr:\n%s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr not empty:\n%s", stderr)
	}
	golden(t, "../../testdata/golden/demo.txt", []byte(stdout))
	for _, f := range formats {
		got, err := os.ReadFile(filepath.Join(dir, "demo."+f.ext))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "../../testdata/golden/demo."+f.ext, got)
	}
}

// TestDriftDemoGolden runs meshgate with no configuration on the drift
// demo (testdata/drift-demo: the odd pod out, and the cases that must stay
// quiet) and compares the text, JSON and markdown reports with
// testdata/golden.
func TestDriftDemoGolden(t *testing.T) {
	pinDurations(t)
	dir := t.TempDir()
	formats := []struct{ format, ext string }{{"json", "json"}, {"markdown", "md"}}
	args := []string{"check", "-C", "../../testdata/drift-demo", "--fail-on", "warning"}
	for _, f := range formats {
		args = append(args, "--format", f.format, "--output", filepath.Join(dir, "drift-demo."+f.ext))
	}
	code, stdout, _ := run(t, env("MESHGATE_TODAY", "2026-11-25"), args...)
	if code != 1 {
		t.Fatalf("exit code %d, want 1 (--fail-on warning, the demo has mesh-drift warnings)", code)
	}
	golden(t, "../../testdata/golden/drift-demo.txt", []byte(stdout))
	for _, f := range formats {
		got, err := os.ReadFile(filepath.Join(dir, "drift-demo."+f.ext))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "../../testdata/golden/drift-demo."+f.ext, got)
	}
}

// TestDemoDeterministic: two runs give byte-identical reports.
func TestDemoDeterministic(t *testing.T) {
	pinDurations(t)
	var outs []string
	for i := 0; i < 2; i++ {
		_, stdout, _ := run(t, env("MESHGATE_TODAY", "2026-11-25"), "check", "-C", "../../testdata/demo", "--format", "json")
		outs = append(outs, stdout)
	}
	if outs[0] != outs[1] {
		t.Error("two runs over the demo gave different JSON reports")
	}
}
