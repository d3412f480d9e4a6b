package action

import (
	"fmt"
	"net/http"
	"path"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/publish"
	"github.com/meshgate/meshgate/internal/publish/githubtest"
	"github.com/meshgate/meshgate/internal/report"
)

// The pull request's diff: a new template, and one added label in another.
var prFiles = []githubtest.File{
	{Filename: "charts/shop/templates/cart.yaml", Status: "added", Patch: addedFile(40)},
	{Filename: "charts/shop/templates/web.yaml", Status: "modified", Patch: "@@ -8,6 +8,7 @@ spec:\n" +
		"   template:\n     metadata:\n       labels:\n+        sidecar.istio.io/inject: \"true\"\n" +
		"         app: web\n       annotations:\n         foo: bar"},
	{Filename: "docs/logo.png", Status: "added"},
}

var (
	gapCartInjection = newFinding(finding.RuleMeshInjection, finding.SeverityError, "prod", "Deployment", "shop", "cart", "", "",
		`namespace "shop" has no istio-injection label`, "charts/shop/templates/cart.yaml", 12)
	gapCartSecret = newFinding(finding.RuleSecretMissing, finding.SeverityError, "staging", "Deployment", "shop", "cart", "server", "cart-db",
		"env DB_PASSWORD reads Secret shop/cart-db, which this environment does not produce", "charts/shop/templates/cart.yaml", 30)
	gapWebJob = newFinding(finding.RuleMeshJobSidecar, finding.SeverityWarning, "prod", "Deployment", "shop", "web", "", "",
		"meshed pod without native sidecars", "charts/shop/templates/web.yaml", 11)
	gapWebEnv = newFinding(finding.RuleMeshEnv, finding.SeverityError, "prod", "Deployment", "shop", "web", "app", "ISTIO_META_REQUEST_ID",
		`container "app" does not set env ISTIO_META_REQUEST_ID`, "charts/shop/templates/web.yaml", 20)
	gapDevRender = newFinding(finding.RuleRenderError, finding.SeverityError, "dev", "", "", "", "", "",
		"helm template: charts/shop/templates/cart.yaml:3:4: image.tag is required", "", 0)
)

var envs = []string{"dev", "prod", "staging"}

func prServer(t *testing.T, opts githubtest.Options) *githubtest.Server {
	opts.Owner, opts.Repo = prOwner, prRepo
	srv := githubtest.NewServer(t, opts)
	srv.AddPullRequest(githubtest.PullRequest{Number: prNumber, HeadSHA: prHeadSHA, HeadRef: "changes", HeadOwner: prOwner,
		BaseSHA: prBaseSHA, Files: prFiles})
	return srv
}

func prHarness(t *testing.T, srv *githubtest.Server, action, headSHA string, edit func(map[string]any)) *harness {
	ev := githubtest.EventFile(t, "pull_request", action, func(p map[string]any) {
		githubtest.Set(p, "pull_request.head.sha", headSHA)
		if edit != nil {
			edit(p)
		}
	})
	return newHarness(t, srv, prOwner+"/"+prRepo, "pull_request", ev)
}

