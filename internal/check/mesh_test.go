package check

import (
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

func TestMeshJobs(t *testing.T) {
	istioNS := map[string]map[string]string{"shop": {"istio-injection": "enabled"}}
	meshedJob := func(opts ...meshTestOpt) *manifest.Workload { return meshTestWorkload("Job", "migrate", opts...) }
	unmeshedMsg := `pod template has label sidecar.istio.io/inject="false", which opts out of injection`
	optOut := meshTestPodLabels("sidecar.istio.io/inject", "false")
	native := meshTestPodAnn("sidecar.istio.io/nativeSidecar", "true")
	classicMsg := `Job pod gets a classic sidecar and will never complete: set annotation sidecar.istio.io/nativeSidecar: "true"`
	require := config.Requirements{Labels: map[string]config.Matcher{"app": {Present: true}}}

	type jobCase struct {
		name string
		mesh config.Mesh
		w    *manifest.Workload
		want func(w *manifest.Workload) []finding.Finding
	}
	none := func(*manifest.Workload) []finding.Finding { return nil }
	cases := []jobCase{
		{name: "failure.warn-unmeshed-job-is-warning", mesh: config.Mesh{Provider: "istio", Jobs: "warn", Namespaces: istioNS}, w: meshedJob(optOut),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshInjection, finding.SeverityWarning, w, "", "injection", "", unmeshedMsg)}
			}},
		{name: "failure.default-jobs-mode-is-warn", mesh: config.Mesh{Provider: "istio", Namespaces: istioNS}, w: meshedJob(optOut),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshInjection, finding.SeverityWarning, w, "", "injection", "", unmeshedMsg)}
			}},
		{name: "failure.warn-classic-sidecar", mesh: config.Mesh{Provider: "istio", Jobs: "warn", Namespaces: istioNS}, w: meshedJob(),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshJobSidecar, finding.SeverityWarning, w, "", "native-sidecar", "", classicMsg)}
			}},
		{name: "success.warn-native-sidecar", mesh: config.Mesh{Provider: "istio", Jobs: "warn", Namespaces: istioNS}, w: meshedJob(native), want: none},
		{name: "failure.native-sidecar-false", mesh: config.Mesh{Provider: "istio", Jobs: "warn", Namespaces: istioNS},
			w: meshedJob(meshTestPodAnn("sidecar.istio.io/nativeSidecar", "false")),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshJobSidecar, finding.SeverityWarning, w, "", "native-sidecar", "",
					`Job pod gets a classic sidecar and will never complete: annotation sidecar.istio.io/nativeSidecar is "false"; set it to "true"`)}
			}},
		{name: "failure.cronjob-classic-sidecar", mesh: config.Mesh{Provider: "istio", Jobs: "warn", Namespaces: istioNS}, w: meshTestWorkload("CronJob", "report"),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshJobSidecar, finding.SeverityWarning, w, "", "native-sidecar", "",
					`CronJob pod gets a classic sidecar and will never complete: set annotation sidecar.istio.io/nativeSidecar: "true"`)}
			}},
		{name: "failure.require-unmeshed-job-is-error", mesh: config.Mesh{Provider: "istio", Jobs: "require", Namespaces: istioNS}, w: meshedJob(optOut),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshInjection, finding.SeverityError, w, "", "injection", "", unmeshedMsg)}
			}},
		{name: "failure.require-classic-sidecar-stays-warning", mesh: config.Mesh{Provider: "istio", Jobs: "require", Namespaces: istioNS}, w: meshedJob(),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshJobSidecar, finding.SeverityWarning, w, "", "native-sidecar", "", classicMsg)}
			}},
		{name: "success.require-native-sidecar", mesh: config.Mesh{Provider: "istio", Jobs: "require", Namespaces: istioNS}, w: meshedJob(native), want: none},
		{name: "success.ignore-unmeshed-job", mesh: config.Mesh{Provider: "istio", Jobs: "ignore", Namespaces: istioNS}, w: meshedJob(optOut), want: none},
		{name: "success.ignore-classic-sidecar", mesh: config.Mesh{Provider: "istio", Jobs: "ignore", Namespaces: istioNS}, w: meshedJob(), want: none},
		{name: "failure.ignore-keeps-other-rules", mesh: config.Mesh{Provider: "istio", Jobs: "ignore", Require: require}, w: meshedJob(),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshAnnotation, finding.SeverityError, w, "", "label:app", "", "label app is missing")}
			}},
		{name: "success.deployment-needs-no-native-sidecar", mesh: config.Mesh{Provider: "istio", Jobs: "warn", Namespaces: istioNS}, w: meshTestDeployment(), want: none},
		{name: "success.ambient-job", mesh: config.Mesh{Provider: "istio-ambient", Jobs: "warn",
			Namespaces: map[string]map[string]string{"shop": {"istio.io/dataplane-mode": "ambient"}}}, w: meshedJob(), want: none},
		{name: "failure.ambient-job-with-sidecar", mesh: config.Mesh{Provider: "istio-ambient", Jobs: "warn", Namespaces: istioNS}, w: meshedJob(),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshJobSidecar, finding.SeverityWarning, w, "", "native-sidecar", "", classicMsg)}
			}},
		{name: "failure.linkerd-classic-sidecar", mesh: config.Mesh{Provider: "linkerd", Jobs: "warn"}, w: meshedJob(meshTestPodAnn("linkerd.io/inject", "enabled")),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshJobSidecar, finding.SeverityWarning, w, "", "native-sidecar", "",
					`Job pod gets a classic sidecar and will never complete: set annotation config.beta.linkerd.io/proxy-enable-native-sidecar: "true"`)}
			}},
		{name: "success.linkerd-native-sidecar-beta", mesh: config.Mesh{Provider: "linkerd", Jobs: "warn"},
			w: meshedJob(meshTestPodAnn("linkerd.io/inject", "enabled", "config.beta.linkerd.io/proxy-enable-native-sidecar", "true")), want: none},
		{name: "success.linkerd-native-sidecar-ga-name", mesh: config.Mesh{Provider: "linkerd", Jobs: "warn"},
			w: meshedJob(meshTestPodAnn("linkerd.io/inject", "enabled", "config.linkerd.io/proxy-enable-native-sidecar", "true")), want: none},
		{name: "success.linkerd-native-sidecar-from-namespace", mesh: config.Mesh{Provider: "linkerd", Jobs: "warn",
			Namespaces: map[string]map[string]string{"shop": {"linkerd.io/inject": "enabled", "config.linkerd.io/proxy-enable-native-sidecar": "true"}}},
			w: meshedJob(), want: none},
		{name: "failure.linkerd-beta-name-not-inherited-from-namespace", mesh: config.Mesh{Provider: "linkerd", Jobs: "warn",
			Namespaces: map[string]map[string]string{"shop": {"linkerd.io/inject": "enabled", "config.beta.linkerd.io/proxy-enable-native-sidecar": "true"}}},
			w: meshedJob(),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshJobSidecar, finding.SeverityWarning, w, "", "native-sidecar", "",
					`Job pod gets a classic sidecar and will never complete: set annotation config.beta.linkerd.io/proxy-enable-native-sidecar: "true"`)}
			}},
		{name: "failure.linkerd-ga-name-false-wins-over-beta", mesh: config.Mesh{Provider: "linkerd", Jobs: "warn"},
			w: meshedJob(meshTestPodAnn("linkerd.io/inject", "enabled", "config.linkerd.io/proxy-enable-native-sidecar", "false",
				"config.beta.linkerd.io/proxy-enable-native-sidecar", "true")),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshJobSidecar, finding.SeverityWarning, w, "", "native-sidecar", "",
					`Job pod gets a classic sidecar and will never complete: annotation config.linkerd.io/proxy-enable-native-sidecar is "false"; set it to "true"`)}
			}},
		{name: "failure.linkerd-native-sidecar-off-in-namespace", mesh: config.Mesh{Provider: "linkerd", Jobs: "warn",
			Namespaces: map[string]map[string]string{"shop": {"linkerd.io/inject": "enabled", "config.linkerd.io/proxy-enable-native-sidecar": "false"}}},
			w: meshedJob(),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshJobSidecar, finding.SeverityWarning, w, "", "native-sidecar", "",
					`Job pod gets a classic sidecar and will never complete: annotation config.linkerd.io/proxy-enable-native-sidecar is "false" on namespace "shop" (from mesh.namespaces); set it to "true"`)}
			}},
		{name: "success.linkerd-pod-overrides-namespace-native-sidecar", mesh: config.Mesh{Provider: "linkerd", Jobs: "warn",
			Namespaces: map[string]map[string]string{"shop": {"linkerd.io/inject": "enabled", "config.linkerd.io/proxy-enable-native-sidecar": "false"}}},
			w: meshedJob(meshTestPodAnn("config.linkerd.io/proxy-enable-native-sidecar", "true")), want: none},
		{name: "failure.consul-classic-sidecar", mesh: config.Mesh{Provider: "consul", Jobs: "warn", InjectByDefault: true}, w: meshedJob(),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshJobSidecar, finding.SeverityWarning, w, "", "native-sidecar", "",
					`Job pod gets a classic sidecar and will never complete: set annotation consul.hashicorp.com/enable-consul-dataplane-as-sidecar: "true"`)}
			}},
		{name: "success.consul-native-sidecar", mesh: config.Mesh{Provider: "consul", Jobs: "warn", InjectByDefault: true},
			w: meshedJob(meshTestPodAnn("consul.hashicorp.com/enable-consul-dataplane-as-sidecar", "true")), want: none},
		{name: "success.kuma-job-always-native", mesh: config.Mesh{Provider: "kuma", Jobs: "warn",
			Namespaces: map[string]map[string]string{"shop": {"kuma.io/sidecar-injection": "enabled"}}}, w: meshedJob(), want: none},
		{name: "success.none-job", mesh: config.Mesh{Provider: "none", Jobs: "require"}, w: meshedJob(), want: none},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := meshTestInput(c.mesh, &manifest.Set{Workloads: []*manifest.Workload{c.w}})
			meshTestCompare(t, meshFindings(in), c.want(c.w))
		})
	}
}

