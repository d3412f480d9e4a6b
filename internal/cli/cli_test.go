package cli

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/report"
)

// TestRenderRedactsSecrets: `meshgate render` prints the rendered stream
// with every Secret value replaced and the keys kept.
func TestRenderRedactsSecrets(t *testing.T) {
	code, stdout, stderr := run(t, env(), "render", "-C", "../../testdata/demo", "--env", "prod")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	value := "prod-session-key-placeholder"
	for _, leak := range []string{value, base64.StdEncoding.EncodeToString([]byte(value + "\n")), base64.StdEncoding.EncodeToString([]byte(value))} {
		if strings.Contains(stdout, leak) {
			t.Errorf("render output contains the Secret value %q", leak)
		}
	}
	if !strings.Contains(stdout, "session-key: REDACTED") {
		t.Errorf("render output does not show the redacted key:\n%s", stdout)
	}
	if !strings.Contains(stdout, "# Source: deploy/base/payments.yaml\n") {
		t.Errorf("render output does not name the source of each document")
	}
	if strings.Contains(stdout, "config.kubernetes.io/origin") {
		t.Errorf("render output shows kustomize's origin annotation")
	}
}

// TestRenderRedactsSubstitutedSecrets: a Flux Kustomization substitutes
// values of a Secret into a Deployment; `meshgate render` shows neither.
func TestRenderRedactsSubstitutedSecrets(t *testing.T) {
	code, stdout, stderr := run(t, env(), "render", "-C", "../gitops/testdata/flux/fleet", "--env", "web")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, leak := range []string{"super-secret-password", "tok-4f9a2c71e0"} {
		if strings.Contains(stdout, leak) {
			t.Errorf("render output contains the Secret value %q", leak)
		}
	}
	if !strings.Contains(stdout, "value: REDACTED\n") || !strings.Contains(stdout, "--region=eu-west-1") {
		t.Errorf("render output is not the substituted build, redacted:\n%s", stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "Usage:"},
		{"unknown command", []string{"frobnicate"}, `meshgate: unknown command "frobnicate" (want check, completion, explain, fix, init, publish, render, rules, version)`},
		{"bad fail-on", []string{"check", "--fail-on", "fatal"}, `meshgate: check: --fail-on "fatal": want error, warning or never`},
		{"bad format", []string{"check", "--format", "xml"}, `unknown format "xml" (valid: text, json, markdown, sarif, github)`},
		{"two stdout formats", []string{"check", "--format", "json", "--format", "sarif"}, "meshgate: check: 2 formats write to stdout; give each but one an --output FILE"},
		{"bad shard", []string{"check", "--shard", "3/2"}, "want I/N with 1 <= I <= N"},
		{"base-ref and baseline", []string{"check", "--base-ref", "main", "--baseline", "r.json"}, "meshgate: check: --base-ref and --baseline exclude each other"},
		{"unknown env", []string{"check", "-C", "../../testdata/demo", "--env", "qa"}, `meshgate: --env "qa": no such environment in .meshgate.yaml (have: broken, orders, prod, shop-canary, shop-prod, shop-staging, staging)`},
		{"render needs one env", []string{"render", "-C", "../../testdata/demo"}, "meshgate: render: name exactly one --env"},
		{"missing config", []string{"check", "-C", "../../testdata/demo", "--config", "nope.yaml"}, "nope.yaml"},
		{"publish without reports", []string{"publish"}, "meshgate: publish: name at least one REPORT.json"},
		{"nothing to check", []string{"check", "-C", "../../internal/check"}, "meshgate: ../../internal/check: no .meshgate.yaml, and no chart (Chart.yaml), kustomization or GitOps object found to check; is -C the repository root?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, env(), tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout not empty: %q", stdout)
			}
		})
	}
}

func TestRulesAndVersion(t *testing.T) {
	code, stdout, _ := run(t, env(), "rules")
	if code != 0 {
		t.Fatalf("rules exit %d", code)
	}
	for _, id := range []string{"render-error", "mesh-injection", "mesh-annotation", "mesh-env", "secret-missing", "secret-key-missing", "mesh-job-sidecar", "mesh-drift", "ignore-expired"} {
		if !strings.Contains(stdout, "\n"+id+" ") {
			t.Errorf("rules output lacks %s", id)
		}
	}
	code, stdout, _ = run(t, env(), "version")
	if code != 0 || stdout != "meshgate dev\n" {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
}

// checkJSON runs check with a JSON report on stdout and decodes it.
func checkJSON(t *testing.T, wantCode int, args ...string) report.Report {
	t.Helper()
	code, stdout, stderr := run(t, env("MESHGATE_TODAY", "2026-11-25"), append(append([]string{"check"}, args...), "--format", "json")...)
	if code != wantCode {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, wantCode, stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, stdout)
	}
	return rep
}

func envNames(rep report.Report) []string {
	var names []string
	for _, e := range rep.Environments {
		names = append(names, e.Name)
	}
	return names
}

func TestEnvAndShardSelection(t *testing.T) {
	rep := checkJSON(t, 0, "-C", "../../testdata/demo", "--env", "shop-staging")
	if got := strings.Join(envNames(rep), ","); got != "shop-staging" {
		t.Errorf("--env shop-staging checked %s", got)
	}
	// Round-robin over the sorted names broken, orders (the Flux
	// Kustomization's), prod, shop-canary (the Argo CD Application's),
	// shop-prod, shop-staging, staging.
	want := map[string]string{"1/2": "broken,prod,shop-prod,staging", "2/2": "orders,shop-canary,shop-staging"}
	var all []string
	for sh, names := range want {
		rep := checkJSON(t, 1, "-C", "../../testdata/demo", "--shard", sh)
		if got := strings.Join(envNames(rep), ","); got != names {
			t.Errorf("--shard %s checked %s, want %s", sh, got, names)
		}
		all = append(all, envNames(rep)...)
	}
	if len(all) != 7 {
		t.Errorf("the shards together checked %d environments, want 7", len(all))
	}
}

