package render

import (
	"context"

	"github.com/meshgate/meshgate/internal/config"
)

// Options tune rendering.
type Options struct{}

// Renderer renders one kind of environment source. The implementations live
// in the helm and kustomize subpackages so that the stages after rendering
// depend only on these plain types, not on the Helm and kustomize SDKs.
type Renderer interface {
	// Render renders env. root is the absolute repository root. A failure
	// is returned in Result.Err, never as a panic.
	Render(ctx context.Context, root string, env config.Environment, opts Options) Result
}
