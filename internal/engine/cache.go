package engine

import (
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

// renderKey is what a rendering depends on (config.Environment.RenderKey).
func renderKey(env config.Environment) string { return env.RenderKey() }

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
