package gitops

import (
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The cases follow what Flux documents (kustomize-controller
// docs/spec/v1/kustomizations.md, "Post build variable substitution") and
// tests (fluxcd/pkg kustomize/kustomize_varsub_test.go, envsubst
// eval_test.go, kustomize-controller kustomization_varsub_test.go), with
// fixtures of our own.

func vars(kv ...string) *Substitution {
	s := &Substitution{Vars: map[string]string{}, Strict: true}
	for i := 0; i+1 < len(kv); i += 2 {
		s.Vars[kv[i]] = kv[i+1]
	}
	return s
}

func TestFluxSubstitute(t *testing.T) {
	cm := func(data string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n" + data
	}
	tests := []struct {
		name string
		doc  string
		s    *Substitution
		want string // the data block after substitution
		err  string
	}{
		{name: "braced variable substituted", doc: cm("  a: ${region}\n"), s: vars("region", "eu-central-1"), want: "  a: eu-central-1\n"},
		{name: "dollar without braces left alone", doc: cm("  a: $region\n"), s: vars("region", "eu"), want: "  a: $region\n"},
		{name: "double dollar escapes", doc: cm("  a: $${region}\n"), s: vars("region", "eu"), want: "  a: ${region}\n"},
		{name: "assign default when unset", doc: cm("  a: ${env:=dev}\n"), s: vars("other", "x"), want: "  a: dev\n"},
		{name: "default when unset", doc: cm("  a: ${env:-dev}\n"), s: vars("other", "x"), want: "  a: dev\n"},
		{name: "default when set empty", doc: cm("  a: ${env:-dev}\n"), s: vars("env", ""), want: "  a: dev\n"},
		{name: "set value wins over default", doc: cm("  a: ${env:=dev}\n"), s: vars("env", "prod"), want: "  a: prod\n"},
		{name: "bash string function", doc: cm("  a: ${name/-/_}\n"), s: vars("name", "a-b-c"), want: "  a: a_b-c\n"},
		{name: "uppercase function", doc: cm("  a: ${name^^}\n"), s: vars("name", "abc"), want: "  a: ABC\n"},
		{name: "strict missing variable fails", doc: cm("  a: ${missing}\n"), s: vars("other", "x"),
			err: `envsubst error: variable substitution failed: variable not set (strict mode): "missing"`},
		{name: "strict missing variable with transformation fails", doc: cm("  a: ${missing^^}\n"), s: vars("other", "x"),
			err: `variable not set (strict mode): "missing"`},
		{name: "not strict missing variable is empty", doc: cm("  a: x${missing}y\n"), s: &Substitution{Vars: map[string]string{"o": "x"}}, want: "  a: xy\n"},
		{name: "strict empty value is defined", doc: cm("  a: ${empty}\n"), s: vars("empty", ""), want: "  a: null\n"},
		{name: "always substitutes defaults with no variables", doc: cm("  a: ${env:=dev}\n"), s: &Substitution{Always: true, Strict: true}, want: "  a: dev\n"},
		{name: "quoted number stays a string", doc: cm("  a: ${q}${n}${q}\n"), s: vars("q", `"`, "n", "123"), want: "  a: \"123\"\n"},
		{name: "str tag keeps a string", doc: cm("  a: ${n}\n"), s: vars("n", "!!str 123"), want: "  a: \"123\"\n"},
		{name: "invalid variable name fails", doc: cm("  a: b\n"), s: vars("my-var", "x"),
			err: "envsubst error: 'my-var' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'"},
		{name: "unclosed brace fails", doc: cm("  a: ${env\n"), s: vars("env", "x"), err: "envsubst error: variable substitution failed"},
		{name: "yaml 1.1 y becomes true as Flux reads it", doc: cm("  a: ${x}\n"), s: vars("x", "y"), want: "  a: true\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FluxSubstitute([]byte(tt.doc), tt.s)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, data, ok := strings.Cut(string(got), "data:\n")
			if !ok {
				t.Fatalf("no data in\n%s", got)
			}
			data, _, _ = strings.Cut(data, "kind:")
			if data != tt.want {
				t.Errorf("data =\n%s\nwant\n%s", data, tt.want)
			}
		})
	}
}

// TestFluxSubstituteDisabled: an object labelled or annotated
// kustomize.toolkit.fluxcd.io/substitute: disabled comes back unchanged,
// even where strict mode would fail on it.
func TestFluxSubstituteDisabled(t *testing.T) {
	for _, where := range []string{"labels", "annotations"} {
		doc := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  " + where + ":\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  a: ${missing}\n"
		got, err := FluxSubstitute([]byte(doc), vars("x", "y"))
		if err != nil || string(got) != doc {
			t.Errorf("%s: got %q, %v; want it unchanged", where, got, err)
		}
	}
	doc := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels:\n    kustomize.toolkit.fluxcd.io/substitute: enabled\ndata:\n  a: ${x}\n"
	got, err := FluxSubstitute([]byte(doc), vars("x", "z"))
	if err != nil || !strings.Contains(string(got), "\n  a: z\n") {
		t.Errorf("any other value substitutes: got %q, %v", got, err)
	}
}

// TestFluxSubstituteNoVariables: with no variable defined and the default
// strategy, Flux skips the step: the object comes back as it was, its
// defaults unsubstituted.
func TestFluxSubstituteNoVariables(t *testing.T) {
	doc := "kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: app\ndata:\n  a: ${env:=dev}\n"
	for _, s := range []*Substitution{nil, vars()} {
		got, err := FluxSubstitute([]byte(doc), s)
		if err != nil || string(got) != doc {
			t.Errorf("%+v: got %q, %v; want it unchanged", s, got, err)
		}
	}
}

// TestFluxSubstituteSerialises: the result is serialised as kustomize
// serialises an object (keys sorted), as Flux re-reads the substituted
// text into the object before the build is written out.
func TestFluxSubstituteSerialises(t *testing.T) {
	doc := "kind: Deployment\napiVersion: apps/v1\nmetadata:\n  name: web\nspec:\n  replicas: ${replicas}\n"
	got, err := FluxSubstitute([]byte(doc), vars("replicas", "3"))
	if err != nil {
		t.Fatal(err)
	}
	want := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestReadFluxPostBuild(t *testing.T) {
	spec := func(y string) map[string]any {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(y), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	got, err := ReadFluxPostBuild(spec(`
postBuild:
  substitute: {cluster_env: prod, region: "eu"}
  substituteFrom:
    - kind: ConfigMap
      name: cluster-vars
      optional: true
    - kind: Secret
      name: cluster-secret-vars
  substituteStrategy: Always
`))
	if err != nil {
		t.Fatal(err)
	}
	want := &FluxPostBuild{
		Substitute: map[string]string{"cluster_env": "prod", "region": "eu"},
		From:       []FluxVarSource{{Kind: "ConfigMap", Name: "cluster-vars", Optional: true}, {Kind: "Secret", Name: "cluster-secret-vars"}},
		Always:     true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if pb, err := ReadFluxPostBuild(spec("path: ./x\n")); pb != nil || err != nil {
		t.Errorf("no postBuild: got %+v, %v", pb, err)
	}
	for y, msg := range map[string]string{
		"postBuild: {substitute: {replicas: 3}}":              "spec.postBuild.substitute.replicas: want a string, got a number (quote it)",
		"postBuild: {substituteFrom: [{kind: Pod, name: x}]}": `spec.postBuild.substituteFrom[0].kind: want ConfigMap or Secret, got "Pod"`,
		"postBuild: {substituteFrom: [{kind: Secret}]}":       "spec.postBuild.substituteFrom[0].name: missing",
		"postBuild: {substituteStrategy: Sometimes}":          `spec.postBuild.substituteStrategy: want WithVariables or Always, got "Sometimes"`,
		"postBuild: [a]": "spec.postBuild: want a mapping, got a list",
		"postBuild: {substituteFrom: {kind: Secret}}": "spec.postBuild.substituteFrom: want a list, got a mapping",
	} {
		if _, err := ReadFluxPostBuild(spec(y)); err == nil || err.Error() != msg {
			t.Errorf("%s: error %v, want %q", y, err, msg)
		}
	}
}

// TestFluxSubstitution: substituteFrom in order, a later object over an
// earlier one, substitute over them all; newlines removed; optional
// objects may be missing; Secret values kept for redaction.
func TestFluxSubstitution(t *testing.T) {
	objects := map[string]*FluxData{
		"ConfigMap/flux-system/a": {Data: map[string]string{"x": "a", "y": "a", "z": "a"}},
		"ConfigMap/flux-system/b": {Data: map[string]string{"y": "b", "multi": "one\ntwo\n"}},
		"Secret/flux-system/s":    {Data: map[string]string{"token": "s3cr3t-value", "empty": ""}, Secret: true},
		"Secret/flux-system/enc":  {Data: map[string]string{"k2": "", "k1": ""}, Secret: true, Encrypted: true, File: "clusters/vars.enc.yaml"},
	}
	lookup := func(kind, ns, name string) (*FluxData, error) { return objects[kind+"/"+ns+"/"+name], nil }
	pb := &FluxPostBuild{
		Substitute: map[string]string{"z": "inline"},
		From: []FluxVarSource{
			{Kind: "ConfigMap", Name: "a"}, {Kind: "ConfigMap", Name: "b"}, {Kind: "ConfigMap", Name: "gone", Optional: true},
			{Kind: "Secret", Name: "s"}, {Kind: "Secret", Name: "enc"},
		},
	}
	s, notes, err := FluxSubstitution(pb, "flux-system", lookup)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"x": "a", "y": "b", "z": "inline", "multi": "onetwo", "token": "s3cr3t-value", "empty": "", "k1": "", "k2": ""}
	if !reflect.DeepEqual(s.Vars, want) {
		t.Errorf("vars %v, want %v", s.Vars, want)
	}
	if !reflect.DeepEqual(s.Secrets, []string{"s3cr3t-value"}) || !s.Strict || s.Always {
		t.Errorf("secrets %v strict %v always %v", s.Secrets, s.Strict, s.Always)
	}
	wantNotes := []string{"Secret flux-system/enc (clusters/vars.enc.yaml) is SOPS-encrypted: its variables k1, k2 are substituted as empty strings"}
	if !reflect.DeepEqual(notes, wantNotes) {
		t.Errorf("notes %q, want %q", notes, wantNotes)
	}
	_, _, err = FluxSubstitution(&FluxPostBuild{From: []FluxVarSource{{Kind: "Secret", Name: "gone"}}}, "apps", lookup)
	if err == nil || err.Error() != "substitute from 'Secret/gone' error: Secret apps/gone is not in the repository" {
		t.Errorf("missing required Secret: %v", err)
	}
}

func TestReadFluxData(t *testing.T) {
	body := func(y string) map[string]any {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(y), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	d, err := ReadFluxData("Secret", body("data: {a: dmFsdWUtYQ==, b: Yg==}\nstringData: {b: plain-b, c: c}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"a": "value-a", "b": "plain-b", "c": "c"}; !reflect.DeepEqual(d.Data, want) || !d.Secret {
		t.Errorf("secret data %v, want %v", d.Data, want)
	}
	d, err = ReadFluxData("ConfigMap", body("data: {a: x}\nbinaryData: {b: eA==}\n"))
	if err != nil || !reflect.DeepEqual(d.Data, map[string]string{"a": "x"}) || d.Secret {
		t.Errorf("configmap data %v, %v", d, err)
	}
	d, err = ReadFluxData("Secret", body("data: {a: 'ENC[AES256_GCM,data:xx,type:str]'}\nsops: {version: 3.8.1}\n"))
	if err != nil || !d.Encrypted || d.Data["a"] != "" {
		t.Errorf("sops secret %+v, %v", d, err)
	}
	if _, err := ReadFluxData("Secret", body("data: {a: not-base64!}\n")); err == nil || err.Error() != "data.a: not base64" {
		t.Errorf("bad base64: %v", err)
	}
}
