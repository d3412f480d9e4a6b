package cli

// End-to-end tests of the GitHub Action: the built binary runs the way the
// runner runs a docker action (INPUT_* and GITHUB_* environment, the
// file-command files, the workspace as working directory) against
// githubtest's fake API, which validates every request against GitHub's
// OpenAPI description and fails the test on any request that does not.
// The scenarios that the container must pass too (container_e2e_test.go)
// take the way the step is run as a parameter.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/publish/githubtest"
	"github.com/meshgate/meshgate/internal/report"
	"github.com/meshgate/meshgate/internal/testrepo"
)

const (
	// e2eVersion is stamped into the binary under test, so that the
	// report's footer does not follow the checkout's VCS state.
	e2eVersion = "0.0.0-e2e"
	// e2eToday pins the date exemptions are judged by (MESHGATE_TODAY).
	e2eToday = "2026-11-25"
	// e2eCanary is a Secret value planted in the workspace: it must reach
	// no output, no log and no request.
	e2eCanary = "CANARY-5f0c2a7e-meshgate-secret-value"
	// e2eRunID is GITHUB_RUN_ID; the check run's details URL names it.
	e2eRunID = "4242"

	// The pull request of the webhook examples: Codertocat/Hello-World#2.
	e2eOwner   = "Codertocat"
	e2eRepo    = "Hello-World"
	e2ePR      = 2
	e2eHeadSHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
	e2eBaseSHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
	// e2eSyncSHA is the pull request's head after a push to its branch.
	e2eSyncSHA = "5f1a1e0a9b0c0d0e0f101112131415161718191a"
	// e2eMainSHA is the commit pushed to main.
	e2eMainSHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
	// e2eMergeSHA is GITHUB_SHA of a pull_request run (the merge commit).
	e2eMergeSHA = "9999999999999999999999999999999999999999"
)

// e2eBinary is meshgate built once for the package's tests.
var e2eBinary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// TestMain removes the binary the end-to-end tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if e2eBinary.dir != "" {
		os.RemoveAll(e2eBinary.dir)
	}
	os.Exit(code)
}

// meshgateBinary builds ./cmd/meshgate once, as the Dockerfile does but for
// this machine.
func meshgateBinary(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	e2eBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "meshgate-e2e-")
		if err != nil {
			e2eBinary.err = err
			return
		}
		e2eBinary.dir = dir
		out := filepath.Join(dir, "meshgate")
		cmd := exec.Command("go", "build", "-o", out,
			"-ldflags", "-X github.com/meshgate/meshgate/internal/cli.version="+e2eVersion, "./cmd/meshgate")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			e2eBinary.err = fmt.Errorf("go build ./cmd/meshgate: %v\n%s", err, b)
			return
		}
		e2eBinary.path = out
	})
	if e2eBinary.err != nil {
		t.Fatal(e2eBinary.err)
	}
	return e2eBinary.path
}

// e2eStep is one run of the action as a workflow step: the workspace, the
// runner's temporary folders (mounted into a docker action at /github/...)
// and the environment GitHub gives the step, with paths on this machine.
type e2eStep struct {
	t   *testing.T
	srv *githubtest.Server
	// ws is GITHUB_WORKSPACE and the working directory.
	ws string
	// workflow holds event.json (/github/workflow), fileCommands the
	// output and summary files (/github/file_commands), home is HOME
	// (/github/home).
	workflow, fileCommands, home string
	env                          map[string]string
}

// The file-command files, named as the runner names them.
const (
	e2eOutputFile  = "set_output_5b0dcd4e-0cb8-4e8a-9e2f-4a3f0c4a1d11"
	e2eSummaryFile = "step_summary_5b0dcd4e-0cb8-4e8a-9e2f-4a3f0c4a1d11"
)

