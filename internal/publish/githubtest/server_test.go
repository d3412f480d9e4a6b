package githubtest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// recorder collects the failures the fake reports instead of failing.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Helper() {}

func TestServerRejectsWhatGitHubWould(t *testing.T) {
	annotations := make([]string, 51)
	for i := range annotations {
		annotations[i] = `{"path":"a","start_line":1,"end_line":1,"annotation_level":"failure","message":"m"}`
	}
	for _, tc := range []struct {
		name, method, path, token, body string
		wantStatus                      int
		wantErr                         string // in the failure the test gets; "" for none
	}{
		{"valid create", "POST", "/repos/o/r/check-runs", Token, `{"name":"x","head_sha":"abc"}`, 201, ""},
		{"missing head_sha", "POST", "/repos/o/r/check-runs", Token, `{"name":"x"}`, 422,
			"does not validate against GitHub's API description"},
		{"51 annotations", "PATCH", "/repos/o/r/check-runs/1", Token,
			`{"name":"x","output":{"title":"t","summary":"s","annotations":[` + strings.Join(annotations, ",") + `]}}`, 422,
			"maximum number of items is 50"},
		{"unknown level", "POST", "/repos/o/r/check-runs", Token,
			`{"name":"x","head_sha":"abc","output":{"title":"t","summary":"s","annotations":[{"path":"a","start_line":1,"end_line":1,"annotation_level":"error","message":"m"}]}}`,
			422, "does not validate"},
		{"no such operation", "GET", "/repos/o/r/nothing-here", Token, "", 422, "no operation in GitHub's API description"},
		{"wrong token", "GET", "/repos/o/r/issues/1/comments", "other", "", 401, "Authorization header is not the expected token"},
		{"another repository", "GET", "/repos/x/y/issues/1/comments", Token, "", 404, "on x/y, want o/r"},
		{"operation the fake does not expect", "GET", "/repos/o/r/issues/1", Token, "", 404, "unexpected operation issues/get"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			s := NewServer(rec, Options{Owner: "o", Repo: "r"})
			var body *strings.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			var req *http.Request
			var err error
			if body != nil {
				req, err = http.NewRequest(tc.method, s.URL+tc.path, body)
				req.Header.Set("Content-Type", "application/json")
			} else {
				req, err = http.NewRequest(tc.method, s.URL+tc.path, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+tc.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			joined := strings.Join(rec.errs, "\n")
			if tc.wantErr == "" && joined != "" || tc.wantErr != "" && !strings.Contains(joined, tc.wantErr) {
				t.Errorf("failures:\n%s\nwant one containing %q", joined, tc.wantErr)
			}
		})
	}
}

func TestServerPaginatesWithLinkHeaders(t *testing.T) {
	s := NewServer(t, Options{Owner: "o", Repo: "r", MaxPerPage: 2, PathPrefix: "/api/v3"})
	for i := 0; i < 5; i++ {
		s.AddIssueComment(1, "octocat", fmt.Sprintf("c%d", i))
	}
	req, _ := http.NewRequest("GET", s.URL+"/repos/o/r/issues/1/comments?per_page=100&page=2", nil)
	req.Header.Set("Authorization", "Bearer "+Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	link := resp.Header.Get("Link")
	if !strings.Contains(link, "/api/v3/repos/o/r/issues/1/comments?page=3&per_page=2>; rel=\"next\"") {
		t.Errorf("Link = %q", link)
	}
}

func TestWebhookExamples(t *testing.T) {
	for _, tc := range []struct{ event, action string }{
		{"pull_request", "opened"}, {"pull_request", "synchronize"}, {"push", ""}, {"workflow_dispatch", ""}, {"workflow_run", "completed"},
	} {
		if _, err := WebhookExample(tc.event, tc.action); err != nil {
			t.Errorf("%s/%s: %v", tc.event, tc.action, err)
		}
	}
	if _, err := WebhookExample("pull_request", "no-such-action"); err == nil {
		t.Error("no error for a missing example")
	}
}
