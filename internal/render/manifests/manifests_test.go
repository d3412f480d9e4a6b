package manifests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/testrepo"
)

// testRoot is the repository root of the renderers' fixtures.
func testRoot(t *testing.T) string { return testrepo.Abs(t, "../testdata") }

func readAt(t *testing.T, root string, m config.Manifests, namespace string) render.Result {
	t.Helper()
	env := config.Environment{Name: "test", Manifests: &m, Namespace: namespace}
	return Renderer{}.Render(context.Background(), root, env, render.Options{MaxBytes: config.DefaultMaxRenderedBytes, MaxReads: config.DefaultMaxObjects})
}

// summary is each document as file:line kind/name.
func summary(t *testing.T, docs []render.Doc) []string {
	t.Helper()
	var out []string
	for _, d := range docs {
		var obj struct {
			Kind     string
			Metadata struct{ Name string }
		}
		if err := yaml.Unmarshal(d.YAML, &obj); err != nil {
			t.Fatalf("%s:%d: document does not parse: %v\n%s", d.File, d.Line, err, d.YAML)
		}
		out = append(out, fmt.Sprintf("%s:%d %s/%s", d.File, d.Line, obj.Kind, obj.Metadata.Name))
	}
	return out
}

func warnings(ws []render.Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, fmt.Sprintf("%s:%d %s: %s", w.File, w.Line, cmpOr(string(w.Severity), "warning"), w.Message))
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func assertList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestReadFolder reads testdata/manifests/shop as `kubectl apply -f` does:
// .yaml, .yml and .json files (not README.md, not notes.YAML) in walk
// order, documents split at "---" lines, empty ones skipped, the List's
// items in its place, each at its file and line; values.yaml's documents,
// which are not objects, skipped with a warning; the Deployment web,
// defined twice, taken from web-v2.yaml with a notice naming both places.
// Recursive, sub/extra.yaml comes before sub-a.yaml, where filepath.Walk
// puts it (a sort of the paths would not).
func TestReadFolder(t *testing.T) {
	const dir = "manifests/shop/"
	top := []string{
		dir + "00-namespace.yaml:1 Namespace/shop",
		dir + "app.yaml:20 Service/web",
		dir + "config.json:1 ConfigMap/settings",
		dir + "list.yml:4 ServiceAccount/web",
		dir + "list.yml:9 ConfigMap/flags",
	}
	rest := []string{
		dir + "sub-a.yaml:1 ConfigMap/sub-a",
		dir + "web-v2.yaml:2 Deployment/web",
	}
	wantWarnings := []string{
		dir + "values.yaml:2 warning: skipped 2 documents of " + dir + "values.yaml that are not Kubernetes objects (no apiVersion and kind)",
		dir + "web-v2.yaml:2 notice: Deployment shop/web is defined twice, at " + dir + "app.yaml:3 and " + dir + "web-v2.yaml:2; kubectl apply -f takes the last, which is what meshgate checks",
	}
	for _, tc := range []struct {
		name      string
		recursive bool
		want      []string
	}{
		{"top level", false, append(append([]string{}, top...), rest...)},
		{"recursive", true, append(append(append([]string{}, top...), dir+"sub/extra.yaml:1 Service/extra"), rest...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := readAt(t, testRoot(t), config.Manifests{Path: "manifests/shop", Recursive: tc.recursive}, "default")
			if res.Err != nil {
				t.Fatalf("Render: %v", res.Err)
			}
			if res.Source != "manifests" || res.Path != "manifests/shop" || res.DefaultNamespace != "default" {
				t.Errorf("Source, Path, DefaultNamespace = %q, %q, %q", res.Source, res.Path, res.DefaultNamespace)
			}
			assertList(t, "documents", summary(t, res.Docs), tc.want)
			assertList(t, "warnings", warnings(res.Warnings), wantWarnings)
			if got := string(res.Sources[dir+"config.json"]); !strings.Contains(got, `"mode": "json"`) {
				t.Errorf("Sources[config.json] = %q", got)
			}
		})
	}
}

// TestReadFolderDocumentText: a document is passed on as written,
// comments included, without the separator lines; a List item is written
// out on its own.
func TestReadFolderDocumentText(t *testing.T) {
	res := readAt(t, testRoot(t), config.Manifests{Path: "manifests/shop", Include: []string{"app.yaml", "list.yml"}}, "default")
	if res.Err != nil {
		t.Fatalf("Render: %v", res.Err)
	}
	if len(res.Docs) != 4 {
		t.Fatalf("got %d documents, want 4", len(res.Docs))
	}
	if got := string(res.Docs[0].YAML); !strings.HasPrefix(got, "# The web tier.\napiVersion: apps/v1\n") || strings.Contains(got, "---") {
		t.Errorf("first document:\n%s", got)
	}
	want := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  namespace: shop\ndata:\n  beta: \"true\"\n"
	if got := string(res.Docs[3].YAML); got != want {
		t.Errorf("List item:\n%s\nwant:\n%s", got, want)
	}
}