// newStep prepares a step of a workflow run by eventName with the payload
// in eventFile. Every input of action.yml is set with its default, as the
// runner does; a test changes them in env.
func newStep(t *testing.T, srv *githubtest.Server, ws, repository, eventName, eventFile string) *e2eStep {
	t.Helper()
	tmp := t.TempDir()
	s := &e2eStep{t: t, srv: srv, ws: ws,
		workflow:     filepath.Join(tmp, "_github_workflow"),
		fileCommands: filepath.Join(tmp, "_runner_file_commands"),
		home:         filepath.Join(tmp, "_github_home"),
	}
	for _, d := range []string{s.workflow, s.fileCommands, s.home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{e2eOutputFile, e2eSummaryFile} {
		if err := os.WriteFile(filepath.Join(s.fileCommands, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	payload, err := os.ReadFile(eventFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.workflow, "event.json"), payload, 0o644); err != nil {
		t.Fatal(err)
	}
	sha := e2eMergeSHA
	if eventName != "pull_request" {
		sha = e2eMainSHA
	}
	s.env = map[string]string{
		"CI":                  "true",
		"HOME":                s.home,
		"GITHUB_ACTIONS":      "true",
		"GITHUB_ACTION":       "__meshgate_meshgate",
		"GITHUB_WORKFLOW":     "meshgate",
		"GITHUB_JOB":          "meshgate",
		"GITHUB_EVENT_NAME":   eventName,
		"GITHUB_EVENT_PATH":   filepath.Join(s.workflow, "event.json"),
		"GITHUB_REPOSITORY":   repository,
		"GITHUB_SHA":          sha,
		"GITHUB_REF":          "refs/heads/main",
		"GITHUB_API_URL":      srv.URL,
		"GITHUB_SERVER_URL":   "https://github.com",
		"GITHUB_RUN_ID":       e2eRunID,
		"GITHUB_RUN_ATTEMPT":  "1",
		"GITHUB_WORKSPACE":    ws,
		"GITHUB_OUTPUT":       filepath.Join(s.fileCommands, e2eOutputFile),
		"GITHUB_STEP_SUMMARY": filepath.Join(s.fileCommands, e2eSummaryFile),
		"MESHGATE_TODAY":      e2eToday,
	}
	for k, v := range actionInputs(t) {
		s.env[k] = v
	}
	return s
}

// actionInputs are the INPUT_* variables the runner sets from action.yml:
// every input with its default, the token's `${{ github.token }}` being
// the fake's token.
func actionInputs(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Inputs map[string]struct {
			Default string `yaml:"default"`
		} `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	out := map[string]string{}
	for name, in := range a.Inputs {
		v := in.Default
		if v == "${{ github.token }}" {
			v = githubtest.Token
		}
		out["INPUT_"+strings.ToUpper(name)] = v
	}
	if len(out) == 0 {
		t.Fatal("action.yml declares no inputs")
	}
	return out
}

// environ is the step's environment: only what GitHub sets, and PATH.
func (s *e2eStep) environ() []string {
	out := []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range s.env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func (s *e2eStep) file(name string) string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.fileCommands, name))
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

func (s *e2eStep) summary() string { return s.file(e2eSummaryFile) }

// outputs parses the GITHUB_OUTPUT file (name<<DELIMITER, value, DELIMITER).
func (s *e2eStep) outputs() map[string]string {
	s.t.Helper()
	out := map[string]string{}
	lines := strings.Split(s.file(e2eOutputFile), "\n")
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

// e2eResult is what a step's process did.
type e2eResult struct {
	code           int
	stdout, stderr string
}

// e2eRunner runs meshgate with args as the step: the built binary here,
// the container image in container_e2e_test.go.
type e2eRunner func(t *testing.T, s *e2eStep, args ...string) e2eResult

// runBinary runs the built binary in the workspace with only the step's
// environment.
func runBinary(t *testing.T, s *e2eStep, args ...string) e2eResult {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), meshgateBinary(t), args...)
	cmd.Dir = s.ws
	cmd.Env = s.environ()
	return runProcess(t, cmd)
}

func runProcess(t *testing.T, cmd *exec.Cmd) e2eResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := e2eResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v\nstderr:\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	return res
}

// assertNoLeaks checks that neither the planted Secret value (plain or
// base64) nor the token reached a request, the log, the summary, the
// outputs or the files named. The token may appear once, in the
// ::add-mask:: command that hides it in the log.
func (s *e2eStep) assertNoLeaks(res e2eResult, files ...string) {
	s.t.Helper()
	texts := map[string]string{
		"stdout":  strings.Replace(res.stdout, "::add-mask::"+githubtest.Token+"\n", "", 1),
		"stderr":  res.stderr,
		"summary": s.summary(),
		"outputs": s.file(e2eOutputFile),
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			s.t.Fatal(err)
		}
		texts[f] = string(b)
	}
	for _, needle := range []string{e2eCanary, base64.StdEncoding.EncodeToString([]byte(e2eCanary)), githubtest.Token} {
		s.srv.AssertNotSent(s.t, needle)
		for what, text := range texts {
			if strings.Contains(text, needle) {
				s.t.Errorf("%q appears in %s", needle, what)
			}
		}
	}
}

// timingLine is the one line a check in a workflow writes to stderr.
var timingLine = regexp.MustCompile(`^meshgate: checked ([0-9]+) environment\(s\), ([0-9]+) workloads in [0-9.]+[µm]?s( \(slowest: [a-z-]+, [0-9]+ ms\))?\n$`)

// assertTiming checks that stderr is the timing line of a check of envs
// environments with workloads workloads, and nothing else.
func assertTiming(t *testing.T, res e2eResult, envs, workloads int) {
	t.Helper()
	m := timingLine.FindStringSubmatch(res.stderr)
	if m == nil || m[1] != fmt.Sprint(envs) || m[2] != fmt.Sprint(workloads) || (envs > 1) != (m[3] != "") {
		t.Errorf("stderr:\n%s\nwant the timing line of %d environments, %d workloads", res.stderr, envs, workloads)
	}
}

// assertDemoTiming checks that stderr is what a check of the demo says
// before it checks (demoStderr: its GitOps environments), then the timing
// line of its 6 environments and 26 workloads.
func assertDemoTiming(t *testing.T, res e2eResult) {
	t.Helper()
	rest, ok := strings.CutPrefix(res.stderr, demoStderr)
	if !ok {
		t.Errorf("stderr:\n%s\nwant it to start with:\n%s", res.stderr, demoStderr)
		return
	}
	res.stderr = rest
	assertTiming(t, res, 7, 27)
}

// durationsRe matches the timings of the text report and the log groups;
// secondsRe those of a second or more ("1.2s", report.duration's form), so
// a slow machine does not change the golden.
var (
	durationsRe = regexp.MustCompile(`\b[0-9]+( ?)ms\b`)
	secondsRe   = regexp.MustCompile(`\b[0-9]+\.[0-9]s\b`)
)

// logOf is a step's stdout with timings zeroed, for golden files.
func logOf(res e2eResult) []byte {
	out := secondsRe.ReplaceAllString(res.stdout, "0ms")
	return []byte(durationsRe.ReplaceAllString(out, "0${1}ms"))
}

func e2eGolden(t *testing.T, name, got string) {
	t.Helper()
	golden(t, filepath.Join("testdata", "e2e", name), []byte(got))
}

// copyTree copies the files of src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// demoWorkspace is a copy of testdata/demo in a folder named like a
// checkout (under sub, "" for the root) with a Secret value planted in a
// helm template (data and stringData) and in a kustomize secretGenerator
// file.
func demoWorkspace(t *testing.T, sub string) string {
	t.Helper()
	ws := filepath.Join(t.TempDir(), e2eRepo)
	demo := filepath.Join(ws, filepath.FromSlash(sub))
	copyTree(t, filepath.Join(repoRoot(t), "testdata", "demo"), demo)
	testrepo.Write(t, demo, map[string]string{
		"charts/shop/templates/canary-secret.yaml": `apiVersion: v1
kind: Secret
metadata:
  name: {{ include "shop.fullname" . }}-canary
type: Opaque
stringData:
  api-token: ` + e2eCanary + `
data:
  password: ` + base64.StdEncoding.EncodeToString([]byte(e2eCanary)) + `
`,
		"deploy/overlays/prod/secrets/session-key.txt": e2eCanary + "\n",
	})
	return ws
}

// patchAdding is a pull request file whose patch adds lines from..to of the
// workspace's file (as they are now).
func patchAdding(t *testing.T, ws, name string, from, to int) githubtest.File {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ws, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var p strings.Builder
	fmt.Fprintf(&p, "@@ -%d,0 +%d,%d @@", from-1, from, to-from+1)
	for _, l := range lines[from-1 : to] {
		p.WriteString("\n+" + l)
	}
	return githubtest.File{Filename: name, Status: "modified", Patch: p.String()}
}

// demoPullRequest makes the fake know pull request #2, whose diff adds the
// demo's failing lines of payments (secret-key-missing at 40,
// secret-missing at 43) and checkout (mesh-annotation at 17).
func demoPullRequest(t *testing.T, srv *githubtest.Server, ws string) {
	files := []githubtest.File{
		patchAdding(t, ws, "charts/shop/templates/checkout.yaml", 15, 20),
		patchAdding(t, ws, "deploy/base/payments.yaml", 38, 45),
	}
	srv.AddPullRequest(githubtest.PullRequest{Number: e2ePR, HeadSHA: e2eHeadSHA, HeadRef: "changes", HeadOwner: e2eOwner,
		BaseSHA: e2eBaseSHA, Files: files})
}

// e2eNoBaseWarning is the warning of a pull request run whose base commit
// the fake does not serve (the demo's scenarios: they judge every gap, and
// the comment compares with the last run).
const e2eNoBaseWarning = "::warning title=meshgate::cannot check the pull request's base commit (f95f852bd8fc: " +
	"GitHub answered 404 Not Found to the archive request: the token needs contents: read (list it in the workflow's permissions: block), " +
	"or the commit is gone); findings are not marked new or existing"

// prEvent is the pull_request webhook example of action at head sha.
func prEvent(t *testing.T, action, sha string, edit func(map[string]any)) string {
	return githubtest.EventFile(t, "pull_request", action, func(p map[string]any) {
		githubtest.Set(p, "pull_request.head.sha", sha)
		if edit != nil {
			edit(p)
		}
	})
}

// demoAnnotations are the check run annotations of the demo's 17 findings
// (level, path:line, title), in report order.
var demoAnnotations = []string{
	"failure charts/shop/templates/ingress.yaml:14 meshgate render-error (broken)",
	"failure clusters/apps/orders/deployment.yaml:34 meshgate secret-missing (orders)",
	"notice clusters/apps/orders/metrics.yaml:17 meshgate gitops-not-rendered (orders)",
	"failure deploy/base/edge-proxy.yaml:19 meshgate mesh-injection (prod)",
	"failure deploy/base/ratelimit.yaml:15 meshgate mesh-injection (prod)",
	"notice deploy/base/frontend.yaml:42 meshgate secret-missing (prod)",
	"warning deploy/base/payments.yaml:17 meshgate mesh-annotation (prod)",
	"failure deploy/base/payments.yaml:40 meshgate secret-key-missing (prod)",
	"failure deploy/base/payments.yaml:43 meshgate secret-missing (prod)",
	"failure charts/shop/templates/cart.yaml:13 meshgate mesh-injection (shop-canary)",
	"failure charts/shop/templates/checkout.yaml:13 meshgate mesh-injection (shop-canary)",
	"failure charts/shop/charts/redis/templates/deployment.yaml:15 meshgate mesh-injection (shop-canary)",
	"warning charts/shop/templates/db-migrate.yaml:14 meshgate mesh-injection (shop-canary)",
	"failure charts/shop/templates/catalog.yaml:14 meshgate mesh-injection (shop-canary)",
	"failure charts/shop/templates/checkout.yaml:17 meshgate mesh-annotation (shop-prod)",
	"warning .meshgate.yaml:83 meshgate ignore-expired (shop-prod)",
	"warning charts/shop/templates/db-migrate.yaml:14 meshgate mesh-job-sidecar (shop-prod)",
	"failure charts/shop/templates/catalog.yaml:50 meshgate mesh-env (shop-prod)",
	"notice deploy/base/frontend.yaml:42 meshgate secret-missing (staging)",
}

// withPrefix is demoAnnotations with the paths under prefix.
func withPrefix(prefix string, anns []string) []string {
	out := make([]string, len(anns))
	for i, a := range anns {
		level, rest, _ := strings.Cut(a, " ")
		out[i] = level + " " + prefix + rest
	}
	return out
}

func annotationsOf(cr githubtest.CheckRun) []string {
	out := make([]string, len(cr.Annotations))
	for i, a := range cr.Annotations {
		out[i] = fmt.Sprintf("%s %s:%d %s", a.Level, a.Path, a.StartLine, a.Title)
		if a.EndLine != a.StartLine {
			out[i] += fmt.Sprintf(" (to line %d)", a.EndLine)
		}
	}
	return out
}

func inlineOf(cs []githubtest.ReviewComment) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%s:%d %s %s", c.Path, c.Line, c.Side, c.CommitID)
	}
	return out
}

// assertCalls compares the fake's calls (since before, when not nil) with
// want, operation by operation.
func assertCalls(t *testing.T, srv *githubtest.Server, before, want map[string]int) {
	t.Helper()
	got := srv.CallCounts()
	for k, v := range before {
		got[k] -= v
		if got[k] == 0 {
			delete(got, k)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("API calls:\n got %v\nwant %v", got, want)
	}
}

func assertEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}

// checkRunBodies decodes the check run create and update requests.
func checkRunBodies(t *testing.T, srv *githubtest.Server, op string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range srv.Requests(op) {
		var m map[string]any
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatalf("%s body: %v", op, err)
		}
		out = append(out, m)
	}
	return out
}

// demoOutputs are the step outputs of the demo with fail-on error.
func demoOutputs(reportPath string) map[string]string {
	return map[string]string{"result": "fail", "findings": "19", "errors": "12", "warnings": "4", "report": reportPath}
}

// scenarioPullRequestOpened: the check run goes in_progress before the
// environments render and completes as a failure with the 14 annotations;
// one sticky comment; one review with an inline comment on each changed
// line that defines a failing workload; exit 1.
func scenarioPullRequestOpened(t *testing.T, runStep e2eRunner) (*githubtest.Server, string) {
	srv := githubtest.NewServer(t, githubtest.Options{Owner: e2eOwner, Repo: e2eRepo})
	ws := demoWorkspace(t, "")
	demoPullRequest(t, srv, ws)
	step := newStep(t, srv, ws, e2eOwner+"/"+e2eRepo, "pull_request", prEvent(t, "opened", e2eHeadSHA, nil))

	res := runStep(t, step)

	if res.code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	assertDemoTiming(t, res)
	assertCalls(t, srv, nil, map[string]int{
		"POST checks/create":                 1,
		"GET pulls/list-files":               1,
		"GET repos/download-tarball-archive": 1,
		"GET pulls/list-review-comments":     1,
		"POST pulls/create-review":           1,
		"PATCH checks/update":                1,
		"GET issues/list-comments":           1,
		"POST issues/create-comment":         1,
	})
	if first := srv.Requests("")[0]; first.OperationID != "checks/create" {
		t.Errorf("first call %s, want checks/create before rendering", first.OperationID)
	}
	create := checkRunBodies(t, srv, "checks/create")[0]
	if create["status"] != "in_progress" || create["head_sha"] != e2eHeadSHA || create["name"] != "meshgate" ||
		create["details_url"] != "https://github.com/Codertocat/Hello-World/actions/runs/"+e2eRunID {
		t.Errorf("check run created as %v", create)
	}
	runs := srv.CheckRuns()
	if len(runs) != 1 {
		t.Fatalf("%d check runs, want 1", len(runs))
	}
	cr := runs[0]
	assertEqual(t, "check run", [5]string{cr.Name, cr.HeadSHA, cr.Status, cr.Conclusion, cr.Title},
		[5]string{"meshgate", e2eHeadSHA, "completed", "failure", "18 gaps in 6 of 7 environments"})
	assertEqual(t, "annotations", annotationsOf(cr), demoAnnotations)
	assertEqual(t, "annotations per PATCH", cr.AnnotationsPerUpdate, []int{19})
	e2eGolden(t, "pr-opened.check-summary.md", cr.Summary)
	e2eGolden(t, "pr-opened.check-text.md", cr.Text)

	comments := srv.IssueComments(e2ePR)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	e2eGolden(t, "pr-opened.comment.md", comments[0].Body)

	reviews := srv.Reviews(e2ePR)
	if len(reviews) != 1 || reviews[0].CommitID != e2eHeadSHA || reviews[0].Body != "meshgate found 3 gaps on lines this pull request changes." {
		t.Errorf("reviews = %+v", reviews)
	}
	inline := srv.ReviewComments(e2ePR)
	assertEqual(t, "inline comments", inlineOf(inline), []string{
		"charts/shop/templates/checkout.yaml:17 RIGHT " + e2eHeadSHA,
		"deploy/base/payments.yaml:40 RIGHT " + e2eHeadSHA,
		"deploy/base/payments.yaml:43 RIGHT " + e2eHeadSHA,
	})
	for i, c := range inline {
		e2eGolden(t, fmt.Sprintf("pr-opened.inline-%d.md", i+1), c.Body)
	}
	assertSuggestionsHold(t, ws, inline)

	assertEqual(t, "outputs", step.outputs(), demoOutputs(""))
	e2eGolden(t, "pr-opened.summary.md", step.summary())
	e2eGolden(t, "pr-opened.log.txt", string(logOf(res)))
	step.assertNoLeaks(res)
	return srv, ws
}

// scenarioPush: the release gate on main: a check run on the pushed
// commit, the summary, exit 1.
func scenarioPush(t *testing.T, runStep e2eRunner) {
	srv := githubtest.NewServer(t, githubtest.Options{Owner: e2eOwner, Repo: e2eRepo})
	ws := demoWorkspace(t, "")
	ev := githubtest.EventFile(t, "push", "", func(p map[string]any) {
		githubtest.Set(p, "ref", "refs/heads/main")
		githubtest.Set(p, "after", e2eMainSHA)
	})
	step := newStep(t, srv, ws, e2eOwner+"/"+e2eRepo, "push", ev)

	res := runStep(t, step)

	if res.code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	assertDemoTiming(t, res)
	assertCalls(t, srv, nil, map[string]int{"POST checks/create": 1, "PATCH checks/update": 1})
	runs := srv.CheckRuns()
	if len(runs) != 1 {
		t.Fatalf("%d check runs, want 1", len(runs))
	}
	assertEqual(t, "check run", [4]string{runs[0].HeadSHA, runs[0].Status, runs[0].Conclusion, runs[0].Title},
		[4]string{e2eMainSHA, "completed", "failure", "18 gaps in 6 of 7 environments"})
	assertEqual(t, "annotations", annotationsOf(runs[0]), demoAnnotations)
	assertEqual(t, "outputs", step.outputs(), demoOutputs(""))
	e2eGolden(t, "push.summary.md", step.summary())
	step.assertNoLeaks(res)
}

func TestE2EPullRequestOpenedThenSynchronized(t *testing.T) {
	srv, ws := scenarioPullRequestOpened(t, runBinary)
	if t.Failed() {
		return
	}

	// The author fixes the typo in the prod ExternalSecret's target name,
	// which payments' envFrom (payments.yaml:43) reads, and pushes: the same
	// pull request, a new head, the fake's state kept.
	externalSecret := filepath.Join(ws, "deploy", "overlays", "prod", "payments-stripe.externalsecret.yaml")
	b, err := os.ReadFile(externalSecret)
	if err != nil {
		t.Fatal(err)
	}
	fixed := strings.Replace(string(b), "    name: payment-stripe\n", "    name: payments-stripe\n", 1)
	if fixed == string(b) {
		t.Fatal("the target name to fix was not found in " + externalSecret)
	}
	if err := os.WriteFile(externalSecret, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	srv.SetPullRequestHead(e2ePR, e2eSyncSHA, []githubtest.File{
		patchAdding(t, ws, "charts/shop/templates/checkout.yaml", 15, 20),
		patchAdding(t, ws, "deploy/base/payments.yaml", 38, 45),
	})
	before := srv.CallCounts()
	step := newStep(t, srv, ws, e2eOwner+"/"+e2eRepo, "pull_request", prEvent(t, "synchronize", e2eSyncSHA, nil))

	res := runBinary(t, step)

	if res.code != 1 {
		t.Errorf("exit code %d, want 1 (11 errors remain); stderr:\n%s", res.code, res.stderr)
	}
	assertDemoTiming(t, res)
	// The second run edits the sticky comment and the fixed gap's inline
	// comment, and creates nothing but its check run.
	assertCalls(t, srv, before, map[string]int{
		"POST checks/create":                 1,
		"GET pulls/list-files":               1,
		"GET repos/download-tarball-archive": 1,
		"GET pulls/list-review-comments":     1,
		"PATCH pulls/update-review-comment":  1,
		"PATCH checks/update":                1,
		"GET issues/list-comments":           1,
		"PATCH issues/update-comment":        1,
	})
	comments := srv.IssueComments(e2ePR)
	if len(comments) != 1 || comments[0].Edits != 1 {
		t.Fatalf("comments = %+v, want one, edited once", comments)
	}
	if want := "### ❌ meshgate: 17 gaps in 6 of 7 environments · since the last run: 0 new, 1 fixed\n"; !strings.Contains(comments[0].Body, want) {
		t.Errorf("the comment does not say %q", want)
	}
	e2eGolden(t, "pr-synchronize.comment.md", comments[0].Body)

	if n := len(srv.Reviews(e2ePR)); n != 1 {
		t.Errorf("%d reviews, want still 1", n)
	}
	inline := srv.ReviewComments(e2ePR)
	if len(inline) != 3 {
		t.Fatalf("%d inline comments, want 3", len(inline))
	}
	assertEqual(t, "inline comment edits", []int{inline[0].Edits, inline[1].Edits, inline[2].Edits}, []int{0, 0, 1})
	if !strings.Contains(inline[2].Body, "✅ fixed in 5f1a1e0 <!-- meshgate:fixed=") || strings.Contains(inline[2].Body, "<!-- meshgate:fp=") {
		t.Errorf("the fixed gap's comment is not marked fixed:\n%s", inline[2].Body)
	}
	e2eGolden(t, "pr-synchronize.inline-fixed.md", inline[2].Body)

	runs := srv.CheckRuns()
	if len(runs) != 2 {
		t.Fatalf("%d check runs, want 2", len(runs))
	}
	assertEqual(t, "second check run", [4]string{runs[1].HeadSHA, runs[1].Conclusion, runs[1].Title, fmt.Sprint(len(runs[1].Annotations))},
		[4]string{e2eSyncSHA, "failure", "17 gaps in 6 of 7 environments · since the last run: 0 new, 1 fixed", "18"})
	assertEqual(t, "outputs", step.outputs(), map[string]string{"result": "fail", "findings": "18", "errors": "11", "warnings": "4", "report": ""})
	step.assertNoLeaks(res)
}

func TestE2EPushToMain(t *testing.T) {
	scenarioPush(t, runBinary)
}

// TestE2EWorkflowDispatchAudit runs the README's audit: fail-on never, a
// JSON and a SARIF file, with the demo in a subfolder of the repository
// (working-directory), so that paths for GitHub are repository-relative
// while the JSON report's stay relative to working-directory.
func TestE2EWorkflowDispatchAudit(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{})
	ws := demoWorkspace(t, "testdata/demo")
	step := newStep(t, srv, ws, "octo-org/octo-repo", "workflow_dispatch", githubtest.EventFile(t, "workflow_dispatch", "", nil))
	step.env["INPUT_WORKING-DIRECTORY"] = "testdata/demo"
	step.env["INPUT_FAIL-ON"] = "never"
	step.env["INPUT_JSON-FILE"] = "reports/meshgate.json"
	step.env["INPUT_SARIF-FILE"] = "reports/meshgate.sarif"

	res := runBinary(t, step)

	if res.code != 0 {
		t.Errorf("exit code %d, want 0 (fail-on never); stderr:\n%s", res.code, res.stderr)
	}
	assertDemoTiming(t, res)
	assertCalls(t, srv, nil, map[string]int{"POST checks/create": 1, "PATCH checks/update": 1})
	runs := srv.CheckRuns()
	if len(runs) != 1 {
		t.Fatalf("%d check runs, want 1", len(runs))
	}
	assertEqual(t, "check run", [3]string{runs[0].HeadSHA, runs[0].Conclusion, runs[0].Title},
		[3]string{e2eMainSHA, "neutral", "18 gaps in 6 of 7 environments"})
	assertEqual(t, "annotations", annotationsOf(runs[0]), withPrefix("testdata/demo/", demoAnnotations))
	assertEqual(t, "outputs", step.outputs(),
		map[string]string{"result": "pass", "findings": "19", "errors": "12", "warnings": "4", "report": "reports/meshgate.json"})
	e2eGolden(t, "dispatch.summary.md", step.summary())

	// The JSON report: paths relative to working-directory, as meshgate
	// publish (which applies working-directory again) expects.
	jsonFile := filepath.Join(ws, "reports", "meshgate.json")
	f, err := os.Open(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.ReadJSON(f)
	f.Close()
	if err != nil {
		t.Fatalf("the JSON report does not parse: %v", err)
	}
	assertEqual(t, "JSON summary", rep.Summary, report.Summary{Environments: 7, Workloads: 27, Findings: 19, Errors: 12, Warnings: 4, Notices: 3, Ignored: 9})
	var jsonFiles []string
	for _, f := range rep.Findings {
		jsonFiles = append(jsonFiles, fmt.Sprintf("%s:%d", f.File, f.Line))
	}
	var wantFiles []string
	for _, a := range demoAnnotations {
		wantFiles = append(wantFiles, strings.Fields(a)[1])
	}
	assertEqual(t, "JSON report locations", jsonFiles, wantFiles)

	// The SARIF file: results located relative to the repository root,
	// where code scanning resolves %SRCROOT%.
	sarifFile := filepath.Join(ws, "reports", "meshgate.sarif")
	b, err := os.ReadFile(sarifFile)
	if err != nil {
		t.Fatal(err)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name    string `json:"name"`
					Version string `json:"version"`
					Rules   []any  `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Suppressions        []any             `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &sarif); err != nil {
		t.Fatalf("the SARIF file does not parse: %v", err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || sarif.Runs[0].Tool.Driver.Name != "meshgate" || len(sarif.Runs[0].Tool.Driver.Rules) == 0 {
		t.Fatalf("SARIF log: version %q, %d runs", sarif.Version, len(sarif.Runs))
	}
	// The findings, then the exemptions as suppressed results.
	var sarifLocs []string
	for _, r := range sarif.Runs[0].Results {
		if len(r.Locations) != 1 || len(r.PartialFingerprints) != 1 {
			t.Errorf("result %s: %d locations, %d fingerprints", r.RuleID, len(r.Locations), len(r.PartialFingerprints))
			continue
		}
		loc := r.Locations[0].PhysicalLocation
		l := fmt.Sprintf("%s %s:%d %s", r.Level, loc.ArtifactLocation.URI, loc.Region.StartLine, loc.ArtifactLocation.URIBaseID)
		if len(r.Suppressions) > 0 {
			l += " suppressed"
		}
		sarifLocs = append(sarifLocs, l)
	}
	var wantLocs []string
	for _, a := range demoAnnotations {
		fields := strings.Fields(a)
		level := map[string]string{"failure": "error", "warning": "warning", "notice": "note"}[fields[0]]
		wantLocs = append(wantLocs, level+" testdata/demo/"+fields[1]+" %SRCROOT%")
	}
	for range 3 {
		// The CronJob opts out through sidecar.istio.io/inject: "false", a
		// notice (mesh.optOut) since issue 10; in shop-canary, shop-prod and
		// shop-staging.
		wantLocs = append(wantLocs,
			"note testdata/demo/charts/shop/templates/cronjob.yaml:19 %SRCROOT% suppressed",
			"error testdata/demo/charts/shop/charts/redis/templates/deployment.yaml:15 %SRCROOT% suppressed",
			"error testdata/demo/charts/shop/charts/redis/templates/deployment.yaml:24 %SRCROOT% suppressed")
	}
	assertEqual(t, "SARIF results", sarifLocs, wantLocs)
	step.assertNoLeaks(res, jsonFile, sarifFile)
}

// TestE2EForkPullRequest: a fork's read-only token is refused every write;
// the findings go to the log as workflow commands and to the summary, one
// warning names the missing permissions, and the exit code is fail-on's.
func TestE2EForkPullRequest(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{Owner: e2eOwner, Repo: e2eRepo})
	srv.Inject(githubtest.ReadOnly())
	ws := demoWorkspace(t, "")
	demoPullRequest(t, srv, ws)
	ev := prEvent(t, "opened", e2eHeadSHA, func(p map[string]any) {
		githubtest.Set(p, "pull_request.head.repo.full_name", "forker/Hello-World")
	})
	step := newStep(t, srv, ws, e2eOwner+"/"+e2eRepo, "pull_request", ev)

	res := runBinary(t, step)

	if res.code != 1 {
		t.Errorf("exit code %d, want 1 (fail-on error); stderr:\n%s", res.code, res.stderr)
	}
	assertDemoTiming(t, res)
	// Each write is tried once: the refusal is not retried, and the check
	// run refused at the start is not asked for again.
	assertCalls(t, srv, nil, map[string]int{
		"POST checks/create":                 1,
		"GET pulls/list-files":               1,
		"GET repos/download-tarball-archive": 1,
		"GET pulls/list-review-comments":     1,
		"POST pulls/create-review":           1,
		"GET issues/list-comments":           1,
		"POST issues/create-comment":         1,
	})
	if n := len(srv.CheckRuns()) + len(srv.IssueComments(e2ePR)) + len(srv.Reviews(e2ePR)); n != 0 {
		t.Errorf("%d objects written with a read-only token", n)
	}
	var commands []string
	for _, l := range strings.Split(res.stdout, "\n") {
		if strings.HasPrefix(l, "::error ") || strings.HasPrefix(l, "::warning ") || strings.HasPrefix(l, "::notice ") {
			// A finding's command up to its title; others whole.
			if cmd, _, ok := strings.Cut(l, ",title=meshgate "); ok {
				l = cmd
			}
			commands = append(commands, l)
		}
	}
	var wantCommands []string
	for _, a := range demoAnnotations {
		fields := strings.Fields(a)
		level := map[string]string{"failure": "error", "warning": "warning", "notice": "notice"}[fields[0]]
		file, line, _ := strings.Cut(fields[1], ":")
		wantCommands = append(wantCommands, "::"+level+" file="+file+",line="+line)
	}
	wantCommands = append([]string{e2eNoBaseWarning}, wantCommands...)
	wantCommands = append(wantCommands, "::warning title=meshgate::meshgate could not publish to GitHub: the token lacks checks: write and pull-requests: write (add it to the workflow's permissions: block). Pull requests from forks get a read-only token; publish their reports from a workflow_run workflow (see the README). The findings are annotated with workflow commands and listed in the job summary instead.")
	assertEqual(t, "workflow commands", commands, wantCommands)
	if n := strings.Count(res.stdout, "the token lacks"); n != 1 {
		t.Errorf("the missing permissions are named %d times in the log, want once", n)
	}
	e2eGolden(t, "fork.log.txt", string(logOf(res)))
	assertEqual(t, "outputs", step.outputs(), demoOutputs(""))
	summary := step.summary()
	if n := strings.Count(summary, "the token lacks checks: write and pull-requests: write"); n != 1 {
		t.Errorf("the summary names the missing permissions %d times, want once", n)
	}
	e2eGolden(t, "fork.summary.md", summary)
	step.assertNoLeaks(res)
}

// TestE2EFlakyAPI: 502s (two of them after the write landed), then a
// secondary rate limit: every call is retried or checked, and nothing is
// written twice. This one runs in process, through Run with the step's
// environment, because the retry waits are real seconds in the binary
// and only publish.Options can shorten them (retryWait records them
// instead); everything else is the binary's path.
func TestE2EFlakyAPI(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{Owner: e2eOwner, Repo: e2eRepo})
	srv.Inject(githubtest.Fault{Operation: "checks/create", Times: 1, Status: 502, Apply: true})
	srv.Inject(githubtest.BadGateway("pulls/list-files", 2))
	srv.Inject(githubtest.Fault{Operation: "issues/create-comment", Times: 1, Status: 502, Apply: true})
	srv.Inject(githubtest.SecondaryRateLimit("checks/update", 1, "3"))
	ws := demoWorkspace(t, "")
	demoPullRequest(t, srv, ws)
	step := newStep(t, srv, ws, e2eOwner+"/"+e2eRepo, "pull_request", prEvent(t, "opened", e2eHeadSHA, nil))

	var mu sync.Mutex
	var sleeps []time.Duration
	old := retryWait
	retryWait.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		sleeps = append(sleeps, d)
		mu.Unlock()
		return ctx.Err()
	}
	retryWait.jitter = func(time.Duration) time.Duration { return 0 }
	t.Cleanup(func() { retryWait = old })
	t.Chdir(ws)
	var stdout, stderr bytes.Buffer
	code := Run(t.Context(), nil, func(k string) string { return step.env[k] }, strings.NewReader(""), &stdout, &stderr)
	res := e2eResult{code: code, stdout: stdout.String(), stderr: stderr.String()}

	if res.code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	assertDemoTiming(t, res)
	assertCalls(t, srv, nil, map[string]int{
		"POST checks/create":                 1,
		"GET checks/list-for-ref":            1, // finds the create whose answer was lost
		"GET pulls/list-files":               3,
		"GET repos/download-tarball-archive": 1,
		"GET pulls/list-review-comments":     1,
		"POST pulls/create-review":           1,
		"PATCH checks/update":                2, // the rate-limited PATCH, applied once
		"GET issues/list-comments":           2, // before, and to find the lost create
		"POST issues/create-comment":         1,
	})
	runs := srv.CheckRuns()
	if len(runs) != 1 {
		t.Fatalf("%d check runs, want 1", len(runs))
	}
	assertEqual(t, "annotations", annotationsOf(runs[0]), demoAnnotations)
	assertEqual(t, "annotations per PATCH", runs[0].AnnotationsPerUpdate, []int{19})
	if runs[0].Conclusion != "failure" {
		t.Errorf("conclusion %q", runs[0].Conclusion)
	}
	if n := len(srv.IssueComments(e2ePR)); n != 1 {
		t.Errorf("%d comments, want 1", n)
	}
	if n := len(srv.ReviewComments(e2ePR)); n != 3 {
		t.Errorf("%d inline comments, want 3", n)
	}
	// 1s before looking for the lost check run, backoff 1s and 2s for the
	// failing reads, Retry-After 3s, 1s before looking for the lost comment.
	assertEqual(t, "waits", sleeps, []time.Duration{time.Second, time.Second, 2 * time.Second, 3 * time.Second, time.Second})
	for _, l := range strings.Split(res.stdout, "\n") {
		if strings.HasPrefix(l, "::warning") && l != e2eNoBaseWarning {
			t.Errorf("publishing problem reported: %s", l)
		}
	}
	assertEqual(t, "outputs", step.outputs(), demoOutputs(""))
	step.assertNoLeaks(res)
}

// fleetWorkspace is a repository whose one kustomize environment has n
// Deployments in a namespace without an injection label. With require,
// each also misses 5 annotations and, in each of 2 containers, 3 env vars:
// 12 findings per workload instead of 1.
func fleetWorkspace(t *testing.T, n int, require bool) string {
	t.Helper()
	ws := filepath.Join(t.TempDir(), "fleet")
	cfg := `environments:
  - name: fleet
    kustomize:
      path: deploy/fleet
    namespace: fleet
mesh:
  provider: istio
`
	if require {
		cfg += `  require:
    annotations:
      proxy.istio.io/config: {hasKey: proxyMetadata.ISTIO_META_REQUEST_ID}
      sidecar.istio.io/proxyCPU: {present: true}
      sidecar.istio.io/proxyMemory: {present: true}
      traffic.sidecar.istio.io/excludeOutboundPorts: {present: true}
      sidecar.istio.io/logLevel: {present: true}
    env: [ISTIO_META_REQUEST_ID, ISTIO_META_WORKLOAD_NAME, OTEL_SERVICE_NAME]
`
	}
	var docs []string
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("fleet-service-with-a-long-descriptive-name-%04d", i)
		docs = append(docs, fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
spec:
  selector:
    matchLabels:
      app: %[1]s
  template:
    metadata:
      labels:
        app: %[1]s
    spec:
      containers:
        - name: app
          image: registry.example.com/fleet/app:1.0.0
        - name: worker
          image: registry.example.com/fleet/worker:1.0.0
`, name))
	}
	testrepo.Write(t, ws, map[string]string{
		".meshgate.yaml":                  cfg,
		"deploy/fleet/kustomization.yaml": "resources:\n  - workloads.yaml\n",
		"deploy/fleet/workloads.yaml":     strings.Join(docs, "---\n"),
	})
	return ws
}

