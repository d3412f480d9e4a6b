package kustomize

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
)

// TestEditKustomization: the edits `kustomize edit` makes for Argo CD's
// kustomize settings (kustomize/commands/edit/set/setimage.go,
// add/addmetadata.go), and the patches appended as Argo CD appends them
// (util/kustomize/kustomize.go, Build).
func TestEditKustomization(t *testing.T) {
	tests := []struct {
		name, in string
		o        config.Overlay
		want     string // the kustomization after, or the error
	}{
		{
			name: "set-fields",
			in:   "resources: [a.yaml]\nnamePrefix: old-\nnamespace: old\n",
			o:    config.Overlay{NamePrefix: "p-", NameSuffix: "-s", Namespace: "shop"},
			want: "namePrefix: p-\nnameSuffix: -s\nnamespace: shop\nresources:\n- a.yaml\n",
		},
		{
			name: "images-replace-by-name-keep-star-sorted",
			in:   "images:\n- {name: web, newName: reg/web, newTag: \"1\"}\n- {name: db, newTag: \"5\"}\n",
			o: config.Overlay{Images: []config.Image{
				{Name: "web", NewName: "*", NewTag: "2"},
				{Name: "api", NewName: "reg/api", Digest: "sha256:abc"},
			}},
			want: "images:\n- digest: sha256:abc\n  name: api\n  newName: reg/api\n- name: db\n  newTag: \"5\"\n- name: web\n  newName: reg/web\n  newTag: \"2\"\n",
		},
		{
			name: "labels-added",
			in:   "commonLabels: {team: a}\n",
			o:    config.Overlay{CommonLabels: map[string]string{"env": "prod"}, CommonAnnotations: map[string]string{"note": "x"}},
			want: "commonAnnotations:\n  note: x\ncommonLabels:\n  env: prod\n  team: a\n",
		},
		{
			name: "label-present-is-an-error",
			in:   "commonLabels: {team: a}\n",
			o:    config.Overlay{CommonLabels: map[string]string{"team": "b"}},
			want: "label team already in kustomization file",
		},
		{
			name: "label-present-forced",
			in:   "commonLabels: {team: a}\n",
			o:    config.Overlay{CommonLabels: map[string]string{"team": "b"}, ForceCommonLabels: true},
			want: "commonLabels:\n  team: b\n",
		},
		{
			name: "labels-without-selector",
			in:   "labels:\n- pairs: {team: a}\n",
			o:    config.Overlay{CommonLabels: map[string]string{"env": "prod"}, LabelsWithoutSelector: true},
			want: "labels:\n- pairs:\n    team: a\n- includeSelectors: false\n  pairs:\n    env: prod\n",
		},
		{
			name: "annotation-present-is-an-error",
			in:   "commonAnnotations: {note: a}\n",
			o:    config.Overlay{CommonAnnotations: map[string]string{"note": "b"}},
			want: "annotation note already in kustomization file",
		},
		{
			name: "patches-appended",
			in:   "patches:\n- path: p.yaml\n",
			o: config.Overlay{Patches: []config.Patch{{
				Patch:   "- op: add\n  path: /x\n  value: 1\n",
				Target:  &config.PatchTarget{Kind: "Deployment", Name: "web"},
				Options: map[string]bool{"allowNameChange": true},
			}}},
			want: "patches:\n- path: p.yaml\n- options:\n    allowNameChange: true\n  patch: |\n    - op: add\n      path: /x\n      value: 1\n  target:\n    kind: Deployment\n    name: web\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]any{}
			if err := yaml.Unmarshal([]byte(tt.in), &m); err != nil {
				t.Fatal(err)
			}
			var got string
			if err := editKustomization(m, &tt.o); err != nil {
				got = err.Error()
			} else {
				out, _ := yaml.Marshal(m)
				got = string(out)
			}
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestOverlayBuild: the overlay's edits reach the build through the file
// served in place of the kustomization, and the repository is not
// written.
func TestOverlayBuild(t *testing.T) {
	root := testRoot(t)
	env := config.Environment{Name: "t", Kustomize: &config.Kustomize{Path: "kustomize/base", Overlay: &config.Overlay{
		NamePrefix: "argo-", Namespace: "argo",
		Patches: []config.Patch{{Patch: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cart}\nspec: {replicas: 7}\n"}},
	}}}
	res := Renderer{}.Render(t.Context(), root, env, render.Options{MaxBytes: config.DefaultMaxRenderedBytes, MaxReads: config.DefaultMaxObjects})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var all strings.Builder
	for _, d := range res.Docs {
		all.Write(d.YAML)
		all.WriteString("---\n")
	}
	for _, want := range []string{"name: argo-cart\n  namespace: argo\n", "replicas: 7"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("build lacks %q:\n%s", want, all.String())
		}
	}
	plain := buildAt(t, root, "kustomize/base", "")
	if strings.Contains(string(plain.Docs[0].YAML), "argo-") {
		t.Error("the plain build sees the overlay's edits")
	}
}

// TestOverlayPatchesReachDocs: each document carries the patches of the
// GitOps object that select it, in order, with their file and line: a
// strategic merge patch by the kind and name it names, a JSON 6902 patch
// by its target (a name pattern matches the name before the overlay's
// prefix); the Service named cart is selected by none, and a patch file
// (path) is read as written, at its line 1.
func TestOverlayPatchesReachDocs(t *testing.T) {
	root := testRoot(t)
	smp := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cart}\nspec: {replicas: 7}\n"
	ops := "- op: add\n  path: /metadata/labels/team\n  value: shop\n"
	env := config.Environment{Name: "t", Kustomize: &config.Kustomize{Path: "kustomize/base", Overlay: &config.Overlay{
		NamePrefix: "argo-",
		Patches: []config.Patch{
			{Patch: smp, File: "argocd/cart.yaml", Line: 12},
			{Patch: ops, Target: &config.PatchTarget{Kind: "Deployment", Name: "ca.*"}, File: "argocd/cart.yaml", Line: 20},
			{Path: "serviceaccount.yaml", Target: &config.PatchTarget{Kind: "ServiceAccount"}, File: "argocd/cart.yaml", Line: 30},
		},
	}}}
	res := Renderer{}.Render(t.Context(), root, env, render.Options{MaxBytes: config.DefaultMaxRenderedBytes, MaxReads: config.DefaultMaxObjects})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	got := map[string][]string{}
	for _, d := range res.Docs {
		var obj struct {
			Kind     string
			Metadata struct{ Name string }
		}
		if err := yaml.Unmarshal(d.YAML, &obj); err != nil {
			t.Fatal(err)
		}
		for _, p := range d.Patches {
			got[obj.Kind+"/"+obj.Metadata.Name] = append(got[obj.Kind+"/"+obj.Metadata.Name], fmt.Sprintf("%s:%d %q", p.File, p.Line, p.Text[:12]))
		}
	}
	want := map[string][]string{
		"Deployment/argo-cart":     {`argocd/cart.yaml:12 "apiVersion: "`, `argocd/cart.yaml:20 "- op: add\n  "`},
		"ServiceAccount/argo-cart": {`kustomize/base/serviceaccount.yaml:1 "apiVersion: "`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("patches by document:\n%q\nwant:\n%q", got, want)
	}
}