func TestPullRequestOpened(t *testing.T) {
	srv := prServer(t, githubtest.Options{})
	h := prHarness(t, srv, "opened", prHeadSHA, nil)
	rep := reportOf(envs, gapCartInjection, gapCartSecret, gapWebJob, gapWebEnv, gapDevRender)

	res := h.run(rep)

	assertCounts(t, srv, map[string]int{
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
	cr := runs[0]
	if cr.Name != "meshgate" || cr.HeadSHA != prHeadSHA || cr.Status != "completed" || cr.Conclusion != "failure" ||
		cr.ExternalID != "meshgate/4242/1/test" || cr.DetailsURL != "https://github.com/Codertocat/Hello-World/actions/runs/4242" {
		t.Errorf("check run = %+v", cr)
	}
	wantCreate := `{"name":"meshgate","head_sha":"` + prHeadSHA + `","details_url":"https://github.com/Codertocat/Hello-World/actions/runs/4242",` +
		`"external_id":"meshgate/4242/1/test","status":"in_progress","started_at":"2025-01-02T03:04:05Z"}` + "\n"
	if got := string(srv.Requests("checks/create")[0].Body); got != wantCreate {
		t.Errorf("create body:\n got %s\nwant %s", got, wantCreate)
	}
	wantAnn := []githubtest.Annotation{
		{Path: "charts/shop/templates/cart.yaml", StartLine: 12, EndLine: 12, Level: "failure", Title: "meshgate mesh-injection (prod)",
			Message: `Deployment shop/cart: namespace "shop" has no istio-injection label`, RawDetails: "How to fix: " + ruleFix(finding.RuleMeshInjection)},
		{Path: "charts/shop/templates/web.yaml", StartLine: 20, EndLine: 20, Level: "failure", Title: "meshgate mesh-env (prod)",
			Message: `Deployment shop/web [app]: container "app" does not set env ISTIO_META_REQUEST_ID`, RawDetails: "How to fix: " + ruleFix(finding.RuleMeshEnv)},
		{Path: "charts/shop/templates/web.yaml", StartLine: 11, EndLine: 11, Level: "warning", Title: "meshgate mesh-job-sidecar (prod)",
			Message: "Deployment shop/web: meshed pod without native sidecars", RawDetails: "How to fix: " + ruleFix(finding.RuleMeshJobSidecar)},
		{Path: "charts/shop/templates/cart.yaml", StartLine: 30, EndLine: 30, Level: "failure", Title: "meshgate secret-missing (staging)",
			Message:    "Deployment shop/cart [server]: env DB_PASSWORD reads Secret shop/cart-db, which this environment does not produce",
			RawDetails: "How to fix: " + ruleFix(finding.RuleSecretMissing)},
	}
	if !reflect.DeepEqual(cr.Annotations, wantAnn) {
		t.Errorf("annotations:\n got %+v\nwant %+v", cr.Annotations, wantAnn)
	}
	if cr.Title != "5 gaps in 3 of 3 environments" {
		t.Errorf("title = %q", cr.Title)
	}
	golden(t, "pr-opened.check-summary.md", cr.Summary)
	golden(t, "pr-opened.check-text.md", cr.Text)

	comments := srv.IssueComments(prNumber)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	golden(t, "pr-opened.comment.md", comments[0].Body)
	// The check run says what the comment says: its title is the
	// comment's verdict, its summary the comment's body.
	verdict := "### ❌ meshgate: 5 gaps in 3 of 3 environments\n"
	if !strings.Contains(comments[0].Body, verdict) || !strings.Contains(cr.Summary, verdict) {
		t.Errorf("the comment and the check run's summary do not both say %q", verdict)
	}
	if _, body, _ := strings.Cut(comments[0].Body, "\n**1.**"); !strings.Contains(cr.Summary, body) {
		t.Error("the check run's summary does not hold the comment's entries")
	}

	reviews := srv.Reviews(prNumber)
	if len(reviews) != 1 || reviews[0].CommitID != prHeadSHA || reviews[0].Event != "COMMENT" ||
		reviews[0].Body != "meshgate found 2 gaps on lines this pull request changes." {
		t.Errorf("reviews = %+v", reviews)
	}
	inline := srv.ReviewComments(prNumber)
	if len(inline) != 2 || inline[0].Line != 12 || inline[1].Line != 30 || inline[0].Path != "charts/shop/templates/cart.yaml" {
		t.Fatalf("inline comments = %+v", inline)
	}
	golden(t, "pr-opened.inline-12.md", inline[0].Body)
	golden(t, "pr-opened.inline-30.md", inline[1].Body)

	wantRes := publish.Result{Result: "fail", Conclusion: "failure", CheckRunID: cr.ID,
		CheckRunURL: fmt.Sprintf("https://github.com/Codertocat/Hello-World/runs/%d", cr.ID),
		Annotations: 4, AnnotationRequests: 1, CommentID: comments[0].ID,
		CommentURL:    fmt.Sprintf("https://github.com/Codertocat/Hello-World/pull/2#issuecomment-%d", comments[0].ID),
		CommentAction: "created", NewGaps: 5, FixedGaps: 0, InlineCreated: 2}
	if !reflect.DeepEqual(res, wantRes) {
		t.Errorf("result:\n got %+v\nwant %+v", res, wantRes)
	}
	wantOut := map[string]string{"result": "fail", "findings": "5", "errors": "4", "warnings": "1", "report": "meshgate-report.json"}
	if got := h.outputs(); !reflect.DeepEqual(got, wantOut) {
		t.Errorf("outputs = %v, want %v", got, wantOut)
	}
	golden(t, "pr-opened.step-summary.md", h.file("summary"))
	if got, want := h.stdout.String(), "::add-mask::"+githubtest.Token+"\n"; got != want {
		t.Errorf("log = %q, want only the mask", got)
	}
	h.assertNoTokenLeak()
}

func TestPullRequestSynchronizeOneGapFixed(t *testing.T) {
	srv := prServer(t, githubtest.Options{})
	first := prHarness(t, srv, "opened", prHeadSHA, nil)
	first.run(reportOf(envs, gapCartInjection, gapCartSecret, gapWebEnv))

	// The author fixes the Secret reference and pushes.
	srv.SetPullRequestHead(prNumber, secondSHA, prFiles)
	second := prHarness(t, srv, "synchronize", secondSHA, nil)
	res := second.run(reportOf(envs, gapCartInjection, gapWebEnv))

	comments := srv.IssueComments(prNumber)
	if len(comments) != 1 || comments[0].Edits != 1 {
		t.Fatalf("comments = %+v, want one, edited once", comments)
	}
	golden(t, "pr-synchronize.comment.md", comments[0].Body)
	if res.CommentAction != "updated" || res.NewGaps != 0 || res.FixedGaps != 1 {
		t.Errorf("result = %+v", res)
	}
	if n := len(srv.Reviews(prNumber)); n != 1 {
		t.Errorf("%d reviews, want 1 (nothing new to comment)", n)
	}
	inline := srv.ReviewComments(prNumber)
	if len(inline) != 2 {
		t.Fatalf("%d inline comments, want 2", len(inline))
	}
	if inline[0].Edits != 0 || strings.Contains(inline[0].Body, "fixed") {
		t.Errorf("the open gap's comment was edited: %+v", inline[0])
	}
	if inline[1].Edits != 1 || res.InlineFixed != 1 {
		t.Errorf("the fixed gap's comment: %+v, InlineFixed %d", inline[1], res.InlineFixed)
	}
	golden(t, "pr-synchronize.inline-fixed.md", inline[1].Body)

	runs := srv.CheckRuns()
	if len(runs) != 2 || runs[1].HeadSHA != secondSHA || runs[1].Conclusion != "failure" || len(runs[1].Annotations) != 2 {
		t.Errorf("check runs = %+v", runs)
	}
	// The second run: one list of each, one edit of each kind, no create
	// but the check run.
	counts := srv.CallCounts()
	if counts["POST issues/create-comment"] != 1 || counts["PATCH issues/update-comment"] != 1 ||
		counts["POST pulls/create-review"] != 1 || counts["PATCH pulls/update-review-comment"] != 1 {
		t.Errorf("calls = %v", counts)
	}

	// A third run with nothing changed edits nothing inline and keeps the
	// one comment.
	third := prHarness(t, srv, "synchronize", secondSHA, nil)
	res = third.run(reportOf(envs, gapCartInjection, gapWebEnv))
	if res.NewGaps != 0 || res.FixedGaps != 0 || res.InlineFixed != 0 || res.InlineCreated != 0 {
		t.Errorf("third run = %+v", res)
	}
	if n := len(srv.IssueComments(prNumber)); n != 1 {
		t.Errorf("%d sticky comments, want 1", n)
	}
	if got := srv.CallCounts()["PATCH pulls/update-review-comment"]; got != 1 {
		t.Errorf("%d review comment edits, want still 1", got)
	}
}

func TestPush(t *testing.T) {
	// GitHub Enterprise Server serves the API under /api/v3.
	srv := githubtest.NewServer(t, githubtest.Options{Owner: prOwner, Repo: prRepo, PathPrefix: "/api/v3"})
	const after = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
	ev := githubtest.EventFile(t, "push", "", func(p map[string]any) { githubtest.Set(p, "ref", "refs/heads/main") })
	h := newHarness(t, srv, prOwner+"/"+prRepo, "push", ev)
	res := h.run(reportOf(envs, gapWebEnv, gapWebJob))

	assertCounts(t, srv, map[string]int{"POST checks/create": 1, "PATCH checks/update": 1})
	runs := srv.CheckRuns()
	if len(runs) != 1 || runs[0].HeadSHA != after || runs[0].Conclusion != "failure" || len(runs[0].Annotations) != 2 {
		t.Fatalf("check runs = %+v", runs)
	}
	if res.Result != "fail" || res.Fallback || res.CommentAction != "" {
		t.Errorf("result = %+v", res)
	}
	if got := h.outputs()["result"]; got != "fail" {
		t.Errorf("result output = %q", got)
	}
	if !strings.HasPrefix(h.file("summary"), report.MarkdownMarker+"\n### ❌ meshgate: 2 gaps in 1 of 3 environments\n") {
		t.Errorf("summary = %q", h.file("summary"))
	}
	h.assertNoTokenLeak()
}

func TestWorkflowDispatchAudit(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{})
	ev := githubtest.EventFile(t, "workflow_dispatch", "", nil)
	h := newHarness(t, srv, "octo-org/octo-repo", "workflow_dispatch", ev)
	h.env["INPUT_FAIL-ON"] = "never"
	res := h.run(reportOf(envs, gapWebEnv))

	assertCounts(t, srv, map[string]int{"POST checks/create": 1, "PATCH checks/update": 1})
	runs := srv.CheckRuns()
	if len(runs) != 1 || runs[0].HeadSHA != h.env["GITHUB_SHA"] || runs[0].Conclusion != "neutral" {
		t.Fatalf("check runs = %+v", runs)
	}
	if res.Result != "pass" || res.Conclusion != "neutral" {
		t.Errorf("result = %+v", res)
	}
	want := map[string]string{"result": "pass", "findings": "1", "errors": "1", "warnings": "0", "report": "meshgate-report.json"}
	if got := h.outputs(); !reflect.DeepEqual(got, want) {
		t.Errorf("outputs = %v", got)
	}
	golden(t, "dispatch.step-summary.md", h.file("summary"))
}

func TestCleanRunSucceeds(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{})
	ev := githubtest.EventFile(t, "workflow_dispatch", "", nil)
	h := newHarness(t, srv, "octo-org/octo-repo", "schedule", ev)
	res := h.run(reportOf(envs))
	runs := srv.CheckRuns()
	if len(runs) != 1 || runs[0].Conclusion != "success" || runs[0].Title != "No gaps in 3 environments" || runs[0].Text != "" {
		t.Fatalf("check runs = %+v", runs)
	}
	if res.Result != "pass" {
		t.Errorf("result = %+v", res)
	}
}

