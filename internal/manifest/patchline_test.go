package manifest

import (
	"fmt"
	"testing"

	"github.com/meshgate/meshgate/internal/render"
)

// patchedBase is the base file, patchedRendered the object after a GitOps
// object's patches: the TOKEN env var, the pod's opt-out annotation value
// and the second container come from patches.
const patchedBase = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      annotations:
        sidecar.istio.io/inject: "true"
    spec:
      containers:
        - name: web
          image: nginx
          env:
            - name: A
              value: b
`

const patchedRendered = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      annotations:
        sidecar.istio.io/inject: "false"
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx
          env:
            - name: A
              value: b
            - name: TOKEN
              valueFrom:
                secretKeyRef: {name: web-token, key: token}
        - name: helper
          image: busybox
          envFrom:
            - secretRef: {name: helper-env}
`

// patchedFlux is the Flux Kustomization that writes the patches: a JSON
// 6902 patch (appending to env, replacing an annotation whose key needs
// "~1"), and a strategic merge patch adding a container and a label.
const patchedFlux = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: web
  namespace: flux-system
spec:
  path: ./apps/web
  patches:
    - target: {kind: Deployment, name: web}
      patch: |
        - op: add
          path: /spec/template/spec/containers/0/env/-
          value:
            name: TOKEN
            valueFrom:
              secretKeyRef: {name: web-token, key: token}
        - op: replace
          path: /spec/template/metadata/annotations/sidecar.istio.io~1inject
          value: "false"
    - patch: |
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: helper
                  image: busybox
                  envFrom:
                    - secretRef: {name: helper-env}
    - patch: "[{\"op\": \"add\", \"path\": \"/spec/template/spec/containers/0/env/-\", \"value\": {\"name\": \"TOKEN\"}}]"
`

// TestPatchLocations: a field a GitOps object's patch sets that the base
// file lacks is located at its line in the object's file, found through
// the patch's text (a literal block: its lines are the file's), list items
// by their merge key, JSON pointers with "-" and "~1"; a value a patch
// writes over the base's is the patch's; what the base holds as much of as
// any patch, and what no patch touches, stays in the base file.
func TestPatchLocations(t *testing.T) {
	res := render.Result{Source: "kustomize", DefaultNamespace: "shop",
		Docs: []render.Doc{{YAML: []byte(patchedRendered), File: "apps/web/deploy.yaml", Patches: []render.Patch{
			{Text: "- op: add\n  path: /spec/template/spec/containers/0/env/-\n  value:\n    name: TOKEN\n    valueFrom:\n      secretKeyRef: {name: web-token, key: token}\n" +
				"- op: replace\n  path: /spec/template/metadata/annotations/sidecar.istio.io~1inject\n  value: \"false\"\n",
				File: "clusters/prod/web.yaml", Line: 9},
			{Text: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n" +
				"    spec:\n      containers:\n        - name: helper\n          image: busybox\n          envFrom:\n            - secretRef: {name: helper-env}\n",
				File: "clusters/prod/web.yaml", Line: 21},
		}}},
		Sources: map[string][]byte{"apps/web/deploy.yaml": []byte(patchedBase), "clusters/prod/web.yaml": []byte(patchedFlux)},
	}
	set, err := BuildShared(res, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj := set.Objects[0]
	tests := []struct {
		name string
		path []any
		want string
	}{
		{"an env var the JSON patch appends", []any{"spec", "template", "spec", "containers", 0, "env", 1, "valueFrom", "secretKeyRef", "name"}, "clusters/prod/web.yaml:16"},
		{"the env var itself", []any{"spec", "template", "spec", "containers", 0, "env", 1}, "clusters/prod/web.yaml:14"},
		{"an annotation value the JSON patch replaces", []any{"spec", "template", "metadata", "annotations", "sidecar.istio.io/inject"}, "clusters/prod/web.yaml:19"},
		{"a container the merge patch adds, by its name", []any{"spec", "template", "spec", "containers", 1, "envFrom", 0}, "clusters/prod/web.yaml:35"},
		{"a label map only the merge patch has", []any{"spec", "template", "metadata", "labels"}, "clusters/prod/web.yaml:28"},
		{"an env var of the base", []any{"spec", "template", "spec", "containers", 0, "env", 0}, "apps/web/deploy.yaml:15"},
		{"the env list both hold", []any{"spec", "template", "spec", "containers", 0, "env"}, "apps/web/deploy.yaml:14"},
		{"the annotations map both hold", []any{"spec", "template", "metadata", "annotations"}, "apps/web/deploy.yaml:8"},
		{"a field nobody writes", []any{"spec", "replicas"}, "apps/web/deploy.yaml:5"},
	}
	for _, tt := range tests {
		file, line := obj.Locate(tt.path...)
		if got := fmt.Sprintf("%s:%d", file, line); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestPatchTextNotInFile: a patch whose text is not the file's line by
// line (a quoted string, the last entry of patchedFlux) is located at its
// entry's line.
func TestPatchTextNotInFile(t *testing.T) {
	res := render.Result{Source: "kustomize", DefaultNamespace: "shop",
		Docs: []render.Doc{{YAML: []byte(patchedRendered), File: "apps/web/deploy.yaml", Patches: []render.Patch{
			{Text: `[{"op": "add", "path": "/spec/template/spec/containers/0/env/-", "value": {"name": "TOKEN"}}]`, File: "clusters/prod/web.yaml", Line: 36},
		}}},
		Sources: map[string][]byte{"apps/web/deploy.yaml": []byte(patchedBase), "clusters/prod/web.yaml": []byte(patchedFlux)},
	}
	set, err := BuildShared(res, nil)
	if err != nil {
		t.Fatal(err)
	}
	if file, line := set.Objects[0].Locate("spec", "template", "spec", "containers", 0, "env", 1, "name"); file != "clusters/prod/web.yaml" || line != 36 {
		t.Errorf("got %s:%d, want clusters/prod/web.yaml:36", file, line)
	}
}

// TestPatchTestOperation: a JSON 6902 test operation only compares a value
// the object has; the field stays where the base file writes it.
func TestPatchTestOperation(t *testing.T) {
	ops := "- op: test\n  path: /spec/template/metadata/annotations/sidecar.istio.io~1inject\n  value: \"true\"\n"
	base := []byte(patchedBase)
	res := render.Result{Source: "kustomize", DefaultNamespace: "shop",
		Docs:    []render.Doc{{YAML: base, File: "apps/web/deploy.yaml", Patches: []render.Patch{{Text: ops, File: "clusters/prod/web.yaml", Line: 9}}}},
		Sources: map[string][]byte{"apps/web/deploy.yaml": base, "clusters/prod/web.yaml": []byte(patchedFlux)},
	}
	set, err := BuildShared(res, nil)
	if err != nil {
		t.Fatal(err)
	}
	if file, line := set.Objects[0].Locate("spec", "template", "metadata", "annotations", "sidecar.istio.io/inject"); file != "apps/web/deploy.yaml" || line != 9 {
		t.Errorf("got %s:%d, want apps/web/deploy.yaml:9", file, line)
	}
}
