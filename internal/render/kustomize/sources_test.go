package kustomize

import (
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestSourceIndexAgreesWithOrigins: for every document of the fixtures and
// the demo, the source index names the file kustomize's origin annotation
// names.
func TestSourceIndexAgreesWithOrigins(t *testing.T) {
	demo, err := filepath.Abs("../../../testdata/demo")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ root, path string }{
		{testRoot(t), "kustomize/overlays/staging"},
		{testRoot(t), "kustomize/overlays/prod"},
		{testRoot(t), "kustomize/base"},
		{demo, "deploy/overlays/staging"},
		{demo, "deploy/overlays/prod"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			res := buildAt(t, c.root, c.path, "")
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			p := newPaths(c.root)
			idx := newSourceIndex(p, p.Abs(c.path))
			for i, d := range res.Docs {
				var obj struct {
					Kind     string `json:"kind"`
					Metadata struct {
						Name string `json:"name"`
					} `json:"metadata"`
				}
				if err := yaml.Unmarshal(d.YAML, &obj); err != nil {
					t.Fatal(err)
				}
				if got := idx.file(obj.Kind, obj.Metadata.Name); got != d.File {
					t.Errorf("document %d (%s/%s): index says %q, origin annotation %q", i, obj.Kind, obj.Metadata.Name, got, d.File)
				}
			}
		})
	}
}
