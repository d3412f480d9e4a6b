package render

import (
	"context"

	"github.com/meshgate/meshgate/internal/config"
)

// Options tune rendering.
type Options struct {
	// MaxBytes bounds each file read to render an environment, the bytes
	// read in all, and the rendered YAML; 0 means no bound.
	MaxBytes int64
	// MaxReads bounds how many files a kustomize build may read (kustomize
	// reads a base again for every kustomization that includes it, so a
	// small tree of overlays can stand for millions of reads); 0 means no
	// bound.
	MaxReads int
}

// Renderer renders one kind of environment source. The implementations live
// in the helm and kustomize subpackages so that the stages after rendering
// depend only on these plain types, not on the Helm and kustomize SDKs.
type Renderer interface {
	// Render renders env. root is the absolute repository root. A failure
	// is returned in Result.Err, never as a panic.
	Render(ctx context.Context, root string, env config.Environment, opts Options) Result
}