func TestForkPullRequestReadOnlyToken(t *testing.T) {
	srv := prServer(t, githubtest.Options{})
	srv.Inject(githubtest.ReadOnly())
	h := prHarness(t, srv, "opened", prHeadSHA, func(p map[string]any) {
		githubtest.Set(p, "pull_request.head.repo.full_name", "forker/Hello-World")
	})
	res := h.run(reportOf(envs, gapCartInjection, gapWebJob, gapDevRender))

	if n := len(srv.CheckRuns()) + len(srv.IssueComments(prNumber)) + len(srv.Reviews(prNumber)); n != 0 {
		t.Errorf("%d objects written with a read-only token", n)
	}
	// One refused create each, never retried.
	assertCounts(t, srv, map[string]int{
		"POST checks/create":             1,
		"GET pulls/list-files":           1,
		"GET pulls/list-review-comments": 1,
		"POST pulls/create-review":       1,
		"GET issues/list-comments":       1,
		"POST issues/create-comment":     1,
	})
	want := publish.Result{Result: "fail", Conclusion: "failure", NewGaps: 3, FixedGaps: 0, Fallback: true,
		MissingPermissions: []string{"checks: write", "pull-requests: write"}}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("result:\n got %+v\nwant %+v", res, want)
	}
	golden(t, "fork.log.txt", h.stdout.String())
	if n := strings.Count(h.stdout.String(), "lacks"); n != 1 {
		t.Errorf("the missing permission is said %d times, want once", n)
	}
	golden(t, "fork.step-summary.md", h.file("summary"))
	if got := h.outputs()["result"]; got != "fail" {
		t.Errorf("result output = %q", got)
	}
	h.assertNoTokenLeak()
}

