package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunDetectsProvider: with no mesh.provider, Run judges the pods by the
// mesh their objects point at, says so once through Notice, and leaves a
// configured provider alone.
func TestRunDetectsProvider(t *testing.T) {
	root := t.TempDir()
	write := func(name, content string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("deploy/kustomization.yaml", "resources: [web.yaml]\n")
	write("deploy/web.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      annotations: {linkerd.io/inject: disabled}
    spec:
      containers: [{name: web, image: web:1}]
`)
	run := func() ([]string, []string) {
		p, err := NewPlan(context.Background(), Request{Dir: root})
		if err != nil {
			t.Fatal(err)
		}
		var notices []string
		p.Notice = func(msg string) { notices = append(notices, msg) }
		rep, err := Run(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for _, f := range rep.Findings {
			msgs = append(msgs, string(f.Severity)+" "+f.Message)
		}
		return notices, msgs
	}
	notices, msgs := run()
	wantNotice := "no mesh.provider configured; assuming linkerd: Deployment/default/web has pod annotation linkerd.io/inject"
	if strings.Join(notices, "\n") != wantNotice {
		t.Errorf("notices %q, want %q", notices, wantNotice)
	}
	wantMsg := `notice pod template has annotation linkerd.io/inject="disabled", which opts out of injection`
	if strings.Join(msgs, "\n") != wantMsg {
		t.Errorf("findings %q, want %q", msgs, wantMsg)
	}

	write(".meshgate.yaml", "environments: [{name: web, kustomize: {path: deploy}}]\nmesh: {provider: istio}\n")
	notices, msgs = run()
	if len(notices) != 0 {
		t.Errorf("notices %q with a configured provider", notices)
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "istio-injection") {
		t.Errorf("findings %q, want istio's", msgs)
	}
}
