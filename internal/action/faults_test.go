package action

import (
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/publish"
	"github.com/meshgate/meshgate/internal/publish/githubtest"
)

// GitHub's 422 for a check run's content comes as "Invalid request." with
// the reason on the lines below (this reason is made up: what matters is
// the multi-line shape).
const annotationRefused = "Invalid request.\n\nAn annotation's path is not a file of this repository."

// The log lines of the workflow-command fallback, one per finding.
const (
	logMask   = "::add-mask::" + githubtest.Token + "\n"
	cmdRender = "::error title=meshgate render-error (dev)::helm template: charts/shop/templates/cart.yaml:3:4: image.tag is required\n"
	cmdCart   = "::error file=charts/shop/templates/cart.yaml,line=12,title=meshgate mesh-injection (prod)::Deployment shop/cart: namespace \"shop\" has no istio-injection label\n"
	cmdWeb    = "::warning file=charts/shop/templates/web.yaml,line=11,title=meshgate mesh-job-sidecar (prod)::Deployment shop/web: meshed pod without native sidecars\n"
)

// What publishing says about each fault (Result.Problems, and the log and the
// job summary).
const (
	problemBadToken = "GitHub rejected the token (401 Bad credentials), so meshgate stopped publishing: " +
		"check the github-token input (a token that expired, was revoked, or is for another GitHub host)"
	problemNotFound = "GitHub answered 404 Not Found to %s: GitHub hides what a token may not see; " +
		"is the github-token input a token of another repository, or of a GitHub App not installed on Codertocat/Hello-World?"
	problemAnnotationsRefused = "GitHub refused the check run's annotations (422 Invalid request. An annotation's path is not a file of this repository.): " +
		"the check run is completed without them, and 2 findings are annotated with workflow commands instead"
	problemBodyTooLong = "could not comment on the pull request: 422 Validation Failed: Body is too long (maximum is 65536 characters)"
)

func warning(problem string) string { return "::warning title=meshgate::meshgate: " + problem + "\n" }

