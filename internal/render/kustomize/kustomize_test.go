package kustomize

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/testrepo"
)

// testRoot is the repository root of the renderers' fixtures.
func testRoot(t *testing.T) string { return testrepo.Abs(t, "../testdata") }

func buildAt(t *testing.T, root, path, namespace string) render.Result {
	t.Helper()
	env := config.Environment{Name: "test", Kustomize: &config.Kustomize{Path: path}, Namespace: namespace}
	return Renderer{}.Render(context.Background(), root, env, render.Options{MaxBytes: config.DefaultMaxRenderedBytes, MaxReads: config.DefaultMaxObjects})
}

var cliSeparator = regexp.MustCompile(`(?m)^---\n`)

// splitCLI splits `kustomize build` output at its "---" lines.
func splitCLI(t *testing.T, name string) []string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(testRoot(t), "expected", name))
	if err != nil {
		t.Fatal(err)
	}
	return cliSeparator.Split(string(text), -1)
}

// TestBuildMatchesKustomizeBuild compares the documents, as YAML text, with
// the output of the kustomize CLI (see testdata/expected/README.md), in the
// same order, and checks the file each document is attributed to.
func TestBuildMatchesKustomizeBuild(t *testing.T) {
	const (
		base    = "kustomize/base/"
		staging = "kustomize/overlays/staging/"
		prod    = "kustomize/overlays/prod/"
	)
	tests := []struct {
		name     string
		path     string
		expected string
		files    []string
	}{
		{
			name: "staging", path: "kustomize/overlays/staging", expected: "staging.kustomize-build.yaml",
			files: []string{
				staging + "namespace.yaml",
				base + "serviceaccount.yaml",
				base + "kustomization.yaml",    // ConfigMap generated in the base, merged by the overlay
				base + "kustomization.yaml",    // Secret generated in the base
				staging + "kustomization.yaml", // Secret generated in the overlay
				base + "service.yaml",
				base + "deployment.yaml",
			},
		},
		{
			name: "prod", path: "kustomize/overlays/prod", expected: "prod.kustomize-build.yaml",
			files: []string{
				base + "serviceaccount.yaml",
				base + "kustomization.yaml",
				prod + "kustomization.yaml", // the base's Secret, replaced by the overlay's generator
				base + "service.yaml",
				base + "deployment.yaml",
			},
		},
		{
			// It asks for originAnnotations itself: the documents are still
			// those of `kustomize build` without them (the base's).
			name: "origin requested by the user", path: "kustomize/overlays/origin-requested", expected: "base.kustomize-build.yaml",
			files: []string{
				base + "serviceaccount.yaml",
				base + "kustomization.yaml",
				base + "kustomization.yaml",
				base + "service.yaml",
				base + "deployment.yaml",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := buildAt(t, testRoot(t), tt.path, "")
			if res.Err != nil {
				t.Fatalf("build: %v", res.Err)
			}
			want := splitCLI(t, tt.expected)
			if len(want) != len(tt.files) {
				t.Fatalf("expected file has %d documents, the test lists %d files", len(want), len(tt.files))
			}
			if len(res.Docs) != len(want) {
				t.Fatalf("got %d documents, kustomize build printed %d", len(res.Docs), len(want))
			}
			for i, w := range want {
				got := res.Docs[i]
				if string(got.YAML) != w {
					t.Errorf("document %d differs from kustomize build:\n--- got\n%s--- want\n%s", i, got.YAML, w)
				}
				if got.File != tt.files[i] {
					t.Errorf("document %d: File = %q, want %q", i, got.File, tt.files[i])
				}
			}
		})
	}
}

func TestBuildNeverShowsOriginAnnotation(t *testing.T) {
	for _, path := range []string{"kustomize/overlays/staging", "kustomize/overlays/prod", "kustomize/overlays/origin-requested", "kustomize/base", "kustomize/kind-change/daemonset"} {
		res := buildAt(t, testRoot(t), path, "")
		if res.Err != nil {
			t.Fatalf("%s: %v", path, res.Err)
		}
		for _, d := range res.Docs {
			if bytes.Contains(d.YAML, []byte("config.kubernetes.io/origin")) || bytes.Contains(d.YAML, []byte("annotations: {}")) {
				t.Errorf("%s: origin annotation left in %s:\n%s", path, d.File, d.YAML)
			}
		}
	}
}

