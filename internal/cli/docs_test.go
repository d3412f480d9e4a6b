package cli

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/finding"
)

// docFiles are the documents whose commands, flags, inputs and rules a
// test holds to the code.
func docFiles(t *testing.T) []string {
	t.Helper()
	root := repoRoot(t)
	files := []string{filepath.Join(root, "README.md"), filepath.Join(root, "CONTRIBUTING.md")}
	for _, pattern := range []string{"docs/*.md", "docs/rules/*.md"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	return files
}

// block is a fenced code block of a markdown file.
type block struct {
	file, lang string
	line       int // of its first line
	lines      []string
}

func codeBlocks(t *testing.T, file string) []block {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []block
	var cur *block
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if fence := strings.TrimLeft(l, " "); strings.HasPrefix(fence, "```") {
			if cur == nil {
				cur = &block{file: file, lang: strings.TrimPrefix(fence, "```"), line: n + 1}
			} else {
				out = append(out, *cur)
				cur = nil
			}
			continue
		}
		if cur != nil {
			cur.lines = append(cur.lines, l)
		}
	}
	return out
}

// commandUse matches a meshgate command line in code: the binary, `go run`
// of it, or a run: step.
var commandUse = regexp.MustCompile(`(?:^\s*(?:-\s+)?(?:run:\s+)?|<\(|\|\s*|&&\s*)(?:\./)?(?:meshgate|go run \./cmd/meshgate)\s+([a-z][a-z-]*)(.*)$`)

// commandLines are the meshgate command lines of the code blocks of file,
// each with its place.
func commandLines(t *testing.T, file string) (lines []string, where []string) {
	for _, b := range codeBlocks(t, file) {
		if b.lang == "text" {
			continue
		}
		for i, l := range b.lines {
			if b.lang == "yaml" && !strings.Contains(l, "run:") && !strings.HasPrefix(strings.TrimSpace(l), "meshgate ") {
				continue
			}
			if m := commandUse.FindStringSubmatch(l); m != nil {
				lines = append(lines, m[1]+m[2])
				where = append(where, filepath.Base(file)+":"+strconv.Itoa(b.line+i))
			}
		}
	}
	return lines, where
}

var flagToken = regexp.MustCompile(`(?:^|[\s\[|])(--[a-z][a-z0-9-]*|-[A-Za-z])\b`)

// TestDocsCommandsExist: every meshgate command in the docs' code exists,
// with every flag it is given.
func TestDocsCommandsExist(t *testing.T) {
	root := newRootCmd(Streams{})
	for _, file := range docFiles(t) {
		lines, where := commandLines(t, file)
		for i, l := range lines {
			name, rest, _ := strings.Cut(l, " ")
			cmd, _, err := root.Find([]string{name})
			if err != nil || cmd == root {
				t.Errorf("%s: meshgate %s: no such command", where[i], name)
				continue
			}
			rest, _, _ = strings.Cut(rest, "#")
			for _, m := range flagToken.FindAllStringSubmatch(rest, -1) {
				if !hasFlag(cmd, m[1]) {
					t.Errorf("%s: meshgate %s has no flag %s", where[i], name, m[1])
				}
			}
		}
	}
}

func hasFlag(cmd *cobra.Command, token string) bool {
	if long, ok := strings.CutPrefix(token, "--"); ok {
		return cmd.Flags().Lookup(long) != nil
	}
	return cmd.Flags().ShorthandLookup(strings.TrimPrefix(token, "-")) != nil
}