// TestGitHubFaults: GitHub answers 401, 404 or 422. meshgate says what went
// wrong once, in plain words; annotates with workflow commands whatever no
// check run carries; never repeats a refused write; never leaks the token;
// and the result stays the findings'.
func TestGitHubFaults(t *testing.T) {
	once := func(f githubtest.Fault) githubtest.Fault { f.Times = 1; return f }
	tests := []struct {
		name   string
		faults []githubtest.Fault
		// publishOnly runs Finish without Start, as meshgate publish does.
		publishOnly bool
		// want is the Result but for the ids and URLs of what the fake
		// holds, which are filled in from it.
		want  publish.Result
		calls map[string]int
		// checkRun is the fake's check run: "status conclusion
		// annotations", or "" for none.
		checkRun string
		// checkTextPrefix starts the check run's text.
		checkTextPrefix string
		comments        int
		log             string
	}{
		{
			name:   "401 bad credentials on every call",
			faults: []githubtest.Fault{githubtest.Answer("", http.StatusUnauthorized, githubtest.BadCredentialsMessage)},
			want: publish.Result{Result: "fail", Conclusion: "failure", FixedGaps: -1, Fallback: true,
				Problems: []string{problemBadToken}},
			// Start's create is rejected; Publish asks nothing more.
			calls: map[string]int{"POST checks/create": 1},
			log:   logMask + cmdRender + cmdCart + cmdWeb + warning(problemBadToken),
		},
		{
			name:        "401 bad credentials on every call, publish without start",
			faults:      []githubtest.Fault{githubtest.Answer("", http.StatusUnauthorized, githubtest.BadCredentialsMessage)},
			publishOnly: true,
			want: publish.Result{Result: "fail", Conclusion: "failure", FixedGaps: -1, Fallback: true,
				Problems: []string{problemBadToken}},
			calls: map[string]int{"GET pulls/list-files": 1},
			log:   logMask + cmdRender + cmdCart + cmdWeb + warning(problemBadToken),
		},
		{
			name:   "404 on every call: a token of another repository",
			faults: []githubtest.Fault{githubtest.Answer("", http.StatusNotFound, githubtest.NotFoundMessage)},
			want: publish.Result{Result: "fail", Conclusion: "failure", FixedGaps: -1, Fallback: true,
				Problems: []string{fmt.Sprintf(problemNotFound,
					"create the check run, list the pull request's files and read the pull request's comments")}},
			calls: map[string]int{"POST checks/create": 1, "GET pulls/list-files": 1, "GET issues/list-comments": 1},
			log: logMask + cmdRender + cmdCart + cmdWeb + warning(fmt.Sprintf(problemNotFound,
				"create the check run, list the pull request's files and read the pull request's comments")),
		},
		{
			name:   "404 on the check run create",
			faults: []githubtest.Fault{githubtest.Answer("checks/create", http.StatusNotFound, githubtest.NotFoundMessage)},
			want: publish.Result{Result: "fail", Conclusion: "failure", CommentAction: "created", NewGaps: 3, FixedGaps: 0,
				InlineCreated: 1, Fallback: true, Problems: []string{fmt.Sprintf(problemNotFound, "create the check run")}},
			// Start's create is not asked again by Publish.
			calls: map[string]int{"POST checks/create": 1, "GET pulls/list-files": 1, "GET pulls/list-review-comments": 1,
				"POST pulls/create-review": 1, "GET issues/list-comments": 1, "POST issues/create-comment": 1},
			comments: 1,
			log:      logMask + cmdRender + cmdCart + cmdWeb + warning(fmt.Sprintf(problemNotFound, "create the check run")),
		},
		{
			name:   "404 on listing the pull request's comments",
			faults: []githubtest.Fault{githubtest.Answer("issues/list-comments", http.StatusNotFound, githubtest.NotFoundMessage)},
			want: publish.Result{Result: "fail", Conclusion: "failure", Annotations: 2, AnnotationRequests: 1, FixedGaps: -1,
				InlineCreated: 1, Problems: []string{fmt.Sprintf(problemNotFound, "read the pull request's comments")}},
			calls: map[string]int{"POST checks/create": 1, "GET pulls/list-files": 1, "GET pulls/list-review-comments": 1,
				"POST pulls/create-review": 1, "PATCH checks/update": 1, "GET issues/list-comments": 1},
			checkRun: "completed failure 2",
			log:      logMask + warning(fmt.Sprintf(problemNotFound, "read the pull request's comments")),
		},
		{
			name:   "422 on the annotations update",
			faults: []githubtest.Fault{once(githubtest.Answer("checks/update", http.StatusUnprocessableEntity, annotationRefused))},
			want: publish.Result{Result: "fail", Conclusion: "failure", CommentAction: "created", NewGaps: 3, FixedGaps: 0,
				InlineCreated: 1, Fallback: true, Problems: []string{problemAnnotationsRefused}},
			// The refused PATCH is not repeated: the second one completes
			// the run without annotations.
			calls: map[string]int{"POST checks/create": 1, "GET pulls/list-files": 1, "GET pulls/list-review-comments": 1,
				"POST pulls/create-review": 1, "PATCH checks/update": 2, "GET issues/list-comments": 1, "POST issues/create-comment": 1},
			checkRun: "completed failure 0",
			checkTextPrefix: "GitHub refused the annotations (422 Invalid request. An annotation's path is not a file of this repository.): " +
				"2 findings are annotated in the workflow run's log instead.\n\n1 finding has no file to annotate",
			comments: 1,
			// The render error has no file: the check run's summary lists
			// it, as when the annotations are accepted.
			log: logMask + cmdCart + cmdWeb + warning(problemAnnotationsRefused),
		},
		{
			name:   "422 on every check run update",
			faults: []githubtest.Fault{githubtest.Answer("checks/update", http.StatusUnprocessableEntity, annotationRefused)},
			want: publish.Result{Result: "fail", Conclusion: "failure", CommentAction: "created", NewGaps: 3, FixedGaps: 0,
				InlineCreated: 1, Fallback: true, Problems: []string{
					"could not annotate the check run: 422 Invalid request. An annotation's path is not a file of this repository.",
					"could not complete the check run: 422 Invalid request. An annotation's path is not a file of this repository.",
				}},
			calls: map[string]int{"POST checks/create": 1, "GET pulls/list-files": 1, "GET pulls/list-review-comments": 1,
				"POST pulls/create-review": 1, "PATCH checks/update": 2, "GET issues/list-comments": 1, "POST issues/create-comment": 1},
			checkRun: "in_progress  0",
			comments: 1,
			log: logMask + cmdRender + cmdCart + cmdWeb +
				warning("could not annotate the check run: 422 Invalid request. An annotation's path is not a file of this repository.") +
				warning("could not complete the check run: 422 Invalid request. An annotation's path is not a file of this repository."),
		},
		{
			name: "422 body is too long on the comment create",
			faults: []githubtest.Fault{githubtest.Answer("issues/create-comment", http.StatusUnprocessableEntity,
				"Validation Failed: Body is too long (maximum is 65536 characters)")},
			want: publish.Result{Result: "fail", Conclusion: "failure", Annotations: 2, AnnotationRequests: 1, NewGaps: 3, FixedGaps: 0,
				InlineCreated: 1, Problems: []string{problemBodyTooLong}},
			// Written once more with half the room, then given up: the
			// fake refuses every body.
			calls: map[string]int{"POST checks/create": 1, "GET pulls/list-files": 1, "GET pulls/list-review-comments": 1,
				"POST pulls/create-review": 1, "PATCH checks/update": 1, "GET issues/list-comments": 1, "POST issues/create-comment": 2},
			checkRun: "completed failure 2",
			log:      logMask + warning(problemBodyTooLong),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := prServer(t, githubtest.Options{})
			for _, f := range tt.faults {
				srv.Inject(f)
			}
			h := prHarness(t, srv, "opened", prHeadSHA, nil)
			// Two errors and a warning: one on a changed line, one
			// elsewhere, one without a file.
			rep := reportOf(envs, gapCartInjection, gapWebJob, gapDevRender)
			res := h.publish(rep, h.opts(), !tt.publishOnly)

			want := tt.want
			runs := srv.CheckRuns()
			var gotRun string
			if len(runs) > 1 {
				t.Fatalf("%d check runs, want at most 1", len(runs))
			}
			if len(runs) == 1 {
				cr := runs[0]
				gotRun = fmt.Sprintf("%s %s %d", cr.Status, cr.Conclusion, len(cr.Annotations))
				want.CheckRunID, want.CheckRunURL = cr.ID, fmt.Sprintf("https://github.com/Codertocat/Hello-World/runs/%d", cr.ID)
				if !strings.HasPrefix(cr.Text, tt.checkTextPrefix) {
					t.Errorf("check run text:\n got %q\nwant it to start with %q", cr.Text, tt.checkTextPrefix)
				}
			}
			if gotRun != tt.checkRun {
				t.Errorf("check run = %q, want %q", gotRun, tt.checkRun)
			}
			comments := srv.IssueComments(prNumber)
			if len(comments) != tt.comments {
				t.Errorf("%d comments, want %d", len(comments), tt.comments)
			}
			if len(comments) == 1 && want.CommentAction != "" {
				want.CommentID = comments[0].ID
				want.CommentURL = fmt.Sprintf("https://github.com/Codertocat/Hello-World/pull/2#issuecomment-%d", comments[0].ID)
			}
			if !reflect.DeepEqual(res, want) {
				t.Errorf("result:\n got %+v\nwant %+v", res, want)
			}
			assertCounts(t, srv, tt.calls)
			if got := h.stdout.String(); got != tt.log {
				t.Errorf("log:\n got %q\nwant %q", got, tt.log)
			}
			summary := h.file("summary")
			for _, p := range want.Problems {
				if n := strings.Count(summary, "> meshgate: "+p+"\n"); n != 1 {
					t.Errorf("the job summary says %q %d times, want once", p, n)
				}
			}
			if got := h.outputs()["result"]; got != "fail" {
				t.Errorf("result output = %q, want fail", got)
			}
			h.assertNoTokenLeak()

			// The same fault with findings below fail-on: the result is
			// still the findings'.
			srv2 := prServer(t, githubtest.Options{})
			for _, f := range tt.faults {
				srv2.Inject(f)
			}
			h2 := prHarness(t, srv2, "opened", prHeadSHA, nil)
			res2 := h2.publish(reportOf(envs, gapWebJob), h2.opts(), !tt.publishOnly)
			if res2.Result != "pass" || res2.Conclusion != "neutral" || h2.outputs()["result"] != "pass" {
				t.Errorf("warnings only: result %q, conclusion %q, result output %q; want pass, neutral, pass",
					res2.Result, res2.Conclusion, h2.outputs()["result"])
			}
		})
	}
}