// TestE2EAnnotationsBatched: 60 findings are annotated over two PATCHes of
// at most 50, the last one completing the check run.
func TestE2EAnnotationsBatched(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{})
	ws := fleetWorkspace(t, 60, false)
	step := newStep(t, srv, ws, "octo-org/octo-repo", "workflow_dispatch", githubtest.EventFile(t, "workflow_dispatch", "", nil))

	res := runBinary(t, step)

	if res.code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	assertTiming(t, res, 1, 60)
	assertCalls(t, srv, nil, map[string]int{"POST checks/create": 1, "PATCH checks/update": 2})
	runs := srv.CheckRuns()
	if len(runs) != 1 {
		t.Fatalf("%d check runs, want 1", len(runs))
	}
	cr := runs[0]
	assertEqual(t, "annotations per PATCH", cr.AnnotationsPerUpdate, []int{50, 10})
	assertEqual(t, "check run", [3]string{cr.Status, cr.Conclusion, cr.Title}, [3]string{"completed", "failure", "60 gaps in 1 of 1 environment"})
	anns := annotationsOf(cr)
	if len(anns) != 60 {
		t.Fatalf("%d annotations, want 60", len(anns))
	}
	assertEqual(t, "first and last annotations", []string{anns[0], anns[59]}, []string{
		"failure deploy/fleet/workloads.yaml:10 meshgate mesh-injection (fleet)",
		"failure deploy/fleet/workloads.yaml:1131 meshgate mesh-injection (fleet)",
	})
	for i, body := range checkRunBodies(t, srv, "checks/update") {
		if completes := body["conclusion"] == "failure"; completes != (i == 1) {
			t.Errorf("PATCH %d completes the check run: %v", i+1, completes)
		}
	}
	assertEqual(t, "outputs", step.outputs(), map[string]string{"result": "fail", "findings": "60", "errors": "60", "warnings": "0", "report": ""})
}

