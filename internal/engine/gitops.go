package engine

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/gitops"
	"github.com/meshgate/meshgate/internal/manifest"
)

// expandGitOps adds to cfg the environments of the repository's GitOps
// objects and of those its environments render (gitops.Expand), rendering
// into ro's cache the environments that may hold some, and drops the
// discovered environments they replace. The plan is nil when gitops is
// off.
func expandGitOps(ctx context.Context, cfg *config.Config, getenv func(string) string, ro runOptions) (*gitops.Plan, error) {
	if !cfg.GitOps.On() {
		return nil, nil
	}
	objs, err := gitops.Find(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("find GitOps objects: %w", err)
	}
	ro.setDefaults()
	gp := gitops.Expand(gitops.Input{
		Config:  cfg,
		Getenv:  getenv,
		Objects: objs,
		Render: func(env config.Environment) []gitops.Object {
			return gitopsObjects(renderedSet(ctx, cfg, env, ro))
		},
	})
	replaced := map[string]bool{}
	for _, r := range gp.Replaced {
		replaced[r.Path] = true
	}
	var envs []config.Environment
	for _, e := range cfg.Environments {
		if !replaced[e.Origin] || !cfg.Discovered {
			envs = append(envs, e)
		}
	}
	cfg.Environments = append(envs, gp.Environments...)
	cfg.Skipped = append(cfg.Skipped, gp.Replaced...)
	if cfg.Discovered {
		// The discovery listing is by name, as discovery sorts them.
		sort.SliceStable(cfg.Environments, func(i, j int) bool { return cfg.Environments[i].Name < cfg.Environments[j].Name })
		sort.SliceStable(cfg.Skipped, func(i, j int) bool { return cfg.Skipped[i].Path < cfg.Skipped[j].Path })
	}
	return &gp, nil
}

// gitopsObjects are the objects of a rendered set as the gitops package
// reads them.
func gitopsObjects(set *manifest.Set) []gitops.Object {
	if set == nil {
		return nil
	}
	out := make([]gitops.Object, 0, len(set.Objects))
	for _, o := range set.Objects {
		out = append(out, gitops.Object{
			APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name,
			Body: o.Body, File: o.File, Line: o.Line, LineOf: o.LineOf,
		})
	}
	return out
}

// DescribeGitOps says on w what the config file does not: the
// environments of GitOps objects (discovery lists them with the others),
// and what of the GitOps objects no environment renders was not expanded.
func (p *Plan) DescribeGitOps(w io.Writer) {
	gp := p.gitops
	if gp == nil {
		return
	}
	if !p.Config.Discovered && len(gp.Environments) > 0 {
		fmt.Fprintf(w, "meshgate: %d environment(s) from GitOps objects:\n", len(gp.Environments))
		for _, e := range gp.Environments {
			fmt.Fprintf(w, "  %-24s %s %s\n", e.Name, e.Source(), e.Origin)
		}
	}
	if len(gp.Unrendered) > 0 {
		fmt.Fprintf(w, "meshgate: not expanded (%d):\n", len(gp.Unrendered))
		for _, n := range gp.Unrendered {
			fmt.Fprintf(w, "  %s:%d: %s: %s\n", n.Ref.File, n.Line, n.Ref, n.Message)
		}
	}
}
