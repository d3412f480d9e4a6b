package check

import (
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// TestMeshJobs: whether a Job is meshed follows mesh.jobs; whether a meshed
// Job's sidecar is native follows the mesh, its version and the nodes'
// Kubernetes version (meshNativeGates cites the upstream lines of each).
func TestMeshJobs(t *testing.T) {
	istioNS := map[string]map[string]string{"shop": {"istio-injection": "enabled"}}
	linkerdNS := func(kv ...string) map[string]map[string]string {
		return map[string]map[string]string{"shop": meshTestPairs(append([]string{"linkerd.io/inject", "enabled"}, kv...))}
	}
	kumaNS := map[string]map[string]string{"shop": {"kuma.io/sidecar-injection": "enabled"}}
	job := func(opts ...meshTestOpt) *manifest.Workload { return meshTestWorkload("Job", "migrate", opts...) }
	unmeshedMsg := meshTestNsUnknown + ` has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`
	optOutMsg := `pod template has label sidecar.istio.io/inject="false", which opts out of injection`
	optOut := meshTestPodLabels("sidecar.istio.io/inject", "false")
	istioAnn := func(v string) meshTestOpt { return meshTestPodAnn("sidecar.istio.io/nativeSidecar", v) }
	require := config.Requirements{Labels: map[string]config.Matcher{"app": {Present: true}}}
	istio := func(version, kube string) config.Mesh {
		return config.Mesh{Provider: "istio", Jobs: "warn", Namespaces: istioNS, Version: version, KubernetesVersion: kube}
	}
	linkerd := func(version string, ns map[string]map[string]string) config.Mesh {
		return config.Mesh{Provider: "linkerd", Jobs: "warn", Version: version, Namespaces: ns}
	}
	classic := "Job pod gets a classic sidecar and will never complete: "
	istioAdvice := `set annotation sidecar.istio.io/nativeSidecar: "true"`
	gaAdvice := `remove the annotation that turns native sidecars off, or set config.linkerd.io/proxy-enable-native-sidecar: "true"`
	kumaKubeAdvice := "opt the Job out with label kuma.io/sidecar-injection: disabled, or run it where the nodes run Kubernetes 1.29 or later"
	kumaAdvice := `turn on experimental.sidecarContainers (KUMA_EXPERIMENTAL_SIDECAR_CONTAINERS=true) on the control plane and set mesh.install.nativeSidecars: true, or opt the Job out with label kuma.io/sidecar-injection: disabled`

	type jobCase struct {
		name string
		mesh config.Mesh
		env  config.Environment
		w    *manifest.Workload
		// rule, sev and msg are the one finding expected; msg "" expects none.
		rule string
		sev  finding.Severity
		msg  string
	}
	cases := []jobCase{
		// mesh.jobs decides how an unmeshed Job is reported.
		{name: "failure.warn-unmeshed-job-is-warning", mesh: config.Mesh{Provider: "istio", Jobs: "warn"}, w: job(), rule: finding.RuleMeshInjection, sev: finding.SeverityWarning, msg: unmeshedMsg},
		{name: "failure.default-jobs-mode-is-warn", mesh: config.Mesh{Provider: "istio"}, w: job(), rule: finding.RuleMeshInjection, sev: finding.SeverityWarning, msg: unmeshedMsg},
		{name: "failure.require-unmeshed-job-is-error", mesh: config.Mesh{Provider: "istio", Jobs: "require"}, w: job(), rule: finding.RuleMeshInjection, sev: finding.SeverityError, msg: unmeshedMsg},
		{name: "optout.job-opt-out-is-notice", mesh: istio("", ""), w: job(optOut), rule: finding.RuleMeshInjection, sev: finding.SeverityNotice, msg: optOutMsg},
		{name: "optout.job-opt-out-error-is-warning-under-warn", mesh: config.Mesh{Provider: "istio", Jobs: "warn", Namespaces: istioNS, OptOut: "error"}, w: job(optOut),
			rule: finding.RuleMeshInjection, sev: finding.SeverityWarning, msg: optOutMsg},
		{name: "success.ignore-unmeshed-job", mesh: config.Mesh{Provider: "istio", Jobs: "ignore"}, w: job()},
		{name: "success.ignore-classic-sidecar", mesh: config.Mesh{Provider: "istio", Jobs: "ignore", Namespaces: istioNS, KubernetesVersion: "1.31.0"}, w: job()},
		{name: "failure.ignore-keeps-other-rules", mesh: config.Mesh{Provider: "istio", Jobs: "ignore", Require: require}, w: job(),
			rule: finding.RuleMeshAnnotation, sev: finding.SeverityError, msg: "label app is missing"},
		{name: "success.deployment-needs-no-native-sidecar", mesh: istio("1.26", ""), w: meshTestDeployment()},

		// istio 1.27 and later: native by default on Kubernetes 1.33+
		// (webhook.go:1235-1290); any annotation value but "false" is native
		// (injection-template.yaml:29).
		{name: "success.istio-native-by-default-on-kubernetes-1.34", mesh: istio("", ""), w: job()},
		{name: "failure.istio-classic-on-kubernetes-1.31", mesh: istio("", "1.31.0"), w: job(), rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + "the default of istio 1.30 makes sidecars native only where the nodes run Kubernetes 1.33 or later, and this environment's run 1.31; " + istioAdvice},
		{name: "failure.istio-classic-on-helm-kube-version-1.31", mesh: istio("1.28", ""), env: config.Environment{Name: meshTestEnv, Helm: &config.Helm{KubeVersion: "1.31.0"}},
			w: meshTestWorkload("CronJob", "report"), rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: "CronJob pod gets a classic sidecar and will never complete: the default of istio 1.28 makes sidecars native only where the nodes run Kubernetes 1.33 or later, and this environment's run 1.31; " + istioAdvice},
		{name: "success.istio-annotation-true-on-kubernetes-1.31", mesh: istio("", "1.31.0"), w: job(istioAnn("true"))},
		{name: "success.istio-annotation-any-value-but-false", mesh: istio("", "1.31.0"), w: job(istioAnn("yes"))},
		{name: "failure.istio-annotation-false", mesh: istio("", ""), w: job(istioAnn("false")), rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + `annotation sidecar.istio.io/nativeSidecar is "false"; ` + istioAdvice},
		{name: "failure.istio-install-native-false", mesh: config.Mesh{Provider: "istio", Namespaces: istioNS, Install: config.Install{NativeSidecars: "false"}}, w: job(),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning, msg: classic + "mesh.install.nativeSidecars is classic sidecars; " + istioAdvice},
		{name: "success.istio-install-native-true-on-kubernetes-1.31", mesh: config.Mesh{Provider: "istio", Namespaces: istioNS, KubernetesVersion: "1.31.0", Install: config.Install{NativeSidecars: "true"}}, w: job()},
		{name: "failure.require-classic-sidecar-stays-warning", mesh: config.Mesh{Provider: "istio", Jobs: "require", Namespaces: istioNS, Version: "1.26"}, w: job(),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning, msg: classic + "the default of istio 1.26 is classic sidecars; " + istioAdvice},
		// istio 1.24-1.26: classic by default, only "true" opts in
		// (1.24.0 injection-template.yaml:27).
		{name: "success.istio-1.26-annotation-true", mesh: istio("1.26", ""), w: job(istioAnn("true"))},
		{name: "failure.istio-1.26-annotation-yes-is-classic", mesh: istio("1.26", ""), w: job(istioAnn("yes")), rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + `annotation sidecar.istio.io/nativeSidecar is "yes"; ` + istioAdvice},
		// istio 1.23 and before: no per-pod annotation, ENABLE_NATIVE_SIDECARS only.
		{name: "failure.istio-1.23-annotation-ignored", mesh: istio("1.23", ""), w: job(istioAnn("true")), rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + `the default of istio 1.23 is classic sidecars; this istio release has no per-pod switch: set ENABLE_NATIVE_SIDECARS=true on istiod (and mesh.install.nativeSidecars: true), or opt the Job out with label sidecar.istio.io/inject: "false"`},
		{name: "success.istio-1.23-install-native-true", mesh: config.Mesh{Provider: "istio", Namespaces: istioNS, Version: "1.23", Install: config.Install{NativeSidecars: "true"}}, w: job()},
		{name: "success.ambient-job", mesh: config.Mesh{Provider: "istio-ambient", Namespaces: map[string]map[string]string{"shop": {"istio.io/dataplane-mode": "ambient"}}, Version: "1.26"}, w: job()},
		{name: "failure.ambient-job-with-sidecar", mesh: config.Mesh{Provider: "istio-ambient", Namespaces: istioNS, Version: "1.26"}, w: job(),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning, msg: classic + "the default of istio-ambient 1.26 is classic sidecars; " + istioAdvice},

		// linkerd: native by default since edge-26.5.2 (values.yaml:255);
		// GA before beta before alpha (inject.go:429-445).
		{name: "success.linkerd-native-by-default", mesh: linkerd("", linkerdNS()), w: job()},
		{name: "failure.linkerd-ga-false-wins-over-beta", mesh: linkerd("", linkerdNS()),
			w:    job(meshTestPodAnn("config.linkerd.io/proxy-enable-native-sidecar", "false", "config.beta.linkerd.io/proxy-enable-native-sidecar", "true")),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning, msg: classic + `annotation config.linkerd.io/proxy-enable-native-sidecar is "false"; ` + gaAdvice},
		{name: "failure.linkerd-native-off-in-namespace", mesh: linkerd("", linkerdNS("config.linkerd.io/proxy-enable-native-sidecar", "false")), w: job(),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + `annotation config.linkerd.io/proxy-enable-native-sidecar is "false" on namespace "shop" (from mesh.namespaces); ` + gaAdvice},
		{name: "success.linkerd-pod-overrides-namespace", mesh: linkerd("", linkerdNS("config.linkerd.io/proxy-enable-native-sidecar", "false")),
			w: job(meshTestPodAnn("config.linkerd.io/proxy-enable-native-sidecar", "true"))},
		{name: "success.linkerd-unparsable-value-keeps-default", mesh: linkerd("", linkerdNS()), w: job(meshTestPodAnn("config.linkerd.io/proxy-enable-native-sidecar", "on"))},
		{name: "failure.linkerd-install-native-false", mesh: config.Mesh{Provider: "linkerd", Namespaces: linkerdNS(), Install: config.Install{NativeSidecars: "false"}}, w: job(),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning, msg: classic + "mesh.install.nativeSidecars is classic sidecars; " + gaAdvice},
		{name: "failure.linkerd-edge-26.5.1-classic-by-default", mesh: linkerd("edge-26.5.1", linkerdNS()), w: job(), rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + `the default of linkerd edge-26.5.1 is classic sidecars; set annotation config.beta.linkerd.io/proxy-enable-native-sidecar: "true"`},
		{name: "success.linkerd-edge-26.5.1-beta", mesh: linkerd("edge-26.5.1", linkerdNS()), w: job(meshTestPodAnn("config.beta.linkerd.io/proxy-enable-native-sidecar", "true"))},
		{name: "failure.linkerd-edge-26.5.1-beta-not-inherited-from-namespace", mesh: linkerd("edge-26.5.1", linkerdNS("config.beta.linkerd.io/proxy-enable-native-sidecar", "true")), w: job(),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + `the default of linkerd edge-26.5.1 is classic sidecars; set annotation config.beta.linkerd.io/proxy-enable-native-sidecar: "true"`},
		{name: "success.linkerd-edge-26.5.1-alpha-from-namespace", mesh: linkerd("edge-26.5.1", linkerdNS("config.alpha.linkerd.io/proxy-enable-native-sidecar", "true")), w: job()},
		{name: "failure.linkerd-2.18-beta-name-unknown", mesh: linkerd("2.18", linkerdNS()), w: job(meshTestPodAnn("config.beta.linkerd.io/proxy-enable-native-sidecar", "true")),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + `the default of linkerd 2.18 is classic sidecars; set annotation config.alpha.linkerd.io/proxy-enable-native-sidecar: "true"`},
		{name: "success.linkerd-2.18-alpha", mesh: linkerd("2.18", linkerdNS()), w: job(meshTestPodAnn("config.alpha.linkerd.io/proxy-enable-native-sidecar", "true"))},
		// 2.N is the edge release of linkerd2's version-2.N tag: 2.19 is
		// edge-25.10.7, which reads the beta name (since edge-25.10.2);
		// 2.20 is edge-26.6.3, native by default (since edge-26.5.2).
		{name: "success.linkerd-2.19-beta", mesh: linkerd("2.19", linkerdNS()), w: job(meshTestPodAnn("config.beta.linkerd.io/proxy-enable-native-sidecar", "true"))},
		{name: "success.linkerd-2.20-native-by-default", mesh: linkerd("2.20", linkerdNS()), w: job()},
		{name: "failure.linkerd-2.19-classic-by-default", mesh: linkerd("2.19", linkerdNS()), w: job(), rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + `the default of linkerd 2.19 is classic sidecars; set annotation config.beta.linkerd.io/proxy-enable-native-sidecar: "true"`},
		// The alpha name arrived in edge-23.11.4 (commit 1b37e1989).
		{name: "success.linkerd-edge-23.11.4-alpha", mesh: linkerd("edge-23.11.4", linkerdNS()), w: job(meshTestPodAnn("config.alpha.linkerd.io/proxy-enable-native-sidecar", "true"))},
		{name: "failure.linkerd-edge-23.11.3-no-native-sidecars", mesh: linkerd("edge-23.11.3", linkerdNS()), w: job(meshTestPodAnn("config.alpha.linkerd.io/proxy-enable-native-sidecar", "true")),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + `the default of linkerd edge-23.11.3 is classic sidecars; this linkerd release has no native sidecars: opt the Job out with annotation linkerd.io/inject: disabled, or end the proxy from the job (linkerd-await --shutdown)`},
		{name: "failure.linkerd-2.14-no-native-sidecars", mesh: linkerd("stable-2.14.10", linkerdNS()), w: job(meshTestPodAnn("config.alpha.linkerd.io/proxy-enable-native-sidecar", "true")),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + `the default of linkerd stable-2.14.10 is classic sidecars; this linkerd release has no native sidecars: opt the Job out with annotation linkerd.io/inject: disabled, or end the proxy from the job (linkerd-await --shutdown)`},
		{name: "failure.linkerd-proxy-injected-by-hand-is-classic", mesh: linkerd("", nil),
			w:    job(meshTestContainers(manifest.Container{Name: "main", Type: manifest.ContainerApp}, manifest.Container{Name: "linkerd-proxy", Type: manifest.ContainerApp})),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + "its own linkerd-proxy container is not an init container with restartPolicy: Always; inject it again with native sidecars"},
		{name: "success.linkerd-proxy-injected-by-hand-native", mesh: linkerd("", nil),
			w: job(meshTestContainers(manifest.Container{Name: "linkerd-proxy", Type: manifest.ContainerInit, RestartPolicyAlways: true}, manifest.Container{Name: "main", Type: manifest.ContainerApp}))},

		// consul: classic unless the annotation or the injector's default
		// says otherwise (lifecycle_configuration.go:130-140).
		{name: "failure.consul-classic-sidecar", mesh: config.Mesh{Provider: "consul", InjectByDefault: true}, w: job(), rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + `the default of consul 2.0 is classic sidecars; set annotation consul.hashicorp.com/enable-consul-dataplane-as-sidecar: "true"`},
		{name: "success.consul-native-sidecar", mesh: config.Mesh{Provider: "consul", InjectByDefault: true}, w: job(meshTestPodAnn("consul.hashicorp.com/enable-consul-dataplane-as-sidecar", "true"))},
		{name: "success.consul-install-native-true", mesh: config.Mesh{Provider: "consul", InjectByDefault: true, Install: config.Install{NativeSidecars: "true"}}, w: job()},

		// kuma: classic by default up to 2.13 (kuma-cp.defaults.yaml:801 at
		// v2.13.0), native from 2.14 (:889 at v2.14.3).
		{name: "success.kuma-2.14-native-by-default", mesh: config.Mesh{Provider: "kuma", Namespaces: kumaNS}, w: job()},
		{name: "failure.kuma-2.13-classic-by-default", mesh: config.Mesh{Provider: "kuma", Namespaces: kumaNS, Version: "2.13"}, w: job(),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning, msg: classic + "the default of kuma 2.13 is classic sidecars; kuma before 2.14 injects classic sidecars: " + kumaAdvice},
		{name: "success.kuma-2.13-install-native-true", mesh: config.Mesh{Provider: "kuma", Namespaces: kumaNS, Version: "2.13", Install: config.Install{NativeSidecars: "true"}}, w: job()},
		// kuma uses native sidecars only where the nodes run Kubernetes 1.29
		// or later (plugin.go:35, 391-398), whatever the settings; before
		// 2.7 it has none.
		{name: "failure.kuma-2.14-classic-on-kubernetes-1.28", mesh: config.Mesh{Provider: "kuma", Namespaces: kumaNS, KubernetesVersion: "1.28.4"}, w: job(),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning, msg: classic + "kuma 2.14 uses native sidecars only where the nodes run Kubernetes 1.29 or later, and this environment's run 1.28; " + kumaKubeAdvice},
		{name: "failure.kuma-2.13-install-native-true-on-kubernetes-1.28", mesh: config.Mesh{Provider: "kuma", Namespaces: kumaNS, Version: "2.13", KubernetesVersion: "1.28.0", Install: config.Install{NativeSidecars: "true"}}, w: job(),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning, msg: classic + "kuma 2.13 uses native sidecars only where the nodes run Kubernetes 1.29 or later, and this environment's run 1.28; " + kumaKubeAdvice},
		{name: "success.kuma-2.14-native-on-kubernetes-1.29", mesh: config.Mesh{Provider: "kuma", Namespaces: kumaNS, KubernetesVersion: "1.29.0"}, w: job()},
		{name: "failure.kuma-2.6-no-native-sidecars", mesh: config.Mesh{Provider: "kuma", Namespaces: kumaNS, Version: "2.6", Install: config.Install{NativeSidecars: "true"}}, w: job(),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning, msg: classic + "the default of kuma 2.6 is classic sidecars; this kuma release has no native sidecars: opt the Job out with label kuma.io/sidecar-injection: disabled"},
		{name: "failure.linkerd-2.14-install-native-true-changes-nothing", mesh: config.Mesh{Provider: "linkerd", Namespaces: linkerdNS(), Version: "2.14", Install: config.Install{NativeSidecars: "true"}}, w: job(),
			rule: finding.RuleMeshJobSidecar, sev: finding.SeverityWarning,
			msg: classic + `the default of linkerd 2.14 is classic sidecars; this linkerd release has no native sidecars: opt the Job out with annotation linkerd.io/inject: disabled, or end the proxy from the job (linkerd-await --shutdown)`},
		{name: "success.none-job", mesh: config.Mesh{Provider: "none", Jobs: "require"}, w: job()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := meshTestInput(c.mesh, &manifest.Set{Workloads: []*manifest.Workload{c.w}})
			if c.env.Name != "" {
				in.Env = c.env
			}
			var want []finding.Finding
			if c.msg != "" {
				subject := map[string]string{finding.RuleMeshJobSidecar: "native-sidecar", finding.RuleMeshInjection: "injection", finding.RuleMeshAnnotation: "label:app"}[c.rule]
				want = append(want, meshTestWant(c.rule, c.sev, c.w, "", subject, "", c.msg))
			}
			meshTestCompare(t, meshFindings(in), want)
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
		meshTestWant(finding.RuleMeshInjection, finding.SeverityNotice, web, "", "injection", "", `pod template has label sidecar.istio.io/inject="false", which opts out of injection`),
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