// TestE2EHugeReport: 5,280 findings, 12 on each of 440 workloads (their
// mesh-injection findings share one cause and one entry, so it takes that
// many to overflow the job summary). The sticky comment, the check run's
// summary and text and the job summary are cut within GitHub's limits with
// a pointer to the full report; annotations stop at meshgate's cap.
func TestE2EHugeReport(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{Owner: e2eOwner, Repo: e2eRepo})
	ws := fleetWorkspace(t, 440, true)
	srv.AddPullRequest(githubtest.PullRequest{Number: e2ePR, HeadSHA: e2eHeadSHA, HeadRef: "changes", HeadOwner: e2eOwner,
		BaseSHA: e2eBaseSHA, Files: []githubtest.File{patchAdding(t, ws, "deploy/fleet/workloads.yaml", 1, 40)}})
	step := newStep(t, srv, ws, e2eOwner+"/"+e2eRepo, "pull_request", prEvent(t, "opened", e2eHeadSHA, nil))

	res := runBinary(t, step)

	if res.code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	assertTiming(t, res, 1, 440)
	assertCalls(t, srv, nil, map[string]int{
		"POST checks/create":                 1,
		"GET pulls/list-files":               1,
		"GET repos/download-tarball-archive": 1,
		"GET pulls/list-review-comments":     1,
		"POST pulls/create-review":           1,
		"PATCH checks/update":                20, // 1,000 annotations, the cap
		"GET issues/list-comments":           1,
		"POST issues/create-comment":         1,
	})
	cr := srv.CheckRuns()[0]
	checkRunURL := fmt.Sprintf("https://github.com/%s/%s/runs/%d", e2eOwner, e2eRepo, cr.ID)
	if len(cr.Annotations) != 1000 || cr.Conclusion != "failure" || cr.Title != "5280 gaps in 1 of 1 environment" {
		t.Errorf("check run: %d annotations, conclusion %q, title %q", len(cr.Annotations), cr.Conclusion, cr.Title)
	}
	const cutNote = "_This report was cut to fit. The full report is in "
	e2eRunURL := "https://github.com/" + e2eOwner + "/" + e2eRepo + "/actions/runs/" + e2eRunID
	for _, tc := range []struct {
		what, text, pointer string
		max                 int
	}{
		{"comment", srv.IssueComments(e2ePR)[0].Body, "[the check run](" + checkRunURL + ") and [the job summary](" + e2eRunURL + ")", 65536},
		{"check run summary", cr.Summary, "[the job summary](" + e2eRunURL + ")", 65535},
		{"job summary", step.summary(), "[the check run](" + checkRunURL + ")", 1 << 20},
	} {
		if n := len(tc.text); n > tc.max || n < tc.max-4096 {
			t.Errorf("%s: %d bytes, want a little under %d", tc.what, n, tc.max)
		}
		// The job summary file ends with the newline the runner's
		// appending adds.
		if !strings.HasSuffix(strings.TrimRight(tc.text, "\n"), "\n"+cutNote+tc.pointer+"._") {
			t.Errorf("%s does not end with the pointer to %s:\n…%s", tc.what, tc.pointer, lastBytes(tc.text, 300))
		}
	}
	if n := len(cr.Text); n > 65535 || !strings.HasPrefix(cr.Text, "4280 findings are not annotated: meshgate posts at most 1000 annotations per run") {
		t.Errorf("check run text: %d bytes:\n%s", n, firstBytes(cr.Text, 300))
	}
	assertEqual(t, "outputs", step.outputs(), map[string]string{"result": "fail", "findings": "5280", "errors": "5280", "warnings": "0", "report": ""})
}

