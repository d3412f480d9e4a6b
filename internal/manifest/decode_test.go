package manifest

import (
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"github.com/meshgate/meshgate/internal/render"
)

func TestBuildDecodeErrors(t *testing.T) {
	tests := []struct {
		fixture string
		want    render.Error
	}{
		{"failure.malformed-yaml.yaml", render.Error{Line: 6, Message: "rendered YAML: line 6: did not find expected ',' or ']'"}},
		{"failure.non-utf8.yaml", render.Error{Line: 4, Message: "rendered YAML: line 4: invalid UTF-8"}},
		{"failure.missing-kind.yaml", render.Error{Line: 6, Message: "rendered YAML: line 6: object has no kind"}},
		{"failure.missing-api-version.yaml", render.Error{Line: 1, Message: "rendered YAML: line 1: object has no apiVersion"}},
		{"failure.missing-both.yaml", render.Error{Line: 1, Message: "rendered YAML: line 1: object has no apiVersion and no kind"}},
		{"failure.list-item-missing-kind.yaml", render.Error{Line: 7, Message: "rendered YAML: line 7: List item 2 has no kind"}},
		{"failure.list-items-not-a-list.yaml", render.Error{Line: 1, Message: "rendered YAML: line 1: List items is not a list"}},
		{"failure.document-is-a-list.yaml", render.Error{Line: 1, Message: "rendered YAML: line 1: document is a list, not an object"}},
		{"failure.alias-bomb.yaml", render.Error{Line: 7, Message: "rendered YAML: line 7: aliases expand beyond 100000 nodes"}},
		{"failure.alias-cycle.yaml", render.Error{Line: 6, Message: `rendered YAML: line 6: anchor "x" contains itself`}},
		{"failure.non-scalar-key.yaml", render.Error{Line: 6, Message: "rendered YAML: line 6: mapping key is not a scalar"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			set, err := BuildShared(fixtureResult(t, "testdata/decode/"+tt.fixture), nil)
			if err == nil {
				t.Fatalf("Build succeeded with %d objects, want error %q", len(set.Objects), tt.want.Message)
			}
			tt.want.File = "deploy/" + tt.fixture
			if *err != tt.want {
				t.Errorf("error = %#v\nwant    %#v", *err, tt.want)
			}
		})
	}
}

