package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/report"
)

// loadBase returns the base report for new/existing marking, from the
// baseline file, by checking the base ref in a temporary git worktree, or
// by checking the base tree's files; and what the report's baseline says.
// nil, nil without a base.
func (p *Plan) loadBase(ctx context.Context) (*report.Report, *report.Baseline, error) {
	switch {
	case p.baseline != "":
		rep, err := ReadReport(p.baseline)
		if err != nil {
			return nil, nil, fmt.Errorf("--baseline %s: %v", p.baseline, err)
		}
		// Where the file's report was made is not known.
		return &rep, nil, nil
	case p.baseRef != "":
		rep, commit, err := p.checkRef(ctx, p.baseRef)
		if err != nil {
			return nil, nil, fmt.Errorf("--base-ref %s: %v", p.baseRef, err)
		}
		return rep, &report.Baseline{Kind: report.BaselineBaseCommit, Commit: commit}, nil
	case p.baseTree != nil:
		rep, err := p.checkTree(ctx, *p.baseTree)
		if err != nil {
			return nil, nil, err
		}
		return rep, &report.Baseline{Kind: report.BaselineBaseCommit, Commit: p.baseTree.Commit}, nil
	}
	return nil, nil, nil
}

// ReadReport reads a JSON report meshgate wrote.
func ReadReport(path string) (report.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return report.Report{}, err
	}
	defer f.Close()
	return report.ReadJSON(f)
}

// checkRef checks the plan's environments as they are at git ref, from a
// temporary worktree that is removed afterwards, and returns the commit
// ref names.
func (p *Plan) checkRef(ctx context.Context, ref string) (*report.Report, string, error) {
	tmp, err := os.MkdirTemp("", "meshgate-base-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(tmp)
	root := p.Config.Root
	wt := filepath.Join(tmp, "wt")
	if out, err := Git(ctx, root, "worktree", "add", "--detach", "--quiet", wt, ref).CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("git worktree add: %s", strings.TrimSpace(string(out)))
	}
	defer Git(context.Background(), root, "worktree", "remove", "--force", wt).Run()

	commit, err := Git(ctx, wt, "rev-parse", "HEAD").Output()
	if err != nil {
		return nil, "", fmt.Errorf("git rev-parse: %w", err)
	}
	// The repository root may be a subfolder of the git top level.
	top, err := Git(ctx, root, "rev-parse", "--show-prefix").Output()
	if err != nil {
		return nil, "", fmt.Errorf("git rev-parse: %w", err)
	}
	rep, err := p.checkBase(ctx, filepath.Join(wt, strings.TrimSpace(string(top))))
	return rep, strings.TrimSpace(string(commit)), err
}

// checkTree checks the plan's environments in the base tree's files,
// fetched into a temporary folder that is removed afterwards.
func (p *Plan) checkTree(ctx context.Context, bt BaseTree) (*report.Report, error) {
	tmp, err := os.MkdirTemp("", "meshgate-base-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	// The folder's name is never an environment's: discovery names a root
	// chart or kustomization by what it declares (config.RootName).
	root := filepath.Join(tmp, "base")
	if err := os.Mkdir(root, 0o700); err != nil {
		return nil, err
	}
	if err := bt.Fetch(ctx, root, p.Config.Limits); err != nil {
		return nil, err
	}
	return p.checkBase(ctx, root)
}

// checkBase checks the plan's environments as the base at root has them.
// An environment the base does not have yet has no base findings: all of
// its findings are new.
func (p *Plan) checkBase(ctx context.Context, root string) (*report.Report, error) {
	baseCfg, err := baseConfig(root, p.Config.File)
	if err != nil {
		return nil, err
	}
	if baseCfg.Mesh.ProviderDefaulted {
		// Judge the base by the provider the head was judged by.
		baseCfg.Mesh.Provider = p.Config.Mesh.Provider
	}
	want := map[string]bool{}
	for _, e := range p.Environments {
		want[e.Name] = true
	}
	var envs []config.Environment
	for _, e := range baseCfg.Environments {
		if want[e.Name] {
			envs = append(envs, e)
		}
	}
	results := runAll(ctx, baseCfg, envs, runOptions{Today: p.Today})
	driftAcross(baseCfg, p.Today, results)
	rep := buildReport(results, p.ToolVersion)
	return &rep, nil
}

// baseConfig is the config of the base checkout: the same config file when
// the base has it, else discovery.
func baseConfig(root, file string) (*config.Config, error) {
	if file != "" {
		if _, err := os.Stat(filepath.Join(root, file)); err == nil {
			return config.Load(root, filepath.Join(root, file))
		}
	}
	return config.DefaultConfig(root)
}

// markNew marks each finding new unless the base report has its fingerprint.
func markNew(rep *report.Report, base report.Report) {
	known := map[string]bool{}
	for _, f := range base.Findings {
		known[f.Fingerprint] = true
	}
	for i := range rep.Findings {
		isNew := !known[rep.Findings[i].Fingerprint]
		rep.Findings[i].New = &isNew
	}
}
