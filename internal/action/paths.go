package action

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/publish"
	"github.com/meshgate/meshgate/internal/report"
)

// RepoRelative returns rep with its file paths (findings, exemptions,
// environments) relative to the repository root instead of
// working-directory, as annotations, review comments and code scanning's
// SARIF need.
func (r *Run) RepoRelative(rep report.Report) report.Report {
	fix := func(fs []finding.Finding) []finding.Finding {
		out := make([]finding.Finding, len(fs))
		for i, f := range fs {
			f.File = r.repoPath(f.File)
			out[i] = f
		}
		return out
	}
	rep.Findings = fix(rep.Findings)
	rep.Ignored = fix(rep.Ignored)
	envs := make([]report.Environment, len(rep.Environments))
	for i, e := range rep.Environments {
		e.Path = r.repoPath(e.Path)
		if e.WorkloadFiles != nil {
			files := make(map[string]string, len(e.WorkloadFiles))
			for id, f := range e.WorkloadFiles {
				files[id] = r.repoPath(f)
			}
			e.WorkloadFiles = files
		}
		envs[i] = e
	}
	rep.Environments = envs
	rep.Finalize()
	return rep
}

// repoPath turns a path of the report (relative to working-directory) into
// a path relative to the repository root.
func (r *Run) repoPath(p string) string {
	if p == "" {
		return ""
	}
	p = filepath.ToSlash(p)
	if path.IsAbs(p) {
		if ws := filepath.ToSlash(r.workspace); ws != "" && strings.HasPrefix(p, strings.TrimSuffix(ws, "/")+"/") {
			return strings.TrimPrefix(p, strings.TrimSuffix(ws, "/")+"/")
		}
		return p
	}
	return path.Join(r.pathPrefix(), p)
}

// pathPrefix is working-directory relative to the workspace ("" for the root).
func (r *Run) pathPrefix() string {
	wd := filepath.ToSlash(r.Inputs.WorkingDirectory)
	if wd == "" {
		return ""
	}
	if path.IsAbs(wd) {
		ws := strings.TrimSuffix(filepath.ToSlash(r.workspace), "/")
		if ws == "" || !strings.HasPrefix(wd+"/", ws+"/") {
			return ""
		}
		wd = strings.TrimPrefix(strings.TrimPrefix(wd, ws), "/")
	}
	wd = path.Clean(wd)
	if wd == "." || strings.HasPrefix(wd, "../") || wd == ".." {
		return ""
	}
	return wd
}

// ChangedFiles applies the changed-only input: in a pull request, the files
// it changes (with the old names of renamed ones), relative to
// working-directory (files outside it are left out), and the words for
// what they changed since. The files come from the API, as the action's
// image has no git. ok is false, and the log says why, when every
// environment is to be checked instead.
func (r *Run) ChangedFiles(ctx context.Context, opts publish.Options) (files []string, from string, ok bool) {
	if r.prNumber == 0 {
		fmt.Fprintln(r.out, "meshgate: changed-only applies to pull requests; checking every environment")
		return nil, "", false
	}
	if opts.Log == nil {
		opts.Log = r.out
	}
	names, err := publish.NewAPI(r.target(), opts).ChangedFiles(ctx)
	if err != nil {
		r.Warning(fmt.Sprintf("changed-only: cannot list the pull request's files (%v); checking every environment", err))
		return nil, "", false
	}
	prefix := r.pathPrefix()
	seen := map[string]bool{}
	for _, name := range names {
		if prefix != "" {
			rest, ok := strings.CutPrefix(name, strings.TrimSuffix(prefix, "/")+"/")
			if !ok {
				continue
			}
			name = rest
		}
		seen[path.Clean(name)] = true
	}
	files = make([]string, 0, len(seen))
	for f := range seen {
		files = append(files, f)
	}
	sort.Strings(files)
	return files, fmt.Sprintf("the base of pull request #%d", r.prNumber), true
}
