package publish

import (
	"bytes"
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/publish/githubtest"
	"github.com/meshgate/meshgate/internal/report"
)

// The API publisher's and the action's end-to-end tests are in
// internal/action, which runs these publishers the way the CLI does.

func testReport(fs ...finding.Finding) report.Report {
	rep := report.Report{Tool: report.Tool{Name: "meshgate", Version: "1.0.0-test"},
		Environments: []report.Environment{{Name: "prod", Source: "kustomize", Path: "deploy/prod", Workloads: 1}}}
	for _, f := range fs {
		f.SetFingerprint()
		rep.Findings = append(rep.Findings, f)
	}
	rep.Finalize()
	return rep
}

var missingEnv = finding.Finding{Rule: finding.RuleMeshEnv, Severity: finding.SeverityWarning, Environment: "prod",
	Kind: "Deployment", Namespace: "shop", Name: "web", Container: "app", Subject: "ISTIO_META_REQUEST_ID",
	Message: "missing env 100%", File: "deploy/prod/web.yaml", Line: 7}

func TestFinishRejectsAnInvalidGate(t *testing.T) {
	for name, pub := range map[string]Publisher{
		"api":      NewAPI(Target{APIURL: "https://api.github.com", Token: "t"}, Options{}),
		"commands": NewCommands(nil),
	} {
		_, err := pub.Finish(t.Context(), testReport(), Gate{FailOn: "critical"})
		if err == nil || err.Error() != `publish: fail-on "critical": want error, warning or never` {
			t.Errorf("%s: error = %v", name, err)
		}
	}
}

func TestAPIWithAnUnparsableURL(t *testing.T) {
	p := NewAPI(Target{APIURL: "https://ghe.example.com/%zz", Token: "t", CheckRun: true, HeadSHA: "abc"}, Options{})
	want := `publish: GITHUB_API_URL "https://ghe.example.com/%zz": parse "https://ghe.example.com/%zz/": invalid URL escape "%zz"`
	if err := p.Start(t.Context()); err == nil || err.Error() != want {
		t.Errorf("Start: %v\nwant %s", err, want)
	}
	if _, err := p.Finish(t.Context(), testReport(), Gate{}); err == nil || err.Error() != want {
		t.Errorf("Finish: %v\nwant %s", err, want)
	}
}

func TestCommandsAnnotateEveryFinding(t *testing.T) {
	var log bytes.Buffer
	res, err := NewCommands(&log).Finish(t.Context(), testReport(missingEnv), Gate{FailOn: finding.FailOnWarning})
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Result: "fail", Conclusion: conclusionFailure, FixedGaps: -1, Fallback: true}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("result:\n got %+v\nwant %+v", res, want)
	}
	wantLog := "::warning file=deploy/prod/web.yaml,line=7,title=meshgate mesh-env (prod)::Deployment shop/web [app]: missing env 100%25\n"
	if log.String() != wantLog {
		t.Errorf("log:\n got %q\nwant %q", log.String(), wantLog)
	}
}

// TestAPIKeepsStateFromStartToFinish: the check run Start creates is the
// one Finish completes, and a permission GitHub refused at Start is not
// asked for again.
func TestAPIKeepsStateFromStartToFinish(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		srv := githubtest.NewServer(t, githubtest.Options{})
		if refuse {
			srv.Inject(githubtest.Fault{Operation: "checks/create", Status: http.StatusForbidden, Message: githubtest.ReadOnlyMessage})
		}
		var log bytes.Buffer
		p := NewAPI(Target{Owner: "octo-org", Repo: "octo-repo", HeadSHA: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
			APIURL: srv.URL, ExternalID: "meshgate/1/1/test", Token: githubtest.Token, CheckRun: true, CheckName: "meshgate",
			Comment: CommentAlways}, Options{Log: &log, Now: func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }})
		ctx := context.Background()
		if err := p.Start(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := p.Finish(ctx, testReport(missingEnv), Gate{})
		if err != nil {
			t.Fatal(err)
		}
		if n := srv.Calls("checks/create"); n != 1 {
			t.Errorf("refused %v: %d creates, want 1", refuse, n)
		}
		if refuse {
			if !res.Fallback || !reflect.DeepEqual(res.MissingPermissions, []string{permChecks}) || log.Len() == 0 {
				t.Errorf("refused: result %+v, log %q", res, log.String())
			}
			continue
		}
		runs := srv.CheckRuns()
		if len(runs) != 1 || runs[0].Status != "completed" || runs[0].Conclusion != conclusionNeutral || len(runs[0].Annotations) != 1 ||
			res.CheckRunID != runs[0].ID || res.Fallback || log.Len() != 0 {
			t.Errorf("check runs %+v, result %+v, log %q", runs, res, log.String())
		}
	}
}
