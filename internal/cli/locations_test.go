package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
)

// TestLocationsFixture checks testdata/locations (issue 11, items 10 and
// 11): every finding points at a file and line a person can edit. A
// subchart vendored from a chart repository is pointed at inside its
// archive; one vendored for a file:// dependency (in Chart.yaml, or in an
// apiVersion v1 chart's requirements.yaml) at its folder; an object whose
// kind a kustomize patch changed at its base file.
func TestLocationsFixture(t *testing.T) {
	pinDurations(t)
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.CopyFS(dir, os.DirFS("testdata/locations")); err != nil {
		t.Fatal(err)
	}
	// What `helm dependency build` would vendor.
	for _, p := range []struct{ src, out string }{
		{"packages/grafana", "charts/app/charts"},
		{"charts/local", "charts/app/charts"},
		{"charts/local", "charts/legacy/charts"},
	} {
		c, err := loader.Load(filepath.Join(dir, p.src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, p.out), 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := chartutil.Save(c, filepath.Join(dir, p.out)); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr, rep := checkTextAndJSON(t, env("MESHGATE_TODAY", "2026-11-25"), dir)
	if code != 1 {
		t.Fatalf("exit code %d, want 1; stderr:\n%s", code, stderr)
	}
	golden(t, "testdata/locations/check.txt", []byte(stdout))
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s %s %s %s:%d", f.Environment, f.Rule, f.WorkloadID(), f.File, f.Line))
	}
	want := []string{
		`app mesh-injection DaemonSet/apps/agent charts/app/charts/grafana-12.11.1.tgz#charts/agent/templates/daemonset.yaml:12`,
		`app secret-missing Deployment/apps/app-grafana charts/app/charts/grafana-12.11.1.tgz#templates/deployment.yaml:18`,
		`app secret-missing Deployment/apps/app-local charts/local/templates/deployment.yaml:18`,
		`daemonset secret-missing DaemonSet/apps/emoji deploy/base/emoji.yaml:25`,
		`legacy secret-missing Deployment/apps/legacy-local charts/local/templates/deployment.yaml:18`,
	}
	assertEqual(t, "findings", got, want)
}
