package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// outsideRepo makes a repository folder and, beside it, a file the
// repository must never read.
func outsideRepo(t *testing.T, outsideText string) (root, outside string) {
	t.Helper()
	dir := t.TempDir()
	root = filepath.Join(dir, "repo")
	outside = filepath.Join(dir, "outside.yaml")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outside, []byte(outsideText), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, outside
}

func TestLoadRefusesConfigLinkedOutside(t *testing.T) {
	root, outside := outsideRepo(t, "environments: [{name: canary-outside, kustomize: {path: k}}]\n")
	if err := os.Symlink(outside, filepath.Join(root, ".meshgate.yaml")); err != nil {
		t.Fatal(err)
	}
	_, err := Load(root, ".meshgate.yaml")
	want := "read config .meshgate.yaml: .meshgate.yaml is a symbolic link to a file outside the repository"
	if err == nil || err.Error() != want {
		t.Fatalf("Load error = %v, want %s", err, want)
	}
	// Named on purpose from outside the repository, it is read (and its
	// path, relative to its own folder, leaves the repository).
	_, err = Load(root, outside)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("explicit config outside the repository: %v, want it read and validated", err)
	}
}

func TestLoadRefusesHugeConfig(t *testing.T) {
	root := t.TempDir()
	text := "environments: [{name: a, kustomize: {path: k}}]\n#" + strings.Repeat("x", maxConfigBytes) + "\n"
	if err := os.WriteFile(filepath.Join(root, ".meshgate.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(root, ".meshgate.yaml")
	want := "read config .meshgate.yaml: .meshgate.yaml is larger than 4 MiB"
	if err == nil || err.Error() != want {
		t.Fatalf("Load error = %v, want %s", err, want)
	}
}

// The default release name is read from Chart.yaml; a Chart.yaml linked out
// of the repository is not read, so nothing of the outside file becomes a
// release name (and so object names in findings).
func TestReleaseNameNotReadThroughLink(t *testing.T) {
	root, outside := outsideRepo(t, "name: canary-outside\n")
	chart := filepath.Join(root, "charts", "shop")
	if err := os.MkdirAll(chart, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(chart, "Chart.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".meshgate.yaml"), []byte("environments: [{name: a, helm: {chart: charts/shop}}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(root, ".meshgate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Environments[0].Helm.Release; got != "" {
		t.Errorf("release = %q, read through a link out of the repository", got)
	}
	envs, err := Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range envs {
		if e.Helm != nil && e.Helm.Release == "canary-outside" {
			t.Errorf("discovered release name read through a link out of the repository")
		}
	}
}
