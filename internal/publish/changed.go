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
	opt := &github.ListOptions{}
	err := eachPage(ctx, opt, func(ctx context.Context) ([]*github.CommitFile, *github.Response, error) {
		return p.gh.PullRequests.ListFiles(ctx, p.t.Owner, p.t.Repo, p.t.PRNumber, opt)
	}, func(f *github.CommitFile) bool {
		out = append(out, f)
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachPage lists every page of a listing, 100 items a page and each call
// within callTimeout, and visits each item; visit returning false stops.
func eachPage[T any](ctx context.Context, opt *github.ListOptions, list func(context.Context) ([]T, *github.Response, error), visit func(T) bool) error {
	opt.PerPage = 100
	for {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		items, resp, err := list(cctx)
		cancel()
		if err != nil {
			return err
		}
		for _, it := range items {
			if !visit(it) {
				return nil
			}
		}
		if resp.NextPage == 0 {
			return nil
		}
		opt.Page = resp.NextPage
	}
}