// longFlags are the --flags a text names.
func longFlags(text string) []string {
	var out []string
	for _, m := range flagToken.FindAllStringSubmatch(text, -1) {
		if strings.HasPrefix(m[1], "--") && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

func anyCommandHas(root *cobra.Command, flag string) bool {
	for _, c := range append(root.Commands(), root) {
		if hasFlag(c, flag) {
			return true
		}
	}
	return false
}

// TestDocsActionInputs: every input a workflow in the docs gives
// meshgate/meshgate is an input of action.yml.
func TestDocsActionInputs(t *testing.T) {
	inputs := inputNames(t)
	for _, file := range docFiles(t) {
		for _, b := range codeBlocks(t, file) {
			for i, l := range b.lines {
				if !strings.Contains(l, "uses: meshgate/meshgate@") {
					continue
				}
				for _, key := range withKeys(b.lines[i+1:]) {
					if !inputs[key] {
						t.Errorf("%s:%d: meshgate/meshgate has no input %q", filepath.Base(file), b.line+i, key)
					}
				}
			}
		}
	}
}

// withKeys are the keys of the with: map that follows a uses: line.
func withKeys(lines []string) []string {
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "with:" {
		return nil
	}
	indent := len(lines[0]) - len(strings.TrimLeft(lines[0], " "))
	var keys []string
	for _, l := range lines[1:] {
		if strings.TrimSpace(l) == "" || len(l)-len(strings.TrimLeft(l, " ")) <= indent {
			break
		}
		if k, _, ok := strings.Cut(strings.TrimSpace(l), ":"); ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// inputNames are action.yml's inputs.
func inputNames(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for k := range actionInputs(t) {
		out[strings.ToLower(strings.TrimPrefix(k, "INPUT_"))] = true
	}
	return out
}

var ruleToken = regexp.MustCompile("`((?:mesh|secret|render|ignore)-[a-z-]+)`")

// TestDocsRulesExist: every rule id the docs quote is a rule.
func TestDocsRulesExist(t *testing.T) {
	for _, file := range docFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ruleToken.FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(finding.RuleIDs, m[1]) && !isKnownNonRule(m[1]) {
				t.Errorf("%s quotes rule %q, which does not exist", filepath.Base(file), m[1])
			}
		}
	}
}

// isKnownNonRule: quoted words of that shape that are no rule ids.
func isKnownNonRule(s string) bool {
	return slices.Contains([]string{"render-only", "mesh-providers"}, s)
}

// TestDocsExamplesRun runs the example commands of the docs' sh blocks: the
// README's from the repository root, the others in a copy of the demo
// repository, as a reader in their own repository would. Each must run to
// a verdict (exit 0 or 1), never a usage or internal error.
func TestDocsExamplesRun(t *testing.T) {
	root := repoRoot(t)
	t.Setenv("MESHGATE_TODAY", "2026-11-25")
	for _, file := range docFiles(t) {
		for _, b := range codeBlocks(t, file) {
			if b.lang != "sh" {
				continue
			}
			for i, l := range b.lines {
				args := exampleArgs(l)
				if args == nil {
					continue
				}
				where := filepath.Base(file) + ":" + strconv.Itoa(b.line+i)
				t.Run(where, func(t *testing.T) {
					dir := root
					if filepath.Base(file) != "README.md" {
						dir = t.TempDir()
						if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "testdata", "demo"))); err != nil {
							t.Fatal(err)
						}
						if args[0] == "init" {
							os.Remove(filepath.Join(dir, ".meshgate.yaml"))
						}
					}
					t.Chdir(dir)
					code, _, stderr := runCLI(t, args...)
					if code != 0 && code != 1 {
						t.Errorf("%s: meshgate %s: exit %d\n%s", where, strings.Join(args, " "), code, stderr)
					}
				})
			}
		}
	}
}

// exampleArgs are the arguments of an example command line, nil when the
// line runs no meshgate command or names placeholders (REF, FILE...).
func exampleArgs(line string) []string {
	line, _, _ = strings.Cut(line, "#")
	line = strings.TrimSpace(line)
	for _, prefix := range []string{"source <(", "go run ./cmd/meshgate ", "meshgate "} {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			line = rest
			if prefix == "source <(" {
				line, _ = strings.CutSuffix(strings.TrimPrefix(line, "meshgate "), ")")
			}
			break
		} else if prefix == "meshgate " {
			return nil
		}
	}
	line, _, _ = strings.Cut(line, "|")
	line, _, _ = strings.Cut(line, ">")
	fields := strings.Fields(line)
	for _, f := range fields {
		if strings.ContainsAny(f, "$*") || f == strings.ToUpper(f) && strings.ToLower(f) != f {
			return nil
		}
	}
	return fields
}

var expectedLine = regexp.MustCompile(`^- (\S+) \| (\S+) \| (\S+) \| (\S+) \| (\S+) \| (\S+:\d+) \|`)

// TestDemoExpected holds testdata/demo/EXPECTED.md to the demo's report:
// every finding and exemption it lists, with its file and line, is in the
// golden JSON report, and it lists as many as the report has.
func TestDemoExpected(t *testing.T) {
	// shop-staging's three exemptions are listed as "the same three".
	checkExpected(t, "demo", "demo.json", 3)
}

