package helm

import (
	"reflect"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/render"
	"helm.sh/helm/v3/pkg/chart"
)

func TestCredentials(t *testing.T) {
	vals := map[string]interface{}{
		"db": map[string]interface{}{"rootPassword": "r00t-pass", "user": "app", "existingSecret": "db-creds", "passwordKey": "password"},
		"auth": map[string]interface{}{
			"token":  "tok-123456",
			"tokens": []interface{}{"not-a-credential-key"},
			"apiKey": 12345678,
		},
		"aws_secret_access_key": "AKIA-secret",
		"client-secret":         "cs-xyz1",
		"credentials":           []interface{}{"cred-one", map[string]interface{}{"k": "nested-not-credential"}},
		"short":                 map[string]interface{}{"pwd": "abc"},
	}
	c := &chart.Chart{Metadata: &chart.Metadata{Name: "c"}, Values: map[string]interface{}{"adminPassword": "from-chart"}}
	got := credentials(c, vals)
	want := []string{"AKIA-secret", "cred-one", "cs-xyz1", "from-chart", "r00t-pass", "tok-123456"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("credentials = %q, want %q", got, want)
	}
}

func TestDuplicateValuesKey(t *testing.T) {
	tests := []struct {
		text string
		want []render.Warning
	}{
		{"image:\n  tag: a\n  tag: b\n", []render.Warning{{File: "v.yaml", Line: 3, Message: `values key image.tag is defined twice (lines 2 and 3); helm takes the last: "b"`}}},
		{"a: 1\nb: {a: 1}\n", nil},
		{"<<: {a: 1}\n<<: {b: 1}\n", nil},
		{"a: [1\n", nil},
		{"a: {x: 1}\na: [2]\n", []render.Warning{{File: "v.yaml", Line: 2, Message: `values key a is defined twice (lines 1 and 2); helm takes the last: a list`}}},
	}
	for _, tt := range tests {
		if got := duplicateWarnings("v.yaml", 0, []byte(tt.text)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("duplicateWarnings(%q) = %#v; want %#v", tt.text, got, tt.want)
		}
	}
}
