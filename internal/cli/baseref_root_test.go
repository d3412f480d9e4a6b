package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/report"
)

// TestBaseRefRootEnvironment (issue 11 item 14): a chart or kustomization
// at the repository root is named the same in the base worktree as in the
// checkout, whatever the checkout's folder is called, so with nothing
// changed every finding is existing.
func TestBaseRefRootEnvironment(t *testing.T) {
	deployment := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: web:1}]\n"
	tests := []struct {
		name  string
		files map[string]string
		env   string
	}{
		{"chart", map[string]string{"Chart.yaml": "apiVersion: v2\nname: vault\nversion: 0.1.0\n", "templates/web.yaml": deployment}, "vault"},
		{"kustomization", map[string]string{"kustomization.yaml": "resources: [web.yaml]\n", "web.yaml": deployment}, "root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "checkout-folder")
			for name, content := range tt.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"commit", "-qm", "base"}} {
				cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid"}, args...)...)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("git %v: %v\n%s", args, err, out)
				}
			}
			rep := checkJSON(t, 0, "-C", dir, "--base-ref", "HEAD")
			head, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
			if err != nil {
				t.Fatal(err)
			}
			if b := rep.Baseline; b == nil || b.Kind != report.BaselineBaseCommit || b.Commit != strings.TrimSpace(string(head)) || b.Fallback != "" {
				t.Errorf("baseline %+v, want the base commit %s", b, head)
			}
			if names := envNames(rep); len(names) != 1 || names[0] != tt.env {
				t.Fatalf("environments %v, want [%s]", names, tt.env)
			}
			if len(rep.Findings) == 0 {
				t.Fatal("no findings; the fixture should have an unmeshed Deployment")
			}
			for _, f := range rep.Findings {
				if f.New == nil || *f.New {
					t.Errorf("finding marked new with nothing changed: %+v", f)
				}
			}
		})
	}
}
