package check

import (
	"regexp"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

func meshTestStr(s string) *string { return &s }

func TestMeshAnnotationMatchers(t *testing.T) {
	const cfgKey = "proxy.istio.io/config"
	hasReqID := config.Matcher{HasKey: "proxyMetadata.ISTIO_META_REQUEST_ID"}
	type matcherCase struct {
		name string
		req  config.Requirements
		w    *manifest.Workload
		// want maps subject to message; path is the finding's field path.
		want    string
		subject string
		path    []any
	}
	ann := func(key string, m config.Matcher) config.Requirements {
		return config.Requirements{Annotations: map[string]config.Matcher{key: m}}
	}
	label := func(key string, m config.Matcher) config.Requirements {
		return config.Requirements{Labels: map[string]config.Matcher{key: m}}
	}
	cases := []matcherCase{
		{name: "success.equals", req: label("tier", config.Matcher{Equals: meshTestStr("backend")}), w: meshTestDeployment(meshTestPodLabels("tier", "backend"))},
		{name: "failure.equals", req: label("tier", config.Matcher{Equals: meshTestStr("backend")}), w: meshTestDeployment(meshTestPodLabels("tier", "front")),
			subject: "label:tier", path: meshTestLabelPath("tier"), want: `label tier="front" does not equal "backend"`},
		{name: "success.present", req: label("app.kubernetes.io/name", config.Matcher{Present: true}), w: meshTestDeployment(meshTestPodLabels("app.kubernetes.io/name", ""))},
		{name: "failure.label-missing", req: label("app.kubernetes.io/name", config.Matcher{Present: true}), w: meshTestDeployment(),
			subject: "label:app.kubernetes.io/name", path: meshTestMeta, want: "label app.kubernetes.io/name is missing"},
		{name: "failure.label-on-deployment-metadata-only", req: label("app.kubernetes.io/name", config.Matcher{Present: true}),
			w:       meshTestDeployment(meshTestObjLabels("app.kubernetes.io/name", "cart")),
			subject: "label:app.kubernetes.io/name", path: meshTestMeta,
			want: "label app.kubernetes.io/name is missing (label app.kubernetes.io/name is on the Deployment's metadata, not on spec.template.metadata)"},
		{name: "success.matches-compiled", req: ann("sidecar.istio.io/proxyCPU", config.Matcher{Matches: "^[0-9]+m$", Regexp: regexp.MustCompile("^[0-9]+m$")}),
			w: meshTestDeployment(meshTestPodAnn("sidecar.istio.io/proxyCPU", "250m"))},
		{name: "failure.matches-compiled", req: ann("sidecar.istio.io/proxyCPU", config.Matcher{Matches: "^[0-9]+m$", Regexp: regexp.MustCompile("^[0-9]+m$")}),
			w:       meshTestDeployment(meshTestPodAnn("sidecar.istio.io/proxyCPU", "1 core")),
			subject: "annotation:sidecar.istio.io/proxyCPU", path: meshTestAnnPath("sidecar.istio.io/proxyCPU"),
			want: `annotation sidecar.istio.io/proxyCPU="1 core" does not match ^[0-9]+m$`},
		{name: "failure.matches-uncompiled", req: ann("sidecar.istio.io/proxyCPU", config.Matcher{Matches: "^[0-9]+m$"}),
			w:       meshTestDeployment(meshTestPodAnn("sidecar.istio.io/proxyCPU", "1")),
			subject: "annotation:sidecar.istio.io/proxyCPU", path: meshTestAnnPath("sidecar.istio.io/proxyCPU"),
			want: `annotation sidecar.istio.io/proxyCPU="1" does not match ^[0-9]+m$`},
		{name: "failure.matches-invalid-pattern", req: ann("sidecar.istio.io/proxyCPU", config.Matcher{Matches: "^[0-9+m$"}),
			w:       meshTestDeployment(meshTestPodAnn("sidecar.istio.io/proxyCPU", "1")),
			subject: "annotation:sidecar.istio.io/proxyCPU", path: meshTestAnnPath("sidecar.istio.io/proxyCPU"),
			want: "annotation sidecar.istio.io/proxyCPU cannot be checked: matches \"^[0-9+m$\" is not a valid regular expression: error parsing regexp: missing closing ]: `[0-9+m$`"},
		{name: "failure.long-value-is-cut", req: ann("sidecar.istio.io/proxyCPU", config.Matcher{Matches: "^[0-9]+m$"}),
			w:       meshTestDeployment(meshTestPodAnn("sidecar.istio.io/proxyCPU", "a very long value that nobody wants to read in full, really")),
			subject: "annotation:sidecar.istio.io/proxyCPU", path: meshTestAnnPath("sidecar.istio.io/proxyCPU"),
			want: `annotation sidecar.istio.io/proxyCPU="a very long value that nobody wants to r…" does not match ^[0-9]+m$`},
		{name: "success.has-key-yaml", req: ann(cfgKey, hasReqID),
			w: meshTestDeployment(meshTestPodAnn(cfgKey, "proxyMetadata:\n  ISTIO_META_REQUEST_ID: x-request-id\nholdApplicationUntilProxyStarts: true\n"))},
		{name: "success.has-key-json", req: ann(cfgKey, hasReqID),
			w: meshTestDeployment(meshTestPodAnn(cfgKey, `{"proxyMetadata": {"ISTIO_META_REQUEST_ID": "x-request-id"}}`))},
		{name: "success.has-key-null-value", req: ann(cfgKey, hasReqID),
			w: meshTestDeployment(meshTestPodAnn(cfgKey, "proxyMetadata:\n  ISTIO_META_REQUEST_ID:\n"))},
		{name: "success.has-key-list-index", req: ann(cfgKey, config.Matcher{HasKey: "tracing.0.zipkin"}),
			w: meshTestDeployment(meshTestPodAnn(cfgKey, "tracing:\n- zipkin: {address: z:9411}\n"))},
		{name: "failure.annotation-missing", req: ann(cfgKey, hasReqID), w: meshTestDeployment(),
			subject: "annotation:" + cfgKey, path: meshTestMeta, want: "annotation proxy.istio.io/config is missing"},
		{name: "failure.has-key-missing-yaml", req: ann(cfgKey, hasReqID),
			w:       meshTestDeployment(meshTestPodAnn(cfgKey, "proxyMetadata:\n  OTHER: x\n")),
			subject: "annotation:" + cfgKey, path: meshTestAnnPath(cfgKey),
			want: "annotation proxy.istio.io/config has no key proxyMetadata.ISTIO_META_REQUEST_ID"},
		{name: "failure.has-key-missing-json", req: ann(cfgKey, hasReqID),
			w:       meshTestDeployment(meshTestPodAnn(cfgKey, `{"proxyMetadata": "ISTIO_META_REQUEST_ID"}`)),
			subject: "annotation:" + cfgKey, path: meshTestAnnPath(cfgKey),
			want: "annotation proxy.istio.io/config has no key proxyMetadata.ISTIO_META_REQUEST_ID"},
		{name: "failure.has-key-unparsable", req: ann(cfgKey, hasReqID),
			w:       meshTestDeployment(meshTestPodAnn(cfgKey, `{"proxyMetadata": {"ISTIO_META_REQUEST_ID": "x"`)),
			subject: "annotation:" + cfgKey, path: meshTestAnnPath(cfgKey),
			want: `annotation proxy.istio.io/config="{\"proxyMetadata\": {\"ISTIO_META_REQUEST_I…" is not valid YAML or JSON (yaml: line 1: did not find expected ',' or '}'), so it has no key proxyMetadata.ISTIO_META_REQUEST_ID`},
		{name: "failure.has-key-scalar", req: ann(cfgKey, hasReqID), w: meshTestDeployment(meshTestPodAnn(cfgKey, "enabled")),
			subject: "annotation:" + cfgKey, path: meshTestAnnPath(cfgKey),
			want: `annotation proxy.istio.io/config has no key proxyMetadata.ISTIO_META_REQUEST_ID: its value "enabled" is not a YAML or JSON map`},
		{name: "failure.has-key-empty", req: ann(cfgKey, hasReqID), w: meshTestDeployment(meshTestPodAnn(cfgKey, "")),
			subject: "annotation:" + cfgKey, path: meshTestAnnPath(cfgKey),
			want: "annotation proxy.istio.io/config has no key proxyMetadata.ISTIO_META_REQUEST_ID: its value is empty"},
		{name: "failure.annotation-on-cronjob-metadata-only", req: ann(cfgKey, hasReqID),
			w:       meshTestWorkload("CronJob", "report", meshTestObjAnn(cfgKey, "proxyMetadata: {ISTIO_META_REQUEST_ID: x}")),
			subject: "annotation:" + cfgKey, path: []any{"spec", "jobTemplate", "spec", "template", "metadata"},
			want: "annotation proxy.istio.io/config is missing (annotation proxy.istio.io/config is on the CronJob's metadata, not on spec.jobTemplate.spec.template.metadata)"},
		{name: "failure.bare-pod-annotation-missing", req: ann(cfgKey, hasReqID), w: meshTestWorkload("Pod", "debug"),
			subject: "annotation:" + cfgKey, path: []any{"metadata"}, want: "annotation proxy.istio.io/config is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Requirements apply whether or not the pod is meshed.
			in := meshTestInput(config.Mesh{Provider: "none", Require: c.req}, &manifest.Set{Workloads: []*manifest.Workload{c.w}})
			var want []finding.Finding
			if c.want != "" {
				want = append(want, meshTestWant(finding.RuleMeshAnnotation, finding.SeverityError, c.w, "", c.subject, "", c.want))
			}
			meshTestCompare(t, meshFindings(in), want)
			for section, ms := range map[string]map[string]config.Matcher{"annotation": c.req.Annotations, "label": c.req.Labels} {
				for key, m := range ms {
					_, path, bad := meshCheckValue(c.w, section, key, m)
					if bad && !equalPaths(path, c.path) {
						t.Errorf("path = %v, want %v", path, c.path)
					}
				}
			}
		})
	}
}

