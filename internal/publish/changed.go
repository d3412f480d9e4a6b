package publish

import (
	"context"
	"errors"
	"path"
	"sort"
	"strings"

	"github.com/google/go-github/v56/github"
)

// ChangedFiles lists the files the pull request changes, relative to the
// working-directory input (files outside it are left out), with the old
// name of a renamed file too: what `changed-only` compares each
// environment's inputs with. It needs a pull request and a token that can
// read it.
func ChangedFiles(ctx context.Context, pc *Context, opts Options) ([]string, error) {
	p, err := newPublisher(pc, opts)
	if err != nil {
		return nil, err
	}
	if pc.PRNumber == 0 {
		return nil, errors.New("changed files are known only in a pull request")
	}
	if p.gh == nil {
		return nil, errors.New("listing the pull request's files needs the github-token input")
	}
	prefix := pc.pathPrefix()
	seen := map[string]bool{}
	add := func(name string) {
		if name == "" {
			return
		}
		if prefix != "" {
			rest, ok := strings.CutPrefix(name, strings.TrimSuffix(prefix, "/")+"/")
			if !ok {
				return
			}
			name = rest
		}
		seen[path.Clean(name)] = true
	}
	files, err := p.pullRequestFiles(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		add(f.GetFilename())
		add(f.GetPreviousFilename())
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out, nil
}

// pullRequestFiles lists the pull request's files, every page.
func (p *publisher) pullRequestFiles(ctx context.Context) ([]*github.CommitFile, error) {
	var out []*github.CommitFile
	opt := &github.ListOptions{PerPage: 100}
	for {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		files, resp, err := p.gh.PullRequests.ListFiles(cctx, p.pc.Owner, p.pc.Repo, p.pc.PRNumber, opt)
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
