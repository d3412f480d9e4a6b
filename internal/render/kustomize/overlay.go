package kustomize

import (
	"fmt"
	"sort"

	"sigs.k8s.io/yaml"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/kustomization"
	"github.com/meshgate/meshgate/internal/render"
)

// overlayFile is the kustomization at dir with what a GitOps object
// changes in it (config.Overlay), the way Argo CD and Flux change it
// before the build: the file's path and its edited text, which the build
// reads instead of the disk's. Nothing is written to the repository.
func overlayFile(p paths, dir string, o *config.Overlay, maxBytes int64) (string, []byte, *render.Error) {
	file := kustomization.Find(disk{max: maxBytes}, dir)
	if file == "" {
		return "", nil, &render.Error{Message: fmt.Sprintf("missing kustomization file in %s: the GitOps object's kustomize settings need one", p.Rel(dir)), File: p.Rel(dir)}
	}
	data, err := readLimited(file, maxBytes)
	if err != nil {
		return "", nil, &render.Error{Message: p.Message(err.Error()), File: p.Rel(file)}
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return "", nil, &render.Error{Message: p.Message(err.Error()), File: p.Rel(file)}
	}
	if err := editKustomization(m, o); err != nil {
		return "", nil, &render.Error{Message: err.Error(), File: p.Rel(file)}
	}
	out, err := yaml.Marshal(m)
	if err != nil {
		return "", nil, &render.Error{Message: err.Error(), File: p.Rel(file)}
	}
	return file, out, nil
}

// editKustomization applies o to the kustomization m as `kustomize edit`
// would (kustomize/commands/edit: set nameprefix, set namesuffix, set
// image, add label, add annotation, set namespace), then appends o's
// patches to m's (what Argo CD does for kustomize.patches, util/
// kustomize/kustomize.go, Build).
func editKustomization(m map[string]any, o *config.Overlay) error {
	if o.NamePrefix != "" {
		m["namePrefix"] = o.NamePrefix
	}
	if o.NameSuffix != "" {
		m["nameSuffix"] = o.NameSuffix
	}
	if len(o.Images) > 0 {
		m["images"] = setImages(m["images"], o.Images)
	}
	if len(o.CommonLabels) > 0 {
		if err := addLabels(m, o); err != nil {
			return err
		}
	}
	if len(o.CommonAnnotations) > 0 {
		annotations, _ := m["commonAnnotations"].(map[string]any)
		if annotations == nil {
			annotations = map[string]any{}
		}
		if err := addToMap(annotations, o.CommonAnnotations, o.ForceCommonAnnotations, "annotation"); err != nil {
			return err
		}
		m["commonAnnotations"] = annotations
	}
	if o.Namespace != "" {
		m["namespace"] = o.Namespace
	}
	if len(o.Patches) > 0 {
		patches, _ := m["patches"].([]any)
		for _, p := range o.Patches {
			patches = append(patches, patchEntry(p))
		}
		m["patches"] = patches
	}
	return nil
}

// setImages is `kustomize edit set image` (setimage.go, RunSetImage): an
// entry of o replaces the kustomization's entry of its name, "*" keeping
// that entry's newName, newTag or digest; the list ends sorted by name.
func setImages(existing any, set []config.Image) []any {
	byName := map[string]config.Image{}
	for _, img := range set {
		byName[img.Name] = img
	}
	list, _ := existing.([]any)
	for _, it := range list {
		e, _ := it.(map[string]any)
		old := config.Image{Name: str(e, "name"), NewName: str(e, "newName"), NewTag: str(e, "newTag"), Digest: str(e, "digest")}
		arg, ok := byName[old.Name]
		if !ok {
			byName[old.Name] = old
			continue
		}
		if arg.NewName == "*" {
			arg.NewName = old.NewName
		}
		if arg.NewTag == "*" {
			arg.NewTag = old.NewTag
		}
		if arg.Digest == "*" {
			arg.Digest = old.Digest
		}
		byName[old.Name] = arg
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]any, 0, len(names))
	for _, n := range names {
		img := byName[n]
		e := map[string]any{"name": img.Name}
		for k, v := range map[string]string{"newName": img.NewName, "newTag": img.NewTag, "digest": img.Digest} {
			if v != "" && v != "*" {
				e[k] = v
			}
		}
		out = append(out, e)
	}
	return out
}

// addLabels is `kustomize edit add label [--force] [--without-selector]`
// (addmetadata.go, addLabels): to commonLabels, or without selectors as
// one labels entry per key.
func addLabels(m map[string]any, o *config.Overlay) error {
	if !o.LabelsWithoutSelector {
		labels, _ := m["commonLabels"].(map[string]any)
		if labels == nil {
			labels = map[string]any{}
		}
		if err := addToMap(labels, o.CommonLabels, o.ForceCommonLabels, "label"); err != nil {
			return err
		}
		m["commonLabels"] = labels
		return nil
	}
	list, _ := m["labels"].([]any)
	for _, k := range sortedKeys(o.CommonLabels) {
		present := false
		for _, it := range list {
			entry, _ := it.(map[string]any)
			pairs, _ := entry["pairs"].(map[string]any)
			if _, ok := pairs[k]; ok {
				if !o.ForceCommonLabels {
					return fmt.Errorf("label %s already in kustomization file", k)
				}
				pairs[k], present = o.CommonLabels[k], true
			}
		}
		if !present {
			list = append(list, map[string]any{"pairs": map[string]any{k: o.CommonLabels[k]}, "includeSelectors": false})
		}
	}
	m["labels"] = list
	return nil
}

// addToMap adds add to m; a key m has already is an error unless force,
// as `kustomize edit add` says it (addmetadata.go, writeToMap).
func addToMap(m map[string]any, add map[string]string, force bool, kind string) error {
	for _, k := range sortedKeys(add) {
		if _, ok := m[k]; ok && !force {
			return fmt.Errorf("%s %s already in kustomization file", kind, k)
		}
		m[k] = add[k]
	}
	return nil
}

// patchEntry is p as a kustomization patches entry.
func patchEntry(p config.Patch) map[string]any {
	e := map[string]any{}
	if p.Patch != "" {
		e["patch"] = p.Patch
	}
	if p.Path != "" {
		e["path"] = p.Path
	}
	if t := p.Target; t != nil {
		target := map[string]any{}
		for k, v := range map[string]string{"group": t.Group, "version": t.Version, "kind": t.Kind, "name": t.Name,
			"namespace": t.Namespace, "labelSelector": t.LabelSelector, "annotationSelector": t.AnnotationSelector} {
			if v != "" {
				target[k] = v
			}
		}
		e["target"] = target
	}
	if len(p.Options) > 0 {
		opts := map[string]any{}
		for k, v := range p.Options {
			opts[k] = v
		}
		e["options"] = opts
	}
	return e
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}
