package config

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshgate/meshgate/internal/testrepo"
)

func writeChartArchive(t *testing.T, p, chartYAML string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range map[string]string{"inner/values.yaml": "a: 1\n", "inner/Chart.yaml": chartYAML} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestChartReleaseDefault(t *testing.T) {
	root := t.TempDir()
	writeChartArchive(t, filepath.Join(root, "renamed.tgz"), "apiVersion: v2\nname: billing\nversion: 2.0.0\n")
	testrepo.Write(t, root, map[string]string{
		"broken-chart-1.2.3-rc.1.tgz": "not gzip",
		"folder/Chart.yaml":           "name: [not a string\n",
		".meshgate.yaml": `environments:
  - {name: archive, helm: {chart: renamed.tgz}}
  - {name: unreadable-archive, helm: {chart: broken-chart-1.2.3-rc.1.tgz}}
  - {name: missing-archive, helm: {chart: app-2fa-0.1.0.tgz}}
  - {name: broken-folder, helm: {chart: folder}}
  - {name: missing-folder, helm: {chart: nowhere}}
  - {name: explicit, helm: {chart: renamed.tgz, release: mine}}
`,
	})
	cfg, err := Load(root, ".meshgate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"archive":            "billing",      // Chart.yaml inside the archive
		"unreadable-archive": "broken-chart", // the file name without its version
		"missing-archive":    "app-2fa",
		"broken-folder":      "", // rendering reports the broken chart
		"missing-folder":     "",
		"explicit":           "mine",
	}
	for _, e := range cfg.Environments {
		if e.Helm.Release != want[e.Name] {
			t.Errorf("%s: release %q, want %q", e.Name, e.Helm.Release, want[e.Name])
		}
	}
}
