package helm

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/testrepo"
)

// pack packages the chart folder src into the folder out, as
// `helm package src -d out` does, and returns the archive's path.
func pack(t *testing.T, src, out string) string {
	t.Helper()
	c, err := loader.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	name, err := chartutil.Save(c, out)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

const deploymentTemplate = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Chart.Name }}
spec:
  template:
    spec:
      containers:
        - name: app
          image: app:1
`

// archiveRepo is a repository whose charts vendor packaged subcharts:
// app vendors grafana (from a chart repository, itself packaging a
// subchart sidecar) and local, a file:// dependency packaged from the
// repository's folder local; legacy (apiVersion v1) names local in
// requirements.yaml; stale vendors an archive of local made before local's
// template changed.
func archiveRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	scratch := t.TempDir()
	testrepo.Write(t, scratch, map[string]string{
		"grafana/Chart.yaml":                           "apiVersion: v2\nname: grafana\nversion: 12.11.1\n",
		"grafana/templates/deployment.yaml":            "# grafana\n" + deploymentTemplate + "{{- if .Values.boom }}\n{{ fail \"boom\" }}\n{{- end }}\n",
		"grafana/crds/dashboards.yaml":                 "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: dashboards.grafana.example\n",
		"grafana/charts/sidecar/Chart.yaml":            "apiVersion: v2\nname: sidecar\nversion: 1.0.0\n",
		"grafana/charts/sidecar/templates/daemon.yaml": "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: sidecar\n",
		"old-local/Chart.yaml":                         "apiVersion: v2\nname: local\nversion: 0.1.0\n",
		"old-local/templates/deployment.yaml":          "# before the change\n" + deploymentTemplate,
	})
	testrepo.Write(t, root, map[string]string{
		"local/Chart.yaml":                "apiVersion: v2\nname: local\nversion: 0.1.0\n",
		"local/templates/deployment.yaml": deploymentTemplate,
		"app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n" +
			"  - name: grafana\n    version: 12.11.1\n    repository: https://grafana.example.test\n" +
			"  - name: local\n    version: 0.1.0\n    repository: file://../local\n",
		"app/templates/cm.yaml":    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
		"legacy/Chart.yaml":        "apiVersion: v1\nname: legacy\nversion: 1.0.0\n",
		"legacy/requirements.yaml": "dependencies:\n  - name: local\n    version: 0.1.0\n    repository: file://../local\n",
		"stale/Chart.yaml":         "apiVersion: v2\nname: stale\nversion: 1.0.0\ndependencies:\n  - name: local\n    version: 0.1.0\n    repository: file://../local\n",
	})
	pack(t, filepath.Join(scratch, "grafana"), filepath.Join(root, "app/charts"))
	pack(t, filepath.Join(root, "local"), filepath.Join(root, "app/charts"))
	pack(t, filepath.Join(root, "local"), filepath.Join(root, "legacy/charts"))
	pack(t, filepath.Join(scratch, "old-local"), filepath.Join(root, "stale/charts"))
	pack(t, filepath.Join(scratch, "grafana"), filepath.Join(root, "packaged"))
	return root
}

func renderAt(root string, h config.Helm) render.Result {
	return Renderer{}.Render(context.Background(), root, config.Environment{Name: "test", Helm: &h},
		render.Options{MaxBytes: config.DefaultMaxRenderedBytes, MaxReads: config.DefaultMaxObjects})
}

// TestArchiveLocations: a document of a packaged chart points at its
// template inside the archive (ARCHIVE#PATH, the path as helm's Source
// names it below that chart), with the template's text in Sources for line
// mapping; one of a file:// dependency at the folder it was packaged from,
// when that folder holds the same template.
func TestArchiveLocations(t *testing.T) {
	root := archiveRepo(t)
	tests := []struct {
		name  string
		chart string
		want  []string // each document's File, in order
	}{
		{"vendored from a chart repository and from a file:// folder", "app", []string{
			"app/charts/grafana-12.11.1.tgz#crds/dashboards.yaml",
			"app/templates/cm.yaml",
			"app/charts/grafana-12.11.1.tgz#charts/sidecar/templates/daemon.yaml",
			"app/charts/grafana-12.11.1.tgz#templates/deployment.yaml",
			"local/templates/deployment.yaml",
		}},
		{"requirements.yaml of an apiVersion v1 chart", "legacy", []string{"local/templates/deployment.yaml"}},
		{"an archive older than its folder", "stale", []string{"stale/charts/local-0.1.0.tgz#templates/deployment.yaml"}},
		{"a packaged top chart", "packaged/grafana-12.11.1.tgz", []string{
			"packaged/grafana-12.11.1.tgz#crds/dashboards.yaml",
			"packaged/grafana-12.11.1.tgz#charts/sidecar/templates/daemon.yaml",
			"packaged/grafana-12.11.1.tgz#templates/deployment.yaml",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := renderAt(root, config.Helm{Chart: tt.chart})
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			var got []string
			for _, d := range res.Docs {
				got = append(got, d.File)
				if _, ok := res.Sources[d.File]; !ok {
					t.Errorf("no text in Sources for %s", d.File)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("files\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	res := renderAt(root, config.Helm{Chart: "stale"})
	var keys []string
	for k := range res.Sources {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if want := []string{"stale/charts/local-0.1.0.tgz#templates/deployment.yaml"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("stale: Sources %q, want %q (the folder's text differs from what rendered)", keys, want)
	}
}

// A template of an archive that fails is located inside the archive, at
// the template's line.
func TestArchiveRenderErrorLocation(t *testing.T) {
	root := archiveRepo(t)
	res := renderAt(root, config.Helm{Chart: "app", Set: map[string]string{"grafana.boom": "true"}})
	want := render.Error{
		File:    "app/charts/grafana-12.11.1.tgz#templates/deployment.yaml",
		Line:    13,
		Message: `execution error at (app/charts/grafana-12.11.1.tgz#templates/deployment.yaml:13:3): boom`,
	}
	if res.Err == nil || *res.Err != want {
		t.Fatalf("error = %#v, want %#v", res.Err, want)
	}
}
