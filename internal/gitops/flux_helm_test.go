package gitops

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestFluxReleaseName: helm-controller's GetReleaseName and ShortenName
// (api/v2/helmrelease_types.go, internal/release/name.go and its test).
func TestFluxReleaseName(t *testing.T) {
	tests := []struct{ name, target, release, want string }{
		{"podinfo", "", "", "podinfo"},
		{"podinfo", "apps", "", "apps-podinfo"},
		{"podinfo", "apps", "web", "web"},
		{"release-name-with-very-long-name-which-is-longer-than-53-characters", "", "", "release-name-with-very-long-name-which-i-788ca0d0d7b0"},
		{"characters", "another-release-name-with-very-long-name-which-is-longer-than-53", "", "another-release-name-with-very-long-name-7e72150d5a36"},
		{"x", "", strings.Repeat("a", 53), strings.Repeat("a", 53)},
	}
	for _, tt := range tests {
		if got := FluxReleaseName(tt.name, tt.target, tt.release); got != tt.want {
			t.Errorf("FluxReleaseName(%q, %q, %q) = %q, want %q", tt.name, tt.target, tt.release, got, tt.want)
		}
	}
	if FluxReleaseNamespace("flux-system", "apps") != "apps" || FluxReleaseNamespace("podinfo", "") != "podinfo" {
		t.Error("release namespace: targetNamespace, else the HelmRelease's")
	}
}

func TestFluxSkipCRDs(t *testing.T) {
	for y, want := range map[string]bool{"{}": false, "install: {crds: Create}": false, "install: {crds: CreateReplace}": false, "install: {crds: Skip}": true} {
		got, err := FluxSkipCRDs(body(t, y))
		if err != nil || got != want {
			t.Errorf("%s: %v, %v; want %v", y, got, err, want)
		}
	}
	if _, err := FluxSkipCRDs(body(t, "install: {crds: Never}")); err == nil || err.Error() != `spec.install.crds: want Skip, Create or CreateReplace, got "Never"` {
		t.Errorf("bad policy: %v", err)
	}
}