func TestMeshPolicies(t *testing.T) {
	cpu := config.Requirements{Annotations: map[string]config.Matcher{"sidecar.istio.io/proxyCPU": {Matches: "^[0-9]+m$"}}}
	rule := func(m config.Match, sev string) config.Rule {
		return config.Rule{Name: "payments-cpu", Match: m, Require: cpu, Severity: sev}
	}
	backend := func(opts ...meshTestOpt) *manifest.Workload {
		return meshTestWorkload("Deployment", "pay-api", append([]meshTestOpt{meshTestIn("payments"), meshTestObjLabels("tier", "backend")}, opts...)...)
	}
	missing := "annotation sidecar.istio.io/proxyCPU is missing"
	type policyCase struct {
		name  string
		rules []config.Rule
		req   config.Requirements
		w     *manifest.Workload
		want  func(w *manifest.Workload) []finding.Finding
	}
	none := func(*manifest.Workload) []finding.Finding { return nil }
	cases := []policyCase{
		{name: "failure.matching-rule", rules: []config.Rule{rule(config.Match{
			Environments: []string{"prod"}, Kinds: []string{"Deployment"}, Namespaces: []string{"pay*"}, Names: []string{"*"},
			Labels: map[string]string{"tier": "backend"}}, "warning")}, w: backend(),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshAnnotation, finding.SeverityWarning, w, "", "payments-cpu/annotation:sidecar.istio.io/proxyCPU", "payments-cpu", missing)}
			}},
		{name: "failure.rule-value-does-not-match", rules: []config.Rule{rule(config.Match{}, "notice")},
			w: backend(meshTestPodAnn("sidecar.istio.io/proxyCPU", "1 core")),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshAnnotation, finding.SeverityNotice, w, "", "payments-cpu/annotation:sidecar.istio.io/proxyCPU", "payments-cpu",
					`annotation sidecar.istio.io/proxyCPU="1 core" does not match ^[0-9]+m$`)}
			}},
		{name: "success.rule-satisfied", rules: []config.Rule{rule(config.Match{}, "")}, w: backend(meshTestPodAnn("sidecar.istio.io/proxyCPU", "500m")), want: none},
		{name: "failure.default-severity-is-error", rules: []config.Rule{rule(config.Match{}, "")}, w: backend(),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshAnnotation, finding.SeverityError, w, "", "payments-cpu/annotation:sidecar.istio.io/proxyCPU", "payments-cpu", missing)}
			}},
		{name: "failure.labels-match-pod-template", rules: []config.Rule{rule(config.Match{Labels: map[string]string{"tier": "api"}}, "error")},
			w: backend(meshTestPodLabels("tier", "api")),
			want: func(w *manifest.Workload) []finding.Finding {
				return []finding.Finding{meshTestWant(finding.RuleMeshAnnotation, finding.SeverityError, w, "", "payments-cpu/annotation:sidecar.istio.io/proxyCPU", "payments-cpu", missing)}
			}},
		{name: "success.labels-must-all-match-one-set", rules: []config.Rule{rule(config.Match{Labels: map[string]string{"tier": "backend", "team": "pay"}}, "error")},
			w: backend(meshTestPodLabels("team", "pay")), want: none},
		{name: "success.other-environment", rules: []config.Rule{rule(config.Match{Environments: []string{"staging", "dev-*"}}, "error")}, w: backend(), want: none},
		{name: "success.other-kind", rules: []config.Rule{rule(config.Match{Kinds: []string{"StatefulSet"}}, "error")}, w: backend(), want: none},
		{name: "success.other-namespace", rules: []config.Rule{rule(config.Match{Namespaces: []string{"shop"}}, "error")}, w: backend(), want: none},
		{name: "success.other-name", rules: []config.Rule{rule(config.Match{Names: []string{"cart", "web-?"}}, "error")}, w: backend(), want: none},
		{name: "success.other-labels", rules: []config.Rule{rule(config.Match{Labels: map[string]string{"tier": "frontend"}}, "error")}, w: backend(), want: none},
		{name: "failure.rule-env-and-global-differ", req: config.Requirements{Env: []string{"ISTIO_META_REQUEST_ID"}},
			rules: []config.Rule{{Name: "payments-request-id", Require: config.Requirements{Env: []string{"ISTIO_META_REQUEST_ID"}}, Severity: "error"}},
			w:     backend(),
			want: func(w *manifest.Workload) []finding.Finding {
				msg := `container "server" does not set env ISTIO_META_REQUEST_ID`
				return []finding.Finding{
					meshTestWant(finding.RuleMeshEnv, finding.SeverityError, w, "server", "env:ISTIO_META_REQUEST_ID", "", msg),
					meshTestWant(finding.RuleMeshEnv, finding.SeverityError, w, "server", "payments-request-id/env:ISTIO_META_REQUEST_ID", "payments-request-id", msg),
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := meshTestInput(config.Mesh{Provider: "none", Require: c.req}, &manifest.Set{Workloads: []*manifest.Workload{c.w}}, c.rules...)
			got := meshFindings(in)
			meshTestCompare(t, got, c.want(c.w))
			if len(got) == 2 && got[0].Fingerprint == got[1].Fingerprint {
				t.Errorf("policy and global findings share fingerprint %s", got[0].Fingerprint)
			}
		})
	}
}

