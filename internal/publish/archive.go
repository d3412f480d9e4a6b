package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/google/go-github/v56/github"
)

// archiveTimeout bounds the download of a repository archive, body
// included: a large repository's archive takes longer than one API call.
const archiveTimeout = 5 * time.Minute

// Tarball downloads the archive GitHub makes of commit sha: a gzipped tar
// whose files are under one top folder. GET
// /repos/{owner}/{repo}/tarball/{sha} answers with a redirect to a
// temporary URL on the download host, which carries a token of its own:
// the API token goes to the API only, and neither token nor URL is ever
// part of an error. The caller bounds what it reads and closes the body.
func (p *API) Tarball(ctx context.Context, sha string) (io.ReadCloser, error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.t.Token == "" {
		return nil, errors.New("downloading it needs the github-token input")
	}
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	u, resp, err := p.gh.Repositories.GetArchiveLink(cctx, p.t.Owner, p.t.Repo, github.Tarball,
		&github.RepositoryContentGetOptions{Ref: sha}, 1)
	if err != nil {
		return nil, archiveLinkError(resp, err)
	}
	// The download host is another host: a client of its own, without the
	// API token, whose errors are stripped of the URL.
	client := &http.Client{Transport: p.opts.Transport, Timeout: archiveTimeout}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.gh.BaseURL.ResolveReference(u).String(), nil)
	if err != nil {
		return nil, errors.New("GitHub's download URL for the archive does not parse")
	}
	req.Header.Set("User-Agent", "meshgate")
	res, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("downloading the archive failed: %v", err)
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return nil, fmt.Errorf("downloading the archive answered %s", res.Status)
	}
	return res.Body, nil
}

// archiveLinkError says what GitHub's answer to the archive request means.
func archiveLinkError(resp *github.Response, err error) error {
	if resp == nil || resp.Response == nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("GitHub did not answer the archive request: %v", err)
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return errors.New("GitHub rejected the token (401 Bad credentials)")
	case http.StatusForbidden, http.StatusNotFound:
		return fmt.Errorf("GitHub answered %s to the archive request: "+
			"the token needs contents: read (list it in the workflow's permissions: block), or the commit is gone", resp.Status)
	}
	return fmt.Errorf("GitHub answered %s to the archive request", resp.Status)
}