func body(t *testing.T, y string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(y), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReadFluxValuesFrom(t *testing.T) {
	got, err := ReadFluxValuesFrom(body(t, `
valuesFrom:
  - kind: ConfigMap
    name: common
  - kind: Secret
    name: creds
    valuesKey: token
    targetPath: auth.token
    optional: true
    literal: true
`))
	want := []FluxValuesRef{
		{Kind: "ConfigMap", Name: "common", ValuesKey: "values.yaml"},
		{Kind: "Secret", Name: "creds", ValuesKey: "token", TargetPath: "auth.token", Optional: true, Literal: true},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	if _, err := ReadFluxValuesFrom(body(t, "valuesFrom: [{kind: Deployment, name: x}]")); err == nil || err.Error() != `spec.valuesFrom[0].kind: want ConfigMap or Secret, got "Deployment"` {
		t.Errorf("bad kind: %v", err)
	}
}

// helmData is a lookup over ConfigMaps and Secrets in namespace "apps".
func helmData(objects map[string]*FluxData) FluxDataLookup {
	return func(kind, ns, name string) (*FluxData, error) {
		if ns != "apps" {
			return nil, nil
		}
		return objects[kind+"/"+name], nil
	}
}

// TestFluxHelmValuesDocuments: with no targetPath the values are the
// documents in Flux's order (valuesFrom in order, spec.values last), each
// where it is written, for Helm to merge as -f files.
func TestFluxHelmValuesDocuments(t *testing.T) {
	lookup := helmData(map[string]*FluxData{
		"ConfigMap/common": {File: "apps/common.yaml", Line: 3, Data: map[string]string{"values.yaml": "replicas: 2\nimage: {tag: v1}\n", "prod.yaml": "replicas: 5\n"}},
		"Secret/creds":     {File: "apps/creds.yaml", Line: 1, Secret: true, Data: map[string]string{"values.yaml": "db: {password: hunter2-hunter2}\n"}},
		"Secret/sealed":    {File: "apps/sealed.yaml", Line: 1, Secret: true, Encrypted: true, Data: map[string]string{"values.yaml": ""}},
	})
	refs := []FluxValuesRef{
		{Kind: "ConfigMap", Name: "common", ValuesKey: "values.yaml"},
		{Kind: "ConfigMap", Name: "common", ValuesKey: "prod.yaml"},
		{Kind: "ConfigMap", Name: "absent", ValuesKey: "values.yaml", Optional: true},
		{Kind: "ConfigMap", Name: "common", ValuesKey: "absent.yaml", Optional: true},
		{Kind: "Secret", Name: "creds", ValuesKey: "values.yaml"},
		{Kind: "Secret", Name: "sealed", ValuesKey: "values.yaml"},
	}
	inline := FluxValues{File: "apps/release.yaml", Line: 12, Values: map[string]any{"replicas": float64(3)}}
	docs, secrets, notes, err := FluxHelmValues(inline, refs, "apps", lookup)
	if err != nil {
		t.Fatal(err)
	}
	var where []string
	for _, d := range docs {
		y, _ := yaml.Marshal(d.Values)
		where = append(where, fmt.Sprintf("%s:%d ", d.File, d.Line)+strings.TrimSpace(string(y)))
	}
	want := []string{
		"apps/common.yaml:3 image:\n  tag: v1\nreplicas: 2",
		"apps/common.yaml:3 replicas: 5",
		"apps/creds.yaml:1 db:\n  password: hunter2-hunter2",
		"apps/release.yaml:12 replicas: 3",
	}
	if !reflect.DeepEqual(where, want) {
		t.Errorf("documents\n%q\nwant\n%q", where, want)
	}
	if !docs[2].Secret || docs[0].Secret {
		t.Error("the Secret's document should be marked Secret, the ConfigMap's not")
	}
	if !reflect.DeepEqual(secrets, []string{"db: {password: hunter2-hunter2}\n", "hunter2-hunter2"}) {
		t.Errorf("secrets %q", secrets)
	}
	if want := []string{"Secret apps/sealed (apps/sealed.yaml) is SOPS-encrypted: its values are not known here and are left out"}; !reflect.DeepEqual(notes, want) {
		t.Errorf("notes %q", notes)
	}
}

func TestFluxHelmValuesErrors(t *testing.T) {
	lookup := helmData(map[string]*FluxData{
		"ConfigMap/common": {Data: map[string]string{"values.yaml": "- a list\n", "bad": "a: [b"}},
		"Secret/creds":     {Secret: true, Data: map[string]string{"values.yaml": "password: [hunter2-hunter2"}},
	})
	for _, tt := range []struct {
		ref FluxValuesRef
		err string
	}{
		{FluxValuesRef{Kind: "ConfigMap", Name: "gone", ValuesKey: "values.yaml"},
			"could not resolve ConfigMap chart values reference 'apps/gone' with key 'values.yaml': ConfigMap apps/gone is not in the repository"},
		{FluxValuesRef{Kind: "ConfigMap", Name: "common", ValuesKey: "other.yaml"},
			"could not resolve ConfigMap chart values reference 'apps/common' with key 'other.yaml': key not found"},
		{FluxValuesRef{Kind: "ConfigMap", Name: "common", ValuesKey: "values.yaml"},
			"could not resolve ConfigMap chart values reference 'apps/common' with key 'values.yaml': failed to read values data: error unmarshaling JSON"},
		{FluxValuesRef{Kind: "Secret", Name: "creds", ValuesKey: "values.yaml"},
			"could not resolve Secret chart values reference 'apps/creds' with key 'values.yaml': failed to read values data: it does not parse as a YAML mapping"},
	} {
		_, _, _, err := FluxHelmValues(FluxValues{}, []FluxValuesRef{tt.ref}, "apps", lookup)
		if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("%+v: error %v, want %q", tt.ref, err, tt.err)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("a Secret's value in %q", err)
		}
	}
}

// TestFluxHelmValuesTargetPath: a targetPath sets the value with --set
// semantics in the middle of the merge, and, the merge being shallow, over
// spec.values too (the cases of fluxcd/pkg chartutil/values_test.go, "with
// target path", "target path precedence over all", "target path for
// string type array item", and quoted values as strings).
func TestFluxHelmValuesTargetPath(t *testing.T) {
	lookup := helmData(map[string]*FluxData{
		"ConfigMap/values": {File: "apps/values.yaml", Data: map[string]string{"values.yaml": "flat: value\nnested:\n  configuration: [one, two, three]\n"}},
		"Secret/values":    {File: "apps/secret.yaml", Secret: true, Data: map[string]string{"key": "value", "quoted": `"123"`, "number": "123", "commas": "a,b"}},
	})
	tests := []struct {
		name   string
		refs   []FluxValuesRef
		inline string
		want   string
	}{
		{"target path precedence over all", []FluxValuesRef{
			{Kind: "Secret", Name: "values", ValuesKey: "key", TargetPath: "nested.configuration[0]"},
			{Kind: "ConfigMap", Name: "values", ValuesKey: "values.yaml"},
		}, "nested:\n  configuration: [list, item, option]\n",
			"flat: value\nnested:\n  configuration:\n  - value\n  - item\n  - option\n"},
		{"target path for an array item", []FluxValuesRef{
			{Kind: "ConfigMap", Name: "values", ValuesKey: "values.yaml"},
			{Kind: "Secret", Name: "values", ValuesKey: "key", TargetPath: "nested.configuration[1]"},
		}, "other: values\n",
			"flat: value\nnested:\n  configuration:\n  - one\n  - value\n  - three\nother: values\n"},
		{"unquoted value is typed", []FluxValuesRef{{Kind: "Secret", Name: "values", ValuesKey: "number", TargetPath: "a.b"}}, "",
			"a:\n  b: 123\n"},
		{"quoted value is a string", []FluxValuesRef{{Kind: "Secret", Name: "values", ValuesKey: "quoted", TargetPath: "a.b"}}, "",
			"a:\n  b: \"123\"\n"},
		{"literal keeps commas", []FluxValuesRef{{Kind: "Secret", Name: "values", ValuesKey: "commas", TargetPath: "a.b", Literal: true}}, "",
			"a:\n  b: a,b\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inline := FluxValues{File: "apps/release.yaml", Line: 9, Values: body(t, tt.inline)}
			docs, secrets, _, err := FluxHelmValues(inline, tt.refs, "apps", lookup)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != 1 || docs[0].File != "apps/release.yaml" || docs[0].Line != 9 || !docs[0].Secret {
				t.Fatalf("want one document at the HelmRelease's values, holding a Secret's value: %+v", docs)
			}
			got, _ := yaml.Marshal(docs[0].Values)
			if string(got) != tt.want {
				t.Errorf("values\n%s\nwant\n%s", got, tt.want)
			}
			if len(secrets) == 0 {
				t.Error("the Secret's value should be kept for redaction")
			}
		})
	}
	_, _, _, err := FluxHelmValues(FluxValues{}, []FluxValuesRef{{Kind: "Secret", Name: "values", ValuesKey: "commas", TargetPath: "a.b"}}, "apps", lookup)
	if err == nil || err.Error() != "could not resolve Secret chart values reference 'values' with key 'commas': failed to merge value: the value does not parse with --set syntax" {
		t.Errorf("commas without literal: %v", err)
	}
}
