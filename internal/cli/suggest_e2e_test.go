package cli

// End-to-end tests of the suggested changes the Action posts: each one,
// applied to the files as GitHub's "Commit suggestion" button applies it,
// removes its gap when meshgate checks again, and adds none.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/publish/githubtest"
	"github.com/meshgate/meshgate/internal/report"
)

// TestE2ESuggestedChange: a pull request that writes the classic mistake
// (the injection switch as an annotation, in a namespace without an
// injection label) gets its inline comment with a suggested change that
// spans the lines it replaces; committing the suggestion fixes the gap.
func TestE2ESuggestedChange(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{Owner: e2eOwner, Repo: e2eRepo})
	ws := demoWorkspace(t, "")
	srv.AddPullRequest(githubtest.PullRequest{Number: e2ePR, HeadSHA: e2eHeadSHA, HeadRef: "changes", HeadOwner: e2eOwner,
		BaseSHA: e2eBaseSHA, Files: []githubtest.File{patchAdding(t, ws, "deploy/base/edge-proxy.yaml", 14, 19)}})
	step := newStep(t, srv, ws, e2eOwner+"/"+e2eRepo, "pull_request", prEvent(t, "opened", e2eHeadSHA, nil))

	res := runBinary(t, step)

	if res.code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	inline := srv.ReviewComments(e2ePR)
	assertEqual(t, "inline comments", spansOf(inline), []string{"deploy/base/edge-proxy.yaml:18-19 RIGHT " + e2eHeadSHA})
	if len(inline) == 1 {
		e2eGolden(t, "suggestion.inline.md", inline[0].Body)
	}
	if n := assertSuggestionsHold(t, ws, inline); n != 1 {
		t.Errorf("%d suggested changes, want 1", n)
	}
	step.assertNoLeaks(res)
}

// spansOf is inlineOf with each comment's first line when it spans more.
func spansOf(cs []githubtest.ReviewComment) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		lines := fmt.Sprint(c.Line)
		if c.StartLine > 0 {
			lines = fmt.Sprintf("%d-%d", c.StartLine, c.Line)
		}
		out[i] = fmt.Sprintf("%s:%s %s %s", c.Path, lines, c.Side, c.CommitID)
	}
	return out
}

var (
	suggestionOpen = regexp.MustCompile("\n(`{3,})suggestion\n")
	openMarkerRe   = regexp.MustCompile(`<!-- meshgate:fp=([0-9a-f]+) `)
)

// suggestionText is the text of a comment's suggested change, and
// whether it has one.
func suggestionText(body string) (string, bool) {
	m := suggestionOpen.FindStringSubmatchIndex(body)
	if m == nil {
		return "", false
	}
	fence := body[m[2]:m[3]]
	rest := body[m[1]:]
	if strings.HasPrefix(rest, fence+"\n") {
		return "", true
	}
	text, _, ok := strings.Cut(rest, "\n"+fence+"\n")
	return text + "\n", ok
}

// assertSuggestionsHold applies each suggested change of the comments to
// a copy of the workspace, as GitHub commits one (the comment's lines
// replaced by the block), checks the copy, and requires the gaps the
// comment names to be gone and no finding to be new. It returns how many
// suggestions it applied.
func assertSuggestionsHold(t *testing.T, ws string, comments []githubtest.ReviewComment) int {
	t.Helper()
	var known map[string]bool
	n := 0
	for _, c := range comments {
		text, ok := suggestionText(c.Body)
		if !ok {
			continue
		}
		if n++; known == nil {
			known = map[string]bool{}
			for _, f := range checkReport(t, ws).Findings {
				known[f.Fingerprint] = true
			}
		}
		dir := filepath.Join(t.TempDir(), "applied")
		copyTree(t, ws, dir)
		name := filepath.Join(dir, filepath.FromSlash(c.Path))
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(b), "\n")
		start := c.StartLine
		if start == 0 {
			start = c.Line
		}
		edited := strings.Join(lines[:start-1], "") + text + strings.Join(lines[c.Line:], "")
		if err := os.WriteFile(name, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		after := checkReport(t, dir)
		now := map[string]bool{}
		for _, f := range after.Findings {
			now[f.Fingerprint] = true
			if !known[f.Fingerprint] {
				t.Errorf("%s:%d: the suggestion adds %s %s in %s: %s", c.Path, c.Line, f.Rule, f.WorkloadID(), f.Environment, f.Message)
			}
		}
		for _, fp := range openMarkerRe.FindAllStringSubmatch(c.Body, -1) {
			if !known[fp[1]] || now[fp[1]] {
				t.Errorf("%s:%d: the suggestion leaves gap %s (known before: %v)", c.Path, c.Line, fp[1], known[fp[1]])
			}
		}
	}
	return n
}

// checkReport runs `meshgate check` on dir outside a workflow and reads
// its JSON report.
func checkReport(t *testing.T, dir string) report.Report {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.CommandContext(t.Context(), meshgateBinary(t), "check", "-C", dir, "--format", "json", "--output", out)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "MESHGATE_TODAY=" + e2eToday}
	if res := runProcess(t, cmd); res.code > 1 {
		t.Fatalf("check %s: exit %d\n%s", dir, res.code, res.stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := report.ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
