// Package kustomize builds a kustomize overlay exactly like `kustomize build`
// does, through krusty, with plugins disabled and nothing fetched.
package kustomize

import (
	"context"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"sync"
	"sync/atomic"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
)

// Renderer renders config.Kustomize environments.
type Renderer struct{}

var _ render.Renderer = Renderer{}

// Render builds env like `kustomize build DIR` (kustomize v5 defaults:
// load restrictions root-only, legacy output order, builtin plugins only, no
// helmCharts) run on the overlay. A remote base, resource or component is
// refused before the build, since kustomize would run git or fetch it.
// Each document's File is the repository file it came from, found by the
// source index (sources.go) rather than kustomize's origin annotations,
// which cost many times the build, unless the index can only guess; when
// the kustomization itself asks for them they are used, and removed from
// every document. env.Namespace is
// not applied: it only becomes Result.DefaultNamespace, for objects that
// set none.
func (Renderer) Render(ctx context.Context, root string, env config.Environment, opts render.Options) render.Result {
	return render.Run(ctx, "kustomize", "building the kustomization", root, env, func(res render.Result) render.Result {
		return build(root, env.Kustomize, res, opts)
	})
}

var schemaMu sync.RWMutex

// fastBuilds counts the builds whose result came from the images fast path
// (images.go), for tests.
var fastBuilds atomic.Int64

// build runs krusty on the overlay at k.Path, with the changes of
// k.Overlay made to its kustomization. Credentials of its secret
// generators are removed from an error's message.
func build(root string, k *config.Kustomize, res render.Result, opts render.Options) render.Result {
	p := newPaths(root)
	rel := k.Path
	dir := p.Abs(rel)
	if !p.Inside(dir) {
		res.Err = &render.Error{Message: fmt.Sprintf("kustomization %s is outside the repository", rel), File: rel}
		return res
	}
	dirs := []string{dir}
	if k.Flux != nil {
		dirs = fluxDirs(dir, k.Flux)
	}
	t, rerr := inspectDirs(p, dirs, opts.MaxBytes)
	res.Redact = append(res.Redact, t.redact...)
	if rerr != nil {
		res.Err = rerr
		return res
	}
	if k.Flux != nil {
		file, data, rerr := fluxFile(p, dir, k.Flux, opts.MaxBytes)
		if rerr != nil {
			res.Err = rerr
			return res
		}
		t.overlay, t.flux = map[string][]byte{filepath.Clean(file): data}, k.Flux
		if real, err := filepath.EvalSymlinks(file); err == nil {
			t.overlay[filepath.Clean(real)] = data // krusty reads through resolved links
		}
	} else if k.Overlay != nil {
		file, data, rerr := overlayFile(p, dir, k.Overlay, opts.MaxBytes)
		if rerr != nil {
			res.Err = rerr
			return res
		}
		t.overlay = map[string][]byte{filepath.Clean(file): data}
		if real, err := filepath.EvalSymlinks(file); err == nil {
			t.overlay[filepath.Clean(real)] = data // krusty reads through resolved links
		}
	}
	t.patches = gitopsPatches(p, rel, k, opts.MaxBytes)
	res = buildTree(p, rel, dir, t, res, opts)
	if res.Err != nil {
		res.Err.Message = render.Redacted(res.Err.Message, res.Redact)
	}
	return res
}

// buildTree runs krusty over the inspected tree.
func buildTree(p paths, rel, dir string, t tree, res render.Result, opts render.Options) render.Result {
	openAPI := t.openAPI
	// kustomize keeps the OpenAPI schema in package state: a build with its
	// own schema runs alone and resets it afterwards, so that concurrent and
	// later builds see the builtin one, as a separate `kustomize build` would.
	if openAPI {
		schemaMu.Lock()
		defer schemaMu.Unlock()
		defer openapi.ResetOpenAPI()
	} else {
		schemaMu.RLock()
		defer schemaMu.RUnlock()
	}
	fsys, m, err := runKrusty(p, dir, t, opts)
	if fsys.refused != nil {
		res.Err = fsys.refused
		return res
	}
	if err != nil {
		res.Err = buildError(p, rel, err)
		return res
	}
	return t.documents(p, rel, dir, m, res, opts)
}

// runKrusty builds the overlay at dir, by the images fast path where it is
// known to give krusty's own result.
func runKrusty(p paths, dir string, t tree, opts render.Options) (*repoFS, resmap.ResMap, error) {
	var plan *imagePlan
	if k := t.kusts[dir]; imagesFast && !t.unusual && k != nil && t.overlay == nil {
		// The overlay's kustomization as inspect read it.
		plan = planImages(filepath.Clean(k.File), k.Data)
	}
	var override map[string][]byte
	if plan != nil {
		override = map[string][]byte{plan.file: plan.stripped}
	}
	fsys, m, err := krustyRun(p, dir, t, opts, override)
	if plan != nil && (err != nil || fsys.refused != nil || !fsys.served || fsys.watched || !plan.apply(m.Resources())) {
		// Not known to equal krusty's own build, or failed: krusty's
		// build, and its words for any error.
		fsys, m, err = krustyRun(p, dir, t, opts, nil)
	} else if plan != nil {
		fastBuilds.Add(1)
	}
	return fsys, m, err
}

