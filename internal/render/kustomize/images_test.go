package kustomize

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/benchgen"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/testrepo"
)

// bothWays builds the kustomization at path with the images fast path and
// without it, fails the test unless the results are identical, and
// reports whether the fast path's build was the one used.
func bothWays(t *testing.T, root, path string) (render.Result, bool) {
	t.Helper()
	before := fastBuilds.Load()
	fast := buildAt(t, root, path, "")
	used := fastBuilds.Load() > before
	imagesFast = false
	slow := buildAt(t, root, path, "")
	imagesFast = true
	if !reflect.DeepEqual(fast, slow) {
		t.Errorf("%s: the images fast path changes the build", path)
		if (fast.Err == nil) != (slow.Err == nil) {
			t.Errorf("errors: fast %v, krusty %v", fast.Err, slow.Err)
		}
		for i := range min(len(fast.Docs), len(slow.Docs)) {
			if !reflect.DeepEqual(fast.Docs[i], slow.Docs[i]) {
				t.Errorf("document %d:\nfast path:\n%s\nkrusty:\n%s", i, fast.Docs[i].YAML, slow.Docs[i].YAML)
				break
			}
		}
		if len(fast.Docs) != len(slow.Docs) {
			t.Errorf("%d documents, krusty %d", len(fast.Docs), len(slow.Docs))
		}
	}
	return fast, used
}

// TestImagesFastPathOnFixtures builds every kustomization of the
// repository's fixtures and the demo both ways.
func TestImagesFastPathOnFixtures(t *testing.T) {
	for _, root := range []string{testRoot(t), mustAbs(t, "../../../testdata")} {
		var dirs []string
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (d.Name() == "kustomization.yaml" || d.Name() == "kustomization.yml") {
				rel, _ := filepath.Rel(root, filepath.Dir(p))
				dirs = append(dirs, filepath.ToSlash(rel))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(dirs) < 5 {
			t.Fatalf("%s: only %d kustomizations found", root, len(dirs))
		}
		for _, d := range dirs {
			bothWays(t, root, d)
		}
	}
	if _, used := bothWays(t, testRoot(t), "kustomize/overlays/prod"); !used {
		t.Error("kustomize/overlays/prod, which sets images, did not take the fast path")
	}
}

// TestImagesFastPathOnGeneratedOverlays builds the benchmark generator's
// overlays both ways, and requires the fast path on each.
func TestImagesFastPathOnGeneratedOverlays(t *testing.T) {
	root := t.TempDir()
	if err := benchgen.Generate(root, benchgen.Options{Envs: 6, Services: 8, Seed: benchgen.DefaultSeed}); err != nil {
		t.Fatal(err)
	}
	overlays, err := filepath.Glob(filepath.Join(root, "deploy", "overlays", "*"))
	if err != nil || len(overlays) == 0 {
		t.Fatalf("no overlays generated (%v)", err)
	}
	for _, o := range overlays {
		rel, _ := filepath.Rel(root, o)
		res, used := bothWays(t, root, filepath.ToSlash(rel))
		if res.Err != nil || !used {
			t.Errorf("%s: error %v, fast path taken %v", rel, res.Err, used)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

const fastDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: busybox
      containers:
        - name: app
          image: registry.example/team/web:1.0
        - name: sidecar
          image: envoy@sha256:abc
      volumes:
        - name: model
          image:
            reference: models/llm:v1
`

// TestImagesFastPathCases: entries and trees chosen for what could set
// the two builds apart, each with whether the fast path must be taken.
func TestImagesFastPathCases(t *testing.T) {
	tests := []struct {
		name   string
		kust   string
		extra  map[string]string
		fast   bool
		hasErr bool
	}{
		{name: "tag, digest, newName and suffix", fast: true, kust: `images:
  - name: busybox
    newTag: "1.36"
  - name: registry.example/team/web
    newName: mirror.example/web
    digest: sha256:def
  - name: envoy
    tagSuffix: -fips
  - name: models/llm
    newTag: v2
`},
		{name: "a chain of renames, in order", fast: true, kust: `images:
  - name: busybox
    newName: alpine
  - name: alpine
    newName: debian
    newTag: "12"
  - name: debian
    newTag: "13"
`},
		{name: "a name with metacharacters", fast: true, kust: `images:
  - name: registry.example/team/.*
    newTag: any
  - name: "["
    newTag: never
`},
		{name: "flow style list, images last, comments", fast: true, kust: `# header
resources: [deployment.yaml, crd.yaml, custom.yaml, cronjob.yaml]
# the images
images: [{name: busybox, newTag: "2"},
  {name: worker, newName: jobs/worker}]
# trailing comment
`},
		{name: "replacements run after the images", fast: false, kust: `images:
  - name: busybox
    newTag: "3"
replacements:
  - source: {kind: Deployment, name: web, fieldPath: spec.template.spec.initContainers.0.image}
    targets:
      - select: {kind: CronJob}
        fieldPaths: [metadata.annotations.init-image]
        options: {create: true}
`},
		{name: "a resource that asks for a hash", fast: false, kust: `images:
  - name: busybox
    newTag: "4"
commonAnnotations:
  kustomize.config.k8s.io/needs-hash: "true"
`},
		{name: "a malformed image field", fast: false, hasErr: true, extra: map[string]string{
			"custom.yaml": "apiVersion: example.com/v1\nkind: Runner\nmetadata:\n  name: r\nspec:\n  containers:\n    - name: c\n      image: {ref: other}\n",
		}, kust: `images:
  - name: busybox
    newTag: "5"
`},
		{name: "an unknown field", fast: false, hasErr: true, kust: `images:
  - name: busybox
    newTag: "6"
imagez: []
`},
		{name: "vars", fast: false, kust: `images:
  - name: busybox
    newTag: "7"
vars:
  - name: WEB
    objref: {kind: Deployment, name: web, apiVersion: apps/v1}
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{
				"o/deployment.yaml": fastDeployment,
				"o/crd.yaml":        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: runners.example.com\nspec:\n  containers:\n    - image: busybox\n",
				"o/custom.yaml":     "apiVersion: example.com/v1\nkind: Runner\nmetadata:\n  name: r\nspec:\n  deep:\n    containers:\n      - name: c\n        image: busybox:old\n",
				"o/cronjob.yaml":    "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: w\n              image: worker\n",
			}
			for p, text := range tc.extra {
				files["o/"+p] = text
			}
			kust := tc.kust
			if !strings.Contains(kust, "resources:") {
				kust = "resources:\n  - deployment.yaml\n  - crd.yaml\n  - custom.yaml\n  - cronjob.yaml\n" + kust
			}
			files["o/kustomization.yaml"] = kust
			res, used := bothWays(t, testrepo.New(t, files), "o")
			if used != tc.fast {
				t.Errorf("fast path taken %v, want %v", used, tc.fast)
			}
			if (res.Err != nil) != tc.hasErr {
				t.Errorf("error %v, want one: %v", res.Err, tc.hasErr)
			}
		})
	}
}

