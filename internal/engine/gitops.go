package engine

import (
	"context"
	"fmt"
	"path"
	"slices"
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

// DiscoverConfig is the config of the repository at root without a config
// file: the discovered environments, with those of its GitOps objects
// (From set) and without the discovered ones these replace (meshgate
// init).
func DiscoverConfig(ctx context.Context, root string, getenv func(string) string) (*config.Config, error) {
	cfg, err := config.DefaultConfig(root)
	if err != nil {
		return nil, err
	}
	if _, err := expandGitOps(ctx, cfg, getenv, runOptions{}); err != nil {
		return nil, err
	}
	return cfg, nil
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

// clusterOf names the cluster a GitOps environment deploys to: the
// environment at the top of the chain of renderings that holds its object
// (an app of apps, flux bootstrap's Kustomization), or, for an object of a
// repository file that nothing renders, the folder of that file (the one
// flux bootstrap applies: clusters/production). "" for an environment of
// no GitOps object.
func clusterOf(env config.Environment, byName map[string]config.Environment) string {
	if env.From == nil {
		return ""
	}
	for range len(byName) {
		parent, ok := byName[env.From.Via]
		if env.From.Via == "" || !ok {
			break
		}
		if parent.From == nil {
			return "environment " + parent.Name
		}
		env = parent
	}
	return "folder " + path.Dir(env.From.File)
}

// poolGitOps gives each GitOps environment of this run what the other
// environments of its cluster (clusterOf) render into the cluster: the
// Secrets they produce, and the Namespaces it does not render itself.
// Flux Kustomizations and Argo CD Applications of one cluster are slices
// of one deployment: a Secret one of them makes is there for the others.
// The siblings are rendered whether or not this run checks them, so that
// --env and --changed-since judge as a full run does.
func (p *Plan) poolGitOps(ctx context.Context, ro *runOptions) {
	if p.gitops == nil || p.RenderOnly || len(p.gitops.Environments) == 0 {
		return
	}
	cfg := p.Config
	byName := map[string]config.Environment{}
	for _, e := range cfg.Environments {
		byName[e.Name] = e
	}
	clusters := map[string][]config.Environment{}
	for _, e := range cfg.Environments {
		if c := clusterOf(e, byName); c != "" {
			clusters[c] = append(clusters[c], e)
		}
	}
	ro.setDefaults()
	if ro.sets == nil {
		ro.sets = map[string]*manifest.Set{}
	}
	inRun := map[string]bool{}
	for _, env := range p.Environments {
		inRun[env.Name] = true
	}
	for _, members := range clusters {
		if len(members) < 2 || !slices.ContainsFunc(members, func(e config.Environment) bool { return inRun[e.Name] }) {
			continue
		}
		sets := map[string]*manifest.Set{}
		var names []string
		for _, e := range members {
			set := ro.sets[e.Name]
			if set == nil {
				set = renderedSet(ctx, cfg, e, *ro)
			}
			if set != nil { // else the check reports why
				sets[e.Name] = set
				names = append(names, e.Name)
			}
		}
		shareProduced(sets, names, true)
		for _, n := range names {
			if inRun[n] {
				ro.sets[n] = sets[n]
			}
		}
	}
}
