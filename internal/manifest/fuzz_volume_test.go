package manifest

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/render"
)

// FuzzUserVolume extracts Secret references from arbitrary values of Istio's
// sidecar.istio.io/userVolume annotation on a Deployment. No value may
// panic; every reference names a Secret and is located in the file, and a
// value that is not a JSON list or map of volumes is a problem, not a
// reference.
func FuzzUserVolume(f *testing.F) {
	f.Add(`[{"name":"certs","secret":{"secretName":"api-client-certs"}}]`)
	f.Add(`{"certs":{"secret":{"secretName":"api-client-certs","items":[{"key":"tls.crt","path":"a"}]}}}`)
	f.Add(`[{"name":"p","projected":{"sources":[{"secret":{"name":"s","items":[{"key":"k"}]}}]}}]`)
	f.Add(`[1, "x", null]`)
	f.Add(`{"a": null}`)
	f.Add(`[{"secret": {"secretName": 7}}]`)
	f.Add(`not json`)
	f.Fuzz(func(t *testing.T, value string) {
		vols, problem := parseUserVolumes(value)
		if problem != "" && !strings.HasPrefix(problem, "annotation sidecar.istio.io/userVolume is not ") {
			t.Fatalf("problem %q", problem)
		}
		if problem != "" && len(vols) > 0 && !strings.HasSuffix(problem, "a JSON list of volumes") {
			t.Fatalf("volumes %v with problem %q", vols, problem)
		}
		doc := map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "api"},
			"spec": map[string]any{"template": map[string]any{
				"metadata": map[string]any{"annotations": map[string]any{userVolumeAnnotation: value}},
				"spec":     map[string]any{"containers": []any{map[string]any{"name": "api"}}},
			}},
		}
		text, err := yaml.Marshal(doc)
		if err != nil {
			t.Skip() // an input yaml cannot write (invalid UTF-8) is no document a renderer could give
		}
		res := render.Result{Source: "kustomize", DefaultNamespace: "shop",
			Docs: []render.Doc{{YAML: text, File: "d.yaml"}}, Sources: map[string][]byte{"d.yaml": text}}
		set, rerr := BuildShared(res, nil)
		if rerr != nil {
			t.Fatalf("a valid document fails: %v", rerr)
		}
		lines := strings.Count(string(text), "\n") + 1
		for _, r := range set.Refs {
			if r.Name == "" || r.Namespace != "shop" {
				t.Fatalf("reference %+v", r)
			}
			if l := r.Object.LineOf(r.Path...); l < 0 || l > lines {
				t.Fatalf("reference line %d outside 0..%d", l, lines)
			}
		}
	})
}
