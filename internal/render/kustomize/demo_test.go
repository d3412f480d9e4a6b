package kustomize

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
)

// TestDemoMatchesKustomizeBuild builds the demo repository's kustomize
// environments and compares with the kustomize CLI's output committed in
// testdata/golden/render (commands in its README).
func TestDemoMatchesKustomizeBuild(t *testing.T) {
	root, err := filepath.Abs("../../../testdata/demo")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(root, ".meshgate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, env := range cfg.Environments {
		if env.Kustomize == nil {
			continue
		}
		checked++
		t.Run(env.Name, func(t *testing.T) {
			res := Renderer{}.Render(context.Background(), root, env, render.Options{MaxBytes: config.DefaultMaxRenderedBytes, MaxReads: config.DefaultMaxObjects})
			if res.Err != nil {
				t.Fatalf("build: %v", res.Err)
			}
			expected, err := os.ReadFile(filepath.Join(root, "..", "golden", "render", env.Name+".kustomize-build.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			want := cliSeparator.Split(string(expected), -1)
			if len(res.Docs) != len(want) {
				t.Fatalf("got %d documents, kustomize build printed %d", len(res.Docs), len(want))
			}
			for i, w := range want {
				if got := string(res.Docs[i].YAML); got != w {
					t.Errorf("document %d differs from kustomize build:\n--- got\n%s--- want\n%s", i, got, w)
				}
				if res.Docs[i].File == "" {
					t.Errorf("document %d has no source file", i)
				}
			}
		})
	}
	if checked != 2 {
		t.Fatalf("checked %d demo kustomize environments, want 2 (staging, prod)", checked)
	}
}
