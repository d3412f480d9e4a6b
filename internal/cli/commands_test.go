package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestHelp: every way of asking for help prints that command's help to
// stdout and exits 0; the texts are goldens made from the command tree.
func TestHelp(t *testing.T) {
	root := newRootCmd(Streams{})
	for _, c := range append([]*cobra.Command{root}, root.Commands()...) {
		if !c.IsAvailableCommand() && c != root {
			continue
		}
		name := c.Name()
		t.Run(name, func(t *testing.T) {
			forms := [][]string{{"help", name}, {name, "-h"}, {name, "--help"}}
			if c == root {
				forms = [][]string{{"help"}, {"-h"}, {"--help"}}
			}
			var first string
			for i, args := range forms {
				code, stdout, stderr := runCLI(t, args...)
				if code != 0 || stderr != "" || stdout == "" {
					t.Fatalf("%v: exit %d, stderr %q, stdout %q", args, code, stderr, stdout)
				}
				if i == 0 {
					first = stdout
				} else if stdout != first {
					t.Errorf("%v prints other help than %v", args, forms[0])
				}
			}
			golden(t, filepath.Join("testdata", "help", name+".txt"), []byte(first))
		})
	}
}

func TestHelpShowsLongFlagsAndHidesRenderOnly(t *testing.T) {
	_, stdout, _ := runCLI(t, "check", "--help")
	for _, want := range []string{"-C, --dir DIR", "--format FORMAT", "--fail-on LEVEL", "--shard I/N", "--base-ref REF"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check --help lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "render-only") {
		t.Errorf("check --help shows the hidden --render-only:\n%s", stdout)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 || stderr != "" || stdout != "meshgate "+Version()+"\n" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

// TestMistypes: one line naming the mistake and the closest match, no
// usage dump, exit 2.
func TestMistypes(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"chek"}, "meshgate: unknown command \"chek\" (did you mean check?)\n"},
		{[]string{"explian", "mesh-env"}, "meshgate: unknown command \"explian\" (did you mean explain?)\n"},
		{[]string{"check", "--formt", "json"}, "meshgate: check: unknown flag --formt (did you mean --format?)\nRun 'meshgate check --help' for usage.\n"},
		{[]string{"render", "--evn", "prod"}, "meshgate: render: unknown flag --evn (did you mean --env?)\nRun 'meshgate render --help' for usage.\n"},
		{[]string{"check", "--render-onyl"}, "meshgate: check: unknown flag --render-onyl\nRun 'meshgate check --help' for usage.\n"},
		{[]string{"check", "--bogus"}, "meshgate: check: unknown flag --bogus\nRun 'meshgate check --help' for usage.\n"},
		{[]string{"explain", "mesh-inject"}, "meshgate: explain: unknown rule \"mesh-inject\" (did you mean \"mesh-injection\"? valid: render-error, render-warning, mesh-injection, mesh-annotation, mesh-env, secret-missing, secret-key-missing, mesh-job-sidecar, mesh-drift, ignore-expired, gitops-not-rendered)\n"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != 2 || stdout != "" || stderr != tt.want {
			t.Errorf("%v: exit %d, stdout %q, stderr\n%q\nwant\n%q", tt.args, code, stdout, stderr, tt.want)
		}
	}
}

// TestPositionalDir: `meshgate check DIR` is `meshgate check -C DIR`.
func TestPositionalDir(t *testing.T) {
	pinDurations(t)
	demo := "../../testdata/demo"
	_, byFlag, _ := run(t, env("MESHGATE_TODAY", "2026-11-25"), "check", "-C", demo, "--format", "json", "--env", "prod")
	code, byArg, stderr := run(t, env("MESHGATE_TODAY", "2026-11-25"), "check", demo, "--format", "json", "--env", "prod")
	if code != 1 || byArg != byFlag || byArg == "" {
		t.Errorf("check DIR: exit %d, stderr %q; report differs from -C DIR's: %v", code, stderr, byArg != byFlag)
	}
	code, _, stderr = runCLI(t, "check", "-C", demo, "elsewhere")
	if code != 2 || stderr != "meshgate: check: give the directory once: -C ../../testdata/demo or elsewhere\n" {
		t.Errorf("-C and DIR: exit %d, stderr %q", code, stderr)
	}
}

