package engine

import (
	"encoding/json"
	"sync"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
)

// renderCache shares one rendering between the environments of a run whose
// render inputs are identical (the same chart, values, set, release,
// namespace and kube version; the same overlay): monorepos often point
// several environments at one rendering and check it against different
// names, exemptions or rules.
type renderCache struct {
	mu      sync.Mutex
	entries map[string]*renderEntry
}

type renderEntry struct {
	done chan struct{}
	res  render.Result
}

func newRenderCache() *renderCache { return &renderCache{entries: map[string]*renderEntry{}} }

// renderKey is what a rendering depends on. The environment's name is not
// part of it; a kustomize environment's namespace only defaults the
// namespace of objects after rendering, so it is not part of it either
// (a manifests environment's is).
func renderKey(env config.Environment) string {
	var key any
	switch {
	case env.Helm != nil:
		key = struct {
			Source string
			Helm   config.Helm
		}{"helm", *env.Helm}
	case env.Kustomize != nil:
		key = struct {
			Source string
			Path   string
		}{"kustomize", env.Kustomize.Path}
	case env.Manifests != nil:
		// The namespace tells an object without one from one that names
		// it, when the folder defines an object twice.
		key = struct {
			Source    string
			Manifests config.Manifests
			Namespace string
		}{config.SourceManifests, *env.Manifests, env.Namespace}
	}
	b, _ := json.Marshal(key) // plain strings, slices and maps: cannot fail
	return string(b)
}

// RenderKey is what env's rendering depends on: environments with equal
// keys render alike (internal/fix reuses renderings by it).
func RenderKey(env config.Environment) string { return renderKey(env) }

// render returns the rendering of env, made by fn once per key; concurrent
// callers with the same key wait for the first. The Result is shared and
// read-only; its DefaultNamespace is the caller's own.
func (c *renderCache) render(env config.Environment, fn func() render.Result) render.Result {
	if c == nil {
		return fn()
	}
	key := renderKey(env)
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		e = &renderEntry{done: make(chan struct{})}
		c.entries[key] = e
	}
	c.mu.Unlock()
	if ok {
		<-e.done
	} else {
		func() {
			defer close(e.done)
			e.res = fn()
		}()
	}
	res := e.res
	res.DefaultNamespace = env.DefaultNamespace()
	return res
}