// A repeated key is taken as kubectl takes it, the last one winning, and
// is a warning at the source line of that one.
func TestBuildDuplicateKeyWarning(t *testing.T) {
	set, err := BuildShared(fixtureResult(t, "testdata/decode/warning.duplicate-key.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []render.Warning{{File: "deploy/warning.duplicate-key.yaml", Line: 5, Message: `ConfigMap dup-again: key metadata.name is rendered twice; Kubernetes takes the last: "dup-again"`}}
	if len(set.Objects) != 1 || set.Objects[0].Name != "dup-again" || !reflect.DeepEqual(set.Warnings, want) {
		t.Errorf("objects %v, warnings %#v; want ConfigMap dup-again and %#v", set.Objects, set.Warnings, want)
	}
}

// A Helm template's lines differ from the rendered document's: the warning
// names the template line holding the key taken.
func TestBuildDuplicateKeyHelmLine(t *testing.T) {
	template := "{{- if .Values.enabled }}\n# a comment\napiVersion: v1\nkind: Secret\nmetadata:\n  name: dup\n  {{- if .Values.again }}\n  name: dup-again\n  {{- end }}\n{{- end }}\n"
	rendered := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: dup\n  name: dup-again\n"
	res := render.Result{Source: "helm", Docs: []render.Doc{{YAML: []byte(rendered), File: "charts/x/templates/cm.yaml"}},
		Sources: map[string][]byte{"charts/x/templates/cm.yaml": []byte(template)}}
	set, err := BuildShared(res, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []render.Warning{{File: "charts/x/templates/cm.yaml", Line: 8, Message: `Secret dup-again: key metadata.name is rendered twice; Kubernetes takes the last: its value`}}
	if !reflect.DeepEqual(set.Warnings, want) {
		t.Errorf("warnings %#v, want %#v", set.Warnings, want)
	}
}

// A key a template writes twice is located at the template line of the
// one taken, the last, even when its value is templated or both lines
// read the same; a key written three times gives two warnings, at the
// second and the third.
func TestBuildDuplicateKeyTemplatedLine(t *testing.T) {
	template := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    tier: {{ .Values.tier }}
    tier: {{ .Values.tier }}
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:{{ .Values.old }}
          {{- if .Values.pin }}
          image: web:{{ .Values.tag }}
          {{- end }}
          image: web:{{ .Chart.Version }}
        - name: side
          image: side:1
`
	rendered := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    tier: api
    tier: api
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:0.1
          image: web:0.2
          image: web:1.0.0
        - name: side
          image: side:1
`
	const file = "charts/web/templates/deployment.yaml"
	res := render.Result{Source: "helm", Docs: []render.Doc{{YAML: []byte(rendered), File: file}},
		Sources: map[string][]byte{file: []byte(template)}}
	set, err := BuildShared(res, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range set.Warnings {
		got = append(got, fmt.Sprintf("%s:%d %s", w.File, w.Line, w.Message))
	}
	want := []string{
		file + `:7 Deployment web: key metadata.labels.tier is rendered twice; Kubernetes takes the last: "api"`,
		file + `:15 Deployment web: key spec.template.spec.containers[0].image is rendered twice; Kubernetes takes the last: "web:0.2"`,
		file + `:17 Deployment web: key spec.template.spec.containers[0].image is rendered twice; Kubernetes takes the last: "web:1.0.0"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings\n got %q\nwant %q", got, want)
	}
}

func TestBuildDecodeErrorUnknownFile(t *testing.T) {
	res := render.Result{Source: "kustomize", Docs: []render.Doc{
		{YAML: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")},
		{YAML: []byte("apiVersion: v1\nmetadata: {name: b}\n")},
	}}
	_, err := BuildShared(res, nil)
	want := render.Error{Line: 1, Message: "rendered document 2: line 1: object has no kind"}
	if err == nil || *err != want {
		t.Fatalf("error = %#v, want %#v", err, want)
	}
}

func TestBuildRenderFailurePassesThrough(t *testing.T) {
	failure := &render.Error{Message: "template: shop/templates/a.yaml:3: fail", File: "charts/shop/templates/a.yaml", Line: 3}
	set, err := BuildShared(render.Result{Err: failure}, nil)
	if set != nil || err != failure {
		t.Errorf("Build = %v, %v; want nil and the rendering's error", set, err)
	}
}

func TestBuildDecodes(t *testing.T) {
	tests := []struct {
		fixture string
		want    []string // Kind/namespace/name@line
	}{
		{"success.empty-documents-skipped.yaml", []string{"ConfigMap/shop/only-object@7"}},
		{"success.lists-expanded.yaml", []string{"Secret/shop/first@4", "Secret/shop/nested@10", "Deployment/shop/third@13", "AllowList/shop/not-a-list@21"}},
		{"success.namespaces.yaml", []string{"Namespace//shop@1", "ClusterRole//reader@7", "Role/shop/local@12", "ConfigMap/other/elsewhere@17"}},
		{"success.merge-keys.yaml", []string{"ConfigMap/shop/merged@1"}},
		{"success.scalar-types.yaml", []string{"ConfigMap/shop/types@1"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			set := buildFixture(t, "testdata/decode/"+tt.fixture)
			var got []string
			for _, o := range set.Objects {
				got = append(got, o.ID()+"@"+strconv.Itoa(o.Line))
			}
			diff(t, "objects", got, tt.want)
		})
	}
}

// Bodies hold JSON-compatible values read the way Kubernetes reads YAML.
func TestBuildBodyValues(t *testing.T) {
	set := buildFixture(t, "testdata/decode/success.scalar-types.yaml")
	obj := set.Objects[0]
	wantSpec := map[string]any{
		"int": int64(7), "hex": int64(16), "big": float64(1e20), "float": 2.5, "inf": ".inf",
		"bool11": false, "bool12": true, "null": nil, "str": "007", "time": "2024-01-02",
		"tagged": "123", "custom": "secret/path", "1": "int-key", "true": "bool-key",
		"list": []any{"a", int64(1), map[string]any{"b": "c"}},
	}
	if got := obj.Body["spec"]; !reflect.DeepEqual(got, wantSpec) {
		t.Errorf("spec =\n%#v\nwant\n%#v", got, wantSpec)
	}
	wantLabels := map[string]string{"number": "42", "float": "1.5", "flag": "true", "quoted": "yes", "empty": ""}
	if !reflect.DeepEqual(obj.Labels, wantLabels) {
		t.Errorf("Labels = %v, want %v", obj.Labels, wantLabels)
	}
	if want := map[string]string{"json": `{"a": 1}`}; !reflect.DeepEqual(obj.Annotations, want) {
		t.Errorf("Annotations = %v, want %v", obj.Annotations, want)
	}

	merged := buildFixture(t, "testdata/decode/success.merge-keys.yaml").Objects[0]
	wantMerged := map[string]any{
		"base":   map[string]any{"a": int64(1), "b": int64(2)},
		"merged": map[string]any{"a": int64(1), "b": "overridden", "c": int64(3)},
		"labels": map[string]any{"app": "shop", "tier": "web"},
	}
	if got := merged.Body["spec"]; !reflect.DeepEqual(got, wantMerged) {
		t.Errorf("merged spec =\n%#v\nwant\n%#v", got, wantMerged)
	}
}