func firstBytes(s string, n int) string { return s[:min(n, len(s))] }
func lastBytes(s string, n int) string  { return s[max(0, len(s)-n):] }

// TestE2EPublishShards is the matrix pattern: two jobs check half of the
// environments each (--shard), one job merges their reports with meshgate
// publish: one check run, one comment, the same as a single run.
func TestE2EPublishShards(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{Owner: e2eOwner, Repo: e2eRepo})
	ws := demoWorkspace(t, "")
	demoPullRequest(t, srv, ws)
	bin := meshgateBinary(t)
	var shards []string
	for i := 1; i <= 2; i++ {
		out := filepath.Join(ws, fmt.Sprintf("shard-%d.json", i))
		cmd := exec.CommandContext(t.Context(), bin, "check", "--shard", fmt.Sprintf("%d/2", i), "--format", "json", "--output", out)
		cmd.Dir = ws
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "MESHGATE_TODAY=" + e2eToday}
		if res := runProcess(t, cmd); res.code != 1 || res.stderr != demoStderr {
			t.Fatalf("shard %d/2: exit code %d, stderr:\n%s", i, res.code, res.stderr)
		}
		shards = append(shards, out)
	}
	// A plain run step: the token comes as GITHUB_TOKEN, there are no
	// action inputs.
	step := newStep(t, srv, ws, e2eOwner+"/"+e2eRepo, "pull_request", prEvent(t, "opened", e2eHeadSHA, nil))
	for k := range step.env {
		if strings.HasPrefix(k, "INPUT_") {
			delete(step.env, k)
		}
	}
	step.env["GITHUB_TOKEN"] = githubtest.Token

	res := runBinary(t, step, append([]string{"publish"}, shards...)...)

	if res.code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	assertEqual(t, "stderr", res.stderr, "")
	assertCalls(t, srv, nil, map[string]int{
		"POST checks/create":             1,
		"GET pulls/list-files":           1,
		"GET pulls/list-review-comments": 1,
		"POST pulls/create-review":       1,
		"PATCH checks/update":            1,
		"GET issues/list-comments":       1,
		"POST issues/create-comment":     1,
	})
	runs := srv.CheckRuns()
	if len(runs) != 1 {
		t.Fatalf("%d check runs, want 1", len(runs))
	}
	assertEqual(t, "annotations", annotationsOf(runs[0]), demoAnnotations)
	comments := srv.IssueComments(e2ePR)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	// The merged shards publish exactly what one run publishes, but for
	// the base commit, which shards run outside the Action did not try.
	golden, err := os.ReadFile(filepath.Join("testdata", "e2e", "pr-opened.comment.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`\n> \[!NOTE\]\n> New means new since the last run; the base commit could not be rendered: [^\n]*\n>\n> Every gap counts for the check.\n`).
		ReplaceAllString(string(golden), "")
	if want == string(golden) {
		t.Fatal("pr-opened.comment.md does not say that the base commit was not checked")
	}
	assertEqual(t, "comment", comments[0].Body, want)
	if n := len(srv.ReviewComments(e2ePR)); n != 3 {
		t.Errorf("%d inline comments, want 3", n)
	}
	assertEqual(t, "outputs", step.outputs(), demoOutputs(""))
	step.assertNoLeaks(res, shards...)
}

// TestE2EConfigErrorLeavesNoCheckRun: a configuration error exits 2 before
// the check run is created, so no check run is left in progress forever.
func TestE2EConfigErrorLeavesNoCheckRun(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{Owner: e2eOwner, Repo: e2eRepo})
	ws := demoWorkspace(t, "")
	if err := os.WriteFile(filepath.Join(ws, ".meshgate.yaml"), []byte("environments:\n  - name: x\n    helm: {chart: charts/shop, colour: blue}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	step := newStep(t, srv, ws, e2eOwner+"/"+e2eRepo, "push", githubtest.EventFile(t, "push", "", nil))
	res := runBinary(t, step)
	if res.code != 2 {
		t.Errorf("exit code %d, want 2; stderr:\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, `.meshgate.yaml:3:`) || !strings.Contains(res.stderr, "colour") {
		t.Errorf("stderr does not name the config file, line and field:\n%s", res.stderr)
	}
	assertCalls(t, srv, nil, map[string]int{})
}