func TestFailOn(t *testing.T) {
	// shop-prod has errors and warnings; staging only a notice.
	checkJSON(t, 1, "-C", "../../testdata/demo", "--env", "shop-prod")
	checkJSON(t, 0, "-C", "../../testdata/demo", "--env", "shop-prod", "--fail-on", "never")
	checkJSON(t, 0, "-C", "../../testdata/demo", "--env", "staging", "--fail-on", "warning")
}

// TestDiscovery: without a config, meshgate finds the environments itself
// and says which on stderr.
func TestDiscovery(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "../../testdata/demo/deploy", filepath.Join(dir, "deploy"))
	code, _, stderr := run(t, env(), "check", "-C", dir, "--format", "json", "--output", filepath.Join(dir, "r.json"))
	if code != 1 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"meshgate: no .meshgate.yaml; discovered 2 environment(s):",
		"prod                     kustomize deploy/overlays/prod/kustomization.yaml",
		"staging                  kustomize deploy/overlays/staging/kustomization.yaml",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestBaseRef: findings present at the base ref are existing, the others
// new; fail-on then counts only new ones unless --fail-on-existing.
func TestBaseRef(t *testing.T) {
	dir, _ := committedCopy(t, "../../testdata/demo")
	// The change renames a key staging's payments reads.
	path := filepath.Join(dir, "deploy/overlays/staging/kustomization.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(data), "- password=", "- passwd=", 1)
	if changed == string(data) {
		t.Fatal("the staging overlay no longer generates a password key")
	}
	if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}

	rep := checkJSON(t, 1, "-C", dir, "--env", "staging,prod", "--base-ref", "HEAD")
	var newOnes, existing []string
	for _, f := range rep.Findings {
		if f.New == nil {
			t.Fatalf("finding without new marker: %+v", f)
		}
		if *f.New {
			newOnes = append(newOnes, f.Environment+" "+f.Rule+" "+f.Name)
		} else {
			existing = append(existing, f.Environment+" "+f.Rule+" "+f.Name)
		}
	}
	if len(existing) != 7 {
		t.Errorf("existing findings %v, want the 7 of prod and staging at HEAD", existing)
	}
	if strings.Join(newOnes, ";") != "staging secret-key-missing stg-payments" {
		t.Errorf("new findings %v", newOnes)
	}
	if rep.Summary.Errors != 5 {
		t.Errorf("%d errors, want prod's 4 and the new one", rep.Summary.Errors)
	}
	// Only existing errors: exit 0 without --fail-on-existing.
	checkJSON(t, 0, "-C", dir, "--env", "prod", "--base-ref", "HEAD")
	checkJSON(t, 1, "-C", dir, "--env", "prod", "--base-ref", "HEAD", "--fail-on-existing")
}

// TestChangedSince: only the environments whose inputs changed since the
// ref are checked: chart files, values files, the kustomize tree.
func TestChangedSince(t *testing.T) {
	dir, git := committedCopy(t, "../../testdata/demo")
	appendTo := func(rel, text string) {
		t.Helper()
		f, err := os.OpenFile(filepath.Join(dir, rel), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(text); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, file, want string
	}{
		{"nothing changed", "", "none"},
		{"a values file", "envs/prod.yaml", "shop-prod"},
		{"the chart", "charts/shop/values.yaml", "broken, shop-canary, shop-prod, shop-staging"},
		{"an Argo CD Application", "argocd/shop-canary.yaml", "shop-canary"},
		{"a kustomize component", "deploy/components/mesh/pod-mesh.yaml", "prod, staging"},
		{"an overlay", "deploy/overlays/staging/namespace.yaml", "staging"},
		{"the config", ".meshgate.yaml", "broken, orders, prod, shop-canary, shop-prod, shop-staging, staging"},
		{"a file of a Flux Kustomization's path", "clusters/apps/orders/deployment.yaml", "orders"},
		{"a Flux Kustomization", "clusters/prod/orders.yaml", "orders"},
		{"the ConfigMap it substitutes from", "clusters/prod/cluster-vars.yaml", "orders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			git("checkout", "-q", "--", ".")
			if tt.file != "" {
				appendTo(tt.file, "\n# changed\n")
			}
			code, stdout, stderr := run(t, env("MESHGATE_TODAY", "2026-11-25"), "check", "-C", dir, "--changed-since", "HEAD", "--format", "json", "--fail-on", "never")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stderr, "changed since HEAD: "+tt.want+"\n") {
				t.Errorf("stderr %q does not name %q", stderr, tt.want)
			}
			var rep report.Report
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(envNames(rep), ", ")
			if got == "" {
				got = "none"
			}
			if got != tt.want {
				t.Errorf("checked %q, want %q", got, tt.want)
			}
		})
	}
	// A new, untracked file in an overlay counts too.
	git("checkout", "-q", "--", ".")
	os.WriteFile(filepath.Join(dir, "deploy/overlays/prod/extra.yaml"), []byte("kind: ConfigMap\n"), 0o644)
	_, _, stderr := run(t, env(), "check", "-C", dir, "--changed-since", "HEAD", "--format", "json", "--fail-on", "never")
	if !strings.Contains(stderr, "changed since HEAD: prod\n") {
		t.Errorf("untracked file: stderr %q", stderr)
	}
}