// TestReadFolderSelection: include and exclude pick files by their path
// relative to the folder, as Argo CD's directory source does.
func TestReadFolderSelection(t *testing.T) {
	const dir = "manifests/shop/"
	cases := []struct {
		name string
		m    config.Manifests
		want []string
	}{
		{"include", config.Manifests{Include: []string{"{00-*,config.json}"}}, []string{
			dir + "00-namespace.yaml:1 Namespace/shop",
			dir + "config.json:1 ConfigMap/settings",
		}},
		{"star crosses folders", config.Manifests{Recursive: true, Include: []string{"s*.yaml"}}, []string{
			dir + "sub/extra.yaml:1 Service/extra",
			dir + "sub-a.yaml:1 ConfigMap/sub-a",
		}},
		{"exclude wins", config.Manifests{Recursive: true, Include: []string{"s*.yaml"}, Exclude: []string{"sub/*"}}, []string{
			dir + "sub-a.yaml:1 ConfigMap/sub-a",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.m.Path = "manifests/shop"
			res := readAt(t, testRoot(t), tc.m, "default")
			if res.Err != nil {
				t.Fatalf("Render: %v", res.Err)
			}
			assertList(t, "documents", summary(t, res.Docs), tc.want)
			if len(res.Warnings) != 0 {
				t.Errorf("warnings: %v", warnings(res.Warnings))
			}
		})
	}
}

// TestReadFolderDuplicates: two definitions are one object when group,
// kind, namespace and name agree, an unset namespace being the
// environment's; another group, namespace or kind is another object.
func TestReadFolderDuplicates(t *testing.T) {
	files := map[string]string{
		"k/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: other}\n" +
			"---\napiVersion: example.com/v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: c}\n" +
			"---\napiVersion: v1\nkind: Pod\nmetadata: {generateName: p-}\n",
		"k/b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n---\napiVersion: v1\nkind: Pod\nmetadata: {generateName: p-}\n",
		"k/c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
	}
	root := testrepo.New(t, files)
	res := readAt(t, root, config.Manifests{Path: "k"}, "shop")
	if res.Err != nil {
		t.Fatalf("Render: %v", res.Err)
	}
	assertList(t, "documents", summary(t, res.Docs), []string{
		"k/a.yaml:5 ConfigMap/c",
		"k/a.yaml:9 ConfigMap/c",
		"k/a.yaml:13 Secret/c",
		"k/a.yaml:17 Pod/",
		"k/b.yaml:5 Pod/",
		"k/c.yaml:1 ConfigMap/c",
	})
	assertList(t, "warnings", warnings(res.Warnings), []string{
		"k/c.yaml:1 notice: ConfigMap shop/c is defined 3 times, at k/a.yaml:1, k/b.yaml:1 and k/c.yaml:1; kubectl apply -f takes the last, which is what meshgate checks",
	})
	// In the namespace "other", the first two are the same object, which
	// the one in a.yaml that names the namespace ends.
	res = readAt(t, root, config.Manifests{Path: "k", Include: []string{"a.yaml"}}, "other")
	assertList(t, "warnings in namespace other", warnings(res.Warnings), []string{
		"k/a.yaml:5 notice: ConfigMap other/c is defined twice, at k/a.yaml:1 and k/a.yaml:5; kubectl apply -f takes the last, which is what meshgate checks",
	})
}

// TestReadFolderFailures: what kubectl refuses, and what meshgate refuses
// to read, is a render error at the file and line.
func TestReadFolderFailures(t *testing.T) {
	root := testrepo.New(t, map[string]string{
		"sep/a.yaml":      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n--- !!map\nkind: X\n",
		"file/only.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"big/a.yaml":      strings.Repeat("# padding\n", 20),
		"link/README.txt": "",
	})
	outside := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(outside, []byte("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "link", "secret.yaml")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path string
		max  int64
		want string
	}{
		{"missing", 0, "missing: manifests folder missing does not exist"},
		{"file/only.yaml", 0, "file/only.yaml: manifests path file/only.yaml is a file; give its folder, and include: [only.yaml] to read only it"},
		{"..", 0, "..: manifests folder .. is outside the repository"},
		{"sep", 0, `sep/a.yaml:4: invalid YAML document separator "--- !!map": kubectl accepts only a comment after ---`},
		{"link", 0, "link/secret.yaml: link/secret.yaml is a symbolic link to a file outside the repository"},
		{"big", 100, "big/a.yaml: the file is 0.0 MiB, more than limits.maxRenderedBytes (0.0 MiB)"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			env := config.Environment{Name: "test", Manifests: &config.Manifests{Path: tc.path}, Namespace: "default"}
			res := Renderer{}.Render(context.Background(), root, env, render.Options{MaxBytes: tc.max})
			if res.Err == nil {
				t.Fatalf("Render succeeded with %d documents", len(res.Docs))
			}
			if got := res.Err.Error(); got != tc.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestReadFolderBudget: the files of a folder count against
// limits.maxRenderedBytes together.
func TestReadFolderBudget(t *testing.T) {
	doc := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\n"
	root := testrepo.New(t, map[string]string{"k/a.yaml": fmt.Sprintf(doc, "a"), "k/b.yaml": fmt.Sprintf(doc, "b")})
	env := config.Environment{Name: "test", Manifests: &config.Manifests{Path: "k"}, Namespace: "default"}
	res := Renderer{}.Render(context.Background(), root, env, render.Options{MaxBytes: int64(len(doc)) + 10})
	if res.Err == nil || res.Err.Error() != "k/b.yaml: the folder's files are more than limits.maxRenderedBytes (0.0 MiB) in all" {
		t.Errorf("error = %v", res.Err)
	}
}
