package helm

import (
	"strings"
	"testing"

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
		text        string
		line, first int
		key         string
	}{
		{"image:\n  tag: a\n  tag: b\n", 3, 2, "tag"},
		{"a: 1\nb: {a: 1}\n", 0, 0, ""},
		{"<<: {a: 1}\n<<: {b: 1}\n", 0, 0, ""},
		{"a: [1\n", 0, 0, ""},
	}
	for _, tt := range tests {
		line, first, key := duplicateKey([]byte(tt.text))
		if line != tt.line || first != tt.first || key != tt.key {
			t.Errorf("duplicateKey(%q) = %d, %d, %q; want %d, %d, %q", tt.text, line, first, key, tt.line, tt.first, tt.key)
		}
	}
}