func equalPaths(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMeshEnv(t *testing.T) {
	const name = "ISTIO_META_REQUEST_ID"
	req := config.Requirements{Env: []string{name}}
	app := func(env []string, from ...manifest.EnvFromSource) manifest.Container {
		return manifest.Container{Name: "server", Type: manifest.ContainerApp, Env: env, EnvFrom: from}
	}
	cm := func(ns, n string, data, binary map[string]any) *manifest.Object {
		body := map[string]any{}
		if data != nil {
			body["data"] = data
		}
		if binary != nil {
			body["binaryData"] = binary
		}
		return &manifest.Object{APIVersion: "v1", Kind: "ConfigMap", Namespace: ns, Name: n, Body: body}
	}
	meshCM := cm("shop", "mesh-env", map[string]any{name: "x-request-id"}, nil)
	otherCM := cm("shop", "app-env", map[string]any{"LOG_LEVEL": "info"}, nil)
	prefixedCM := cm("shop", "istio-env", map[string]any{"META_REQUEST_ID": "x"}, nil)
	binaryCM := cm("shop", "bin-env", nil, map[string]any{name: "eA=="})
	elsewhereCM := cm("other", "mesh-env", map[string]any{name: "x"}, nil)
	known := manifest.Producer{Namespace: "shop", Name: "mesh-secret", Keys: []string{name}, KeysKnown: true, Via: "Secret"}
	knownOther := manifest.Producer{Namespace: "shop", Name: "db", Keys: []string{"password"}, KeysKnown: true, Via: "Secret"}
	unknown := manifest.Producer{Namespace: "shop", Name: "vault-env", KeysKnown: false, Via: "ExternalSecret shop/vault-env"}
	unknownToo := manifest.Producer{Namespace: "shop", Name: "db", KeysKnown: false, Via: "ExternalSecret shop/db-sync"}
	objects := []*manifest.Object{meshCM, otherCM, prefixedCM, binaryCM, elsewhereCM}
	producers := []manifest.Producer{known, knownOther, unknown}
	missing := `container "server" does not set env ISTIO_META_REQUEST_ID`

	type envCase struct {
		name       string
		ns         string
		objects    []*manifest.Object
		containers []manifest.Container
		producers  []manifest.Producer
		// want lists the containers with a finding, and their messages.
		want map[string]string
	}
	cases := []envCase{
		{name: "success.env", containers: []manifest.Container{app([]string{"A", name})}},
		{name: "failure.env-missing", containers: []manifest.Container{app([]string{"A"})}, want: map[string]string{"server": missing}},
		{name: "success.envfrom-configmap", containers: []manifest.Container{app(nil, manifest.EnvFromSource{Kind: "ConfigMap", Name: "mesh-env"})}},
		{name: "success.envfrom-configmap-binary-data", containers: []manifest.Container{app(nil, manifest.EnvFromSource{Kind: "ConfigMap", Name: "bin-env"})}},
		{name: "success.envfrom-configmap-prefix", containers: []manifest.Container{app(nil, manifest.EnvFromSource{Kind: "ConfigMap", Name: "istio-env", Prefix: "ISTIO_"})}},
		{name: "failure.envfrom-configmap-without-key", containers: []manifest.Container{app(nil,
			manifest.EnvFromSource{Kind: "ConfigMap", Name: "app-env"}, manifest.EnvFromSource{Kind: "ConfigMap", Name: "mesh-env", Prefix: "MESH_"})},
			want: map[string]string{"server": missing + " (not in envFrom ConfigMap app-env, ConfigMap mesh-env)"}},
		{name: "failure.envfrom-configmap-other-namespace", ns: "third",
			objects:    []*manifest.Object{elsewhereCM, cm("third", "mesh-env", map[string]any{"LOG_LEVEL": "x"}, nil)},
			containers: []manifest.Container{app(nil, manifest.EnvFromSource{Kind: "ConfigMap", Name: "mesh-env"})},
			want:       map[string]string{"server": missing + " (not in envFrom ConfigMap mesh-env)"}},
		{name: "success.envfrom-configmap-not-rendered-maybe-sets", containers: []manifest.Container{app(nil, manifest.EnvFromSource{Kind: "ConfigMap", Name: "external"})}},
		{name: "success.envfrom-secret-known-keys", containers: []manifest.Container{app(nil, manifest.EnvFromSource{Kind: "Secret", Name: "mesh-secret"})}},
		{name: "failure.envfrom-secret-without-key", containers: []manifest.Container{app(nil, manifest.EnvFromSource{Kind: "Secret", Name: "db"})},
			want: map[string]string{"server": missing + " (not in envFrom Secret db)"}},
		{name: "success.envfrom-secret-unknown-keys", containers: []manifest.Container{app(nil, manifest.EnvFromSource{Kind: "Secret", Name: "vault-env"})}},
		{name: "success.envfrom-secret-some-producer-unknown", producers: append(producers, unknownToo),
			containers: []manifest.Container{app(nil, manifest.EnvFromSource{Kind: "Secret", Name: "db"})}},
		{name: "success.envfrom-secret-not-produced", containers: []manifest.Container{app(nil, manifest.EnvFromSource{Kind: "Secret", Name: "nowhere"})}},
		{name: "success.init-and-ephemeral-containers-are-not-checked", containers: []manifest.Container{
			app([]string{name}),
			{Name: "migrate", Type: manifest.ContainerInit},
			{Name: "debug", Type: manifest.ContainerEphemeral},
		}},
		{name: "failure.each-app-container", containers: []manifest.Container{
			app([]string{name}),
			{Name: "worker", Type: manifest.ContainerApp},
			{Name: "proxy-helper", Type: manifest.ContainerApp, Env: []string{"OTHER"}},
		}, want: map[string]string{
			"worker":       `container "worker" does not set env ISTIO_META_REQUEST_ID`,
			"proxy-helper": `container "proxy-helper" does not set env ISTIO_META_REQUEST_ID`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := meshTestDeployment(meshTestContainers(c.containers...))
			if c.ns != "" {
				w.Namespace = c.ns
			}
			objs, ps := objects, producers
			if c.objects != nil {
				objs = c.objects
			}
			if c.producers != nil {
				ps = c.producers
			}
			set := &manifest.Set{Objects: objs, Workloads: []*manifest.Workload{w}, Producers: ps}
			in := meshTestInput(config.Mesh{Provider: "istio", InjectByDefault: true, Require: req}, set)
			var want []finding.Finding
			for container, msg := range c.want {
				want = append(want, meshTestWant(finding.RuleMeshEnv, finding.SeverityError, w, container, "env:"+name, "", msg))
			}
			meshTestCompare(t, meshFindings(in), want)
		})
	}
}