// TestMeshFindingsAcrossWorkloads runs every mesh rule over one set, with
// a Namespace object, a ConfigMap and several workloads, as the engine does.
func TestMeshFindingsAcrossWorkloads(t *testing.T) {
	ns := meshTestNamespace("shop", map[string]string{"istio-injection": "enabled"}, nil)
	cm := &manifest.Object{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "mesh-env",
		Body: map[string]any{"data": map[string]any{"ISTIO_META_REQUEST_ID": "x-request-id"}}}
	fromCM := manifest.Container{Name: "server", Type: manifest.ContainerApp, EnvFrom: []manifest.EnvFromSource{{Kind: "ConfigMap", Name: "mesh-env"}}}
	cart := meshTestDeployment(meshTestPodLabels("app.kubernetes.io/name", "cart"), meshTestContainers(fromCM))
	web := meshTestWorkload("Deployment", "web", meshTestPodLabels("sidecar.istio.io/inject", "false"))
	other := meshTestWorkload("Deployment", "api", meshTestIn("other"), meshTestPodLabels("app.kubernetes.io/name", "api"))
	mesh := config.Mesh{
		Provider: "istio", Jobs: "warn",
		Require: config.Requirements{
			Labels: map[string]config.Matcher{"app.kubernetes.io/name": {Present: true}},
			Env:    []string{"ISTIO_META_REQUEST_ID"},
		},
	}
	set := &manifest.Set{
		Objects:    []*manifest.Object{ns, cm, cart.Object, web.Object, other.Object},
		Workloads:  []*manifest.Workload{cart, web, other},
		Namespaces: map[string]*manifest.Object{"shop": ns},
	}
	want := []finding.Finding{
		meshTestWant(finding.RuleMeshInjection, finding.SeverityError, web, "", "injection", "", `pod template has label sidecar.istio.io/inject="false", which opts out of injection`),
		meshTestWant(finding.RuleMeshAnnotation, finding.SeverityError, web, "", "label:app.kubernetes.io/name", "", "label app.kubernetes.io/name is missing"),
		meshTestWant(finding.RuleMeshEnv, finding.SeverityError, web, "server", "env:ISTIO_META_REQUEST_ID", "", `container "server" does not set env ISTIO_META_REQUEST_ID`),
		meshTestWant(finding.RuleMeshInjection, finding.SeverityError, other, "", "injection", "",
			`namespace "other" (not rendered, not in mesh.namespaces) has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`),
		meshTestWant(finding.RuleMeshEnv, finding.SeverityError, other, "server", "env:ISTIO_META_REQUEST_ID", "", `container "server" does not set env ISTIO_META_REQUEST_ID`),
	}
	meshTestCompare(t, meshFindings(meshTestInput(mesh, set)), want)
}

func TestMeshFindingsWithoutConfigOrSet(t *testing.T) {
	if got := meshFindings(Input{Set: &manifest.Set{}}); got != nil {
		t.Errorf("no config: got %v", got)
	}
	if got := meshFindings(Input{Config: &config.Config{}}); got != nil {
		t.Errorf("no set: got %v", got)
	}
	w := meshTestDeployment()
	w.Object = nil
	in := meshTestInput(config.Mesh{Provider: "istio"}, &manifest.Set{Workloads: []*manifest.Workload{nil, w}})
	if got := meshFindings(in); got != nil {
		t.Errorf("nil workloads: got %v", got)
	}
}
