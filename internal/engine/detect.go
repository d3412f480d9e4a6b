package engine

import (
	"context"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/manifest"
	"github.com/meshgate/meshgate/internal/render"
)

// detectProvider is for a plan whose config names no mesh provider: it
// renders every environment into the render cache the check then reuses,
// and assumes the provider the rendered objects point at
// (check.DetectProvider). The plan's config becomes a copy naming it.
func (p *Plan) detectProvider(ctx context.Context, ro *runOptions) {
	if !p.Config.Mesh.ProviderDefaulted || p.RenderOnly {
		return
	}
	if ro.cache == nil {
		ro.cache, ro.shared = newRenderCache(), manifest.NewShared()
	}
	ro.sets = map[string]*manifest.Set{}
	d := detectWith(ctx, p.Config, p.Environments, *ro)
	cfg := *p.Config
	cfg.Mesh.Provider, cfg.Mesh.ProviderDefaulted = d.Provider, false
	p.Config, p.Detection = &cfg, &d
	if p.Notice != nil && d.Sets > 0 {
		p.Notice(d.Reason)
	}
}

// DetectProvider renders the config's environments and detects the mesh
// provider from their objects (meshgate init, when no --provider is given).
func DetectProvider(ctx context.Context, cfg *config.Config) check.Detection {
	return detectWith(ctx, cfg, cfg.Environments, runOptions{})
}

// detectWith renders envs (through ro's cache, if any) and detects the
// mesh provider from their objects. Environments that fail to render say
// nothing.
func detectWith(ctx context.Context, cfg *config.Config, envs []config.Environment, ro runOptions) check.Detection {
	ro.setDefaults()
	quiet := ro
	quiet.RenderOnly, quiet.Progress, quiet.Done = true, nil, nil
	runEnvironments(ctx, cfg, envs, quiet)
	var sets []*manifest.Set
	for _, env := range envs {
		if set := renderedSet(ctx, cfg, env, ro); set != nil {
			sets = append(sets, set)
			if ro.sets != nil {
				ro.sets[env.Name] = set
			}
		}
	}
	return check.DetectProvider(sets)
}

// renderedSet is env's objects from the render cache, nil when it did not
// render or its objects cannot be read (the check reports both).
func renderedSet(ctx context.Context, cfg *config.Config, env config.Environment, ro runOptions) (set *manifest.Set) {
	defer func() {
		if recover() != nil {
			set = nil
		}
	}()
	r := ro.cache.render(env, func() render.Result { return renderWith(ctx, ro.Renderers[env.Source()], cfg, env) })
	if r.Err != nil {
		return nil
	}
	set, err := manifest.BuildShared(r, ro.shared)
	if err != nil {
		return nil
	}
	return set
}
