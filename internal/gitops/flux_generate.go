package gitops

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/fluxcd/pkg/sourceignore"
	"github.com/fluxcd/pkg/sourceignore/gitignore"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/provider"

	"github.com/meshgate/meshgate/internal/config"
)

// FluxArtifact is this repository as a Flux GitRepository's artifact
// holds it: source-controller archives the checkout without the files its
// ignore rules exclude, and without symlinks (fluxcd/pkg
// artifact/storage/archive.go). The rules are the .sourceignore files of
// the repository and the GitRepository's spec.ignore; when there are none,
// the default exclusions (VCS files, CI configs, images and archives).
type FluxArtifact struct {
	root    string
	matcher gitignore.Matcher
}

// NewFluxArtifact reads the ignore rules of the repository at root
// (absolute) and of a GitRepository's spec.ignore ("" when it sets none).
func NewFluxArtifact(root, specIgnore string) (*FluxArtifact, error) {
	ps, err := sourceignore.LoadIgnorePatterns(root, nil)
	if err != nil {
		return nil, fmt.Errorf("read .sourceignore files: %w", err)
	}
	if specIgnore != "" {
		ps = append(ps, sourceignore.ReadPatterns(strings.NewReader(specIgnore), nil)...)
	}
	// As source-controller's archive filter decides: any rule of the
	// repository or the spec replaces the default exclusions, not the VCS
	// ones.
	m := sourceignore.NewDefaultMatcher(ps, nil)
	if len(ps) > 0 {
		m = sourceignore.NewMatcher(append(sourceignore.VCSPatterns(nil), ps...))
	}
	return &FluxArtifact{root: root, matcher: m}, nil
}

// Excluded reports whether the artifact leaves out rel (slash-separated,
// relative to the repository root).
func (a *FluxArtifact) Excluded(rel string, isDir bool) bool {
	return a.matcher.Match(strings.Split(rel, "/"), isDir)
}

// GeneratedKustomization is what kustomize-controller builds for a path
// that holds no kustomization file: one it generates, listing every
// manifest under the path (fluxcd/pkg kustomize/kustomize_generator.go,
// findOrGenerateKustomization and scanManifests).
type GeneratedKustomization struct {
	// Resources are relative to the path ("./a.yaml", "./sub"), in the
	// order Flux lists them.
	Resources []string
}

// FluxGenerate returns the kustomization Flux generates for dir (relative
// to the repository root), or nil when dir holds a kustomization file of
// its own, which Flux uses as it is. Walking the folder in lexical order,
// it lists each .yaml and .yml file the artifact holds, and each
// subfolder that holds a kustomization file instead of what is under it.
// A listed file that does not decode as Kubernetes objects fails the
// build, as in Flux. Files bigger than maxBytes are refused.
func (a *FluxArtifact) FluxGenerate(dir string, maxBytes int64) (*GeneratedKustomization, error) {
	r, err := os.OpenRoot(a.root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	fsys := r.FS()
	dir = path.Clean(dir)
	if a.kustomizationIn(fsys, dir) {
		return nil, nil
	}
	if info, err := fs.Stat(fsys, dir); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("path %s: no such folder in the repository", dir)
	}
	rf := provider.NewDefaultDepProvider().GetResourceFactory()
	g := &GeneratedKustomization{}
	err = fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel := "./" + strings.TrimPrefix(p, dir+"/")
		if dir == "." {
			rel = "./" + p
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0 || !d.IsDir() && !d.Type().IsRegular():
			return nil // not in the artifact
		case d.IsDir():
			if a.kustomizationIn(fsys, p) {
				g.Resources = append(g.Resources, rel)
				return fs.SkipDir
			}
			return nil
		}
		if ext := path.Ext(p); ext != ".yaml" && ext != ".yml" || a.Excluded(p, false) {
			return nil
		}
		data, err := config.ReadInRoot(a.root, p, maxBytes)
		if err != nil {
			return err
		}
		if _, err := rf.SliceFromBytes(data); err != nil {
			return fmt.Errorf("failed to decode Kubernetes YAML from %s: %w", p, err)
		}
		g.Resources = append(g.Resources, rel)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// kustomizationIn reports whether dir holds a kustomization file the
// artifact keeps (kustomize's recognised names, in its order).
func (a *FluxArtifact) kustomizationIn(fsys fs.FS, dir string) bool {
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		p := path.Join(dir, name)
		info, err := fs.Lstat(fsys, p)
		if err == nil && info.Mode().IsRegular() && !a.Excluded(p, false) {
			return true
		}
	}
	return false
}

// exists reports whether the repository holds rel (a path that leaves
// the root holds nothing).
func (a *FluxArtifact) exists(rel string) bool {
	r, err := os.OpenRoot(a.root)
	if err != nil {
		return false
	}
	defer r.Close()
	_, err = r.Stat(rel)
	return err == nil
}