func TestBuildResultFields(t *testing.T) {
	res := buildAt(t, testRoot(t), "kustomize/base", "shop")
	if res.Err != nil {
		t.Fatalf("build: %v", res.Err)
	}
	if res.Source != "kustomize" || res.Path != "kustomize/base" || res.DefaultNamespace != "shop" || res.Root != testRoot(t) {
		t.Errorf("Source, Path, DefaultNamespace, Root = %q, %q, %q, %q", res.Source, res.Path, res.DefaultNamespace, res.Root)
	}
	// The environment's namespace is not injected into the build.
	for _, d := range res.Docs {
		if bytes.Contains(d.YAML, []byte("namespace:")) {
			t.Errorf("namespace set on %s:\n%s", d.File, d.YAML)
		}
	}
	if res := buildAt(t, testRoot(t), "kustomize/base", ""); res.DefaultNamespace != "default" {
		t.Errorf("DefaultNamespace = %q, want default", res.DefaultNamespace)
	}
}

func TestBuildErrors(t *testing.T) {
	const bad = "kustomize/bad/"
	tests := []struct {
		name string
		path string
		want render.Error
	}{
		{
			name: "missing overlay",
			path: "kustomize/overlays/nope",
			want: render.Error{File: "kustomize/overlays/nope",
				Message: "must build at directory: not a valid directory: evalsymlink failure on 'kustomize/overlays/nope' : lstat kustomize/overlays/nope: no such file or directory"},
		},
		{
			name: "no kustomization",
			path: bad + "failure.no-kustomization",
			want: render.Error{File: bad + "failure.no-kustomization",
				Message: "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory 'kustomize/bad/failure.no-kustomization'"},
		},
		{
			name: "invalid YAML",
			path: bad + "failure.invalid-yaml",
			want: render.Error{File: bad + "failure.invalid-yaml/kustomization.yaml", Line: 3,
				Message: "invalid Kustomization: yaml: line 3: did not find expected ',' or ']'"},
		},
		{
			name: "unknown field",
			path: bad + "failure.unknown-field",
			want: render.Error{File: bad + "failure.unknown-field/kustomization.yaml", Line: 1,
				Message: `invalid Kustomization: json: unknown field "resourcez"`},
		},
		{
			name: "invalid YAML in a base",
			path: bad + "failure.invalid-base",
			want: render.Error{File: bad + "failure.invalid-base/base/kustomization.yaml", Line: 3,
				Message: "accumulating resources: accumulation err='accumulating resources from 'base': 'kustomize/bad/failure.invalid-base/base' must resolve to a file': couldn't make target for path 'kustomize/bad/failure.invalid-base/base': invalid Kustomization: yaml: line 3: did not find expected ',' or ']'"},
		},
		{
			name: "missing resource",
			path: bad + "failure.missing-resource",
			want: render.Error{File: bad + "failure.missing-resource/kustomization.yaml", Line: 2,
				Message: "accumulating resources: accumulation err='accumulating resources from 'missing.yaml': evalsymlink failure on 'kustomize/bad/failure.missing-resource/missing.yaml' : lstat kustomize/bad/failure.missing-resource/missing.yaml: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on 'kustomize/bad/failure.missing-resource/missing.yaml' : lstat kustomize/bad/failure.missing-resource/missing.yaml: no such file or directory"},
		},
		{
			name: "missing base",
			path: bad + "failure.missing-base",
			want: render.Error{File: bad + "failure.missing-base/kustomization.yaml", Line: 2,
				Message: "accumulating resources: accumulation err='accumulating resources from '../nope-base': evalsymlink failure on 'kustomize/bad/nope-base' : lstat kustomize/bad/nope-base: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on 'kustomize/bad/nope-base' : lstat kustomize/bad/nope-base: no such file or directory"},
		},
		{
			// Located at the kustomization whose entry closes the cycle.
			name: "cyclic bases",
			path: bad + "failure.cycle-a",
			want: render.Error{File: bad + "failure.cycle-b/kustomization.yaml", Line: 2,
				Message: "accumulating resources: accumulation err='accumulating resources from '../failure.cycle-b': 'kustomize/bad/failure.cycle-b' must resolve to a file': recursed accumulation of path 'kustomize/bad/failure.cycle-b': accumulating resources: accumulation err='accumulating resources from '../failure.cycle-a': 'kustomize/bad/failure.cycle-a' must resolve to a file': cycle detected: candidate root 'kustomize/bad/failure.cycle-a' contains visited root 'kustomize/bad/failure.cycle-a'"},
		},
		{
			name: "resource file is not YAML",
			path: bad + "failure.resource-yaml",
			want: render.Error{File: bad + "failure.resource-yaml/bad.yaml", Line: 6,
				Message: "accumulating resources: accumulating resources from 'bad.yaml': MalformedYAMLError: yaml: line 6: did not find expected key in File: bad.yaml"},
		},
		{
			name: "component that is a kustomization",
			path: bad + "failure.component-kind",
			want: render.Error{File: bad + "failure.component-kind/kustomization.yaml",
				Message: `accumulating components: accumulateDirectory: "expected kind 'Component' for path 'kustomize/base' but got 'Kustomization'"`},
		},
		{
			name: "remote resource",
			path: bad + "failure.remote-base",
			want: render.Error{File: bad + "failure.remote-base/kustomization.yaml", Line: 3,
				Message: `resources entry "https://github.com/acme/platform//deploy/base?ref=v1.2.0" is remote: meshgate does not fetch remote bases, resources or components`},
		},
		{
			// kustomize would refuse it too; meshgate refuses it before
			// krusty runs, which might build from the file not checked.
			name: "two kustomization files",
			path: bad + "failure.two-kustomizations",
			want: render.Error{File: bad + "failure.two-kustomizations/kustomization.yaml",
				Message: "kustomize/bad/failure.two-kustomizations holds more than one kustomization file (kustomization.yaml, kustomization.yml); kustomize refuses that: keep one"},
		},
		{
			name: "remote component of a local base",
			path: bad + "failure.remote-nested",
			want: render.Error{File: bad + "failure.remote-nested/local-base/kustomization.yaml", Line: 2,
				Message: `components entry "git@github.com:acme/mesh.git//istio?ref=v2" is remote: meshgate does not fetch remote bases, resources or components`},
		},
		{
			name: "helmCharts disabled",
			path: bad + "failure.helm-charts",
			want: render.Error{File: bad + "failure.helm-charts/kustomization.yaml",
				Message: "trouble configuring builtin HelmChartInflationGenerator with config: `\nname: redis\nrepo: https://charts.example.test\nversion: 1.0.0\n`: must specify --enable-helm"},
		},
		{
			name: "exec plugin disabled",
			path: bad + "failure.exec-plugin",
			want: render.Error{File: bad + "failure.exec-plugin/kustomization.yaml",
				Message: "external plugins disabled; unable to load external plugin 'Sed'"},
		},
		{
			name: "overlay outside the repository",
			path: "../kustomize",
			want: render.Error{File: "../kustomize", Message: "kustomization ../kustomize is outside the repository"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := buildAt(t, testRoot(t), tt.path, "")
			if res.Err == nil {
				t.Fatalf("no error, want %v", &tt.want)
			}
			if *res.Err != tt.want {
				t.Errorf("error\n got: %#v\nwant: %#v", *res.Err, tt.want)
			}
			if len(res.Docs) != 0 {
				t.Errorf("a failed build has %d documents", len(res.Docs))
			}
		})
	}
}