// TestDriftDemoExpected does the same for testdata/drift-demo.
func TestDriftDemoExpected(t *testing.T) {
	checkExpected(t, "drift-demo", "drift-demo.json", 0)
}

// checkExpected holds testdata/DEMO/EXPECTED.md to the golden report; the
// report may have summarised more findings than the file lists.
func checkExpected(t *testing.T, demo, goldenFile string, summarised int) {
	t.Helper()
	root := repoRoot(t)
	rep, err := engine.ReadReport(filepath.Join(root, "testdata", "golden", goldenFile))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range append(rep.Findings, rep.Ignored...) {
		workload, container := "(none)", f.Container
		if f.Kind != "" {
			workload = f.Kind + "/" + f.Namespace + "/" + f.Name
		}
		if container == "" {
			container = `""`
		}
		have[strings.Join([]string{f.Environment, f.Rule, string(f.Severity), workload, container, f.File + ":" + strconv.Itoa(f.Line)}, " | ")] = true
	}
	b, err := os.ReadFile(filepath.Join(root, "testdata", demo, "EXPECTED.md"))
	if err != nil {
		t.Fatal(err)
	}
	listed := 0
	for i, l := range strings.Split(string(b), "\n") {
		m := expectedLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		listed++
		if key := strings.Join(m[1:], " | "); !have[key] {
			t.Errorf("%s/EXPECTED.md:%d: %s is not in the report", demo, i+1, key)
		}
	}
	if want := len(rep.Findings) + len(rep.Ignored) - summarised; listed != want {
		t.Errorf("%s/EXPECTED.md lists %d findings and exemptions, the report has %d (+%d summarised)", demo, listed, want, summarised)
	}
}

// foreignFlags are flags the docs quote alone of other tools (helm's
// --set and --include-crds).
var foreignFlags = []string{"--set", "--include-crds"}

var inlineCode = regexp.MustCompile("`([^`\n]+)`")

// TestDocsFlagsExist: every --flag the docs quote in inline code, alone or
// in a meshgate command, is a flag of some meshgate command, or of another
// tool named in foreignFlags. A span that is another tool's command line
// (`sha256sum --check`, `kube-webhook-certgen create --namespace`) is that
// tool's business.
func TestDocsFlagsExist(t *testing.T) {
	root := newRootCmd(Streams{})
	for _, file := range docFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, span := range inlineCode.FindAllStringSubmatch(string(b), -1) {
			if first, _, _ := strings.Cut(span[1], " "); !strings.HasPrefix(first, "-") && first != "meshgate" {
				continue
			}
			for _, flag := range longFlags(span[1]) {
				if !anyCommandHas(root, flag) && !slices.Contains(foreignFlags, flag) {
					t.Errorf("%s quotes %s in %q, which no meshgate command has", filepath.Base(file), flag, span[1])
				}
			}
		}
	}
}

// TestReadmeSampleOutput: the README's sample of the first command's output
// is made of lines of the demo's golden text report (durations aside), and
// its sample of what it says on stderr is that, whole.
func TestReadmeSampleOutput(t *testing.T) {
	root := repoRoot(t)
	gold, err := os.ReadFile(filepath.Join(root, "testdata", "golden", "demo.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(gold), "\n") {
		lines[durationMs.ReplaceAllString(l, "ms")] = true
	}
	var sample, stderr []string
	for _, b := range codeBlocks(t, filepath.Join(root, "README.md")) {
		if b.lang == "text" && len(b.lines) > 0 && strings.HasPrefix(b.lines[0], "prod (kustomize") {
			sample = b.lines
		}
		if b.lang == "text" && len(b.lines) > 0 && strings.HasPrefix(b.lines[0], "meshgate: ") {
			stderr = b.lines
		}
	}
	if want := strings.Split(strings.TrimSuffix(demoStderr, "\n"), "\n"); !slices.Equal(stderr, want) {
		t.Errorf("README's sample of the demo's stderr:\n%s\nwant:\n%s", strings.Join(stderr, "\n"), demoStderr)
	}
	if sample == nil {
		t.Fatal("README.md has no sample output of the demo's prod environment")
	}
	for _, l := range sample {
		if !lines[durationMs.ReplaceAllString(l, "ms")] {
			t.Errorf("README sample line is not in testdata/golden/demo.txt:\n%s", l)
		}
	}
}

var durationMs = regexp.MustCompile(`[0-9]+ms`)
