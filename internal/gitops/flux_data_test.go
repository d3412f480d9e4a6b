package gitops

import (
	"testing"

	"github.com/meshgate/meshgate/internal/testrepo"
)

// TestFluxDataFrom: ConfigMaps and Secrets are found in the repository's
// YAML files, in the namespace asked for, else without one; an earlier
// list (the same rendering) wins over a later one (the repository).
func TestFluxDataFrom(t *testing.T) {
	root := testrepo.New(t, map[string]string{
		"clusters/prod/vars.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: vars, namespace: flux-system}\ndata: {env: prod}\n" +
			"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: vars, namespace: other}\ndata: {env: other}\n",
		"apps/loose.yaml":           "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {token: abc}\n",
		"apps/bad.yaml":             "kind: ConfigMap\nmetadata: [broken\n",
		".hidden/vars.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hidden, namespace: flux-system}\n",
		"charts/x/templates/c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}}\n",
	})
	objs, err := findDataObjects(root)
	if err != nil {
		t.Fatal(err)
	}
	rendered := []*Object{{Kind: "ConfigMap", Namespace: "flux-system", Name: "vars", Body: map[string]any{"data": map[string]any{"env": "rendered"}}, File: "out.yaml", Line: 7}}
	lookup := FluxDataFrom(rendered, objs)
	for _, tt := range []struct{ kind, ns, name, file, value string }{
		{"ConfigMap", "flux-system", "vars", "out.yaml", "rendered"},
		{"ConfigMap", "other", "vars", "clusters/prod/vars.yaml", "other"},
		{"Secret", "apps", "creds", "apps/loose.yaml", "abc"},
		{"ConfigMap", "flux-system", "hidden", "", ""},
		{"Secret", "apps", "vars", "", ""},
	} {
		d, err := lookup(tt.kind, tt.ns, tt.name)
		if err != nil {
			t.Fatal(err)
		}
		if tt.file == "" {
			if d != nil {
				t.Errorf("%s %s/%s: found %+v, want none", tt.kind, tt.ns, tt.name, d)
			}
			continue
		}
		if d == nil || d.File != tt.file || (d.Data["env"] != tt.value && d.Data["token"] != tt.value) {
			t.Errorf("%s %s/%s: %+v, want from %s", tt.kind, tt.ns, tt.name, d, tt.file)
		}
	}
	if d, _ := lookup("ConfigMap", "other", "vars"); d.Line != 6 {
		t.Errorf("line %d, want 6 (the second document)", d.Line)
	}
}
