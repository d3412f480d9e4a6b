package gitops_test

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/kustomize"
	"github.com/fluxcd/pkg/sourceignore"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

// update is the package's -update flag (argo_test.go defines it): with it,
// TestFluxReference rewrites the reference outputs under
// testdata/flux/expected.
func update() bool {
	return flag.Lookup("update").Value.(flag.Getter).Get().(bool)
}

// fleet is the fixture repository of the Flux fidelity tests.
const fleet = "testdata/flux/fleet"

// fluxReference builds the Flux Kustomization ks of the fleet exactly as
// kustomize-controller v1.9 does (internal/controller/
// kustomization_controller.go, build): on the repository as
// source-controller archives it (the default exclusions, no symlinks),
// fluxcd/pkg/kustomize v1.39.0's Generator writes the Kustomization's
// fields into the kustomization at spec.path (or generates one),
// SecureBuild builds it, and SubstituteVariables runs the post-build
// substitution on every object, strict, with the ConfigMaps and Secrets of
// the fleet in a fake cluster. This is Flux's own code, not meshgate's.
func fluxReference(t *testing.T, ks unstructured.Unstructured, cluster []unstructured.Unstructured) (string, error) {
	t.Helper()
	work := t.TempDir()
	archive(t, fleet, work)
	dir := filepath.Join(work, strings.TrimPrefix(ks.Object["spec"].(map[string]any)["path"].(string), "./"))
	if _, err := kustomize.NewGenerator(work, ks).WriteFile(dir); err != nil {
		return "", err
	}
	m, err := kustomize.SecureBuild(work, dir, false)
	if err != nil {
		return "", err
	}
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(scheme)
	for i := range cluster {
		b = b.WithObjects(&cluster[i])
	}
	client := b.Build()
	postBuild, _, _ := unstructured.NestedMap(ks.Object, "spec", "postBuild")
	always := postBuild["substituteStrategy"] == "Always"
	for _, res := range m.Resources() {
		if postBuild == nil {
			break
		}
		out, err := kustomize.SubstituteVariables(context.Background(), client, ks, res,
			kustomize.SubstituteWithStrict(true), kustomize.SubstituteWithAlways(always))
		if err != nil {
			return "", err
		}
		if out != nil {
			if _, err := m.Replace(res); err != nil {
				return "", err
			}
		}
	}
	y, err := m.AsYaml()
	return string(y), err
}

// archive copies the files of src that source-controller's artifact holds
// (pkg/artifact/storage's SourceIgnoreFilter: no .sourceignore here, so the
// default exclusions) to dst.
func archive(t *testing.T, src, dst string) {
	t.Helper()
	matcher := sourceignore.NewDefaultMatcher(nil, nil)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if matcher.Match(strings.Split(filepath.ToSlash(rel), "/"), false) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fleetObjects reads the objects of the fleet's cluster folder: the Flux
// Kustomizations and the ConfigMaps and Secrets they substitute from.
func fleetObjects(t *testing.T) (kustomizations, cluster []unstructured.Unstructured) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(fleet, "clusters/prod/*.yaml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var u unstructured.Unstructured
			if err := dec.Decode(&u.Object); err != nil {
				break
			}
			switch u.GetKind() {
			case "Kustomization":
				kustomizations = append(kustomizations, u)
			case "ConfigMap", "Secret":
				cluster = append(cluster, u)
			}
		}
	}
	return kustomizations, cluster
}

// TestFluxReference keeps testdata/flux/expected/<name>.flux-build.yaml
// equal to what Flux builds for each Kustomization of the fleet. They are
// made by `go test ./internal/gitops -run TestFluxReference -update`.
func TestFluxReference(t *testing.T) {
	kss, cluster := fleetObjects(t)
	if len(kss) == 0 {
		t.Fatal("no Kustomization in the fleet")
	}
	for _, ks := range kss {
		t.Run(ks.GetName(), func(t *testing.T) {
			got, err := fluxReference(t, ks, cluster)
			if err != nil {
				t.Fatalf("Flux's build: %v", err)
			}
			golden := filepath.Join("testdata/flux/expected", ks.GetName()+".flux-build.yaml")
			if update() {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("Flux's build differs from %s:\n%s", golden, got)
			}
		})
	}
}