// TestOutputInfersFormat: --output without --format takes the format from
// the extension; an extension that names none is an error.
func TestOutputInfersFormat(t *testing.T) {
	dir := t.TempDir()
	j, s, m := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.sarif"), filepath.Join(dir, "r.md")
	code, stdout, stderr := run(t, env("MESHGATE_TODAY", "2026-11-25"), "check", "../../testdata/demo", "--env", "prod", "--output", j, "--output", s, "--output", m)
	if code != 1 || !strings.Contains(stdout, "prod (kustomize deploy/overlays/prod)") {
		t.Fatalf("exit %d, stderr %q; text on stdout:\n%s", code, stderr, stdout)
	}
	for p, start := range map[string]string{j: "{\n  \"version\"", s: "{\n  \"$schema\"", m: "<!-- meshgate:report -->\n"} {
		b, err := os.ReadFile(p)
		if err != nil || !strings.HasPrefix(string(b), start) {
			t.Errorf("%s starts %.30q, want %q (%v)", filepath.Base(p), b, start, err)
		}
	}
	code, _, stderr = runCLI(t, "check", "--output", filepath.Join(dir, "r.xml"))
	want := "meshgate: check: invalid argument \"" + filepath.Join(dir, "r.xml") + "\" for \"--output\" flag: " + filepath.Join(dir, "r.xml") + ": cannot tell the format from the extension (.json, .sarif, .md or .txt); put --format FORMAT before it\nRun 'meshgate check --help' for usage.\n"
	if code != 2 || stderr != want {
		t.Errorf("r.xml: exit %d, stderr\n%q\nwant\n%q", code, stderr, want)
	}
}

// TestGitRefErrors: --changed-since and --base-ref outside a git
// repository or with an unknown ref say so in one line, with no git usage
// text.
func TestGitRefErrors(t *testing.T) {
	plain := t.TempDir()
	if err := os.CopyFS(plain, os.DirFS("../../testdata/demo")); err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	if err := os.CopyFS(repo, os.DirFS("../../testdata/demo")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"}} {
		if out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"check", plain, "--changed-since", "HEAD"}, "meshgate: --changed-since HEAD: " + plain + " is not inside a git repository, so there is nothing to compare with\n"},
		{[]string{"check", plain, "--base-ref", "main"}, "meshgate: --base-ref main: " + plain + " is not inside a git repository, so there is nothing to compare with\n"},
		{[]string{"check", repo, "--changed-since", "nope"}, "meshgate: --changed-since nope: the repository has no commit \"nope\" (is it fetched? actions/checkout needs fetch-depth: 0)\n"},
		{[]string{"check", repo, "--changed-since", "HEAD..nope"}, "meshgate: --changed-since HEAD..nope: the repository has no commit \"nope\" (is it fetched? actions/checkout needs fetch-depth: 0)\n"},
		{[]string{"check", repo, "--base-ref", "v9"}, "meshgate: --base-ref v9: the repository has no commit \"v9\" (is it fetched? actions/checkout needs fetch-depth: 0)\n"},
	}
	for _, tt := range tests {
		code, stdout, stderr := run(t, env(), tt.args...)
		stderr = strings.TrimPrefix(stderr, discoveryLines(stderr))
		if code != 2 || stdout != "" || stderr != tt.want {
			t.Errorf("%v: exit %d, stdout %q, stderr\n%q\nwant\n%q", tt.args[2:], code, stdout, stderr, tt.want)
		}
	}
}

// discoveryLines is the leading "discovered N environment(s)" block, if any.
func discoveryLines(stderr string) string {
	if !strings.HasPrefix(stderr, "meshgate: no .meshgate.yaml") {
		return ""
	}
	lines := strings.SplitAfter(stderr, "\n")
	n := 1
	for n < len(lines) && strings.HasPrefix(lines[n], "  ") {
		n++
	}
	return strings.Join(lines[:n], "")
}

// TestPublishOutsideActions: nothing is published, and stderr says so.
func TestPublishOutsideActions(t *testing.T) {
	code, stdout, stderr := runCLI(t, "publish", "--fail-on", "never", "../../testdata/golden/demo.json")
	if code != 0 || !strings.Contains(stdout, "7 environments") {
		t.Errorf("exit %d, stdout:\n%s", code, stdout)
	}
	if stderr != "meshgate: not running in GitHub Actions (GITHUB_ACTIONS is not true): nothing was published; the merged report follows\n" {
		t.Errorf("stderr %q", stderr)
	}
}

// TestEveryFlagDocumented: each visible flag of each command has a usage
// text, and the README's command-line section names every command and
// every visible flag, and nothing the command tree lacks.
func TestEveryFlagDocumented(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := commandLineSection(t, string(readme))
	root := newRootCmd(Streams{})
	for _, c := range root.Commands() {
		if !c.IsAvailableCommand() || c.Name() == "help" {
			continue
		}
		if !strings.Contains(section, "meshgate "+c.Name()) {
			t.Errorf("README's command line lacks meshgate %s", c.Name())
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.Name == "help" {
				return
			}
			if f.Usage == "" {
				t.Errorf("%s --%s has no usage text", c.Name(), f.Name)
			}
			if !strings.Contains(section, "--"+f.Name) && (f.Shorthand == "" || !strings.Contains(section, "-"+f.Shorthand+" ")) {
				t.Errorf("README's command line lacks %s --%s", c.Name(), f.Name)
			}
		})
	}
	for _, flag := range longFlags(section) {
		if !anyCommandHas(root, flag) {
			t.Errorf("README's command line names %s, which no command has", flag)
		}
	}
}

// commandLineSection is the README's "## Command line" section.
func commandLineSection(t *testing.T, readme string) string {
	t.Helper()
	_, rest, ok := strings.Cut(readme, "\n## Command line\n")
	if !ok {
		t.Fatal("README.md has no \"## Command line\" section")
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}