func TestBuildRefusesBaseOutsideRepository(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "repo")
	files := map[string]string{
		"repo/overlay/kustomization.yaml": "resources:\n  - ../../outside\n",
		"outside/kustomization.yaml":      "resources:\n  - secret.yaml\n",
		"outside/secret.yaml":             "apiVersion: v1\nkind: Secret\nmetadata: {name: canary}\nstringData: {key: canary-outside}\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := buildAt(t, root, "overlay", "")
	if res.Err == nil {
		t.Fatalf("built %d documents from outside the repository", len(res.Docs))
	}
	want := render.Error{File: "overlay/kustomization.yaml", Line: 2, Message: `resources entry "../../outside" is outside the repository`}
	if *res.Err != want {
		t.Errorf("error\n got: %#v\nwant: %#v", *res.Err, want)
	}
	if strings.Contains(res.Err.Message, "canary-outside") {
		t.Errorf("outside content in the message")
	}
}

func TestBuildContextDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	env := config.Environment{Name: "test", Kustomize: &config.Kustomize{Path: "kustomize/base"}}
	res := Renderer{}.Render(ctx, testRoot(t), env, render.Options{})
	want := render.Error{Message: "rendering not started: context canceled"}
	if res.Err == nil || *res.Err != want {
		t.Errorf("error = %#v, want %#v", res.Err, want)
	}
}

func TestIsRemote(t *testing.T) {
	tests := []struct {
		entry string
		want  bool
	}{
		{"https://github.com/acme/platform//base?ref=v1", true},
		{"http://example.test/deploy.yaml", true},
		{"ssh://git@example.test/acme/platform.git//base", true},
		{"file:///srv/repos/platform.git//base", true},
		{"git::https://example.test/acme/platform.git", true},
		{"GIT::https://example.test/acme/platform.git", true},
		{"github.com/acme/platform//base?ref=v1", true},
		{"github.com:acme/platform.git", true},
		{"git@github.com:acme/platform.git//base", true},
		{"../../base", false},
		{"deployment.yaml", false},
		{"base", false},
		{"gitlab.example.test/acme/platform", false}, // no scheme: a local path to kustomize
		{"/abs/path", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isRemote(tt.entry); got != tt.want {
			t.Errorf("isRemote(%q) = %v, want %v", tt.entry, got, tt.want)
		}
	}
}
