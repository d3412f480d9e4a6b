package publish

import (
	"context"
	"errors"

	"github.com/google/go-github/v56/github"
)

// ChangedFiles lists the files the pull request changes, as paths from
// the repository root, with the old name of a renamed file too: what
// changed-only compares each environment's inputs with. It needs a pull
// request and a token that can read it.
func (p *API) ChangedFiles(ctx context.Context) ([]string, error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.t.PRNumber == 0 {
		return nil, errors.New("changed files are known only in a pull request")
	}
	if p.t.Token == "" {
		return nil, errors.New("listing the pull request's files needs the github-token input")
	}
	files, err := p.pullRequestFiles(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		for _, name := range []string{f.GetFilename(), f.GetPreviousFilename()} {
			if name != "" {
				out = append(out, name)
			}
		}
	}
	return out, nil
}

// pullRequestFiles lists the pull request's files, every page.
func (p *API) pullRequestFiles(ctx context.Context) ([]*github.CommitFile, error) {
	var out []*github.CommitFile
	opt := &github.ListOptions{PerPage: 100}
	for {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		files, resp, err := p.gh.PullRequests.ListFiles(cctx, p.t.Owner, p.t.Repo, p.t.PRNumber, opt)
		cancel()
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}
