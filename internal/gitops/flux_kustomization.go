package gitops

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// A Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) as
// kustomize-controller builds it: the kustomization at spec.path (or the
// one it generates), with the Kustomization's own fields written into it
// (fluxcd/pkg kustomize/kustomize_generator.go, GenerateManifest), then
// the post-build substitution on every object.

// FluxPatch is one entry of spec.patches.
type FluxPatch struct {
	Patch  string
	Target *FluxSelector
	// Line is where the patch is written in the Kustomization's file.
	Line int
}

// FluxSelector is a patch target.
type FluxSelector struct {
	Group, Version, Kind, Namespace, Name, LabelSelector, AnnotationSelector string
}

// FluxImage is one entry of spec.images.
type FluxImage struct{ Name, NewName, NewTag, Digest string }

// FluxKustomizationPlan is what a Flux Kustomization deploys.
type FluxKustomizationPlan struct {
	// Path is the kustomization's folder in the repository.
	Path string
	// Generated is the kustomization Flux generates when Path holds none.
	Generated *GeneratedKustomization
	// What kustomize-controller writes into the kustomization at Path.
	TargetNamespace, NamePrefix, NameSuffix string
	Patches                                 []FluxPatch
	Images                                  []FluxImage
	Components                              []string
	// PostBuild is spec.postBuild, nil when absent.
	PostBuild *FluxPostBuild
	// Source names where the files come from, for the listing.
	Source string
	// DependsOn are the Kustomizations it waits for ("namespace/name"):
	// shown, not ordered by.
	DependsOn []string
}

// PlanFluxKustomization reads a Flux Kustomization and resolves its
// source. A source that is not this repository's files gives no plan and
// the notice saying why; a Kustomization that does not read is an error.
// maxBytes bounds each file the generator reads.
func PlanFluxKustomization(repo FluxRepo, art func(src *FluxSource) (*FluxArtifact, error), obj *Object, maxBytes int64) (*FluxKustomizationPlan, string, error) {
	spec := obj.Spec()
	ref, err := readSourceRef(sub(spec, "sourceRef"), obj.Namespace, "spec.sourceRef")
	if err != nil {
		return nil, "", err
	}
	src, why := ResolveFluxSource(repo, ref)
	if src == nil {
		return nil, why, nil
	}
	if v, ok := spec["path"]; ok && v != nil && str(spec, "path") == "" {
		return nil, "", fmt.Errorf("spec.path: want a string, got %s", typeName(v))
	}
	p, ok := src.RepoPath(str(spec, "path"))
	if !ok {
		return nil, fmt.Sprintf("its path %s is not in %s", str(spec, "path"), src.Describe), nil
	}
	plan := &FluxKustomizationPlan{Path: p, Source: src.Describe,
		TargetNamespace: str(spec, "targetNamespace"), NamePrefix: str(spec, "namePrefix"), NameSuffix: str(spec, "nameSuffix")}
	if err := plan.read(obj, spec); err != nil {
		return nil, "", err
	}
	a, err := art(src)
	if err != nil {
		return nil, "", err
	}
	if plan.Generated, err = a.FluxGenerate(p, maxBytes); err != nil {
		if src.Revision != "" && !a.exists(p) {
			// Another revision of this repository may hold it: the
			// checkout is all meshgate reads.
			return nil, fmt.Sprintf("%v; its source %s follows %s of this repository, and meshgate reads the checkout only", err, src.Describe, src.Revision), nil
		}
		return nil, "", err
	}
	if spec["ignoreMissingComponents"] == true {
		plan.Components = slices.DeleteFunc(plan.Components, func(c string) bool { return !a.exists(path.Join(p, c)) })
	}
	return plan, "", nil
}

// read reads the fields of spec that change the build.
func (plan *FluxKustomizationPlan) read(obj *Object, spec map[string]any) error {
	patches, err := readList(spec, "patches", "spec.patches")
	if err != nil {
		return err
	}
	for i, p := range patches {
		fp := FluxPatch{Patch: str(p, "patch"), Line: obj.line("spec", "patches", i)}
		if fp.Patch == "" {
			return fmt.Errorf("spec.patches[%d].patch: missing", i)
		}
		if t := sub(p, "target"); t != nil {
			fp.Target = &FluxSelector{Group: str(t, "group"), Version: str(t, "version"), Kind: str(t, "kind"),
				Namespace: str(t, "namespace"), Name: str(t, "name"), LabelSelector: str(t, "labelSelector"),
				AnnotationSelector: str(t, "annotationSelector")}
		}
		plan.Patches = append(plan.Patches, fp)
	}
	images, err := readList(spec, "images", "spec.images")
	if err != nil {
		return err
	}
	for i, im := range images {
		if str(im, "name") == "" {
			return fmt.Errorf("spec.images[%d].name: missing", i)
		}
		plan.Images = append(plan.Images, FluxImage{Name: str(im, "name"), NewName: str(im, "newName"), NewTag: str(im, "newTag"), Digest: str(im, "digest")})
	}
	if plan.Components, err = readStrings(spec, "components", "spec.components"); err != nil {
		return err
	}
	for _, c := range plan.Components {
		if !localRelative(c) {
			return fmt.Errorf("component path '%s' must be local and relative", c)
		}
	}
	if plan.PostBuild, err = ReadFluxPostBuild(spec); err != nil {
		return err
	}
	plan.DependsOn, err = readDependsOn(spec, obj.Namespace)
	return err
}

// localRelative is fluxcd/pkg kustomize's IsLocalRelativePath: no remote
// form, no absolute path.
func localRelative(p string) bool {
	for _, prefix := range []string{"git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com:", "github.com/"} {
		if len(prefix) < len(p) && strings.EqualFold(p[:len(prefix)], prefix) {
			return false
		}
	}
	return !path.IsAbs(p) && !path.IsAbs(strings.TrimPrefix(strings.ToLower(p), "file://"))
}
