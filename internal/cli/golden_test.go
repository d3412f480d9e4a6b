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
	code, stderr := checkGolden(t, "demo", []string{"json", "md", "sarif", "github.txt"})
	if code != 1 {
		t.Fatalf("exit code %d, want 1 (the demo has errors); stderr:\n%s", code, stderr)
	}
	if stderr != demoStderr {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, demoStderr)
	}
}

// demoStderr is what the demo's check says on stderr: the config names its
// environments, so only what the Argo CD objects of argocd/ and the Flux
// Kustomization of clusters/ add to them, and what meshgate did not expand. The README quotes it.
const demoStderr = `meshgate: 2 environment(s) from GitOps objects:
  shop-canary              helm Application shop-canary in argocd/shop-canary.yaml
  orders                   kustomize Kustomization flux-system/orders in clusters/prod/orders.yaml (GitRepository flux-system/flux-system (flux bootstrap's: this repository))
meshgate: not expanded (1):
  argocd/grafana.yaml:14: Application argocd/grafana: not followed: chart grafana 8.5.1 of https://grafana.github.io/helm-charts is not fetched; vendor it in this repository and point gitops.charts at it
`

// TestDriftDemoGolden runs meshgate with no configuration on the drift
// demo (testdata/drift-demo: the odd pod out, and the cases that must stay
// quiet) and compares the text, JSON and markdown reports with
// testdata/golden.
func TestDriftDemoGolden(t *testing.T) {
	if code, _ := checkGolden(t, "drift-demo", []string{"json", "md"}, "--fail-on", "warning"); code != 1 {
		t.Fatalf("exit code %d, want 1 (--fail-on warning, the demo has mesh-drift warnings)", code)
	}
}

// checkGolden checks testdata/DEMO with a report in each format (named by
// its golden's extension) and compares them and the text on stdout with
// testdata/golden/DEMO.*.
func checkGolden(t *testing.T, demo string, exts []string, extra ...string) (code int, stderr string) {
	t.Helper()
	pinDurations(t)
	dir := t.TempDir()
	formats := map[string]string{"json": "json", "md": "markdown", "sarif": "sarif", "github.txt": "github"}
	args := append([]string{"check", "-C", "../../testdata/" + demo}, extra...)
	for _, ext := range exts {
		args = append(args, "--format", formats[ext], "--output", filepath.Join(dir, demo+"."+ext))
	}
	code, stdout, stderr := run(t, env("MESHGATE_TODAY", "2026-11-25"), args...)
	golden(t, "../../testdata/golden/"+demo+".txt", []byte(stdout))
	for _, ext := range exts {
		got, err := os.ReadFile(filepath.Join(dir, demo+"."+ext))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "../../testdata/golden/"+demo+"."+ext, got)
	}
	return code, stderr
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
