package kustomize

import (
	"fmt"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/kustomization"
	"github.com/meshgate/meshgate/internal/render"
)

// A Flux Kustomization's build, as kustomize-controller v1.9 makes it
// (internal/controller/kustomization_controller.go, build): fluxcd/pkg
// kustomize's Generator writes the Kustomization's fields into the
// kustomization at the path, or generates one there (kustomize_generator.go,
// GenerateManifest), krusty builds it with load restrictions off and no
// reordering (Build), then each object gets the post-build substitution
// (postbuild.go). Here the written kustomization is served in place of the
// disk's; the repository is never written.

// fluxDirs are the folders of a Flux build whose kustomizations meshgate
// inspects before krusty runs (remote.go): the path, the components Flux
// adds, and the folders a generated kustomization lists.
func fluxDirs(dir string, fb *config.FluxBuild) []string {
	dirs := []string{dir}
	for _, c := range fb.Components {
		dirs = append(dirs, filepath.Join(dir, filepath.FromSlash(c)))
	}
	for _, r := range fb.Generated {
		if ext := filepath.Ext(r); ext != ".yaml" && ext != ".yml" {
			dirs = append(dirs, filepath.Join(dir, filepath.FromSlash(r)))
		}
	}
	return dirs
}

// fluxFile is the kustomization Flux builds at dir: its path and text.
func fluxFile(p paths, dir string, fb *config.FluxBuild, maxBytes int64) (string, []byte, *render.Error) {
	k := types.Kustomization{TypeMeta: types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind}}
	file := filepath.Join(dir, "kustomization.yaml")
	if fb.Generated != nil {
		k.Resources = fb.Generated
		if len(k.Resources) == 0 {
			// Flux's placeholder, so that kustomize does not refuse an
			// empty kustomization.
			k.Namespace = "_placeholder"
		}
	} else {
		file = kustomization.Find(disk{max: maxBytes}, dir)
		if file == "" {
			return "", nil, &render.Error{Message: fmt.Sprintf("missing kustomization file in %s", p.Rel(dir)), File: p.Rel(dir)}
		}
		data, err := readLimited(file, maxBytes)
		if err != nil {
			return "", nil, &render.Error{Message: p.Message(err.Error()), File: p.Rel(file)}
		}
		// As Flux reads it: leniently, into kustomize's type (an unknown
		// field is dropped, not refused).
		if err := yaml.Unmarshal(data, &k); err != nil {
			return "", nil, &render.Error{Message: p.Message(err.Error()), File: p.Rel(file), Line: yamlLine(err.Error())}
		}
	}
	fluxEdit(&k, fb)
	out, err := yaml.Marshal(k)
	if err != nil {
		return "", nil, &render.Error{Message: err.Error(), File: p.Rel(file)}
	}
	return file, out, nil
}

// fluxEdit writes fb's fields into k as Flux's Generator does: namespace,
// prefix and suffix replaced, patches and components appended, an image
// merged into the entry of its name (a new name replacing its newName, a
// new tag or digest replacing both) or appended.
func fluxEdit(k *types.Kustomization, fb *config.FluxBuild) {
	if fb.Namespace != "" {
		k.Namespace = fb.Namespace
	}
	if fb.NamePrefix != "" {
		k.NamePrefix = fb.NamePrefix
	}
	if fb.NameSuffix != "" {
		k.NameSuffix = fb.NameSuffix
	}
	for _, pt := range fb.Patches {
		kp := types.Patch{Patch: pt.Patch}
		if t := pt.Target; t != nil {
			kp.Target = &types.Selector{LabelSelector: t.LabelSelector, AnnotationSelector: t.AnnotationSelector}
			kp.Target.Group, kp.Target.Version, kp.Target.Kind = t.Group, t.Version, t.Kind
			kp.Target.Name, kp.Target.Namespace = t.Name, t.Namespace
		}
		k.Patches = append(k.Patches, kp)
	}
	k.Components = append(k.Components, fb.Components...)
	for _, im := range fb.Images {
		i := imageIndex(k.Images, im.Name)
		if i < 0 {
			k.Images = append(k.Images, types.Image{Name: im.Name, NewName: im.NewName, NewTag: im.NewTag, Digest: im.Digest})
			continue
		}
		if im.NewName != "" {
			k.Images[i].NewName = im.NewName
		}
		if im.NewTag != "" || im.Digest != "" {
			k.Images[i].NewTag, k.Images[i].Digest = im.NewTag, im.Digest
		}
	}
}

func imageIndex(images []types.Image, name string) int {
	for i, im := range images {
		if im.Name == name {
			return i
		}
	}
	return -1
}

// yamlLine is the line a YAML parser error names, or 0.
func yamlLine(msg string) int {
	_, rest, ok := strings.Cut(msg, "line ")
	if !ok {
		return 0
	}
	n := 0
	for _, c := range rest {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}
