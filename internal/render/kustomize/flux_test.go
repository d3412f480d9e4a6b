package kustomize

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/resid"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/testrepo"
)

// The whole Flux build against Flux's own code is TestFluxBuildMatchesFlux
// (internal/gitops); these are the parts of it that are meshgate's own.

func fluxBuild(t *testing.T, root, path string, fb *config.FluxBuild, redact ...string) render.Result {
	t.Helper()
	env := config.Environment{Name: "flux", Kustomize: &config.Kustomize{Path: path, Flux: fb}, Redact: redact}
	return Renderer{}.Render(context.Background(), root, env, render.Options{MaxBytes: config.DefaultMaxRenderedBytes, MaxReads: config.DefaultMaxObjects})
}

// TestFluxBuildRefusesRemote: what a generated kustomization lists, and
// the components Flux adds, are inspected like any kustomization: a remote
// base there is refused before krusty would clone it.
func TestFluxBuildRefusesRemote(t *testing.T) {
	root := testrepo.New(t, map[string]string{
		"plain/sub/kustomization.yaml": "resources:\n  - https://github.com/acme/x//base?ref=v1\n",
		"app/kustomization.yaml":       "resources: []\n",
		"app/comp/kustomization.yaml":  "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - git@github.com:acme/y.git//c\n",
	})
	res := fluxBuild(t, root, "plain", &config.FluxBuild{Generated: []string{"./sub"}})
	if res.Err == nil || res.Err.File != "plain/sub/kustomization.yaml" || !strings.Contains(res.Err.Message, "is remote: meshgate does not fetch") {
		t.Errorf("generated folder resource: %v", res.Err)
	}
	res = fluxBuild(t, root, "app", &config.FluxBuild{Components: []string{"comp"}})
	if res.Err == nil || res.Err.File != "app/comp/kustomization.yaml" || !strings.Contains(res.Err.Message, "is remote") {
		t.Errorf("component: %v", res.Err)
	}
}

// TestFluxBuildGenerated: the kustomization Flux generates is served where
// it would be written, never written; with no resources it is Flux's
// placeholder and renders nothing.
func TestFluxBuildGenerated(t *testing.T) {
	root := testrepo.New(t, map[string]string{
		"plain/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"empty/x.txt":  "no manifests here",
	})
	res := fluxBuild(t, root, "plain", &config.FluxBuild{Generated: []string{"./a.yaml"}, Namespace: "apps"})
	if res.Err != nil || len(res.Docs) != 1 || res.Docs[0].File != "plain/a.yaml" || !strings.Contains(string(res.Docs[0].YAML), "namespace: apps") {
		t.Fatalf("generated: %+v", res)
	}
	if _, err := os.Stat(filepath.Join(root, "plain/kustomization.yaml")); !os.IsNotExist(err) {
		t.Errorf("the generated kustomization was written: %v", err)
	}
	res = fluxBuild(t, root, "empty", &config.FluxBuild{Generated: []string{}})
	if res.Err != nil || len(res.Docs) != 0 {
		t.Errorf("no resources: %+v", res)
	}
}

// TestFluxBuildStrict: a variable used without a default and not defined
// fails the build with Flux's message, at the object's file; a value from
// a Secret is not in it.
func TestFluxBuildStrict(t *testing.T) {
	root := testrepo.New(t, map[string]string{
		"app/kustomization.yaml": "resources: [cm.yaml]\n",
		"app/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: ${token}\n  b: ${missing}\n",
	})
	pb := &config.PostBuild{Vars: map[string]string{"token": "tok-4f9a2c71e0"}, Strict: true}
	res := fluxBuild(t, root, "app", &config.FluxBuild{PostBuild: pb}, "tok-4f9a2c71e0")
	want := render.Error{File: "app/cm.yaml", Message: `post build failed for 'ConfigMap.v1.[noGrp]/app': envsubst error: variable substitution failed: variable not set (strict mode): "missing"`}
	if res.Err == nil || *res.Err != want {
		t.Errorf("error %#v\nwant %#v", res.Err, want)
	}
	if !reflect.DeepEqual(res.Redact, []string{"tok-4f9a2c71e0"}) {
		t.Errorf("redact %q: the environment's Secret values first", res.Redact)
	}
}

// TestFluxEdit: the Kustomization's fields written as Flux's Generator
// writes them: an image merged field by field into the entry of its name
// (a tag or digest replacing both), others appended; patches and
// components appended; namespace, prefix and suffix replaced.
func TestFluxEdit(t *testing.T) {
	k := types.Kustomization{
		Namespace: "old", NamePrefix: "a-",
		Images:     []types.Image{{Name: "redis", NewTag: "7.4"}, {Name: "web", NewTag: "1", Digest: "sha256:aa"}},
		Patches:    []types.Patch{{Path: "p.yaml"}},
		Components: []string{"c1"},
	}
	fluxEdit(&k, &config.FluxBuild{
		Namespace: "shop", NameSuffix: "-v2",
		Images:     []config.Image{{Name: "redis", NewName: "mirror/redis"}, {Name: "web", NewTag: "2"}, {Name: "new", Digest: "sha256:bb"}},
		Patches:    []config.Patch{{Patch: "- op: remove\n  path: /x\n", Target: &config.PatchTarget{Kind: "Service", LabelSelector: "a=b"}}},
		Components: []string{"c2"},
	})
	want := types.Kustomization{
		Namespace: "shop", NamePrefix: "a-", NameSuffix: "-v2",
		Images: []types.Image{{Name: "redis", NewName: "mirror/redis", NewTag: "7.4"}, {Name: "web", NewTag: "2"}, {Name: "new", Digest: "sha256:bb"}},
		Patches: []types.Patch{{Path: "p.yaml"}, {Patch: "- op: remove\n  path: /x\n",
			Target: &types.Selector{ResId: resid.ResId{Gvk: resid.Gvk{Kind: "Service"}}, LabelSelector: "a=b"}}},
		Components: []string{"c1", "c2"},
	}
	if !reflect.DeepEqual(k, want) {
		t.Errorf("edited\n%+v\nwant\n%+v", k, want)
	}
}
