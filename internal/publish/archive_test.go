package publish

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/publish/githubtest"
)

const archiveSHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"

func archiveAPI(srv *githubtest.Server, token string) *API {
	return NewAPI(Target{Owner: "octo-org", Repo: "octo-repo", APIURL: srv.URL, Token: token},
		Options{Sleep: func(context.Context, time.Duration) error { return nil }, Jitter: func(time.Duration) time.Duration { return 0 }})
}

// TestTarball: the archive comes through the redirect, byte for byte; the
// API request carries the token and the download none (the fake fails the
// test otherwise).
func TestTarball(t *testing.T) {
	srv := githubtest.NewServer(t, githubtest.Options{PathPrefix: "/api/v3"})
	want := githubtest.Tarball(t, "octo-org-octo-repo-f95f852", archiveSHA, map[string]string{"a.yaml": "a: 1\n"})
	srv.AddArchive(archiveSHA, want)

	body, err := archiveAPI(srv, githubtest.Token).Tarball(t.Context(), archiveSHA)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(body)
	body.Close()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("archive: %d bytes, %v; want the %d bytes served", len(got), err, len(want))
	}
	reqs := srv.Requests("")
	if len(reqs) != 2 || reqs[0].OperationID != "repos/download-tarball-archive" || reqs[0].Path != "/repos/octo-org/octo-repo/tarball/"+archiveSHA ||
		reqs[1].OperationID != githubtest.CodeloadOperation || reqs[1].Status != http.StatusOK {
		t.Errorf("requests %+v, want the API's redirect, then the download", reqs)
	}
}

// TestTarballFailures: each failure is one sentence that says what to do,
// and never holds the download URL or its token.
func TestTarballFailures(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*githubtest.Server)
		token string
		want  string
	}{
		{"unknown commit", func(*githubtest.Server) {}, githubtest.Token,
			"GitHub answered 404 Not Found to the archive request: the token needs contents: read (list it in the workflow's permissions: block), or the commit is gone"},
		{"refused", func(s *githubtest.Server) {
			s.Inject(githubtest.Answer("repos/download-tarball-archive", http.StatusForbidden, githubtest.ReadOnlyMessage))
		}, githubtest.Token,
			"GitHub answered 403 Forbidden to the archive request: the token needs contents: read (list it in the workflow's permissions: block), or the commit is gone"},
		{"download fails", func(s *githubtest.Server) {
			s.AddArchive(archiveSHA, []byte("x"))
			s.Inject(githubtest.Fault{Operation: githubtest.CodeloadOperation, Status: http.StatusServiceUnavailable})
		}, githubtest.Token, "downloading the archive answered 503 Service Unavailable"},
		{"no token", func(*githubtest.Server) {}, "", "downloading it needs the github-token input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := githubtest.NewServer(t, githubtest.Options{})
			tt.setup(srv)
			body, err := archiveAPI(srv, tt.token).Tarball(t.Context(), archiveSHA)
			if err == nil {
				body.Close()
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
			if strings.Contains(err.Error(), githubtest.CodeloadToken) {
				t.Errorf("the error holds the download token: %s", err)
			}
		})
	}
}
