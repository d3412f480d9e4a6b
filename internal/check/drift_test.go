package check

import (
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// driftTestWorkload is a workload in namespace shop, meshed by the pod
// label sidecar.istio.io/inject="true" unless meta says otherwise; env are
// the app container's env var names, ann the pod template's annotations
// as key, value pairs.
func driftTestWorkload(kind, name string, env []string, ann ...string) *manifest.Workload {
	path := []any{"spec", "template"}
	if kind == "CronJob" {
		path = []any{"spec", "jobTemplate", "spec", "template"}
	}
	w := &manifest.Workload{
		Object: &manifest.Object{APIVersion: "apps/v1", Kind: kind, Namespace: "shop", Name: name, File: "deploy/" + name + ".yaml", Line: 1},
		IsJob:  kind == "Job" || kind == "CronJob",
		Pod: manifest.PodTemplate{
			Path:        path,
			Labels:      map[string]string{"app": name, "sidecar.istio.io/inject": "true"},
			Annotations: map[string]string{},
			Containers: []manifest.Container{{
				Name: "server", Type: manifest.ContainerApp, Env: env,
				Path: append(append([]any{}, path...), "spec", "containers", 0),
			}},
		},
	}
	for i := 0; i+1 < len(ann); i += 2 {
		w.Pod.Annotations[ann[i]] = ann[i+1]
	}
	return w
}

func driftTestInput(env string, cfg *config.Config, ws ...*manifest.Workload) Input {
	if cfg == nil {
		cfg = &config.Config{}
	}
	if cfg.Mesh.Provider == "" {
		cfg.Mesh.Provider = config.ProviderIstio
	}
	set := &manifest.Set{}
	for _, w := range ws {
		set.Objects = append(set.Objects, w.Object)
		set.Workloads = append(set.Workloads, w)
	}
	return Input{Config: cfg, Env: config.Environment{Name: env}, Set: set, Today: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
}

var driftTestRequestID = []string{"ISTIO_META_REQUEST_ID", "LOG_LEVEL"}

// driftTestFindings runs the environment's checks and keeps mesh-drift.
func driftTestFindings(in Input) (drift, ignored []string) {
	fs, ign, _ := EnvironmentDrift(in)
	for _, f := range fs {
		if f.Rule == finding.RuleMeshDrift {
			drift = append(drift, f.Name+": "+f.Message)
		}
	}
	for _, f := range ign {
		if f.Rule == finding.RuleMeshDrift {
			ignored = append(ignored, f.Name+": "+f.Reason)
		}
	}
	return drift, ignored
}

func TestDriftSiblings(t *testing.T) {
	rid := driftTestRequestID
	services := func(extra ...*manifest.Workload) []*manifest.Workload {
		return append([]*manifest.Workload{
			driftTestWorkload("Deployment", "catalog", rid),
			driftTestWorkload("Deployment", "checkout", rid),
			driftTestWorkload("StatefulSet", "search", rid),
		}, extra...)
	}
	withEnvFrom := driftTestWorkload("Deployment", "cart", nil)
	withEnvFrom.Pod.Containers[0].EnvFrom = []manifest.EnvFromSource{{Kind: "ConfigMap", Name: "not-rendered"}}
	exempted := driftTestWorkload("Deployment", "cart", nil)
	exempted.Annotations = map[string]string{"meshgate.io/ignore": "mesh-drift", "meshgate.io/ignore-reason": "cart sets no request ids"}
	unmeshed := driftTestWorkload("Deployment", "cart", rid)
	unmeshed.Pod.Labels["sidecar.istio.io/inject"] = "false"
	proxy := func(cfg string) string { return "holdApplicationUntilProxyStarts: true\n" + cfg }
	rpc := "proxyMetadata:\n  ISTIO_META_REQUEST_ID: x-request-id\n"
	off := false
	tests := []struct {
		name        string
		cfg         *config.Config
		ws          []*manifest.Workload
		want, wantI []string
	}{
		{name: "failure.one-lacks-request-id", ws: services(driftTestWorkload("Deployment", "cart", []string{"LOG_LEVEL"})),
			want: []string{`cart: env ISTIO_META_REQUEST_ID is missing: 3 of the 4 meshed long-running workloads in namespace shop carry it (Deployment catalog, Deployment checkout, StatefulSet search)`}},
		{name: "success.three-siblings-are-too-few", ws: services()[1:3:3]},
		{name: "success.job-among-deployments", ws: services(driftTestWorkload("Job", "migrate", nil))},
		{name: "success.daemonset-is-infrastructure", ws: services(driftTestWorkload("DaemonSet", "node-agent", nil))},
		{name: "success.proxy-container-env-is-no-setting", ws: services(driftTestProxy()...)},
		{name: "success.own-env-is-no-setting", ws: services(driftTestWorkload("Deployment", "cart", []string{"ISTIO_META_REQUEST_ID", "FEATURE_FLAGS"}))},
		{name: "success.envFrom-unknown-may-set-it", ws: services(withEnvFrom)},
		{name: "success.unmeshed-reported-by-mesh-injection", ws: services(unmeshed)},
		{name: "success.reported-by-mesh-env", cfg: &config.Config{Mesh: config.Mesh{Require: config.Requirements{Env: []string{"ISTIO_META_REQUEST_ID"}}}},
			ws: services(driftTestWorkload("Deployment", "cart", nil))},
		{name: "success.setting-ignored", cfg: &config.Config{Drift: config.Drift{Ignore: []string{"ISTIO_META_*"}}},
			ws: services(driftTestWorkload("Deployment", "cart", nil))},
		{name: "success.siblings-off", cfg: &config.Config{Drift: config.Drift{Siblings: &off}},
			ws: services(driftTestWorkload("Deployment", "cart", nil))},
		{name: "success.exempted-inline", ws: services(exempted), wantI: []string{"cart: cart sets no request ids"}},
		{name: "failure.key-inside-proxy-config", ws: []*manifest.Workload{
			driftTestWorkload("Deployment", "catalog", nil, "proxy.istio.io/config", proxy(rpc), "sidecar.istio.io/proxyCPU", "100m"),
			driftTestWorkload("Deployment", "checkout", nil, "proxy.istio.io/config", proxy(rpc), "sidecar.istio.io/proxyCPU", "200m"),
			driftTestWorkload("Deployment", "search", nil, "proxy.istio.io/config", proxy(rpc), "sidecar.istio.io/proxyCPU", "500m"),
			driftTestWorkload("Deployment", "cart", nil, "proxy.istio.io/config", proxy(""), "sidecar.istio.io/proxyCPU", "1"),
		}, want: []string{`cart: annotation proxy.istio.io/config key proxyMetadata.ISTIO_META_REQUEST_ID is missing: 3 of the 4 meshed long-running workloads in namespace shop carry it (Deployment catalog, Deployment checkout, Deployment search); most use "x-request-id"`}},
		{name: "failure.whole-annotation-missing-is-one-finding", ws: []*manifest.Workload{
			driftTestWorkload("Deployment", "catalog", nil, "proxy.istio.io/config", rpc),
			driftTestWorkload("Deployment", "checkout", nil, "proxy.istio.io/config", rpc),
			driftTestWorkload("Deployment", "search", nil, "proxy.istio.io/config", rpc),
			driftTestWorkload("Deployment", "cart", nil),
		}, want: []string{`cart: annotation proxy.istio.io/config is missing: 3 of the 4 meshed long-running workloads in namespace shop carry it (Deployment catalog, Deployment checkout, Deployment search); most use "proxyMetadata:\n  ISTIO_META_REQUEST_ID: …"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ign := driftTestFindings(driftTestInput("prod", tt.cfg, tt.ws...))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("mesh-drift findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if strings.Join(ign, "\n") != strings.Join(tt.wantI, "\n") {
				t.Errorf("exempted:\n%s\nwant:\n%s", strings.Join(ign, "\n"), strings.Join(tt.wantI, "\n"))
			}
		})
	}
}

// driftTestProfiles checks one workload per environment, annotated as
// given, and compares them across environments.
func driftTestAcross(t *testing.T, anns map[string][]string, rename map[string]string) []string {
	t.Helper()
	cfg := &config.Config{Mesh: config.Mesh{Provider: config.ProviderIstio}}
	var profiles []*DriftProfile
	reported := map[string][]finding.Finding{}
	for _, env := range []string{"dev", "prod", "staging"} {
		ann, ok := anns[env]
		if !ok {
			continue
		}
		name := "cart"
		if n, ok := rename[env]; ok {
			name = n
		}
		w := driftTestWorkload("Deployment", name, nil, ann...)
		if rename != nil {
			w.File = ""
		}
		fs, ign, p := EnvironmentDrift(driftTestInput(env, cfg, w))
		profiles = append(profiles, p)
		reported[env] = append(fs, ign...)
	}
	fs, _ := DriftAcross(cfg, time.Time{}, profiles, reported)
	var out []string
	for _, env := range []string{"dev", "prod", "staging"} {
		for _, f := range fs[env] {
			out = append(out, env+" "+f.Name+": "+f.Message+" "+strings.Join(f.Evidence.Peers, ","))
		}
	}
	return out
}

func TestDriftEnvironments(t *testing.T) {
	ports := []string{"traffic.sidecar.istio.io/excludeOutboundPorts", "5432"}
	tests := []struct {
		name   string
		anns   map[string][]string
		rename map[string]string
		want   []string
	}{
		{name: "failure.prod-lost-what-two-others-carry",
			anns: map[string][]string{"dev": ports, "staging": ports, "prod": nil},
			want: []string{`prod cart: annotation traffic.sidecar.istio.io/excludeOutboundPorts is missing: 2 of the 2 other environments that render this Deployment carry it (dev, staging); most use "5432" dev,staging`}},
		{name: "success.two-environments-cannot-tell",
			anns: map[string][]string{"staging": ports, "prod": nil}},
		{name: "success.values-differ",
			anns: map[string][]string{"dev": {"sidecar.istio.io/proxyCPU", "100m"}, "staging": {"sidecar.istio.io/proxyCPU", "200m"}, "prod": {"sidecar.istio.io/proxyCPU", "1"}}},
		{name: "success.only-prod-has-it",
			anns: map[string][]string{"dev": nil, "staging": nil, "prod": {"sidecar.istio.io/proxyCPU", "1"}}},
		{name: "failure.same-name-once-the-environment-is-set-aside",
			anns:   map[string][]string{"dev": ports, "staging": ports, "prod": nil},
			rename: map[string]string{"dev": "dev-cart", "staging": "cart-staging", "prod": "cart"},
			want:   []string{`prod cart: annotation traffic.sidecar.istio.io/excludeOutboundPorts is missing: 2 of the 2 other environments that render this Deployment carry it (dev, staging); most use "5432" dev,staging`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := driftTestAcross(t, tt.anns, tt.rename)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("mesh-drift findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestDriftSince(t *testing.T) {
	cfg := &config.Config{Mesh: config.Mesh{Provider: config.ProviderIstio, Jobs: config.JobsIgnore}}
	cart := driftTestWorkload("Deployment", "cart", []string{"LOG_LEVEL"})
	job := driftTestWorkload("Job", "migrate", nil)
	job.Pod.Labels["sidecar.istio.io/inject"] = "false"
	_, _, p := EnvironmentDrift(driftTestInput("prod", cfg, cart, job))
	base := map[string]map[string]string{
		"Deployment/shop/cart": {"meshed": "true", "env ISTIO_META_REQUEST_ID": "x-request-id", "env LOG_LEVEL": ""},
		"Job/shop/migrate":     {"meshed": "true"},
	}
	fs, _ := DriftSince(cfg, time.Time{}, p, base, nil)
	var got []string
	for _, f := range fs {
		got = append(got, f.Name+": "+f.Message)
		if f.New == nil || !*f.New {
			t.Errorf("%s: not marked new", f.Name)
		}
	}
	want := []string{
		`cart: env ISTIO_META_REQUEST_ID was there in the base and is missing now (it was "x-request-id")`,
		`migrate: the workload was meshed in the base and no longer gets the mesh dataplane`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mesh-drift findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDriftStripEnv(t *testing.T) {
	for _, tt := range []struct{ name, env, want string }{
		{"shop-prod-cart", "prod", "shop-cart"},
		{"cart-staging", "staging", "cart"},
		{"prod-cart", "shop/prod", "cart"},
		{"cart", "prod", "cart"},
		{"prod", "prod", "prod"},
	} {
		if got := StripEnv(tt.name, tt.env); got != tt.want {
			t.Errorf("StripEnv(%q, %q) = %q, want %q", tt.name, tt.env, got, tt.want)
		}
	}
}

// TestDriftEnvironmentWide: an environment where no workload carries what
// two of its workloads carry elsewhere made a choice (a component it does
// not use, like microservices-demo's kustomize base without its tracing
// component); a single workload lacking a setting is still drift
// (failure.prod-lost-what-two-others-carry).
func TestDriftEnvironmentWide(t *testing.T) {
	cfg := &config.Config{Mesh: config.Mesh{Provider: config.ProviderIstio}}
	otel := []string{"OTEL_SERVICE_NAME"}
	var profiles []*DriftProfile
	reported := map[string][]finding.Finding{}
	for _, env := range []string{"base", "tracing-a", "tracing-b"} {
		var envs [2][]string
		if env != "base" {
			envs = [2][]string{otel, otel}
		} else {
			envs = [2][]string{nil, nil}
		}
		fs, ign, p := EnvironmentDrift(driftTestInput(env, cfg,
			driftTestWorkload("Deployment", "cart", envs[0]), driftTestWorkload("Deployment", "catalog", envs[1])))
		profiles = append(profiles, p)
		reported[env] = append(fs, ign...)
	}
	fs, _ := DriftAcross(cfg, time.Time{}, profiles, reported)
	var got []string
	for env, list := range fs {
		for _, f := range list {
			got = append(got, env+" "+f.Name)
		}
	}
	if len(got) > 0 {
		t.Errorf("mesh-drift findings on %v, want none", got)
	}
}

// driftTestProxy is the linkerd control plane's case: pods rendered with
// their linkerd-proxy container, whose env configures the proxy. Three of
// four carry it.
func driftTestProxy() []*manifest.Workload {
	var out []*manifest.Workload
	for _, name := range []string{"destination", "identity", "injector", "policy"} {
		w := driftTestWorkload("Deployment", name, driftTestRequestID)
		if name != "policy" {
			c := w.Pod.Containers[0]
			c.Name, c.Env, c.Path = "linkerd-proxy", []string{"LINKERD2_PROXY_LOG"}, append(c.Path[:len(c.Path)-1:len(c.Path)-1], 1)
			w.Pod.Containers = append(w.Pod.Containers, c)
		}
		w.Namespace = "linkerd"
		out = append(out, w)
	}
	return out
}
