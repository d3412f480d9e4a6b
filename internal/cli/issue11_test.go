package cli

import (
	"fmt"
	"testing"
)

// TestChartPatternsFixture checks testdata/issue11, a small repository with
// the patterns real charts use that meshgate misread (issue 11): Secrets a
// hook writes (kube-webhook-certgen, an in-house Job allowed to create
// Secrets, OpenShift's serving certificate), a Secret volume whose items
// miss two keys, a Flux HelmRelease, and two pods that miss the mesh for
// one reason. The text output groups that cause; the JSON keeps a finding
// per workload, each with the cause.
func TestChartPatternsFixture(t *testing.T) {
	pinDurations(t)
	code, stdout, stderr, rep := checkTextAndJSON(t, env("MESHGATE_TODAY", "2026-11-25"), "testdata/issue11")
	if code != 1 {
		t.Fatalf("exit code %d, want 1; stderr:\n%s", code, stderr)
	}
	golden(t, "testdata/issue11/check.txt", []byte(stdout))
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s %s %s %s:%d cause=%s", f.Rule, f.Severity, f.WorkloadID(), f.File, f.Line, f.Cause))
	}
	want := []string{
		`mesh-injection error Deployment/apps/api deploy/api.yaml:19 cause=namespace-not-injected:apps`,
		`secret-key-missing error Deployment/apps/api deploy/api.yaml:29 cause=`,
		`mesh-injection error Deployment/apps/web deploy/web.yaml:20 cause=namespace-not-injected:apps`,
		`secret-missing notice Deployment/apps/web deploy/web.yaml:34 cause=`,
		`gitops-not-rendered notice HelmRelease/apps/podinfo deploy/podinfo.yaml:8 cause=`,
	}
	assertEqual(t, "findings", got, want)
}