func TestMissingChecksPermissionOnly(t *testing.T) {
	srv := prServer(t, githubtest.Options{})
	srv.Inject(githubtest.Fault{Operation: "checks/create", Status: http.StatusForbidden, Message: githubtest.ReadOnlyMessage})
	h := prHarness(t, srv, "opened", prHeadSHA, nil)
	res := h.run(reportOf(envs, gapCartInjection))
	if !reflect.DeepEqual(res.MissingPermissions, []string{"checks: write"}) || !res.Fallback || res.CommentAction != "created" || res.InlineCreated != 1 {
		t.Errorf("result = %+v", res)
	}
	// Start was refused; Publish does not ask again.
	if n := srv.Calls("checks/create"); n != 1 {
		t.Errorf("%d check run creates, want 1", n)
	}
	wantLog := "::add-mask::" + githubtest.Token + "\n" +
		"::error file=charts/shop/templates/cart.yaml,line=12,title=meshgate mesh-injection (prod)::Deployment shop/cart: namespace \"shop\" has no istio-injection label\n" +
		"::warning title=meshgate::meshgate could not publish to GitHub: the token lacks checks: write (add it to the workflow's permissions: block). The findings are annotated with workflow commands and listed in the job summary instead.\n"
	if got := h.stdout.String(); got != wantLog {
		t.Errorf("log:\n got %q\nwant %q", got, wantLog)
	}
}

func TestNoToken(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{})
	ev := githubtest.EventFile(t, "workflow_dispatch", "", nil)
	h := newHarness(t, srv, "octo-org/octo-repo", "workflow_dispatch", ev)
	delete(h.env, "INPUT_GITHUB-TOKEN")
	res := h.run(reportOf(envs, gapWebEnv))
	if srv.Calls("") != 0 {
		t.Errorf("%d API calls without a token", srv.Calls(""))
	}
	if !res.Fallback || !reflect.DeepEqual(res.Problems, []string{"no token (the github-token input, or GITHUB_TOKEN): nothing was posted to GitHub"}) {
		t.Errorf("result = %+v", res)
	}
}

