package gitops

import (
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"
)

// The cases follow what Flux documents (kustomize-controller
// docs/spec/v1/kustomizations.md, "Post build variable substitution") and
// tests (fluxcd/pkg kustomize/kustomize_varsub_test.go, envsubst
// eval_test.go, kustomize-controller kustomization_varsub_test.go), with
// fixtures of our own.

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
	s, secrets, notes, err := FluxSubstitution(pb, "flux-system", lookup)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"x": "a", "y": "b", "z": "inline", "multi": "onetwo", "token": "s3cr3t-value", "empty": "", "k1": "", "k2": ""}
	if !reflect.DeepEqual(s.Vars, want) {
		t.Errorf("vars %v, want %v", s.Vars, want)
	}
	if !reflect.DeepEqual(secrets, []string{"s3cr3t-value"}) || !s.Strict || s.Always {
		t.Errorf("secrets %v strict %v always %v", secrets, s.Strict, s.Always)
	}
	wantNotes := []string{"Secret flux-system/enc (clusters/vars.enc.yaml) is SOPS-encrypted: its variables k1, k2 are substituted as empty strings"}
	if !reflect.DeepEqual(notes, wantNotes) {
		t.Errorf("notes %q, want %q", notes, wantNotes)
	}
	_, _, _, err = FluxSubstitution(&FluxPostBuild{From: []FluxVarSource{{Kind: "Secret", Name: "gone"}}}, "apps", lookup)
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
