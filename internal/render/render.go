package render

import (
	"context"
	"fmt"

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
// in the helm, kustomize and manifests subpackages so that the stages after
// rendering depend only on these plain types, not on the Helm and kustomize
// SDKs.
type Renderer interface {
	// Render renders env. root is the absolute repository root. A failure
	// is returned in Result.Err, never as a panic.
	Render(ctx context.Context, root string, env config.Environment, opts Options) Result
}

// Run renders env for a renderer of source ("helm", "kustomize" or
// "manifests"): fn gets the Result to fill, started with env's chart,
// overlay or folder path and default namespace, and runs as Bounded (what
// names its work). When env has no section for source, the Result says so
// and fn does not run.
// Shared so that every renderer starts, fails and gives up alike.
func Run(ctx context.Context, source, what, root string, env config.Environment, fn func(Result) Result) Result {
	res, ok := start(source, root, env)
	if !ok {
		return res
	}
	return Bounded(ctx, res, what, func() Result { return fn(res) })
}

// start is the Result a renderer of source starts env with; ok is false,
// and Err set, when env has no section for source. The kustomize default
// namespace is env's own even then, as it always was.
func start(source, root string, env config.Environment) (res Result, ok bool) {
	res = Result{Source: source, Root: root, DefaultNamespace: "default", Redact: env.Redact}
	var path, namespace string
	switch source {
	case "helm":
		if env.Helm != nil {
			path, namespace, ok = env.Helm.Chart, env.Helm.Namespace, true
		}
	case "kustomize":
		namespace = env.Namespace
		if env.Kustomize != nil {
			path, ok = env.Kustomize.Path, true
		}
	case config.SourceManifests:
		namespace = env.Namespace
		if env.Manifests != nil {
			path, ok = env.Manifests.Path, true
		}
	}
	if namespace != "" {
		res.DefaultNamespace = namespace
	}
	if !ok {
		res.Err = &Error{Message: fmt.Sprintf("environment %q has no %s section", env.Name, source)}
		return res, false
	}
	res.Path = path
	return res, true
}
