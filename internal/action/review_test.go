package action

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/benchgen"
	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/publish"
	"github.com/meshgate/meshgate/internal/publish/githubtest"
	"github.com/meshgate/meshgate/internal/report"
)

// checkRepo checks the repository at dir as meshgate check does, on a
// fixed day and with durations pinned, so that the report is the same on
// every run.
func checkRepo(t *testing.T, dir string) report.Report {
	t.Helper()
	ctx := context.Background()
	plan, err := engine.NewPlan(ctx, engine.Request{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	plan.Today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	plan.ToolVersion = "1.0.0-test"
	plan.Elapsed = func(time.Time) int64 { return 0 }
	rep, err := engine.Run(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// markBase marks the findings as the Action does once it has rendered the
// pull request's base commit: those isNew picks new, the others existing.
func markBase(rep *report.Report, isNew func(finding.Finding) bool) {
	for i := range rep.Findings {
		n := isNew(rep.Findings[i])
		rep.Findings[i].New = &n
	}
	rep.Baseline = &report.Baseline{Kind: "base-commit", Commit: prBaseSHA}
}

// reviewRun publishes rep on the pull request as the Action does with a
// base: only new gaps fail.
func reviewRun(t *testing.T, srv *githubtest.Server, rep report.Report) (*harness, publish.Result) {
	t.Helper()
	h := prHarness(t, srv, "opened", prHeadSHA, nil)
	r := h.load()
	ctx := context.Background()
	pub := r.Publisher(h.opts())
	if err := pub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := r.Finish(ctx, pub, rep, publish.Gate{FailOn: r.Inputs.FailOn, OnlyNew: true})
	if err != nil {
		t.Fatal(err)
	}
	return h, res
}

// TestReviewDemo: the demo repository in a pull request that brings two
// of its gaps, as the reviewer sees it in the sticky comment and the job
// summary (goldens; look at them with shared/tools/mdshot).
func TestReviewDemo(t *testing.T) {
	rep := checkRepo(t, "../../testdata/demo")
	markBase(&rep, func(f finding.Finding) bool {
		return f.Rule == finding.RuleSecretMissing && f.Name == "payments" || f.Rule == finding.RuleMeshEnv && f.Environment == "shop-prod"
	})
	srv := githubtest.NewServer(t, githubtest.Options{Owner: prOwner, Repo: prRepo})
	srv.AddPullRequest(githubtest.PullRequest{Number: prNumber, HeadSHA: prHeadSHA, HeadRef: "changes", HeadOwner: prOwner, BaseSHA: prBaseSHA,
		Files: []githubtest.File{
			{Filename: "deploy/base/payments.yaml", Status: "modified", Patch: "@@ -41,2 +41,3 @@\n           envFrom:\n-            - secretRef: {name: payments-db}\n+            - secretRef: {name: payments-db}\n+            - secretRef: {name: payments-stripe}"},
			{Filename: "charts/shop/templates/catalog.yaml", Status: "modified", Patch: "@@ -49,1 +49,2 @@\n         - name: indexer\n+          image: indexer"},
		}})
	h, res := reviewRun(t, srv, rep)

	comment := srv.IssueComments(prNumber)[0].Body
	golden(t, "demo-pr.comment.md", comment)
	golden(t, "demo-pr.step-summary.md", h.file("summary"))
	const verdict = "2 new gaps in this pull request · 16 existing"
	if !strings.Contains(comment, "\n### ❌ meshgate: "+verdict+"\n") {
		t.Errorf("the comment's verdict is not %q", verdict)
	}
	cr := srv.CheckRuns()[0]
	if cr.Title != "2 new gaps in this pull request · 16 existing" || cr.Conclusion != "failure" {
		t.Errorf("check run: title %q, conclusion %s", cr.Title, cr.Conclusion)
	}
	if _, body, _ := strings.Cut(comment, "\n#### New in this pull request (2)\n"); body == "" || !strings.Contains(cr.Summary, body) {
		t.Error("the check run's summary does not say what the comment says")
	}
	// Annotations go to new gaps first.
	var first []string
	for _, a := range cr.Annotations[:2] {
		first = append(first, fmt.Sprintf("%s:%d", a.Path, a.StartLine))
	}
	if want := []string{"deploy/base/payments.yaml:43", "charts/shop/templates/catalog.yaml:50"}; strings.Join(first, " ") != strings.Join(want, " ") {
		t.Errorf("first annotations %v, want the new gaps %v", first, want)
	}
	if res.Result != "fail" {
		t.Errorf("result = %+v", res)
	}
}

// TestReviewFortyEnvironments: a generated repository of 40 environments,
// whose pull request brings the qa environments' missing Secret: the
// matrix still fits the conversation column, and the comment is far
// within GitHub's limit.
func TestReviewFortyEnvironments(t *testing.T) {
	dir := t.TempDir()
	if err := benchgen.Generate(dir, benchgen.Options{Envs: 40, Services: 10, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	rep := checkRepo(t, dir)
	markBase(&rep, func(f finding.Finding) bool { return f.Rule == finding.RuleSecretMissing })
	srv := prServer(t, githubtest.Options{})
	h, _ := reviewRun(t, srv, rep)

	comment := srv.IssueComments(prNumber)[0].Body
	golden(t, "forty-pr.comment.md", comment)
	golden(t, "forty-pr.step-summary.md", h.file("summary"))
	if n := len([]rune(comment)); n > 65536/4 {
		t.Errorf("the comment has %d characters: a quarter of GitHub's limit is plenty for 40 environments", n)
	}
	if n := len(srv.CheckRuns()[0].Summary); n > 65535 {
		t.Errorf("the check run's summary has %d bytes", n)
	}
	if strings.Contains(comment, "cut to fit") {
		t.Error("the comment was cut")
	}
}

// TestCommentTooLongIsRetriedShorter: GitHub answers 422 "Body is too
// long" (here for bodies over 33,000 characters): the comment is written
// once more with half the room, cut to fit with a pointer to the rest.
func TestCommentTooLongIsRetriedShorter(t *testing.T) {
	srv := prServer(t, githubtest.Options{MaxCommentBody: 33000})
	var fs []finding.Finding
	for i := 1; i <= 200; i++ {
		fs = append(fs, newFinding(finding.RuleMeshEnv, finding.SeverityError, "prod", "Deployment", "shop", fmt.Sprintf("app-%03d", i), "app",
			"X", strings.Repeat("a message that explains the gap at length ", 5), "deploy/app.yaml", i))
	}
	h := prHarness(t, srv, "opened", prHeadSHA, nil)
	res := h.run(reportOf(envs, fs...))

	creates := srv.Requests("issues/create-comment")
	if len(creates) != 2 || creates[0].Status != http.StatusUnprocessableEntity || creates[1].Status != http.StatusCreated {
		t.Fatalf("comment creates: %d", len(creates))
	}
	var first struct{ Body string }
	if err := json.Unmarshal(creates[0].Body, &first); err != nil || len([]rune(first.Body)) <= 33000 {
		t.Fatalf("the first body was not over the limit: %d characters", len([]rune(first.Body)))
	}
	comments := srv.IssueComments(prNumber)
	if len(comments) != 1 || len(comments[0].Body) > 65536/2 || res.CommentAction != "created" || len(res.Problems) != 0 {
		t.Fatalf("comments %d, result %+v", len(comments), res)
	}
	pointer := "\n_This report was cut to fit. The full report is in [the check run](" + res.CheckRunURL +
		") and [the job summary](https://github.com/Codertocat/Hello-World/actions/runs/4242)._\n"
	if !strings.HasSuffix(comments[0].Body, pointer) {
		t.Errorf("the shorter comment does not end with the pointer:\n…%s", comments[0].Body[len(comments[0].Body)-300:])
	}
}
