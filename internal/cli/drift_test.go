package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDriftSinceBaseline checks the commits axis through the command
// line: the drift demo's JSON report is the baseline, then one service
// loses its request-id env var (which no sibling quorum or rule would
// report) and another its sidecar.
func TestDriftSinceBaseline(t *testing.T) {
	pinDurations(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../testdata/drift-demo")); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(t.TempDir(), "base.json")
	getenv := env("MESHGATE_TODAY", "2026-11-25")
	if code, _, stderr := run(t, getenv, "check", "-C", dir, "--format", "json", "--output", base); code != 0 {
		t.Fatalf("base: exit %d\n%s", code, stderr)
	}
	edit := func(file, old, new string) {
		t.Helper()
		p := filepath.Join(dir, "charts", "orders", "templates", file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("%s has no %q", file, old)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("events.yaml", `{{- include "orders.meshEnv" . | nindent 12 }}`, "")
	edit("web.yaml", `{{- include "orders.podMeta" (dict "root" . "name" "orders-web") | nindent 6 }}`,
		`labels: {app.kubernetes.io/name: orders-web}`)
	code, stdout, stderr := run(t, getenv, "check", "-C", dir, "--baseline", base, "--env", "orders")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the web lost its sidecar: a new mesh-injection error)\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"orders (helm charts/orders): 6 objects, 6 workloads, 5/6 meshed, 0ms\n  mesh: −1 since base: Deployment default/orders-web lost the mesh dataplane\n",
		"WARNING mesh-drift  Deployment default/orders-events [app]  charts/orders/templates/events.yaml:15  new\n" +
			"          env ISTIO_META_REQUEST_ID was there in the base and is missing now (it was \"x-request-id\")\n",
		"ERROR   mesh-injection  cause namespace-not-injected:default, 1 workload  new\n",
		"- Deployment default/orders-web  charts/orders/templates/web.yaml:9\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks\n%s\ngot:\n%s", want, stdout)
		}
	}
	// The web's lost sidecar is mesh-injection's finding, not drift's.
	if strings.Contains(stdout, "mesh-drift  Deployment default/orders-web") {
		t.Errorf("mesh-drift repeats what mesh-injection reports:\n%s", stdout)
	}
}
