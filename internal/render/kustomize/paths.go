package kustomize

import "github.com/meshgate/meshgate/internal/render"

// paths is the repository's Paths in this package's spelling.
type paths struct{ render.Paths }

func newPaths(root string) paths { return paths{render.NewPaths(root)} }
