package check

import (
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/manifest"
)

// TestDetectProvider: with no mesh.provider, the keys of each injector in
// the rendered objects say which mesh the repository deploys to.
func TestDetectProvider(t *testing.T) {
	set := func(ns *manifest.Object, ws ...*manifest.Workload) *manifest.Set {
		s := &manifest.Set{Workloads: ws, Namespaces: map[string]*manifest.Object{}}
		if ns != nil {
			s.Namespaces[ns.Name] = ns
		}
		return s
	}
	cases := []struct {
		name   string
		sets   []*manifest.Set
		want   string
		reason string
	}{
		{name: "success.linkerd-pod-annotation", sets: []*manifest.Set{set(nil, meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "enabled")))},
			want: config.ProviderLinkerd, reason: "no mesh.provider configured; assuming linkerd: Deployment/shop/cart has pod annotation linkerd.io/inject"},
		{name: "success.linkerd-namespace-annotation", sets: []*manifest.Set{set(meshTestNamespace("emojivoto", nil, map[string]string{"linkerd.io/inject": "enabled"}), meshTestDeployment())},
			want: config.ProviderLinkerd, reason: "no mesh.provider configured; assuming linkerd: Namespace emojivoto has annotation linkerd.io/inject"},
		{name: "success.consul-pod-annotation", sets: []*manifest.Set{set(nil, meshTestDeployment(meshTestPodAnn("consul.hashicorp.com/connect-inject", "false")))},
			want: config.ProviderConsul, reason: "no mesh.provider configured; assuming consul: Deployment/shop/cart has pod annotation consul.hashicorp.com/connect-inject"},
		{name: "success.kuma-namespace-label", sets: []*manifest.Set{set(meshTestNamespace("shop", map[string]string{"kuma.io/sidecar-injection": "enabled"}, nil))},
			want: config.ProviderKuma, reason: "no mesh.provider configured; assuming kuma: Namespace shop has label kuma.io/sidecar-injection"},
		{name: "success.ambient-wins-over-istio", sets: []*manifest.Set{
			set(meshTestNamespace("shop", map[string]string{"istio.io/dataplane-mode": "ambient"}, nil), meshTestDeployment(meshTestPodAnn("sidecar.istio.io/proxyCPU", "100m")))},
			want: config.ProviderIstioAmbient, reason: "no mesh.provider configured; assuming istio-ambient: Namespace shop has label istio.io/dataplane-mode"},
		{name: "success.istio-pod-annotation", sets: []*manifest.Set{nil, set(nil, meshTestDeployment(meshTestPodAnn("sidecar.istio.io/proxyCPU", "100m")))},
			want: config.ProviderIstio, reason: "no mesh.provider configured; assuming istio: Deployment/shop/cart has pod annotation sidecar.istio.io/proxyCPU"},
		{name: "success.istio-namespace-revision", sets: []*manifest.Set{set(meshTestNamespace("shop", map[string]string{"istio.io/rev": "canary"}, nil))},
			want: config.ProviderIstio, reason: "no mesh.provider configured; assuming istio: Namespace shop has label istio.io/rev"},
		{name: "failure.no-signal-assumes-istio", sets: []*manifest.Set{set(nil, meshTestDeployment())},
			want: config.ProviderIstio, reason: "no mesh.provider configured and no rendered object carries a mesh's injection key; assuming istio"},
		{name: "failure.disagreement-assumes-istio", sets: []*manifest.Set{
			set(nil, meshTestDeployment(meshTestPodAnn("linkerd.io/inject", "enabled"))),
			set(nil, meshTestWorkload("Deployment", "web", meshTestPodAnn("consul.hashicorp.com/connect-inject", "true")))},
			want:   config.ProviderIstio,
			reason: "no mesh.provider configured and the rendered objects point at several meshes: linkerd (Deployment/shop/cart has pod annotation linkerd.io/inject); consul (Deployment/shop/web has pod annotation consul.hashicorp.com/connect-inject); assuming istio, set mesh.provider to choose"},
		{name: "failure.label-is-no-linkerd-signal", sets: []*manifest.Set{set(nil, meshTestDeployment(meshTestPodLabels("linkerd.io/inject", "enabled")))},
			want: config.ProviderIstio, reason: "no mesh.provider configured and no rendered object carries a mesh's injection key; assuming istio"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := DetectProvider(c.sets)
			if d.Provider != c.want || d.Reason != c.reason {
				t.Errorf("DetectProvider = %q, %q\nwant %q, %q", d.Provider, d.Reason, c.want, c.reason)
			}
		})
	}
}
