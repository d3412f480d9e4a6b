package cli

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/testrepo"
)

// initRepo copies testdata/init/repo (a chart with values-prod.yaml and a
// kustomize base with a prod overlay) into a temporary folder.
func initRepo(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("testdata", "init", "repo")
	err := filepath.WalkDir(src, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if de.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func compileConfigSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot(t), "schema", "meshgate.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("meshgate.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("meshgate.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// validateConfig checks a written config the way `meshgate check` and an
// editor do: config.Load and the JSON Schema.
func validateConfig(t *testing.T, sch *jsonschema.Schema, root, name string) {
	t.Helper()
	if _, err := config.Load(root, name); err != nil {
		t.Errorf("config.Load: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(j)))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("schema rejects the written config: %v", err)
	}
}

// initDetected: without --provider, init says which mesh initRepo's
// objects point at.
const initDetected = "meshgate: no mesh.provider configured; assuming istio: Deployment/web/frontend has pod label sidecar.istio.io/inject\n"

const initStderr = `meshgate: wrote DIR/.meshgate.yaml with 3 environment(s):
  prod                     kustomize deploy/overlays/prod/kustomization.yaml
  shop                     helm      charts/shop/Chart.yaml
  shop/prod                helm      charts/shop/values-prod.yaml
Next: set each environment's namespace and the labels of namespaces the cluster has (mesh.namespaces), then run meshgate check.
`

func TestInitProviders(t *testing.T) {
	sch := compileConfigSchema(t)
	for _, provider := range config.Providers {
		t.Run("success."+provider, func(t *testing.T) {
			dir := initRepo(t)
			code, stdout, stderr := runCLI(t, "init", "-C", dir, "--provider", provider)
			if code != 0 {
				t.Fatalf("exit code %d: %s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if got := strings.ReplaceAll(stderr, dir, "DIR"); got != initStderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", got, initStderr)
			}
			data, err := os.ReadFile(filepath.Join(dir, ".meshgate.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "init", provider+".golden"), data)
			if !strings.HasPrefix(string(data), "# yaml-language-server: $schema="+check.SchemaURL+"\n") {
				t.Errorf("first line is not the schema line: %q", strings.SplitN(string(data), "\n", 2)[0])
			}
			validateConfig(t, sch, dir, ".meshgate.yaml")
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".meshgate-init-") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}

// TestInitThenCheck: the written config works as is.
func TestInitThenCheck(t *testing.T) {
	dir := initRepo(t)
	if code, _, stderr := runCLI(t, "init", "-C", dir); code != 0 {
		t.Fatalf("init: exit code %d: %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "check", "-C", dir, "--format", "json")
	if code != 0 && code != 1 {
		t.Fatalf("check: exit code %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "discovered") {
		t.Errorf("check discovered environments instead of reading .meshgate.yaml: %s", stderr)
	}
	var rep struct {
		Environments []struct {
			Name, Source, Path, Error string
			Workloads                 int
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("check output is not JSON: %v\n%s", err, stdout)
	}
	var got []string
	for _, e := range rep.Environments {
		got = append(got, e.Name)
		if e.Error != "" || e.Workloads != 1 {
			t.Errorf("environment %s: %d workloads, error %q; want 1 workload, no error", e.Name, e.Workloads, e.Error)
		}
	}
	if strings.Join(got, " ") != "prod shop shop/prod" {
		t.Errorf("checked environments %v, want prod shop shop/prod", got)
	}
}

// TestInitDetectsProvider: without --provider, init writes the provider
// the rendered objects point at, and says so.
func TestInitDetectsProvider(t *testing.T) {
	dir := initRepo(t)
	code, _, stderr := runCLI(t, "init", "-C", dir)
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	if got := strings.ReplaceAll(stderr, dir, "DIR"); got != initDetected+initStderr {
		t.Errorf("stderr:\n%s\nwant:\n%s", got, initDetected+initStderr)
	}
	dir = initRepo(t)
	for _, f := range []string{"deploy/base/deployment.yaml", "charts/shop/templates/deployment.yaml"} {
		p := filepath.Join(dir, f)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		linkerd := strings.Replace(string(data), `        sidecar.istio.io/inject: "true"`, "      annotations:\n        linkerd.io/inject: enabled", 1)
		if err := os.WriteFile(p, []byte(linkerd), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr = runCLI(t, "init", "-C", dir); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	cfg, err := os.ReadFile(filepath.Join(dir, ".meshgate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cfg), "\n  provider: linkerd\n") {
		t.Errorf("init wrote no provider: linkerd:\n%s", cfg)
	}
}

func TestInitExisting(t *testing.T) {
	const mine = "environments: [{name: mine, kustomize: {path: deploy/overlays/prod}}]\n"
	tests := []struct {
		name     string
		existing string // file present before init
		args     []string
		code     int
		stderr   string
		// written is the file holding the new config ("" when init refuses).
		written string
	}{
		{name: "failure.yaml-exists", existing: ".meshgate.yaml", code: 2,
			stderr: "meshgate: init: DIR/.meshgate.yaml already exists; run meshgate init --force to overwrite it\n"},
		{name: "failure.yml-exists", existing: ".meshgate.yml", code: 2,
			stderr: "meshgate: init: DIR/.meshgate.yml already exists; run meshgate init --force to overwrite it\n"},
		{name: "success.force-overwrites-yaml", existing: ".meshgate.yaml", args: []string{"--force"},
			stderr: initDetected + initStderr, written: ".meshgate.yaml"},
		{name: "success.force-overwrites-yml", existing: ".meshgate.yml", args: []string{"--force"},
			stderr: initDetected + strings.Replace(initStderr, ".meshgate.yaml", ".meshgate.yml", 1), written: ".meshgate.yml"},
	}
	want, err := os.ReadFile(filepath.Join("testdata", "init", "istio.golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := initRepo(t)
			if err := os.WriteFile(filepath.Join(dir, tc.existing), []byte(mine), 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := runCLI(t, append([]string{"init", "-C", dir}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d", code, tc.code)
			}
			if got := strings.ReplaceAll(stderr, dir, "DIR"); got != tc.stderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", got, tc.stderr)
			}
			got, err := os.ReadFile(filepath.Join(dir, tc.existing))
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.written == "" && string(got) != mine:
				t.Errorf("%s was changed", tc.existing)
			case tc.written != "" && string(got) != string(want):
				t.Errorf("%s is not the new config:\n%s", tc.existing, got)
			}
			for _, n := range config.FileNames {
				if _, err := os.Stat(filepath.Join(dir, n)); err == nil && n != tc.existing {
					t.Errorf("init wrote %s beside %s", n, tc.existing)
				}
			}
		})
	}
}

func TestInitUsage(t *testing.T) {
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "README.md"), []byte("# nothing to deploy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"failure.no-environments", []string{"-C", empty},
			"meshgate: init: found no Helm chart (Chart.yaml), kustomization or folder of Kubernetes objects in DIR, so there is no environment to write; see https://github.com/meshgate/meshgate/blob/main/docs/configuration.md to write .meshgate.yaml by hand\n"},
		{"failure.unknown-provider", []string{"-C", empty, "--provider", "istoi"},
			"meshgate: init: --provider \"istoi\": want istio, istio-ambient, linkerd, consul, kuma, none\n"},
		{"failure.missing-directory", []string{"-C", filepath.Join(empty, "nowhere")},
			"meshgate: init: -C DIR/nowhere: not a directory\n"},
		{"failure.argument", []string{"-C", empty, "prod"},
			"meshgate: init: give the directory once: -C DIR or prod\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"init"}, tc.args...)...)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if got := strings.ReplaceAll(stderr, empty, "DIR"); got != tc.stderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", got, tc.stderr)
			}
			entries, err := os.ReadDir(empty)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Errorf("init left %d files in the folder, want only README.md", len(entries))
			}
		})
	}
}

// TestInitQuotesNames: discovered names and paths that YAML would misread
// are quoted, and the file still loads.
func TestInitQuotesNames(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"deploy/yes/kustomization.yaml", "deploy/1.10/kustomization.yaml", "deploy/#tmp/kustomization.yaml"} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("resources: []\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := runCLI(t, "init", "-C", dir); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	cfg, err := config.Load(dir, ".meshgate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range cfg.Environments {
		got = append(got, e.Name+"="+e.Kustomize.Path)
	}
	if want := "#tmp=deploy/#tmp 1.10=deploy/1.10 yes=deploy/yes"; strings.Join(got, " ") != want {
		t.Errorf("environments %q, want %q", strings.Join(got, " "), want)
	}
}

// TestInitGitOpsOnly: a repository whose environments all come from GitOps
// objects (a Flux Kustomization of a plain folder, which replaces the
// discovered folder) gets an environments list that says so, and check
// reads the config and checks the Kustomization's environment.
func TestInitGitOpsOnly(t *testing.T) {
	dir := t.TempDir()
	testrepo.Write(t, dir, map[string]string{
		"clusters/prod/web.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: web, namespace: flux-system}\n" +
			"spec:\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ./apps/web\n",
		"apps/web/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n" +
			"spec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n",
	})
	if code, _, stderr := runCLI(t, "init", "-C", dir, "--provider", "linkerd"); code != 0 {
		t.Fatalf("init: exit code %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, ".meshgate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "\nenvironments:\n  # None beside the 1 that GitOps objects define (gitops: below): web\n\nmesh:\n"; !strings.Contains(string(b), want) {
		t.Errorf(".meshgate.yaml lacks %q:\n%s", want, b)
	}
	code, stdout, stderr := runCLI(t, "check", "-C", dir, "--format", "json")
	var rep struct {
		Environments []struct{ Name, Source, Path string }
	}
	if err := json.Unmarshal([]byte(stdout), &rep); code > 1 || err != nil {
		t.Fatalf("check: exit code %d, %v: %s", code, err, stderr)
	}
	if len(rep.Environments) != 1 || rep.Environments[0].Name != "web" || rep.Environments[0].Path != "apps/web" {
		t.Errorf("checked %+v, want web of apps/web", rep.Environments)
	}
}
