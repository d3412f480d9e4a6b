package action

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/publish"
	"github.com/meshgate/meshgate/internal/publish/githubtest"
	"github.com/meshgate/meshgate/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestMain fetches GitHub's API description and the webhook examples (npm
// pack into .cache/npm) before any test: without them the tests cannot
// mean anything, so a failure stops the run loudly.
func TestMain(m *testing.M) {
	if _, err := githubtest.LoadSpec(); err != nil {
		fmt.Fprintln(os.Stderr, "action tests:", err)
		os.Exit(1)
	}
	if _, err := githubtest.WebhookExample("push", ""); err != nil {
		fmt.Fprintln(os.Stderr, "action tests:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// The pull request of the webhook examples (Codertocat/Hello-World#2).
const (
	prOwner   = "Codertocat"
	prRepo    = "Hello-World"
	prNumber  = 2
	prHeadSHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
	prBaseSHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
	// secondSHA is the head after a push to the pull request's branch.
	secondSHA = "5f1a1e0a9b0c0d0e0f101112131415161718191a"
)

// harness runs the action's publishing the way the CLI does in a docker
// action: INPUT_* and GITHUB_* environment, file-command files, a fake API.
type harness struct {
	t      *testing.T
	srv    *githubtest.Server
	env    map[string]string
	stdout bytes.Buffer
	dir    string

	mu     sync.Mutex
	sleeps []time.Duration
}

func newHarness(t *testing.T, srv *githubtest.Server, repository, eventName, eventPath string) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, srv: srv, dir: dir}
	for _, f := range []string{"output", "summary"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h.env = map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_REPOSITORY":   repository,
		"GITHUB_EVENT_NAME":   eventName,
		"GITHUB_EVENT_PATH":   eventPath,
		"GITHUB_SHA":          "9999999999999999999999999999999999999999",
		"GITHUB_API_URL":      srv.URL,
		"GITHUB_SERVER_URL":   "https://github.com",
		"GITHUB_RUN_ID":       "4242",
		"GITHUB_RUN_ATTEMPT":  "1",
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
		"GITHUB_WORKSPACE":    "/github/workspace",
		"INPUT_GITHUB-TOKEN":  githubtest.Token,
		"INPUT_FAIL-ON":       "error",
		"INPUT_COMMENT":       "true",
		"INPUT_CHECK-RUN":     "true",
		"INPUT_CHECK-NAME":    "meshgate",
		"INPUT_JSON-FILE":     "meshgate-report.json",
	}
	return h
}

func (h *harness) getenv(k string) string { return h.env[k] }

func (h *harness) opts() publish.Options {
	return publish.Options{
		Sleep: func(ctx context.Context, d time.Duration) error {
			h.mu.Lock()
			h.sleeps = append(h.sleeps, d)
			h.mu.Unlock()
			return ctx.Err()
		},
		Jitter: func(time.Duration) time.Duration { return 0 },
		Now:    func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) },
	}
}

// load loads the run as the CLI does, with a fixed external id.
func (h *harness) load() *Run {
	h.t.Helper()
	r, err := Load(h.getenv, &h.stdout)
	if err != nil {
		h.t.Fatalf("Load: %v", err)
	}
	r.externalID = "meshgate/4242/1/test"
	return r
}

// run is one meshgate run: Start before rendering, Finish after.
func (h *harness) run(rep report.Report) publish.Result {
	h.t.Helper()
	return h.publish(rep, h.opts(), true)
}

// publish loads the run and publishes rep with opts, judged by the
// fail-on input; start is whether the check run is started first (meshgate
// publish does not).
func (h *harness) publish(rep report.Report, opts publish.Options, start bool) publish.Result {
	h.t.Helper()
	r := h.load()
	ctx := context.Background()
	pub := r.Publisher(opts)
	if start {
		if err := pub.Start(ctx); err != nil {
			h.t.Fatalf("Start: %v", err)
		}
	}
	res, err := r.Finish(ctx, pub, rep, publish.Gate{FailOn: r.Inputs.FailOn})
	if err != nil {
		h.t.Fatalf("Finish: %v", err)
	}
	return res
}

func (h *harness) file(name string) string {
	h.t.Helper()
	b, err := os.ReadFile(filepath.Join(h.dir, name))
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

// outputs parses GITHUB_OUTPUT (name<<DELIMITER value DELIMITER).
func (h *harness) outputs() map[string]string {
	h.t.Helper()
	out := map[string]string{}
	lines := strings.Split(h.file("output"), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

func (h *harness) assertNoTokenLeak() {
	h.t.Helper()
	h.srv.AssertNotSent(h.t, githubtest.Token)
	log := strings.Replace(h.stdout.String(), "::add-mask::"+githubtest.Token+"\n", "", 1)
	for what, s := range map[string]string{"log": log, "summary": h.file("summary"), "outputs": h.file("output")} {
		if strings.Contains(s, githubtest.Token) {
			h.t.Errorf("the token appears in the %s", what)
		}
	}
}

func newFinding(rule string, sev finding.Severity, env, kind, ns, name, container, subject, msg, file string, line int) finding.Finding {
	f := finding.Finding{Rule: rule, Severity: sev, Environment: env, Kind: kind, Namespace: ns, Name: name,
		Container: container, Subject: subject, Message: msg, File: file, Line: line}
	f.SetFingerprint()
	return f
}

func reportOf(envs []string, fs ...finding.Finding) report.Report {
	r := report.Report{Tool: report.Tool{Name: "meshgate", Version: "1.0.0-test"}}
	for _, e := range envs {
		r.Environments = append(r.Environments, report.Environment{Name: e, Source: "helm", Path: "charts/shop",
			Objects: 6, Workloads: 2, WorkloadIDs: []string{"Deployment/shop/cart", "Deployment/shop/web"}})
	}
	r.Findings = append([]finding.Finding(nil), fs...)
	r.Finalize()
	return r
}

// addedFile is the patch of a new file of n lines.
func addedFile(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "@@ -0,0 +1,%d @@", n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "\n+line %d", i)
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test -update refreshes it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func assertCounts(t *testing.T, srv *githubtest.Server, want map[string]int) {
	t.Helper()
	got := srv.CallCounts()
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if got[k] != want[k] {
			t.Errorf("%s: %d calls, want %d", k, got[k], want[k])
		}
	}
}

// ruleFix is the rule's fix, which an annotation's raw details carry.
func ruleFix(id string) string {
	for _, r := range check.Rules {
		if r.ID == id {
			return r.Fix
		}
	}
	return ""
}