func TestFlakyAPIRetriedWithoutDuplicates(t *testing.T) {
	srv := prServer(t, githubtest.Options{})
	// The create lands but its answer is lost; reads fail twice; the
	// update meets a secondary rate limit; the comment's answer is lost.
	srv.Inject(githubtest.Fault{Operation: "checks/create", Times: 1, Status: http.StatusBadGateway, Apply: true})
	srv.Inject(githubtest.BadGateway("pulls/list-files", 2))
	srv.Inject(githubtest.SecondaryRateLimit("checks/update", 2, "7"))
	srv.Inject(githubtest.Fault{Operation: "issues/create-comment", Times: 1, Status: http.StatusBadGateway, Apply: true})
	srv.Inject(githubtest.Fault{Operation: "pulls/create-review", Times: 1, Status: http.StatusServiceUnavailable, Apply: true})
	srv.Inject(githubtest.SecondaryRateLimit("issues/list-comments", 1, ""))
	h := prHarness(t, srv, "opened", prHeadSHA, nil)
	res := h.run(reportOf(envs, gapCartInjection, gapWebEnv))

	if n := len(srv.CheckRuns()); n != 1 {
		t.Errorf("%d check runs, want 1", n)
	}
	if n := len(srv.IssueComments(prNumber)); n != 1 {
		t.Errorf("%d comments, want 1", n)
	}
	if n := len(srv.Reviews(prNumber)); n != 1 {
		t.Errorf("%d reviews, want 1", n)
	}
	cr := srv.CheckRuns()[0]
	if cr.Conclusion != "failure" || len(cr.Annotations) != 2 {
		t.Errorf("check run = %+v", cr)
	}
	assertCounts(t, srv, map[string]int{
		"POST checks/create":             1,
		"GET checks/list-for-ref":        1, // found the lost create
		"GET pulls/list-files":           3,
		"GET pulls/list-review-comments": 2, // before, and to find the lost review
		"POST pulls/create-review":       1,
		"PATCH checks/update":            3,
		"GET issues/list-comments":       3, // secondary limit, then found none, then the lost create
		"POST issues/create-comment":     1,
	})
	if len(res.Problems) != 0 || len(res.MissingPermissions) != 0 || res.CommentAction != "created" || res.InlineCreated != 1 {
		t.Errorf("result = %+v", res)
	}
	// In order: 1s before looking for the lost check run; backoff 1s, 2s
	// for the failing reads; 1s before looking for the lost review;
	// backoff 1s for the secondary limit without Retry-After (the sticky
	// comment is read before the check run is completed); Retry-After 7s
	// twice; 1s before looking for the lost comment.
	want := []time.Duration{time.Second, time.Second, 2 * time.Second, time.Second, time.Second, 7 * time.Second, 7 * time.Second, time.Second}
	if !reflect.DeepEqual(h.sleeps, want) {
		t.Errorf("sleeps = %v, want %v", h.sleeps, want)
	}
}

func TestAnnotationsBatched(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{})
	ev := githubtest.EventFile(t, "workflow_dispatch", "", nil)
	h := newHarness(t, srv, "octo-org/octo-repo", "workflow_dispatch", ev)
	var fs []finding.Finding
	for i := 1; i <= 120; i++ {
		fs = append(fs, newFinding(finding.RuleMeshEnv, finding.SeverityError, "prod", "Deployment", "shop", fmt.Sprintf("app-%03d", i), "app",
			"ISTIO_META_REQUEST_ID", "missing env", fmt.Sprintf("deploy/app-%03d.yaml", i), 7))
	}
	res := h.run(reportOf([]string{"prod"}, fs...))

	cr := srv.CheckRuns()[0]
	if !reflect.DeepEqual(cr.AnnotationsPerUpdate, []int{50, 50, 20}) || len(cr.Annotations) != 120 {
		t.Errorf("annotations per PATCH = %v (%d in all)", cr.AnnotationsPerUpdate, len(cr.Annotations))
	}
	patches := srv.Requests("checks/update")
	if len(patches) != 3 {
		t.Fatalf("%d PATCHes, want 3", len(patches))
	}
	for i, p := range patches {
		completes := strings.Contains(string(p.Body), `"conclusion":"failure"`)
		if completes != (i == 2) {
			t.Errorf("PATCH %d completes the run: %v", i+1, completes)
		}
	}
	if res.Annotations != 120 || res.AnnotationRequests != 3 {
		t.Errorf("result = %+v", res)
	}
}

func TestAnnotationPatchLostAnswerNotRepeated(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{})
	// The first PATCH lands but its answer is lost: the lookup counts 50
	// annotations and the PATCH is not sent again.
	srv.Inject(githubtest.Fault{Operation: "checks/update", Times: 1, Status: http.StatusBadGateway, Apply: true})
	ev := githubtest.EventFile(t, "workflow_dispatch", "", nil)
	h := newHarness(t, srv, "octo-org/octo-repo", "workflow_dispatch", ev)
	var fs []finding.Finding
	for i := 1; i <= 60; i++ {
		fs = append(fs, newFinding(finding.RuleMeshEnv, finding.SeverityError, "prod", "Deployment", "shop", fmt.Sprintf("app-%03d", i), "app",
			"X", "missing env", "deploy/app.yaml", i))
	}
	res := h.run(reportOf([]string{"prod"}, fs...))
	cr := srv.CheckRuns()[0]
	if len(cr.Annotations) != 60 || cr.Conclusion != "failure" {
		t.Errorf("%d annotations, conclusion %q; want 60, failure", len(cr.Annotations), cr.Conclusion)
	}
	assertCounts(t, srv, map[string]int{"POST checks/create": 1, "PATCH checks/update": 2, "GET checks/get": 1})
	if res.AnnotationRequests != 2 {
		t.Errorf("result = %+v", res)
	}
}

