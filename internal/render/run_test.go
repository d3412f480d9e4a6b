package render

import (
	"context"
	"reflect"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
)

func TestRunStart(t *testing.T) {
	helm := &config.Helm{Chart: "charts/shop", Namespace: "shop"}
	kust := &config.Kustomize{Path: "deploy/prod"}
	tests := []struct {
		name   string
		source string
		env    config.Environment
		want   Result
		ok     bool
	}{
		{"helm", "helm", config.Environment{Name: "h", Helm: helm},
			Result{Source: "helm", Root: "/r", Path: "charts/shop", DefaultNamespace: "shop"}, true},
		{"helm without namespace", "helm", config.Environment{Name: "h", Helm: &config.Helm{Chart: "c"}},
			Result{Source: "helm", Root: "/r", Path: "c", DefaultNamespace: "default"}, true},
		{"kustomize", "kustomize", config.Environment{Name: "k", Kustomize: kust, Namespace: "prod"},
			Result{Source: "kustomize", Root: "/r", Path: "deploy/prod", DefaultNamespace: "prod"}, true},
		{"no helm section", "helm", config.Environment{Name: "k", Kustomize: kust, Namespace: "prod"},
			Result{Source: "helm", Root: "/r", DefaultNamespace: "default",
				Err: &Error{Message: `environment "k" has no helm section`}}, false},
		{"no kustomize section", "kustomize", config.Environment{Name: "h", Helm: helm, Namespace: "prod"},
			Result{Source: "kustomize", Root: "/r", DefaultNamespace: "prod",
				Err: &Error{Message: `environment "h" has no kustomize section`}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := start(tt.source, "/r", tt.env)
			if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("start = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRun(t *testing.T) {
	env := config.Environment{Name: "k", Kustomize: &config.Kustomize{Path: "deploy"}}
	got := Run(context.Background(), "kustomize", "building", "/r", env, func(res Result) Result {
		res.Docs = []Doc{{File: res.Path}}
		return res
	})
	if got.Path != "deploy" || len(got.Docs) != 1 || got.Docs[0].File != "deploy" || got.Err != nil {
		t.Errorf("Run = %+v", got)
	}
	got = Run(context.Background(), "helm", "rendering", "/r", env, func(Result) Result {
		t.Error("fn ran for an environment without a helm section")
		return Result{}
	})
	if got.Err == nil || got.Err.Message != `environment "k" has no helm section` {
		t.Errorf("Run without a section: %+v", got.Err)
	}
}
