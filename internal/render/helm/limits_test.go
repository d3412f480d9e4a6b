package helm

import (
	"context"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/meshgate/meshgate/internal/render"
)

// A panic in the Helm SDK runs in bounded's goroutine, where only bounded
// can recover it: it becomes an internal render error, not a crash.
func TestBoundedRecoversPanic(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := bounded(ctx, render.Result{Path: "c"}, func() render.Result { panic("boom") })
	want := render.Error{Message: "internal error while rendering the chart: boom; this is a bug in meshgate, please report it", Internal: true}
	if res.Err == nil || *res.Err != want || res.Path != "c" {
		t.Errorf("result = %+v, want error %+v", res, want)
	}
}

// A rendering that does not end is abandoned when the context ends.
func TestBoundedAbandonsOnContextEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	go func() {
		<-started
		cancel()
	}()
	res := bounded(ctx, render.Result{}, func() render.Result {
		close(started)
		<-release
		return render.Result{}
	})
	want := render.Error{Message: "rendering did not finish: context canceled"}
	if res.Err == nil || *res.Err != want {
		t.Errorf("error = %+v, want %+v", res.Err, want)
	}
}

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