func TestAnnotationPatchFailedIsRepeated(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{})
	// The 502 came before the write: the lookup sees no annotations and
	// the PATCH is sent again.
	srv.Inject(githubtest.BadGateway("checks/update", 1))
	ev := githubtest.EventFile(t, "workflow_dispatch", "", nil)
	h := newHarness(t, srv, "octo-org/octo-repo", "workflow_dispatch", ev)
	h.run(reportOf([]string{"prod"}, gapWebEnv))
	cr := srv.CheckRuns()[0]
	if len(cr.Annotations) != 1 || cr.Conclusion != "failure" {
		t.Errorf("check run = %+v", cr)
	}
	assertCounts(t, srv, map[string]int{"POST checks/create": 1, "PATCH checks/update": 2, "GET checks/get": 1})
}

func TestHugeReportIsCut(t *testing.T) {
	srv := prServer(t, githubtest.Options{})
	h := prHarness(t, srv, "opened", prHeadSHA, nil)
	var fs []finding.Finding
	long := strings.Repeat("a message that explains the gap at length ", 12)
	for i := 1; i <= 3000; i++ {
		fs = append(fs, newFinding(finding.RuleSecretMissing, finding.SeverityError, fmt.Sprintf("env-%02d", i%30), "Deployment", "shop",
			fmt.Sprintf("app-%04d", i), "app", "db", long, "charts/shop/templates/cart.yaml", 5))
	}
	var names []string
	for i := 0; i < 30; i++ {
		names = append(names, fmt.Sprintf("env-%02d", i))
	}
	res := h.run(reportOf(names, fs...))

	body := srv.IssueComments(prNumber)[0].Body
	if n := len([]rune(body)); n > 65536 {
		t.Errorf("comment has %d characters", n)
	}
	if !strings.Contains(body, "_This report was cut to fit. The full report is in [the check run]("+res.CheckRunURL+
		") and [the job summary](https://github.com/Codertocat/Hello-World/actions/runs/4242)._") {
		t.Errorf("the comment does not point to the check run and the job summary: ...%s", body[len(body)-300:])
	}
	cr := srv.CheckRuns()[0]
	if n := len([]rune(cr.Summary)); n > 65535 || !strings.Contains(cr.Summary, "This report was cut to fit") {
		t.Errorf("check run summary has %d characters", n)
	}
	if n := len(h.file("summary")); n > 1024*1024 {
		t.Errorf("job summary has %d bytes", n)
	}
	// 30 lines of one file, but every finding sits on line 5: one inline
	// comment holding what fits.
	inline := srv.ReviewComments(prNumber)
	if len(inline) != 1 || len([]rune(inline[0].Body)) > 65536 {
		t.Errorf("%d inline comments", len(inline))
	}
	// At most 1000 annotations, 50 per request.
	if res.Annotations != 1000 || res.AnnotationRequests != 1000/50 {
		t.Errorf("annotations %d in %d requests", res.Annotations, res.AnnotationRequests)
	}
	if !strings.Contains(cr.Text, "2000 findings are not annotated: meshgate posts at most 1000 annotations per run") {
		t.Errorf("text = %q", cr.Text[:200])
	}
}

func TestInlineCommentsCapped(t *testing.T) {
	srv := prServer(t, githubtest.Options{})
	h := prHarness(t, srv, "opened", prHeadSHA, nil)
	var fs []finding.Finding
	for i := 1; i <= 35; i++ {
		fs = append(fs, newFinding(finding.RuleMeshInjection, finding.SeverityError, "prod", "Deployment", "shop", fmt.Sprintf("app-%02d", i), "", "",
			"not meshed", "charts/shop/templates/cart.yaml", i))
	}
	res := h.run(reportOf([]string{"prod"}, fs...))
	if n := len(srv.ReviewComments(prNumber)); n != 30 || res.InlineCreated != 30 || res.InlineOverflow != 5 {
		t.Errorf("%d inline comments, result %+v", n, res)
	}
	body := srv.IssueComments(prNumber)[0].Body
	for _, want := range []string{"30 gaps on lines this pull request changes are commented inline.",
		"5 more gaps on changed lines got no inline comment (at most 30 new inline comments per run)"} {
		if !strings.Contains(body, want) {
			t.Errorf("the comment does not say %q", want)
		}
	}
	// The next run comments the five left over, and nothing twice.
	h2 := prHarness(t, srv, "synchronize", prHeadSHA, nil)
	res = h2.run(reportOf([]string{"prod"}, fs...))
	if n := len(srv.ReviewComments(prNumber)); n != 35 || res.InlineCreated != 5 || res.InlineOverflow != 0 {
		t.Errorf("%d inline comments after the second run, result %+v", n, res)
	}
}

func TestCommentOnFindings(t *testing.T) {
	srv := prServer(t, githubtest.Options{})
	h := prHarness(t, srv, "opened", prHeadSHA, nil)
	h.env["INPUT_COMMENT"] = "on-findings"
	res := h.run(reportOf(envs))
	if n := srv.Calls("issues/create-comment"); n != 0 || res.CommentAction != "" {
		t.Errorf("a clean first run commented (%d creates)", n)
	}
	h.run(reportOf(envs, gapCartInjection))
	if n := len(srv.IssueComments(prNumber)); n != 1 {
		t.Fatalf("%d comments", n)
	}
	// Once there is a comment, a clean run still updates it.
	res = h.run(reportOf(envs))
	if res.CommentAction != "updated" || res.FixedGaps != 1 || !strings.Contains(srv.IssueComments(prNumber)[0].Body, "no gaps") {
		t.Errorf("result = %+v", res)
	}
}

