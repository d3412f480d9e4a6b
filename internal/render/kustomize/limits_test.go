package kustomize

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
)

func bomb(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= levels; i++ {
		p := "*a" + string(rune('0'+i-1))
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(p+", ", 9) + p + "]\n")
	}
	return b.String()
}

func TestCheckYAML(t *testing.T) {
	tests := []struct {
		name string
		text string
		want *render.Error
	}{
		{name: "plain", text: "a: 1\nb: [1, 2]\n"},
		{name: "a few aliases", text: bomb(3)},
		{name: "alias bomb", text: bomb(6), want: &render.Error{Line: 2, Limit: true, Message: "aliases expand to more than 100000 nodes (a YAML alias bomb)"}},
		{name: "alias inside itself", text: "a: &a [1, *a]\n", want: &render.Error{Line: 1, Limit: true, Message: "aliases expand to more than 100000 nodes (a YAML alias bomb)"}},
		{name: "bomb in a later document", text: "a: 1\n---\n" + bomb(6), want: &render.Error{Line: 4, Limit: true, Message: "aliases expand to more than 100000 nodes (a YAML alias bomb)"}},
		{name: "duplicate key", text: "metadata:\n  name: a\n  name: b\n", want: &render.Error{Line: 3, Message: `yaml: line 3: mapping key "name" already defined at line 2`}},
		{name: "merge keys", text: "a: &a {x: 1}\nb:\n  <<: *a\n  <<: {y: 2}\n"},
		{name: "not YAML: left to kustomize", text: "a: [1\n"},
		{name: "not YAML at all", text: "KEY=value\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkYAML([]byte(tt.text))
			switch {
			case tt.want == nil && got != nil:
				t.Errorf("error %+v, want none", *got)
			case tt.want != nil && (got == nil || *got != *tt.want):
				t.Errorf("error %+v, want %+v", got, *tt.want)
			}
		})
	}
}

func TestBudget(t *testing.T) {
	b := &budget{maxBytes: 100, maxReads: 3}
	if e := b.take("a", 101); e == nil || e.Message != "the file is 0.0 MiB, more than limits.maxRenderedBytes (0.0 MiB)" {
		t.Errorf("a file over the limit: %+v", e)
	}
	b = &budget{maxBytes: 100, maxReads: 3}
	if e := b.take("a", 60); e != nil {
		t.Errorf("first read: %+v", e)
	}
	if e := b.take("b", 60); e == nil || e.Message != "the build read more than limits.maxRenderedBytes (0.0 MiB) of files in all" {
		t.Errorf("bytes in all: %+v", e)
	}
	b = &budget{maxReads: 2}
	b.take("a", 1)
	b.take("b", 1)
	if e := b.take("c", 1); e == nil || e.Message != "the build read files more than 2 times (limits.maxObjects); do overlays include the same bases over and over?" {
		t.Errorf("reads: %+v", e)
	}
	b = &budget{}
	for i := 0; i < maxReadsPerFile; i++ {
		if e := b.take("a", 1); e != nil {
			t.Fatalf("read %d: %+v", i+1, e)
		}
	}
	if e := b.take("a", 1); e == nil || e.Message != "the build read this file more than 64 times: do overlays include the same bases over and over?" {
		t.Errorf("same file: %+v", e)
	}
}

// Generator input that kustomize would quote in its error is refused first,
// by position only; the values of secret generators are collected for
// redaction; generator data files are not read as YAML.
func TestGenerators(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		want   *render.Error
		redact []string
	}{
		{name: "literal without a key",
			files:  map[string]string{"kustomization.yaml": "secretGenerator:\n  - name: db\n    literals:\n      - user=app\n      - hunter2-password\n"},
			want:   &render.Error{File: "k/kustomization.yaml", Line: 5, Message: `secretGenerator "db": literals[1] is not KEY=VALUE (the entry is not shown, as it may hold a credential)`},
			redact: []string{"user=app", "app"}},
		{name: "literal with an empty key",
			files: map[string]string{"kustomization.yaml": "configMapGenerator:\n  - name: cfg\n    literals: [\"=x\"]\n"},
			want:  &render.Error{File: "k/kustomization.yaml", Line: 3, Message: `configMapGenerator "cfg": literals[0] is not KEY=VALUE (the entry is not shown, as it may hold a credential)`}},
		{name: "env file not UTF-8",
			files:  map[string]string{"kustomization.yaml": "secretGenerator:\n  - name: db\n    envs: [db.env]\n", "db.env": "USER=app\nPASSWORD=caf\xe9\n"},
			want:   &render.Error{File: "k/db.env", Line: 2, Message: `secretGenerator "db": env file line 2 is not valid UTF-8 (the line is not shown, as it may hold a credential)`},
			redact: []string{"app"}},
		{name: "secret values collected",
			files: map[string]string{"kustomization.yaml": "secretGenerator:\n  - name: db\n    literals: [\"token='tok-1'\"]\n    envs: [db.env]\n" +
				"configMapGenerator:\n  - name: cfg\n    literals: [mode=fast]\n    files: [data.yaml]\n",
				"db.env": "# comment\nPASSWORD=pw-1\nEMPTY\n", "data.yaml": "a: 1\na: 2\n"},
			redact: []string{"token='tok-1'", "tok-1", "pw-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for name, text := range tt.files {
				if err := os.MkdirAll(filepath.Join(root, "k"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, "k", name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			env := config.Environment{Name: "test", Kustomize: &config.Kustomize{Path: "k"}}
			res := Renderer{}.Render(context.Background(), root, env, render.Options{MaxBytes: 1 << 20, MaxReads: 100})
			switch {
			case tt.want == nil && res.Err != nil:
				t.Errorf("error %+v, want none", *res.Err)
			case tt.want != nil && (res.Err == nil || *res.Err != *tt.want):
				t.Errorf("error %+v, want %+v", res.Err, *tt.want)
			}
			if strings.Join(res.Redact, ",") != strings.Join(tt.redact, ",") {
				t.Errorf("redact = %q, want %q", res.Redact, tt.redact)
			}
		})
	}
}
