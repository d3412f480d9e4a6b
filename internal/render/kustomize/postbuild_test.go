package kustomize

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/provider"

	"github.com/meshgate/meshgate/internal/config"
)

// The cases follow what Flux documents (kustomize-controller
// docs/spec/v1/kustomizations.md, "Post build variable substitution") and
// tests (fluxcd/pkg kustomize/kustomize_varsub_test.go, envsubst
// eval_test.go, kustomize-controller kustomization_varsub_test.go), with
// fixtures of our own. The whole step against Flux's own code is
// TestFluxBuildMatchesFlux (internal/gitops).

// substituteDoc runs the post-build step on doc as the build would: doc
// read as a kustomize resource and serialised by it first.
func substituteDoc(t *testing.T, doc string, pb *config.PostBuild) ([]byte, error) {
	t.Helper()
	r, err := provider.NewDefaultDepProvider().GetResourceFactory().FromBytes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	y, err := r.AsYAML()
	if err != nil {
		t.Fatal(err)
	}
	return postBuild(r, y, pb)
}

func vars(kv ...string) *config.PostBuild {
	s := &config.PostBuild{Vars: map[string]string{}, Strict: true}
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
		s    *config.PostBuild
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
		{name: "not strict missing variable is empty", doc: cm("  a: x${missing}y\n"), s: &config.PostBuild{Vars: map[string]string{"o": "x"}}, want: "  a: xy\n"},
		{name: "strict empty value is defined", doc: cm("  a: ${empty}\n"), s: vars("empty", ""), want: "  a: null\n"},
		{name: "always substitutes defaults with no variables", doc: cm("  a: ${env:=dev}\n"), s: &config.PostBuild{Always: true, Strict: true}, want: "  a: dev\n"},
		{name: "quoted number stays a string", doc: cm("  a: ${q}${n}${q}\n"), s: vars("q", `"`, "n", "123"), want: "  a: \"123\"\n"},
		{name: "str tag keeps a string", doc: cm("  a: ${n}\n"), s: vars("n", "!!str 123"), want: "  a: \"123\"\n"},
		{name: "invalid variable name fails", doc: cm("  a: b\n"), s: vars("my-var", "x"),
			err: "envsubst error: 'my-var' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'"},
		{name: "unclosed brace fails", doc: cm("  a: ${env\n"), s: vars("env", "x"), err: "envsubst error: variable substitution failed"},
		{name: "yaml 1.1 y becomes true as Flux reads it", doc: cm("  a: ${x}\n"), s: vars("x", "y"), want: "  a: true\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := substituteDoc(t, tt.doc, tt.s)
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
		doc := "apiVersion: v1\ndata:\n  a: ${missing}\nkind: ConfigMap\nmetadata:\n  " + where + ":\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n  name: app\n"
		got, err := substituteDoc(t, doc, vars("x", "y"))
		if err != nil || string(got) != doc {
			t.Errorf("%s: got %q, %v; want it unchanged", where, got, err)
		}
	}
	doc := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels:\n    kustomize.toolkit.fluxcd.io/substitute: enabled\ndata:\n  a: ${x}\n"
	got, err := substituteDoc(t, doc, vars("x", "z"))
	if err != nil || !strings.Contains(string(got), "\n  a: z\n") {
		t.Errorf("any other value substitutes: got %q, %v", got, err)
	}
}

// TestFluxSubstituteNoVariables: with no variable defined and the default
// strategy, Flux skips the step: the object comes back as it was, its
// defaults unsubstituted.
func TestFluxSubstituteNoVariables(t *testing.T) {
	doc := "apiVersion: v1\ndata:\n  a: ${env:=dev}\nkind: ConfigMap\nmetadata:\n  name: app\n"
	for _, s := range []*config.PostBuild{nil, vars()} {
		got, err := substituteDoc(t, doc, s)
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
	got, err := substituteDoc(t, doc, vars("replicas", "3"))
	if err != nil {
		t.Fatal(err)
	}
	want := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestPostBuildError: the error names the object as Flux's does.
func TestPostBuildError(t *testing.T) {
	doc := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: ${replicas}\n"
	_, err := substituteDoc(t, doc, vars("other", "x"))
	want := `post build failed for 'Deployment.v1.apps/web': envsubst error: variable substitution failed: variable not set (strict mode): "replicas"`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}
