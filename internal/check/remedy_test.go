package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
	"github.com/meshgate/meshgate/internal/render"
)

// remedyTestSet builds the objects of one plain YAML source file, with the
// file in a repository so that field lines resolve.
func remedyTestSet(t *testing.T, src string) *manifest.Set {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "app.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var docs []render.Doc
	for _, d := range strings.Split(src, "---\n") {
		docs = append(docs, render.Doc{YAML: []byte(d), File: "app.yaml"})
	}
	set, err := manifest.BuildShared(render.Result{Source: "kustomize", Docs: docs, Root: root, DefaultNamespace: "shop"}, manifest.NewShared())
	if err != nil {
		t.Fatal(err)
	}
	return set
}

const remedyTestJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    metadata:
      labels:
        app: migrate
    spec:
      containers:
        - name: main
          image: m:1
`

// TestRemedies: the edit each check attaches to its finding, located in
// the source; a Job's native-sidecar annotation is the one its advice
// names at the configured release, and a release without a per-pod switch
// has none.
func TestRemedies(t *testing.T) {
	labels := finding.Anchor{Line: 8, Field: "labels"}
	noAnnotations := finding.Anchor{Line: 7, Missing: true, Field: "annotations", Parent: "metadata"}
	linkerdNS := map[string]map[string]string{"shop": {"linkerd.io/inject": "enabled"}}
	for _, tc := range []struct {
		name string
		mesh config.Mesh
		src  string
		rule string
		want *finding.Remedy // without Title
	}{
		{name: "istio 1.26 native-sidecar annotation", mesh: config.Mesh{Provider: "istio", Version: "1.26", Namespaces: map[string]map[string]string{"shop": {"istio-injection": "enabled"}}},
			src: remedyTestJob, rule: finding.RuleMeshJobSidecar,
			want: &finding.Remedy{Op: finding.RemedySet, Key: "sidecar.istio.io/nativeSidecar", Value: "true", At: noAnnotations}},
		{name: "linkerd 2.18 alpha annotation", mesh: config.Mesh{Provider: "linkerd", Version: "2.18", Namespaces: linkerdNS},
			src: remedyTestJob, rule: finding.RuleMeshJobSidecar,
			want: &finding.Remedy{Op: finding.RemedySet, Key: "config.alpha.linkerd.io/proxy-enable-native-sidecar", Value: "true", At: noAnnotations}},
		{name: "linkerd edge-26.5.1 beta annotation", mesh: config.Mesh{Provider: "linkerd", Version: "edge-26.5.1", Namespaces: linkerdNS},
			src: remedyTestJob, rule: finding.RuleMeshJobSidecar,
			want: &finding.Remedy{Op: finding.RemedySet, Key: "config.beta.linkerd.io/proxy-enable-native-sidecar", Value: "true", At: noAnnotations}},
		{name: "istio 1.23 has no per-pod switch", mesh: config.Mesh{Provider: "istio", Version: "1.23", Namespaces: map[string]map[string]string{"shop": {"istio-injection": "enabled"}}},
			src: remedyTestJob, rule: finding.RuleMeshJobSidecar},
		{name: "the injection annotation becomes a label", mesh: config.Mesh{Provider: "istio"},
			src:  strings.Replace(remedyTestJob, "      labels:\n", "      annotations:\n        sidecar.istio.io/inject: \"true\"\n      labels:\n", 1),
			rule: finding.RuleMeshInjection,
			want: &finding.Remedy{Op: finding.RemedyMove, Key: "sidecar.istio.io/inject", At: finding.Anchor{Line: 9, Field: "sidecar.istio.io/inject"},
				To: finding.Anchor{Line: 10, Field: "labels"}}},
		{name: "a required label with its value", mesh: config.Mesh{Provider: "none", Require: config.Requirements{Labels: map[string]config.Matcher{"team": {Equals: ptr("db")}}}},
			src: remedyTestJob, rule: finding.RuleMeshAnnotation,
			want: &finding.Remedy{Op: finding.RemedySet, Key: "team", Value: "db", At: labels}},
		{name: "a required label without a value has none", mesh: config.Mesh{Provider: "none", Require: config.Requirements{Labels: map[string]config.Matcher{"team": {Present: true}}}},
			src: remedyTestJob, rule: finding.RuleMeshAnnotation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Config: &config.Config{Mesh: tc.mesh}, Env: config.Environment{Name: "prod"}, Set: remedyTestSet(t, tc.src)}
			var got *finding.Finding
			for _, f := range meshFindings(in) {
				if f.Rule == tc.rule {
					got = &f
				}
			}
			if got == nil {
				t.Fatalf("no %s finding", tc.rule)
			}
			r := got.Remedy
			if r != nil {
				if tc.rule == finding.RuleMeshJobSidecar && !strings.Contains(got.Message, r.Key) {
					t.Errorf("the remedy sets %s, the advice another annotation: %s", r.Key, got.Message)
				}
				c := *r
				c.Title = ""
				r = &c
			}
			if (r == nil) != (tc.want == nil) || r != nil && *r != *tc.want {
				t.Errorf("remedy %+v, want %+v", r, tc.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }
