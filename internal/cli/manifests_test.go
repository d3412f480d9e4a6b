package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/report"
)

// TestManifestsFolderFixture checks testdata/manifests (issue 11 item 5):
// without a config, platform/kube, a folder of plain objects, is a
// manifests environment; deploy/patches (named by deploy's
// kustomization), networking (no workload) and tests/e2e (a test fixture)
// are not. Each finding points at the object's own file and line: the
// second reviews-v1 in bookinfo.yaml, which kubectl would keep, the Job
// inside a List. The duplicates are notices, settings.yaml (not an
// object) a warning.
func TestManifestsFolderFixture(t *testing.T) {
	pinDurations(t)
	code, stdout, stderr, rep := checkTextAndJSON(t, env(), "testdata/manifests")
	if code != 1 {
		t.Fatalf("exit code %d, want 1; stderr:\n%s", code, stderr)
	}
	golden(t, "testdata/manifests.check.txt", []byte(stdout))
	wantListing := `meshgate: no .meshgate.yaml; discovered 2 environment(s):
  deploy                   kustomize deploy/kustomization.yaml
  platform/kube            manifests platform/kube/
meshgate: skipped 1:
  1 folder(s) of YAML under tests/ or testdata/: test fixtures
`
	if !strings.HasPrefix(stderr, wantListing) {
		t.Errorf("stderr:\n%s\nwant it to start with:\n%s", stderr, wantListing)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s %s %s %s:%d", f.Rule, f.Severity, f.WorkloadID(), f.File, f.Line))
	}
	want := []string{
		`render-warning notice // platform/kube/bookinfo.yaml:49`,
		`render-warning notice // platform/kube/details-dualstack.yaml:2`,
		`render-warning warning // platform/kube/settings.yaml:2`,
		`mesh-injection error Deployment/default/details-v1 platform/kube/bookinfo.yaml:24`,
		`secret-missing error Deployment/default/reviews-v1 platform/kube/bookinfo.yaml:68`,
		`mesh-injection warning Job/default/ratings-init platform/kube/jobs.yaml:9`,
	}
	assertEqual(t, "findings", got, want)
	for _, e := range rep.Environments {
		if e.Name == "platform/kube" && (e.Source != "manifests" || e.Path != "platform/kube" || e.Objects != 5 || e.Workloads != 3) {
			t.Errorf("environment %+v", e)
		}
	}
}

// TestManifestsChangedSince: --changed-since selects a manifests
// environment when a file of its folder changes or is added, and not for a
// file beside it.
func TestManifestsChangedSince(t *testing.T) {
	dir, git := committedCopy(t, "testdata/manifests")
	for _, tc := range []struct{ file, want string }{
		{"platform/kube/settings.yaml", "platform/kube"},
		{"platform/kube/ratings.yaml", "platform/kube"},
		{"networking/virtual-service.yaml", "none"},
		{"deploy/patches/web-replicas.yaml", "deploy"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			git("checkout", "-q", "--", ".")
			git("clean", "-qfd")
			f, err := os.OpenFile(filepath.Join(dir, tc.file), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("\n# changed\n")
			f.Close()
			_, _, stderr := run(t, env(), "check", "-C", dir, "--changed-since", "HEAD", "--format", "json", "--fail-on", "never")
			if !strings.Contains(stderr, "changed since HEAD: "+tc.want+"\n") {
				t.Errorf("stderr %q does not name %q", stderr, tc.want)
			}
		})
	}
}

// TestInitManifests: init writes a discovered manifests environment, and
// check reads it back from the file; every field of one is written.
func TestInitManifests(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "testdata/manifests", dir)
	if code, _, stderr := runCLI(t, "init", "-C", dir, "--provider", "istio"); code != 0 {
		t.Fatalf("init: exit code %d: %s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, ".meshgate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := `  # Found platform/kube/
  - name: platform/kube
    # Plain objects, read like kubectl apply -f (recursive: like -R).
    manifests:
      path: platform/kube
    # The namespace of objects that set none.
    namespace: default
`
	if !strings.Contains(string(data), want) {
		t.Errorf(".meshgate.yaml does not hold\n%s\nit is:\n%s", want, data)
	}
	code, stdout, stderr := runCLI(t, "check", "-C", dir, "--format", "json")
	if code != 1 || strings.Contains(stderr, "discovered") {
		t.Fatalf("check: exit code %d, stderr %s", code, stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(envNames(rep), " "); got != "deploy platform/kube" {
		t.Errorf("checked %q", got)
	}

	full := config.Environment{Name: "guestbook", Namespace: "shop", Origin: "an Argo CD Application", Manifests: &config.Manifests{
		Path: "apps/guestbook", Recursive: true, Include: []string{"*.yaml", "{a,b}/*"}, Exclude: []string{"test-*"}}}
	text := check.InitConfig([]config.Environment{full}, "istio")
	want = `    manifests:
      path: apps/guestbook
      recursive: true
      include:
        - '*.yaml'
        - '{a,b}/*'
      exclude:
        - test-*
    # The namespace of objects that set none.
    namespace: shop
`
	if !strings.Contains(text, want) {
		t.Errorf("initConfig does not hold\n%s\nit is:\n%s", want, text)
	}
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".meshgate.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(dir, ".meshgate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := *cfg.Environments[0].Manifests; !reflect.DeepEqual(got, *full.Manifests) {
		t.Errorf("loaded %+v, want %+v", got, *full.Manifests)
	}
}