func TestCommentFalse(t *testing.T) {
	srv := prServer(t, githubtest.Options{})
	h := prHarness(t, srv, "opened", prHeadSHA, nil)
	h.env["INPUT_COMMENT"] = "false"
	h.run(reportOf(envs, gapCartInjection))
	assertCounts(t, srv, map[string]int{"POST checks/create": 1, "PATCH checks/update": 1})
}

func TestStickyCommentFoundAcrossPages(t *testing.T) {
	srv := prServer(t, githubtest.Options{MaxPerPage: 2})
	for i := 0; i < 5; i++ {
		srv.AddIssueComment(prNumber, "octocat", fmt.Sprintf("looks good %d", i))
	}
	h := prHarness(t, srv, "opened", prHeadSHA, nil)
	h.run(reportOf(envs, gapCartInjection))
	h.run(reportOf(envs, gapCartInjection))
	var mine int
	for _, c := range srv.IssueComments(prNumber) {
		if strings.HasPrefix(c.Body, report.MarkdownMarker) {
			mine++
		}
	}
	if mine != 1 {
		t.Errorf("%d sticky comments, want 1", mine)
	}
	// Three pages (2+2+2) on each run.
	if n := srv.Calls("issues/list-comments"); n != 6 {
		t.Errorf("%d list calls, want 6", n)
	}
}

func TestWorkflowRunFindsForkPullRequest(t *testing.T) {
	srv := prServer(t, githubtest.Options{})
	srv.AddPullRequest(githubtest.PullRequest{Number: 7, HeadSHA: secondSHA, HeadRef: "patch-1", HeadOwner: "forker", Files: prFiles})
	ev := githubtest.EventFile(t, "workflow_run", "completed", func(p map[string]any) {
		githubtest.Set(p, "repository.full_name", prOwner+"/"+prRepo)
		githubtest.Set(p, "workflow_run.event", "pull_request")
		githubtest.Set(p, "workflow_run.head_sha", secondSHA)
		githubtest.Set(p, "workflow_run.head_branch", "patch-1")
		githubtest.Set(p, "workflow_run.pull_requests", []any{})
		githubtest.Set(p, "workflow_run.head_repository.full_name", "forker/Hello-World")
		githubtest.Set(p, "workflow_run.head_repository.owner.login", "forker")
	})
	h := newHarness(t, srv, prOwner+"/"+prRepo, "workflow_run", ev)
	res := h.run(reportOf(envs, gapCartInjection))
	if res.CommentAction != "created" || len(srv.IssueComments(7)) != 1 || res.InlineCreated != 1 {
		t.Errorf("result = %+v", res)
	}
	if q := srv.Requests("pulls/list")[0].Query; !strings.Contains(q, "head=forker%3Apatch-1") {
		t.Errorf("pulls/list query = %q", q)
	}
	if cr := srv.CheckRuns(); len(cr) != 1 || cr[0].HeadSHA != secondSHA {
		t.Errorf("check runs = %+v", cr)
	}
}

func TestWorkingDirectoryPrefixesPaths(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{})
	ev := githubtest.EventFile(t, "workflow_dispatch", "", nil)
	h := newHarness(t, srv, "octo-org/octo-repo", "workflow_dispatch", ev)
	h.env["INPUT_WORKING-DIRECTORY"] = "./infra/"
	h.run(reportOf([]string{"prod"}, gapWebEnv))
	if got := srv.CheckRuns()[0].Annotations[0].Path; got != "infra/charts/shop/templates/web.yaml" {
		t.Errorf("annotation path = %q", got)
	}
}