// roundTripFunc is an http.RoundTripper from a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAnnotationsRefusedMidway(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{})
	ev := githubtest.EventFile(t, "workflow_dispatch", "", nil)
	h := newHarness(t, srv, "octo-org/octo-repo", "workflow_dispatch", ev)
	var fs []finding.Finding
	for i := 1; i <= 60; i++ {
		fs = append(fs, newFinding(finding.RuleMeshEnv, finding.SeverityError, "prod", "Deployment", "shop", fmt.Sprintf("app-%03d", i), "app",
			"X", "missing env", "deploy/app.yaml", i))
	}
	// GitHub takes the first 50 annotations and refuses the next PATCH
	// (the fake's faults cannot skip a request, so the refusal is made
	// here, before the fake).
	opts := h.opts()
	patches := 0
	opts.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPatch {
			patches++
			if patches == 2 {
				body := `{"message":"Invalid request.\n\nAn annotation's path is not a file of this repository.","documentation_url":"https://docs.github.com/rest"}`
				return &http.Response{StatusCode: http.StatusUnprocessableEntity, Status: "422 Unprocessable Entity",
					Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
			}
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	res := h.publish(reportOf([]string{"prod"}, fs...), opts, true)

	cr := srv.CheckRuns()[0]
	if cr.Status != "completed" || cr.Conclusion != "failure" || !reflect.DeepEqual(cr.AnnotationsPerUpdate, []int{50, 0}) {
		t.Errorf("check run: %s %s, annotations per PATCH %v; want completed failure [50 0]", cr.Status, cr.Conclusion, cr.AnnotationsPerUpdate)
	}
	assertCounts(t, srv, map[string]int{"POST checks/create": 1, "PATCH checks/update": 2})
	problem := "GitHub refused the check run's annotations (422 Invalid request. An annotation's path is not a file of this repository.): " +
		"the check run is completed without them, and 10 findings are annotated with workflow commands instead"
	want := publish.Result{Result: "fail", Conclusion: "failure", CheckRunID: cr.ID,
		CheckRunURL: fmt.Sprintf("https://github.com/octo-org/octo-repo/runs/%d", cr.ID),
		Annotations: 50, AnnotationRequests: 1, FixedGaps: -1, Fallback: true, Problems: []string{problem}}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("result:\n got %+v\nwant %+v", res, want)
	}
	// The log annotates the ten the check run lacks, and no other.
	wantLog := logMask
	for i := 51; i <= 60; i++ {
		wantLog += fmt.Sprintf("::error file=deploy/app.yaml,line=%d,title=meshgate mesh-env (prod)::Deployment shop/app-%03d [app]: missing env\n", i, i)
	}
	wantLog += warning(problem)
	if got := h.stdout.String(); got != wantLog {
		t.Errorf("log:\n got %q\nwant %q", got, wantLog)
	}
	h.assertNoTokenLeak()
}
