package check

import (
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// The findings of pods that their namespace's injection switch would mesh
// share the cause namespace-not-injected:NS, with the fix where it belongs.
func TestCauses(t *testing.T) {
	rendered := &manifest.Object{Kind: "Namespace", Name: "shop", File: "deploy/namespace.yaml", Line: 2}
	disabled := &manifest.Object{Kind: "Namespace", Name: "shop", Labels: map[string]string{"istio-injection": "disabled"}}
	tests := []struct {
		name       string
		provider   string
		namespaces map[string]*manifest.Object
		facts      map[string]map[string]string
		opts       []meshTestOpt
		cause, fix string
	}{
		{name: "namespace-not-rendered", provider: config.ProviderIstio,
			cause: "namespace-not-injected:shop",
			fix:   "namespace shop is not rendered: if the cluster gives it the label istio-injection=enabled, say so in mesh.namespaces (shop: {istio-injection: enabled}); otherwise render the Namespace with it"},
		{name: "annotation-true-in-unlabelled-namespace", provider: config.ProviderIstio,
			opts:  []meshTestOpt{meshTestPodAnn("sidecar.istio.io/inject", "true")},
			cause: "namespace-not-injected:shop",
			fix:   "namespace shop is not rendered: if the cluster gives it the label istio-injection=enabled, say so in mesh.namespaces (shop: {istio-injection: enabled}); otherwise render the Namespace with it"},
		{name: "namespace-rendered", provider: config.ProviderIstio, namespaces: map[string]*manifest.Object{"shop": rendered},
			cause: "namespace-not-injected:shop",
			fix:   "give the Namespace shop the label istio-injection=enabled (deploy/namespace.yaml:2)"},
		{name: "namespace-in-config", provider: config.ProviderLinkerd, facts: map[string]map[string]string{"shop": {"team": "web"}},
			cause: "namespace-not-injected:shop",
			fix:   "give namespace shop the annotation linkerd.io/inject=enabled in the cluster, and add linkerd.io/inject: enabled to its mesh.namespaces entry"},
		{name: "namespace-disabled-on-purpose", provider: config.ProviderIstio, namespaces: map[string]*manifest.Object{"shop": disabled}},
		{name: "pod-opts-out", provider: config.ProviderIstio, opts: []meshTestOpt{meshTestPodLabels("sidecar.istio.io/inject", "false")}},
		{name: "host-network", provider: config.ProviderIstio, opts: []meshTestOpt{meshTestHostNetwork}},
		{name: "consul-has-no-namespace-switch", provider: config.ProviderConsul},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := meshTestWorkload("Deployment", "cart", tt.opts...)
			namespaces := tt.namespaces
			if namespaces == nil {
				namespaces = map[string]*manifest.Object{}
			}
			in := Input{
				Config: &config.Config{Mesh: config.Mesh{Provider: tt.provider, Namespaces: tt.facts}},
				Env:    config.Environment{Name: "prod"},
				Set:    &manifest.Set{Workloads: []*manifest.Workload{w}, Namespaces: namespaces},
			}
			fs := meshFindings(in)
			setCauses(in, fs)
			var got *finding.Finding
			for i := range fs {
				if fs[i].Rule == finding.RuleMeshInjection {
					got = &fs[i]
				}
			}
			if got == nil {
				t.Fatalf("no mesh-injection finding: %+v", fs)
			}
			if got.Cause != tt.cause || got.CauseFix != tt.fix {
				t.Errorf("cause %q, fix %q\nwant %q, %q", got.Cause, got.CauseFix, tt.cause, tt.fix)
			}
		})
	}
}