// krustyRun builds the overlay at dir as `kustomize build` does, serving
// the texts of override (by cleaned path) instead of those files.
func krustyRun(p paths, dir string, t tree, opts render.Options, override map[string][]byte) (*repoFS, resmap.ResMap, error) {
	kopts := krusty.MakeDefaultOptions()
	// `kustomize build` leaves the order unspecified, which means the legacy
	// order unless the kustomization sets sortOptions.
	kopts.Reorder = krusty.ReorderOptionUnspecified
	kopts.LoadRestrictions = types.LoadRestrictionsRootOnly
	kopts.PluginConfig = types.DisabledPluginConfig()
	if t.flux != nil {
		// Flux's: files outside the kustomization's folder may be read
		// (repoFS keeps them inside the repository), objects not reordered.
		kopts.LoadRestrictions = types.LoadRestrictionsNone
		kopts.Reorder = krusty.ReorderOptionNone
	}
	fsys := newRepoFS(p, filesys.MakeFsOnDisk(), dir, t, opts)
	if t.overlay != nil {
		// The kustomization as a GitOps object edits it, under any other
		// override (which starts from the edited text).
		fsys.override = maps.Clone(t.overlay)
	}
	if override != nil {
		if fsys.override == nil {
			fsys.override = map[string][]byte{}
		}
		maps.Copy(fsys.override, override)
		fsys.watch = true
	}
	m, err := krusty.MakeKustomizer(kopts).Run(fsys, dir)
	return fsys, m, err
}

// documents adds the built resources m to res, each with the repository
// file it came from: the origin annotation's when the kustomization asked
// for them, else the source index's. Where the index can only guess (a
// patch changed an object's kind or name, a name is in several files), the
// overlay is built once more with kustomize's origin annotations, which
// cost many times the build, and their files are taken.
func (t tree) documents(p paths, rel, dir string, m resmap.ResMap, res render.Result, opts render.Options) render.Result {
	resources := m.Resources()
	files := make([]string, len(resources))
	var idx *sourceIndex
	guessed := false
	for i, r := range resources {
		file, err := originFile(rel, r)
		if err != nil {
			res.Err = &render.Error{Message: fmt.Sprintf("read origin of %s: %v", r.CurId(), err)}
			return res
		}
		if file == "" {
			if idx == nil {
				i := t.sourceIndex(p, dir)
				idx = &i
			}
			var sure bool
			file, sure = idx.file(r.GetKind(), r.GetName())
			guessed = guessed || !sure
		}
		files[i] = file
	}
	if guessed {
		origins := t.originFiles(p, rel, dir, opts)
		for i, r := range resources {
			if f, ok := origins[r.CurId()]; ok {
				files[i] = f
			}
		}
	}
	var overlay []byte
	for _, data := range t.overlay {
		overlay = data // one kustomization, under its path and its resolved one
	}
	applied := patchesOf(m, t.patches, overlay)
	for i, r := range resources {
		// The same removal `kustomize build` does when originAnnotations was
		// not asked for: the annotation, then the annotations map if empty.
		if err := r.SetOrigin(nil); err != nil {
			res.Err = &render.Error{Message: fmt.Sprintf("remove origin of %s: %v", r.CurId(), err)}
			return res
		}
		y, err := r.AsYAML()
		if err != nil {
			res.Err = &render.Error{Message: fmt.Sprintf("encode %s: %v", r.CurId(), err), File: files[i]}
			return res
		}
		if t.flux != nil {
			if y, err = postBuild(r, y, t.flux.PostBuild); err != nil {
				res.Err = &render.Error{Message: err.Error(), File: files[i]}
				return res
			}
		}
		res.Docs = append(res.Docs, render.Doc{YAML: y, File: files[i], Patches: applied[r]})
	}
	return res
}

// originFile is the repository file that r came from: the file named by its
// origin annotation (relative to the overlay), or for a generated object
// the kustomization that configured the generator.
func originFile(overlay string, r *resource.Resource) (string, error) {
	o, err := r.GetOrigin()
	if err != nil || o == nil || o.Repo != "" {
		return "", err
	}
	switch {
	case o.Path != "":
		return path.Join(overlay, o.Path), nil
	case o.ConfiguredIn != "":
		return path.Join(overlay, o.ConfiguredIn), nil
	}
	return "", nil
}
