package helm

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

func renderEnv(t *testing.T, h config.Helm) render.Result {
	t.Helper()
	return Renderer{}.Render(context.Background(), testRoot(t), config.Environment{Name: "test", Helm: &h}, render.Options{MaxBytes: config.DefaultMaxRenderedBytes, MaxReads: config.DefaultMaxObjects})
}

func boolPtr(b bool) *bool { return &b }

// cliDoc is one document of `helm template` output.
type cliDoc struct {
	source string
	yaml   string
}

var cliSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// splitCLI splits `helm template` output into documents the way a reader
// does: at each separator line, the "# Source:" comment naming the template
// of what follows (until the next one), blank lines around a document
// dropped, empty documents skipped.
func splitCLI(t *testing.T, text string) []cliDoc {
	t.Helper()
	var docs []cliDoc
	source := ""
	for _, chunk := range cliSeparator.Split(text, -1) {
		chunk = strings.TrimLeft(chunk, "\n")
		if rest, ok := strings.CutPrefix(chunk, "# Source: "); ok {
			line, body, _ := strings.Cut(rest, "\n")
			source, chunk = line, body
		}
		chunk = strings.TrimSpace(chunk)
		if chunk == "" {
			continue
		}
		docs = append(docs, cliDoc{source: source, yaml: chunk + "\n"})
	}
	return docs
}

