package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/publish/githubtest"
	"github.com/meshgate/meshgate/internal/report"
	"github.com/meshgate/meshgate/internal/testrepo"
)

// baseRepo is a repository with two gaps on its main branch (a Secret
// that is produced nowhere, a key the Secret does not have), in one
// meshed kustomize environment.
func baseRepo() map[string]string {
	return map[string]string{
		".meshgate.yaml":                 "environments:\n  - name: prod\n    kustomize:\n      path: deploy/prod\nmesh:\n  provider: istio\n",
		"deploy/prod/kustomization.yaml": "namespace: shop\nresources:\n  - namespace.yaml\n  - web.yaml\n  - api.yaml\n  - api-db.yaml\n",
		"deploy/prod/namespace.yaml":     "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    istio-injection: enabled\n",
		"deploy/prod/web.yaml":           baseRepoDeployment("web", 1, "web-db", "password"),
		"deploy/prod/api.yaml":           baseRepoDeployment("api", 1, "api-db", "passwd"),
		"deploy/prod/api-db.yaml":        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-db\nstringData:\n  password: " + e2eCanary + "\n",
	}
}

// baseRepoDeployment is a Deployment whose container reads key of Secret
// secret.
func baseRepoDeployment(name string, replicas int, secret, key string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
spec:
  replicas: %[2]d
  selector:
    matchLabels: {app: %[1]s}
  template:
    metadata:
      labels: {app: %[1]s}
    spec:
      containers:
        - name: app
          image: example/%[1]s:1.0
          env:
            - name: TOKEN
              valueFrom:
                secretKeyRef: {name: %[3]s, key: %[4]s}
`, name, replicas, secret, key)
}

// baseRepoStep is a pull_request step on a checkout of files (the pull
// request's merge commit, as actions/checkout leaves it: no history) of
// pull request number, whose base commit the fake serves as GitHub's
// archive of baseRepo.
func baseRepoStep(t *testing.T, srv *githubtest.Server, number int, sha string, files map[string]string, changed []githubtest.File) *e2eStep {
	t.Helper()
	ws := filepath.Join(t.TempDir(), e2eRepo)
	testrepo.Write(t, ws, files)
	srv.AddPullRequest(githubtest.PullRequest{Number: number, HeadSHA: sha, HeadRef: fmt.Sprintf("change-%d", number), HeadOwner: e2eOwner,
		BaseSHA: e2eBaseSHA, Files: changed})
	ev := prEvent(t, "opened", sha, func(p map[string]any) {
		githubtest.Set(p, "number", number)
		githubtest.Set(p, "pull_request.number", number)
	})
	step := newStep(t, srv, ws, e2eOwner+"/"+e2eRepo, "pull_request", ev)
	step.env["INPUT_JSON-FILE"] = "meshgate.json"
	return step
}

// newMarks maps each finding of the step's JSON report to its new mark.
func newMarks(t *testing.T, step *e2eStep) (map[string]bool, report.Report) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(step.ws, "meshgate.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.ReadJSON(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	marks := map[string]bool{}
	for _, f := range rep.Findings {
		if f.New == nil {
			t.Fatalf("finding not marked new or existing: %+v", f)
		}
		marks[f.Rule+" "+f.WorkloadID()] = *f.New
	}
	return marks, rep
}

// TestE2EPullRequestAgainstItsBaseCommit (issue 13): on a repository with
// two gaps, a pull request that adds a third has exactly that one marked
// new, from its base commit downloaded as GitHub's archive (the image has
// no git, the checkout no history); its check fails and the comment's and
// the check run's verdict say "1 new gap in this pull request". A second pull request that adds no gap passes with the two
// existing gaps, until fail-on-existing: true asks for the strict gate. A
// push judges every gap and downloads nothing.
func TestE2EPullRequestAgainstItsBaseCommit(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{Owner: e2eOwner, Repo: e2eRepo})
	srv.AddArchive(e2eBaseSHA, githubtest.Tarball(t, "Codertocat-Hello-World-f95f852", e2eBaseSHA, baseRepo()))

	// Pull request #2 adds a worker that reads a Secret nobody produces.
	adds := baseRepo()
	adds["deploy/prod/worker.yaml"] = baseRepoDeployment("worker", 1, "worker-token", "token")
	adds["deploy/prod/kustomization.yaml"] = strings.Replace(adds["deploy/prod/kustomization.yaml"], "  - api-db.yaml\n", "  - api-db.yaml\n  - worker.yaml\n", 1)
	step := baseRepoStep(t, srv, e2ePR, e2eHeadSHA, adds, nil)
	res := runBinary(t, step)

	if res.code != 1 {
		t.Errorf("exit code %d, want 1 (the new gap fails); stderr:\n%s", res.code, res.stderr)
	}
	marks, rep := newMarks(t, step)
	assertEqual(t, "new marks", marks, map[string]bool{
		"secret-key-missing Deployment/shop/api": false,
		"secret-missing Deployment/shop/web":     false,
		"secret-missing Deployment/shop/worker":  true,
	})
	assertEqual(t, "baseline", rep.Baseline, &report.Baseline{Kind: report.BaselineBaseCommit, Commit: e2eBaseSHA})
	assertCalls(t, srv, nil, map[string]int{
		"POST checks/create":                  1,
		"GET repos/download-tarball-archive":  1,
		"GET " + githubtest.CodeloadOperation: 1,
		"GET pulls/list-files":                1,
		"GET pulls/list-review-comments":      1,
		"PATCH checks/update":                 1,
		"GET issues/list-comments":            1,
		"POST issues/create-comment":          1,
	})
	// The archive of the base commit, asked of the API with the token; the
	// download itself went without it (the fake fails the test otherwise).
	archive := srv.Requests("repos/download-tarball-archive")[0]
	assertEqual(t, "archive request", [3]string{archive.Path, archive.Query, string(archive.Body)},
		[3]string{"/repos/Codertocat/Hello-World/tarball/" + e2eBaseSHA, "", ""})
	download := srv.Requests(githubtest.CodeloadOperation)[0]
	assertEqual(t, "download", [2]string{download.Path, download.Header.Get("Authorization")},
		[2]string{"/_codeload/Codertocat/Hello-World/legacy.tar.gz/" + e2eBaseSHA, ""})
	update := checkRunBodies(t, srv, "checks/update")[0]
	output, _ := update["output"].(map[string]any)
	assertEqual(t, "check run completion", [3]any{update["status"], update["conclusion"], output["title"]},
		[3]any{"completed", "failure", "1 new gap in this pull request · 2 existing"})
	comment := srv.IssueComments(e2ePR)[0].Body
	for _, want := range []string{"\n### ❌ meshgate: 1 new gap in this pull request · 2 existing\n", " · base `f95f852`</sub>\n"} {
		if !strings.Contains(comment, want) {
			t.Errorf("the comment does not say %q:\n%s", want, comment)
		}
	}
	if strings.Contains(comment, "could not be rendered") {
		t.Errorf("the comment says the base commit was not checked:\n%s", comment)
	}
	assertEqual(t, "outputs", step.outputs(), map[string]string{"result": "fail", "findings": "3", "errors": "3", "warnings": "0", "report": "meshgate.json"})
	if !strings.Contains(res.stdout, "meshgate: checking base commit f95f852bd8fc of pull request #2 too (6 files from GitHub's archive)\n") {
		t.Errorf("the log does not say the base commit was checked:\n%s", res.stdout)
	}
	step.assertNoLeaks(res)
	if strings.Contains(res.stdout+res.stderr+step.summary(), githubtest.CodeloadToken) {
		t.Error("the download URL's token is in the log or the summary")
	}

	// Pull request #3 scales web up: no new gap, so it passes, and its
	// check is neutral (gaps to read, none failing).
	scales := baseRepo()
	scales["deploy/prod/web.yaml"] = baseRepoDeployment("web", 3, "web-db", "password")
	before := srv.CallCounts()
	step = baseRepoStep(t, srv, 3, e2eSyncSHA, scales, nil)
	res = runBinary(t, step)

	if res.code != 0 {
		t.Errorf("second pull request: exit code %d, want 0; stderr:\n%s", res.code, res.stderr)
	}
	marks, _ = newMarks(t, step)
	assertEqual(t, "second pull request's marks", marks, map[string]bool{
		"secret-key-missing Deployment/shop/api": false,
		"secret-missing Deployment/shop/web":     false,
	})
	if after := srv.CallCounts(); after["GET repos/download-tarball-archive"]-before["GET repos/download-tarball-archive"] != 1 {
		t.Errorf("second pull request: the base commit was not downloaded once")
	}
	update = checkRunBodies(t, srv, "checks/update")[1]
	assertEqual(t, "second check run", [2]any{update["conclusion"], step.outputs()["result"]}, [2]any{"neutral", "pass"})
	if c := srv.IssueComments(3); len(c) != 1 || !strings.Contains(c[0].Body, "\n### ✅ meshgate: no new gaps in this pull request · 2 existing\n") {
		t.Errorf("second pull request's comment: %+v", c)
	}

	// The strict gate: the same pull request with fail-on-existing.
	strict := baseRepoStep(t, srv, 4, e2eSyncSHA, scales, nil)
	strict.env["INPUT_FAIL-ON-EXISTING"] = "true"
	if res := runBinary(t, strict); res.code != 1 || strict.outputs()["result"] != "fail" {
		t.Errorf("fail-on-existing: exit code %d, result %q; want 1, fail", res.code, strict.outputs()["result"])
	}

	// A push to main is a release gate: every gap counts, no base.
	ws := filepath.Join(t.TempDir(), e2eRepo)
	testrepo.Write(t, ws, scales)
	ev := githubtest.EventFile(t, "push", "", func(p map[string]any) { githubtest.Set(p, "after", e2eMainSHA) })
	push := newStep(t, srv, ws, e2eOwner+"/"+e2eRepo, "push", ev)
	before = srv.CallCounts()
	if res := runBinary(t, push); res.code != 1 {
		t.Errorf("push: exit code %d, want 1", res.code)
	}
	assertCalls(t, srv, before, map[string]int{"POST checks/create": 1, "PATCH checks/update": 1})
}
