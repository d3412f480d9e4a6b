package helm

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
)

// TestDemoMatchesHelmTemplate renders the demo repository's Helm
// environments as its .meshgate.yaml configures them and compares with the
// helm CLI's output committed in testdata/golden/render (commands in its
// README).
func TestDemoMatchesHelmTemplate(t *testing.T) {
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
		if env.Helm == nil || env.Name == "broken" {
			continue
		}
		checked++
		t.Run(env.Name, func(t *testing.T) {
			res := Renderer{}.Render(context.Background(), root, env, render.Options{})
			if res.Err != nil {
				t.Fatalf("render: %v", res.Err)
			}
			expected, err := os.ReadFile(filepath.Join(root, "..", "golden", "render", env.Name+".helm-template.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			want := splitCLI(t, string(expected))
			if len(res.Docs) != len(want) {
				t.Fatalf("got %d documents, helm template printed %d", len(res.Docs), len(want))
			}
			for i, w := range want {
				if got := string(res.Docs[i].YAML); got != w.yaml {
					t.Errorf("document %d (%s) differs from helm template:\n--- got\n%s--- want\n%s", i, w.source, got, w.yaml)
				}
				if want := "charts/" + w.source; res.Docs[i].File != want {
					t.Errorf("document %d: File = %q, want %q", i, res.Docs[i].File, want)
				}
			}
		})
	}
	if checked != 2 {
		t.Fatalf("checked %d demo helm environments, want 2 (shop-staging, shop-prod)", checked)
	}
}