// TestRenderMatchesHelmTemplate compares the rendered documents, as YAML
// text, with the output of the helm CLI (see testdata/expected/README.md),
// in the same order, and checks that each document points at the template
// the CLI's "# Source:" names, in its real folder.
func TestRenderMatchesHelmTemplate(t *testing.T) {
	// Template paths in helm's output → folders in the fixture repository:
	// the aliased subchart is the vendored cache folder, the file://
	// dependency its own folder, the vendored .tgz the template inside the
	// archive, as the Source line names it below the chart.
	shopFolders := []struct{ prefix, dir string }{
		{"shop/charts/audit/", "helm/audit/"},
		{"shop/charts/sessions/", "helm/shop/charts/cache/"},
		{"shop/charts/cache/", "helm/shop/charts/cache/"},
		{"shop/", "helm/shop/"},
	}
	shopFile := func(source string) string {
		if rest, ok := strings.CutPrefix(source, "shop/charts/lite/"); ok {
			return "helm/shop/charts/lite-0.1.0.tgz#" + rest // a packaged subchart
		}
		for _, f := range shopFolders {
			if rest, ok := strings.CutPrefix(source, f.prefix); ok {
				return f.dir + rest
			}
		}
		return "unmapped " + source
	}
	tests := []struct {
		name     string
		helm     config.Helm
		fileFor  func(source string) string
		wantDocs int
	}{
		{
			name: "shop-staging",
			helm: config.Helm{
				Chart: "helm/shop", Release: "shop", Namespace: "shop-staging",
				Values:      []string{"helm/envs/common.yaml", "helm/envs/staging.yaml"},
				Set:         map[string]string{"image.tag": "1.2.3"},
				APIVersions: []string{"monitoring.coreos.com/v1"},
			},
			fileFor:  shopFile,
			wantDocs: 19,
		},
		{
			name: "shop-prod",
			helm: config.Helm{
				Chart: "helm/shop", Namespace: "shop-prod",
				Values:       []string{"helm/envs/common.yaml", "helm/envs/prod.yaml"},
				IncludeHooks: boolPtr(false),
			},
			fileFor:  shopFile,
			wantDocs: 14,
		},
		{
			name: "lite",
			helm: config.Helm{Chart: "helm/packaged/lite-0.1.0.tgz"},
			fileFor: func(source string) string {
				return "helm/packaged/lite-0.1.0.tgz#" + strings.TrimPrefix(source, "lite/")
			},
			wantDocs: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := renderEnv(t, tt.helm)
			if res.Err != nil {
				t.Fatalf("render: %v", res.Err)
			}
			expected, err := os.ReadFile(filepath.Join(testRoot(t), "expected", tt.name+".helm-template.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			want := splitCLI(t, string(expected))
			if len(want) != tt.wantDocs {
				t.Fatalf("expected file has %d documents, the test expects %d", len(want), tt.wantDocs)
			}
			if len(res.Docs) != len(want) {
				t.Fatalf("got %d documents, helm template printed %d", len(res.Docs), len(want))
			}
			for i, w := range want {
				got := res.Docs[i]
				if string(got.YAML) != w.yaml {
					t.Errorf("document %d (%s) differs from helm template:\n--- got\n%s--- want\n%s", i, w.source, got.YAML, w.yaml)
				}
				if wantFile := tt.fileFor(w.source); got.File != wantFile {
					t.Errorf("document %d: File = %q, want %q (Source %s)", i, got.File, wantFile, w.source)
				}
			}
		})
	}
}

func TestRenderResultFields(t *testing.T) {
	res := renderEnv(t, config.Helm{
		Chart: "helm/shop", Namespace: "shop-staging",
		Values: []string{"helm/envs/common.yaml", "helm/envs/staging.yaml"},
	})
	if res.Err != nil {
		t.Fatalf("render: %v", res.Err)
	}
	if res.Source != "helm" || res.Path != "helm/shop" || res.DefaultNamespace != "shop-staging" || res.Root != testRoot(t) {
		t.Errorf("Source, Path, DefaultNamespace, Root = %q, %q, %q, %q", res.Source, res.Path, res.DefaultNamespace, res.Root)
	}
	// Every template and CRD file of the tree is in Sources, as on disk,
	// and the template of the vendored archive at its location inside it.
	var want []string
	for _, dir := range []string{"helm/shop", "helm/audit"} {
		err := filepath.WalkDir(filepath.Join(testRoot(t), dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(testRoot(t), p)
			rel = filepath.ToSlash(rel)
			if strings.Contains(rel, "/templates/") || strings.Contains(rel, "/crds/") {
				want = append(want, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range want {
		disk, _ := os.ReadFile(filepath.Join(testRoot(t), f))
		if got, ok := res.Sources[f]; !ok || !bytes.Equal(got, disk) {
			t.Errorf("Sources[%q] missing or not the file's text", f)
		}
	}
	const archived = "helm/shop/charts/lite-0.1.0.tgz#templates/deployment.yaml"
	if disk, _ := os.ReadFile(filepath.Join(testRoot(t), "helm/lite/templates/deployment.yaml")); !bytes.Equal(res.Sources[archived], disk) {
		t.Errorf("Sources[%q] = %q, want the packaged template (as in helm/lite)", archived, res.Sources[archived])
	}
	want = append(want, archived)
	if len(res.Sources) != len(want) {
		t.Errorf("Sources has %d files, want %d", len(res.Sources), len(want))
	}
	for _, d := range res.Docs {
		if strings.HasSuffix(d.File, "test-connection.yaml") {
			t.Errorf("test hook rendered: %s", d.YAML)
		}
		if bytes.Contains(d.YAML, []byte("# Source:")) {
			t.Errorf("Source comment left in %s", d.File)
		}
	}
}

func TestRenderReleaseNameDefaultsToChartName(t *testing.T) {
	res := renderEnv(t, config.Helm{Chart: "helm/packaged/lite-0.1.0.tgz", Namespace: "apps"})
	if res.Err != nil {
		t.Fatalf("render: %v", res.Err)
	}
	if !bytes.Contains(res.Docs[0].YAML, []byte("  name: lite\n  namespace: apps\n")) {
		t.Errorf("release name or namespace not applied:\n%s", res.Docs[0].YAML)
	}
	if _, ok := res.Sources["helm/packaged/lite-0.1.0.tgz"]; ok {
		t.Errorf("the archive itself has no template text to map lines in")
	}
	if _, ok := res.Sources["helm/packaged/lite-0.1.0.tgz#templates/deployment.yaml"]; !ok {
		t.Errorf("the template inside the archive has no text in Sources")
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		helm config.Helm
		want render.Error
	}{
		{
			name: "missing chart",
			helm: config.Helm{Chart: "helm/nope"},
			want: render.Error{File: "helm/nope", Message: `path "helm/nope" not found`},
		},
		{
			name: "missing values file",
			helm: config.Helm{Chart: "helm/shop", Values: []string{"helm/envs/common.yaml", "helm/envs/missing.yaml"}},
			want: render.Error{File: "helm/envs/missing.yaml", Message: "open helm/envs/missing.yaml: no such file or directory"},
		},
		{
			name: "values file is not YAML",
			helm: config.Helm{Chart: "helm/shop", Values: []string{"helm/bad/failure.values-file-yaml.yaml"}},
			want: render.Error{File: "helm/bad/failure.values-file-yaml.yaml", Line: 3,
				Message: "failed to parse helm/bad/failure.values-file-yaml.yaml: error converting YAML to JSON: yaml: line 3: did not find expected ',' or ']'"},
		},
		{
			name: "values file outside the repository",
			helm: config.Helm{Chart: "helm/shop", Values: []string{"../helm/values.yaml"}},
			want: render.Error{File: "../helm/values.yaml", Message: "values file ../helm/values.yaml is outside the repository"},
		},
		{
			name: "chart outside the repository",
			helm: config.Helm{Chart: "../helm"},
			want: render.Error{File: "../helm", Message: "chart ../helm is outside the repository"},
		},
		{
			name: "chart values.yaml is not YAML",
			helm: config.Helm{Chart: "helm/bad/failure.chart-values-yaml"},
			want: render.Error{File: "helm/bad/failure.chart-values-yaml/values.yaml", Line: 3,
				Message: "cannot load values.yaml: error converting YAML to JSON: yaml: line 3: did not find expected ',' or ']'"},
		},
		{
			name: "bad set",
			helm: config.Helm{Chart: "helm/shop", Set: map[string]string{"a[": "x"}},
			want: render.Error{Message: `set "a[": failed parsing --set data: error parsing index: EOF`},
		},
		{
			name: "invalid kubeVersion",
			helm: config.Helm{Chart: "helm/shop", KubeVersion: "one"},
			want: render.Error{Message: `invalid kube version 'one': could not parse "one" as version`},
		},
		{
			name: "kubeVersion constraint",
			helm: config.Helm{Chart: "helm/shop", KubeVersion: "1.20.0"},
			want: render.Error{File: "helm/shop/Chart.yaml", Line: 8,
				Message: "chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes v1.20.0"},
		},
		{
			name: "template fail",
			helm: config.Helm{Chart: "helm/bad/failure.template-fail"},
			want: render.Error{File: "helm/bad/failure.template-fail/templates/configmap.yaml", Line: 7,
				Message: "execution error at (helm/bad/failure.template-fail/templates/configmap.yaml:7:6): cart needs a database: set database.host"},
		},
		{
			name: "template required",
			helm: config.Helm{Chart: "helm/bad/failure.template-required"},
			want: render.Error{File: "helm/bad/failure.template-required/templates/deployment.yaml", Line: 10,
				Message: "execution error at (helm/bad/failure.template-required/templates/deployment.yaml:10:25): image.tag is required"},
		},
		{
			name: "template parse error",
			helm: config.Helm{Chart: "helm/bad/failure.template-parse"},
			want: render.Error{File: "helm/bad/failure.template-parse/templates/service.yaml", Line: 6,
				Message: `parse error at (helm/bad/failure.template-parse/templates/service.yaml:6): function "nosuchfunc" not defined`},
		},
		{
			// The error chain names the including template first; the
			// failure is in the helper.
			name: "nil pointer in a helper",
			helm: config.Helm{Chart: "helm/bad/failure.helper-nil-pointer"},
			want: render.Error{File: "helm/bad/failure.helper-nil-pointer/templates/_helpers.tpl", Line: 2,
				Message: `template: helm/bad/failure.helper-nil-pointer/templates/service.yaml:7:15: executing "helper/templates/service.yaml" at <include "helper.port" .>: error calling include: template: helm/bad/failure.helper-nil-pointer/templates/_helpers.tpl:2:10: executing "helper.port" at <.Values.server.port>: nil pointer evaluating interface {}.port`},
		},
		{
			// helm's line is in the rendered output, not in the template.
			name: "rendered output is not YAML",
			helm: config.Helm{Chart: "helm/bad/failure.rendered-yaml"},
			want: render.Error{File: "helm/bad/failure.rendered-yaml/templates/configmap.yaml",
				Message: "YAML parse error on helm/bad/failure.rendered-yaml/templates/configmap.yaml: error converting YAML to JSON: yaml: line 6: mapping values are not allowed in this context"},
		},
		{
			name: "dependency neither vendored nor file://",
			helm: config.Helm{Chart: "helm/bad/failure.missing-dependency"},
			want: render.Error{File: "helm/bad/failure.missing-dependency/Chart.yaml", Line: 5,
				Message: "found in Chart.yaml, but missing in charts/ directory: postgresql (meshgate never downloads dependencies: vendor them with `helm dependency build`)"},
		},
		{
			name: "file:// dependency outside its version constraint",
			helm: config.Helm{Chart: "helm/bad/failure.file-dependency-version"},
			want: render.Error{File: "helm/bad/failure.file-dependency-version/Chart.yaml", Line: 5,
				Message: `can't get a valid version for 1 subchart(s): "audit" (repository "file://../../audit", version "^1.0.0"). Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml`},
		},
		{
			name: "file:// dependency folder missing",
			helm: config.Helm{Chart: "helm/bad/failure.file-dependency-missing"},
			want: render.Error{File: "helm/bad/failure.file-dependency-missing/Chart.yaml", Line: 5,
				Message: "directory helm/bad/nope not found"},
		},
		{
			name: "file:// dependency outside the repository",
			helm: config.Helm{Chart: "helm/bad/failure.file-dependency-outside"},
			want: render.Error{File: "helm/bad/failure.file-dependency-outside/Chart.yaml", Line: 5,
				Message: `dependency "common": file:///srv/charts/common is outside the repository`},
		},
		{
			name: "library chart",
			helm: config.Helm{Chart: "helm/bad/failure.library-chart"},
			want: render.Error{File: "helm/bad/failure.library-chart/Chart.yaml", Line: 3, Message: "library charts are not installable"},
		},
		{
			name: "invalid release name",
			helm: config.Helm{Chart: "helm/shop", Release: "Shop_1"},
			want: render.Error{Message: `release name "Shop_1": invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53`},
		},
		{
			name: "values against the schema",
			helm: config.Helm{Chart: "helm/schema-remote-ref", Set: map[string]string{"replicas": "many"}},
			want: render.Error{File: "helm/schema-remote-ref/values.schema.json",
				Message: "values don't meet the specifications of the schema(s) in the following chart(s):\nschema-remote-ref:\n- at '/replicas': got string, want integer"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := renderEnv(t, tt.helm)
			if res.Err == nil {
				t.Fatalf("no error, want %v", &tt.want)
			}
			if *res.Err != tt.want {
				t.Errorf("error\n got: %#v\nwant: %#v", *res.Err, tt.want)
			}
			if len(res.Docs) != 0 {
				t.Errorf("a failed rendering has %d documents", len(res.Docs))
			}
		})
	}
}

// A $ref to a remote schema is not fetched: that part accepts any value,
// and the rest of the schema still applies (see TestRenderErrors).
func TestRenderSchemaRemoteRefNotFetched(t *testing.T) {
	res := renderEnv(t, config.Helm{Chart: "helm/schema-remote-ref"})
	if res.Err != nil {
		t.Fatalf("render: %v", res.Err)
	}
	if len(res.Docs) != 1 {
		t.Fatalf("got %d documents, want 1", len(res.Docs))
	}
}

func TestRenderContextDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := Renderer{}.Render(ctx, testRoot(t), config.Environment{Name: "test", Helm: &config.Helm{Chart: "helm/shop"}}, render.Options{})
	want := render.Error{Message: "rendering not started: context canceled"}
	if res.Err == nil || *res.Err != want {
		t.Errorf("error = %#v, want %#v", res.Err, want)
	}
}

func TestSplitDocs(t *testing.T) {
	stream := "---\n# Source: c/crds/a.yaml\n# a comment\nkind: A\n---\nkind: B\n\n---   \n\n---\n# Source: c/templates/x.yaml\nkind: X\n--- # trailing\nkind: Y\n"
	got := splitDocs(stream, func(s string) string { return "repo/" + s }, nil)
	want := []render.Doc{
		{YAML: []byte("# a comment\nkind: A\n"), File: "repo/c/crds/a.yaml"},
		{YAML: []byte("kind: B\n"), File: "repo/c/crds/a.yaml"},
		{YAML: []byte("kind: X\n"), File: "repo/c/templates/x.yaml"},
		{YAML: []byte("kind: Y\n"), File: "repo/c/templates/x.yaml"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d documents, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if string(got[i].YAML) != string(want[i].YAML) || got[i].File != want[i].File {
			t.Errorf("document %d = %q %q, want %q %q", i, got[i].File, got[i].YAML, want[i].File, want[i].YAML)
		}
	}
}

func TestRenderRefusesSymlinkOutOfRepository(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	files := map[string]string{
		"chart/Chart.yaml":            "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
		"chart/templates/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  key: {{ .Files.Get \"files/key.txt\" | quote }}\n",
	}
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "key.txt"), []byte("canary-outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "chart/files"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "key.txt"), filepath.Join(root, "chart/files/key.txt")); err != nil {
		t.Fatal(err)
	}
	res := Renderer{}.Render(context.Background(), root, config.Environment{Name: "test", Helm: &config.Helm{Chart: "chart"}}, render.Options{})
	want := render.Error{File: "chart/files/key.txt", Message: "chart/files/key.txt is a symbolic link to a path outside the repository"}
	if res.Err == nil || *res.Err != want {
		t.Fatalf("error = %#v, want %#v", res.Err, want)
	}
}