// TestArchiveFindings: a finding inside a vendored chart archive is
// annotated on the archive at its first line (a line of a .tgz means
// nothing), its message saying where inside; it is never commented inline,
// even when the pull request adds the archive.
func TestArchiveFindings(t *testing.T) {
	const archive = "charts/shop/charts/grafana-12.11.1.tgz"
	inArchive := newFinding(finding.RuleMeshInjection, finding.SeverityError, "prod", "Deployment", "shop", "grafana", "", "",
		"not meshed", archive+"#templates/deployment.yaml", 12)
	for _, wd := range []string{"", "infra"} {
		srv := githubtest.NewServer(t, githubtest.Options{Owner: prOwner, Repo: prRepo})
		srv.AddPullRequest(githubtest.PullRequest{Number: prNumber, HeadSHA: prHeadSHA, HeadRef: "changes", HeadOwner: prOwner, BaseSHA: prBaseSHA,
			Files: []githubtest.File{
				{Filename: path.Join(wd, "charts/shop/templates/cart.yaml"), Status: "added", Patch: addedFile(40)},
				{Filename: path.Join(wd, archive), Status: "added"},
			}})
		h := prHarness(t, srv, "opened", prHeadSHA, nil)
		if wd != "" {
			h.env["INPUT_WORKING-DIRECTORY"] = wd
		}
		h.run(reportOf([]string{"prod"}, inArchive, gapCartInjection))
		var got []githubtest.Annotation
		for _, a := range srv.CheckRuns()[0].Annotations {
			got = append(got, githubtest.Annotation{Path: a.Path, StartLine: a.StartLine, EndLine: a.EndLine, Message: a.Message})
		}
		want := []githubtest.Annotation{
			{Path: path.Join(wd, "charts/shop/templates/cart.yaml"), StartLine: 12, EndLine: 12, Message: `Deployment shop/cart: namespace "shop" has no istio-injection label`},
			{Path: path.Join(wd, archive), StartLine: 1, EndLine: 1, Message: path.Join(wd, archive) + "#templates/deployment.yaml:12: Deployment shop/grafana: not meshed"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("working-directory %q: annotations\n got %+v\nwant %+v", wd, got, want)
		}
		var inline []string
		for _, c := range srv.ReviewComments(prNumber) {
			inline = append(inline, fmt.Sprintf("%s:%d", c.Path, c.Line))
		}
		if want := []string{path.Join(wd, "charts/shop/templates/cart.yaml") + ":12"}; !reflect.DeepEqual(inline, want) {
			t.Errorf("working-directory %q: inline comments at %q, want %q", wd, inline, want)
		}
	}
}

func TestRateLimitBeyondTheCapIsAProblemNotAPermission(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{})
	srv.Inject(githubtest.SecondaryRateLimit("checks/create", 0, "600"))
	ev := githubtest.EventFile(t, "workflow_dispatch", "", nil)
	h := newHarness(t, srv, "octo-org/octo-repo", "workflow_dispatch", ev)
	res := h.run(reportOf(envs, gapWebEnv))
	want := []string{"could not create the check run: 403 " + githubtest.SecondaryRateLimitMessage}
	if len(res.MissingPermissions) != 0 || !res.Fallback || !reflect.DeepEqual(res.Problems, want) {
		t.Errorf("result = %+v", res)
	}
	// Start tried once; Publish tried again: no waiting 10 minutes.
	if n := srv.Calls("checks/create"); n != 2 || len(h.sleeps) != 0 {
		t.Errorf("%d creates, sleeps %v", n, h.sleeps)
	}
	if !strings.Contains(h.stdout.String(), "::warning title=meshgate::meshgate: could not create the check run: 403 You have exceeded a secondary rate limit") {
		t.Errorf("log = %s", h.stdout.String())
	}
}

// TestPullRequestBaseline: with the base commit checked, the comment's
// verdict counts the gaps new in this pull request and only the new gap
// fails; when the base could not be checked, the comment says why and that
// every gap counts, and every gap fails.
func TestPullRequestBaseline(t *testing.T) {
	existing, fresh := false, true
	old1, old2, added := gapWebEnv, gapWebJob, gapCartInjection
	old1.New, old2.New, added.New = &existing, &existing, &fresh
	for _, tt := range []struct {
		name     string
		baseline report.Baseline
		findings []finding.Finding
		result   string
		says     []string
	}{
		{"base-commit", report.Baseline{Kind: report.BaselineBaseCommit, Commit: prBaseSHA},
			[]finding.Finding{old1, old2, added}, "fail",
			[]string{"meshgate: 1 new gap in this pull request · 2 existing\n", " · base `f95f852`</sub>"}},
		{"base-commit-nothing-new", report.Baseline{Kind: report.BaselineBaseCommit, Commit: prBaseSHA},
			[]finding.Finding{old1, old2}, "pass",
			[]string{"meshgate: no new gaps in this pull request · 2 existing\n"}},
		{"previous-run", report.Baseline{Kind: report.BaselinePreviousRun, Fallback: "f95f852bd8fc: GitHub answered 404 Not Found to the archive request"},
			[]finding.Finding{gapWebEnv, gapWebJob}, "fail",
			[]string{"meshgate: 2 gaps in 1 of 3 environments\n",
				"> New means new since the last run; the base commit could not be rendered: f95f852bd8fc: GitHub answered 404 Not Found to the archive request\n>\n> Every gap counts for the check.\n"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := prServer(t, githubtest.Options{})
			h := prHarness(t, srv, "opened", prHeadSHA, nil)
			rep := reportOf(envs, tt.findings...)
			rep.Baseline = &tt.baseline
			r := h.load()
			res, err := r.Finish(t.Context(), r.Publisher(h.opts()), rep, publish.Gate{FailOn: "error", OnlyNew: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Result != tt.result {
				t.Errorf("result %q, want %q", res.Result, tt.result)
			}
			comments := srv.IssueComments(prNumber)
			if len(comments) != 1 {
				t.Fatalf("%d comments, want 1", len(comments))
			}
			for _, s := range tt.says {
				if !strings.Contains(comments[0].Body, s) {
					t.Errorf("the comment does not say %q:\n%s", s, comments[0].Body)
				}
			}
		})
	}
}
