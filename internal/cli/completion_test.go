package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/finding"
)

// The scripts are cobra's, generated from the command tree; the goldens
// show a change to the tree as a change to every script.
func TestCompletionGolden(t *testing.T) {
	for _, shell := range completionShells {
		t.Run(shell, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "completion", shell)
			if code != 0 || stderr != "" {
				t.Fatalf("exit code %d, stderr %q", code, stderr)
			}
			golden(t, filepath.Join("testdata", "completion", shell), []byte(stdout))
		})
	}
}

func TestCompletionUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"failure.no-shell", nil, "meshgate: completion: name one shell: bash, zsh, fish, powershell\n"},
		{"failure.two-shells", []string{"bash", "zsh"}, "meshgate: completion bash: unknown command \"zsh\" for \"meshgate completion bash\"\nRun 'meshgate completion bash --help' for usage.\n"},
		{"failure.unknown-shell", []string{"tcsh"}, "meshgate: completion: unknown shell \"tcsh\" (valid: bash, zsh, fish, powershell)\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"completion"}, tc.args...)...)
			if code != 2 || stdout != "" || stderr != tc.stderr {
				t.Errorf("exit code %d, stdout %q, stderr %q; want 2, nothing, %q", code, stdout, stderr, tc.stderr)
			}
		})
	}
}

func TestCompletionBashSyntax(t *testing.T) {
	_, script, _ := runCLI(t, "completion", "bash")
	p := filepath.Join(t.TempDir(), "meshgate.bash")
	if err := os.WriteFile(p, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("bash", "-n", p).CombinedOutput()
	if err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
}

// TestCompletionValues asks the command line what the shell scripts ask
// it (cobra's hidden __complete command): --env completes the repository's
// environment names, --format, --fail-on and explain their values.
func TestCompletionValues(t *testing.T) {
	demo := "../../testdata/demo"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"env from config", []string{"check", "-C", demo, "--env", ""},
			"broken\thelm charts/shop\nprod\tkustomize deploy/overlays/prod\nshop-prod\thelm charts/shop\nshop-staging\thelm charts/shop\nstaging\tkustomize deploy/overlays/staging\n:4\n"},
		{"env from positional dir", []string{"render", demo, "--env", "s"},
			"broken\thelm charts/shop\nprod\tkustomize deploy/overlays/prod\nshop-prod\thelm charts/shop\nshop-staging\thelm charts/shop\nstaging\tkustomize deploy/overlays/staging\n:4\n"},
		{"env without a repository", []string{"check", "-C", t.TempDir(), "--env", ""}, ":4\n"},
		{"format", []string{"check", "--format", ""}, "text\njson\nmarkdown\nsarif\ngithub\n:4\n"},
		{"fail-on", []string{"publish", "--fail-on", ""}, "error\nwarning\nnever\n:4\n"},
		{"explain format", []string{"explain", "--format", ""}, "text\nmarkdown\n:4\n"},
		{"provider", []string{"init", "--provider", "li"}, "istio\nistio-ambient\nlinkerd\nconsul\nkuma\nnone\n:4\n"},
		{"commands", []string{"ch"}, "check\trender and check every environment\n:4\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, _ := runCLI(t, append([]string{"__complete"}, tt.args...)...)
			if code != 0 || stdout != tt.want {
				t.Errorf("exit %d, completions\n%q\nwant\n%q", code, stdout, tt.want)
			}
		})
	}
	// explain offers every rule id, with its description.
	_, stdout, _ := runCLI(t, "__complete", "explain", "")
	for _, id := range finding.RuleIDs {
		if !strings.Contains(stdout, id+"\t") {
			t.Errorf("explain completion lacks %s:\n%s", id, stdout)
		}
	}
}