// TestImagesFastPathRandom builds random overlays both ways: random image
// values in every place kustomize looks, and random entries that rename,
// retag, pin and chain.
func TestImagesFastPathRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	names := []string{"nginx", "busybox", "reg.io/app", "reg.io:5000/app", "app", "team/app", "reg.io/.*", "ap+", "["}
	tags := []string{"", ":1", ":1.2-rc", ":{tag}", "@sha256:aa", ":2@sha256:bb"}
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	image := func() string {
		n := pick(names[:6])
		return n + pick(tags)
	}
	fastCount := 0
	for i := range 60 {
		var b strings.Builder
		b.WriteString("resources:\n  - workloads.yaml\nimages:\n")
		for range 1 + rng.IntN(5) {
			fmt.Fprintf(&b, "  - name: %q\n", pick(names))
			if rng.IntN(2) == 0 {
				fmt.Fprintf(&b, "    newName: %q\n", pick(names[:6]))
			}
			switch rng.IntN(4) {
			case 0:
				fmt.Fprintf(&b, "    newTag: %q\n", fmt.Sprint(rng.IntN(9)))
			case 1:
				b.WriteString("    digest: sha256:cc\n")
			case 2:
				b.WriteString("    tagSuffix: -x\n")
			}
		}
		work := fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: d%[1]d
spec:
  template:
    spec:
      initContainers: [{name: i, image: %[2]q}]
      containers: [{name: a, image: %[3]q}, {name: b, image: %[4]q}]
      volumes: [{name: v, image: {reference: %[5]q}}]
---
apiVersion: v1
kind: Pod
metadata:
  name: p%[1]d
  annotations:
    note: %[6]q
spec:
  containers: [{name: a, image: %[6]q}]
---
apiVersion: example.com/v1
kind: Thing
metadata:
  name: t%[1]d
spec:
  nested:
    initContainers: [{name: x, image: %[7]q}]
`, i, image(), image(), image(), image(), image(), image())
		root := testrepo.New(t, map[string]string{"o/kustomization.yaml": b.String(), "o/workloads.yaml": work})
		if _, used := bothWays(t, root, "o"); used {
			fastCount++
		}
		if t.Failed() {
			t.Fatalf("case %d:\n%s\n%s", i, b.String(), work)
		}
	}
	if fastCount < 50 {
		t.Errorf("the fast path was taken in %d of 60 random cases", fastCount)
	}
}
