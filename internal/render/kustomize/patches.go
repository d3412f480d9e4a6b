package kustomize

import (
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/resid"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
)

// gitopsPatch is a patch a GitOps object writes, and what it targets.
type gitopsPatch struct {
	render.Patch
	target *config.PatchTarget
}

// gitopsPatches are the patches a GitOps object writes into the overlay
// (an Argo CD Application's kustomize.patches, a Flux Kustomization's
// patches), as written: a patch file (Path) is read from the repository.
func gitopsPatches(p paths, rel string, k *config.Kustomize, maxBytes int64) []gitopsPatch {
	var in []config.Patch
	switch {
	case k.Flux != nil:
		in = k.Flux.Patches
	case k.Overlay != nil:
		in = k.Overlay.Patches
	}
	var out []gitopsPatch
	for _, pt := range in {
		rp := render.Patch{Text: pt.Patch, File: pt.File, Line: pt.Line}
		if pt.Path != "" {
			// Through an os.Root: neither ".." nor a symbolic link leads
			// out of the repository.
			file := path.Join(rel, pt.Path)
			data, err := config.ReadInRoot(p.Abs("."), file, maxBytes)
			if err != nil {
				continue
			}
			rp = render.Patch{Text: string(data), File: file, Line: 1}
		}
		if rp.Text == "" || rp.File == "" {
			continue
		}
		out = append(out, gitopsPatch{Patch: rp, target: pt.Target})
	}
	return out
}

// patchesOf lists, for each built resource, the patches of patches that
// select it: by the patch's target, or, for a strategic merge patch
// without one, by the kind and name it is written for. A patch applies
// before the overlay's own namePrefix, nameSuffix and namespace, whose
// kustomization text is overlay: a name matches with those taken off, a
// namespace matches whatever the overlay sets one (the build keeps no
// earlier names to ask).
func patchesOf(m resmap.ResMap, patches []gitopsPatch, overlay []byte) map[*resource.Resource][]render.Patch {
	if len(patches) == 0 {
		return nil
	}
	var k types.Kustomization
	_ = sigsyaml.Unmarshal(overlay, &k)
	out := map[*resource.Resource][]render.Patch{}
	for _, gp := range patches {
		sel, ok := patchSelector(gp.target, gp.Text)
		if !ok {
			continue
		}
		sr, err := types.NewSelectorRegex(&sel)
		if err != nil {
			continue
		}
		for _, r := range m.Resources() {
			name := r.GetName()
			before := strings.TrimSuffix(strings.TrimPrefix(name, k.NamePrefix), k.NameSuffix)
			if !sr.MatchName(name) && !sr.MatchName(before) {
				continue
			}
			if k.Namespace == "" && !sr.MatchNamespace(r.GetNamespace()) {
				continue
			}
			if !sr.MatchGvk(r.GetGvk()) {
				continue
			}
			if ok, err := r.MatchesLabelSelector(sel.LabelSelector); err != nil || !ok {
				continue
			}
			if ok, err := r.MatchesAnnotationSelector(sel.AnnotationSelector); err != nil || !ok {
				continue
			}
			out[r] = append(out[r], gp.Patch)
		}
	}
	return out
}

// patchSelector is the selector of a patch: its target, else the kind,
// name and namespace its strategic merge patch names.
func patchSelector(t *config.PatchTarget, text string) (types.Selector, bool) {
	if t != nil {
		return types.Selector{
			ResId: resid.ResId{
				Gvk:       resid.Gvk{Group: t.Group, Version: t.Version, Kind: t.Kind},
				Name:      t.Name,
				Namespace: t.Namespace,
			},
			LabelSelector:      t.LabelSelector,
			AnnotationSelector: t.AnnotationSelector,
		}, true
	}
	var doc struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name      string `yaml:"name"`
			Namespace string `yaml:"namespace"`
		} `yaml:"metadata"`
	}
	if err := yaml.NewDecoder(strings.NewReader(text)).Decode(&doc); err != nil || doc.Kind == "" || doc.Metadata.Name == "" {
		return types.Selector{}, false
	}
	// kustomize anchors a selector's name; quoted, it is the one name.
	return types.Selector{ResId: resid.ResId{
		Gvk:       resid.Gvk{Kind: doc.Kind},
		Name:      regexp.QuoteMeta(doc.Metadata.Name),
		Namespace: doc.Metadata.Namespace,
	}}, true
}
