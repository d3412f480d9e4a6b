package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestCompletionGolden(t *testing.T) {
	for _, shell := range compShellNames {
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
		{"failure.no-shell", nil, "meshgate: completion: name one shell: bash, zsh, fish\n"},
		{"failure.two-shells", []string{"bash", "zsh"}, "meshgate: completion: name one shell: bash, zsh, fish\n"},
		{"failure.unknown-shell", []string{"powershell"}, "meshgate: completion: unknown shell \"powershell\" (valid: bash, zsh, fish)\n"},
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

// bashScript writes the bash completion script to a file.
func bashScript(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "meshgate.bash")
	if err := os.WriteFile(p, []byte(bashCompletion(compCommands())), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompletionBashSyntax(t *testing.T) {
	out, err := exec.Command("bash", "-n", bashScript(t)).CombinedOutput()
	if err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
}

// TestCompletionBash runs the bash script's completion function on command
// lines, as bash does on TAB.
func TestCompletionBash(t *testing.T) {
	script := bashScript(t)
	dir := t.TempDir()
	for _, p := range []string{"reports/a.json", "reports/b.txt", "charts/x"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		words []string // the last one is being completed
		want  string
	}{
		{"commands", []string{""}, "check render publish rules explain init completion version help"},
		{"command-prefix", []string{"re"}, "render"},
		{"check-flags", []string{"check", "--f"}, "--format --fail-on --fail-on-existing"},
		{"check-format", []string{"check", "--format", ""}, "text json markdown sarif github"},
		{"check-format-equals", []string{"check", "--format", "=", "s"}, "sarif"},
		{"check-format-equals-empty", []string{"check", "--fail-on", "="}, "error warning never"},
		{"check-env-free", []string{"check", "--env", ""}, ""},
		{"check-dir", []string{"check", "-C", "rep"}, "reports"},
		{"render-flags", []string{"render", "-"}, "-C --config --env"},
		{"explain-rules", []string{"explain", "mesh-"}, "mesh-injection mesh-annotation mesh-env mesh-job-sidecar"},
		{"explain-format", []string{"explain", "--format", ""}, "text markdown"},
		{"explain-flags", []string{"explain", "-"}, "--format"},
		{"init-flags", []string{"init", "-"}, "-C --force --provider"},
		{"init-provider", []string{"init", "--provider", "istio"}, "istio istio-ambient"},
		{"completion-shells", []string{"completion", ""}, "bash zsh fish"},
		{"completion-one-shell", []string{"completion", "bash", ""}, ""},
		{"publish-json", []string{"publish", "reports/"}, "reports/a.json"},
		{"version-nothing", []string{"version", ""}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			words := append([]string{"meshgate"}, tc.words...)
			quoted := make([]string, len(words))
			for i, w := range words {
				quoted[i] = "'" + w + "'"
			}
			prog := `source "$1"; COMP_WORDS=(` + strings.Join(quoted, " ") + `); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _meshgate; echo "${COMPREPLY[*]}"`
			cmd := exec.Command("bash", "-c", prog, "bash", script)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tc.want {
				t.Errorf("completions %q, want %q", got, tc.want)
			}
		})
	}
}

// TestCompletionFlagsMatch keeps the scripts in step with the flag sets:
// every flag a command's -h lists is completed, and no other.
func TestCompletionFlagsMatch(t *testing.T) {
	// Flags for benchmarks and scripts, not for people typing.
	hidden := map[string]bool{"check --render-only": true}
	flagLine := regexp.MustCompile(`(?m)^  -([A-Za-z][-A-Za-z]*)`)
	for _, c := range compCommands() {
		code, _, stderr := runCLI(t, c.name, "-h")
		var got, want []string
		if code == 0 && stderr != "" {
			for _, m := range flagLine.FindAllStringSubmatch(stderr, -1) {
				name := "--" + m[1]
				if len(m[1]) == 1 {
					name = "-" + m[1]
				}
				if !hidden[c.name+" "+name] {
					want = append(want, name)
				}
			}
		}
		for _, f := range c.flags {
			got = append(got, f.name)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: completion offers %v, the command's flags are %v", c.name, got, want)
		}
	}
}
