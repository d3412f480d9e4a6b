package cli

// The bad input catalogue: one repository per problem under
// testdata/bad, each with the exact findings (environment, rule, file,
// line, message) or usage error it gets, and its exit code. Folder names
// say what to expect: render-error.* (the environment does not render,
// exit 1), finding.* (a finding about the bad value), success.* (nothing
// to report, no crash), failure.* (a config Load rejects, exit 2; the
// config tests hold every failure.* config to that), usage-error.* (a
// usage error of another kind, exit 2).

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const badRoot = "../../testdata/bad"

func TestBadInput(t *testing.T) {
	actions := func(eventPath string) map[string]string {
		return map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": eventPath,
			"GITHUB_REPOSITORY": "acme/shop", "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567", "GITHUB_RUN_ID": "1",
			"INPUT_GITHUB-TOKEN": "ghs_badinput"}
	}
	tests := []struct {
		dir  string
		env  map[string]string
		code int
		// want are the findings as summary gives them; stderr the usage
		// error of code 2.
		want   []string
		stderr string
	}{
		{dir: "usage-error.event-not-json", code: 2, env: actions(badRoot + "/usage-error.event-not-json/event.json"),
			stderr: "meshgate: github action: event file ../../testdata/bad/usage-error.event-not-json/event.json (GITHUB_EVENT_PATH) is not a JSON event payload: invalid character 'p' looking for beginning of value\n"},
		{dir: "usage-error.event-path-missing", code: 2, env: actions(badRoot + "/usage-error.event-path-missing/event.json"),
			stderr: "meshgate: github action: event file ../../testdata/bad/usage-error.event-path-missing/event.json (GITHUB_EVENT_PATH) does not exist\n"},
		{dir: "failure.config-unknown-field", code: 2,
			stderr: "meshgate: .meshgate.yaml:5:7: environments[0].kustomize.namespace: unknown field (valid: path)\n.meshgate.yaml:8:3: mesh.injection: unknown field (valid: provider, namespaces, require, jobs, injectByDefault, version, kubernetesVersion, install, optOut)\n"},
		{dir: "failure.config-wrong-type", code: 2,
			stderr: "meshgate: .meshgate.yaml:5:15: environments[0].helm.values: expected a list, got a string\n.meshgate.yaml:6:21: environments[0].helm.includeHooks: expected true or false, got a string\n.meshgate.yaml:8:13: secrets.external: expected a list, got a string\n"},
		{dir: "finding.annotation-not-yaml", code: 1,
			want: []string{
				`prod mesh-annotation chart/templates/deployment.yaml:11: annotation proxy.istio.io/config="{proxyMetadata: [ISTIO_META_REQUEST_ID: …" is not valid YAML or JSON (yaml: did not find expected ',' or ']'), so it has no key proxyMetadata.ISTIO_META_REQUEST_ID`,
				// istio validates proxy.istio.io/config before it injects
				// (pkg/kube/inject/validate.go:63-70 at 1.30.3) and rejects the pod.
				`prod mesh-injection chart/templates/deployment.yaml:11: pod template has annotation proxy.istio.io/config="{proxyMetadata: [ISTIO_META_REQUEST_ID: 1}", which istio's injector rejects (not a YAML map of ProxyConfig fields): the webhook answers allowed: false; the pod is not created at all`,
			}},
		{dir: "render-error.broken-beside-good", code: 1,
			want: []string{
				`broken-chart render-error chart/templates/deployment.yaml:1: execution error at (chart/templates/deployment.yaml:1:3): this chart is broken`,
				`broken-overlay render-error broken/kustomization.yaml:0: accumulating resources: accumulation err='merging resources from 'deployment.yaml': may not add resource with an already registered id: Deployment.v1.apps/web.[noNs]': must build at directory: 'broken/deployment.yaml': file is not directory`,
				`good secret-missing good/deployment.yaml:16: envFrom reads Secret default/web-env, which this environment does not produce`,
				`missing render-error missing:0: must build at directory: not a valid directory: evalsymlink failure on 'missing' : lstat missing: no such file or directory`,
			}},
		{dir: "render-error.cyclic-bases", code: 1,
			want: []string{
				`prod render-error base/kustomization.yaml:2: accumulating resources: accumulation err='accumulating resources from '../base': 'base' must resolve to a file': recursed accumulation of path 'base': accumulating resources: accumulation err='accumulating resources from '../overlay': 'overlay' must resolve to a file': cycle detected: candidate root 'overlay' contains visited root 'overlay'`,
			}},
		{dir: "finding.empty-render", code: 0,
			want: []string{
				`prod render-warning chart:0: the environment rendered no objects; does it need values or a kustomization that lists resources?`,
			}},
		{dir: "render-error.kustomization-malformed-yaml", code: 1,
			want: []string{
				`prod render-error overlay/kustomization.yaml:3: invalid Kustomization: yaml: line 3: did not find expected ',' or ']'`,
			}},
		{dir: "render-error.kustomization-wrong-type", code: 1,
			want: []string{
				`prod render-error overlay/kustomization.yaml:1: invalid Kustomization: json: cannot unmarshal string into Go struct field Kustomization.resources of type []string`,
			}},
		{dir: "render-error.missing-chart", code: 1,
			want: []string{
				`prod render-error chart:0: path "chart" not found`,
			}},
		{dir: "render-error.missing-dependency", code: 1,
			want: []string{
				"prod render-error chart/Chart.yaml:5: found in Chart.yaml, but missing in charts/ directory: redis (meshgate never downloads dependencies: vendor them with `helm dependency build`)",
			}},
		{dir: "render-error.missing-overlay-resource", code: 1,
			want: []string{
				`prod render-error overlay/kustomization.yaml:3: accumulating resources: accumulation err='accumulating resources from 'service.yaml': evalsymlink failure on 'overlay/service.yaml' : lstat overlay/service.yaml: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on 'overlay/service.yaml' : lstat overlay/service.yaml: no such file or directory`,
			}},
		{dir: "render-error.missing-overlay", code: 1,
			want: []string{
				`prod render-error overlay:0: must build at directory: not a valid directory: evalsymlink failure on 'overlay' : lstat overlay: no such file or directory`,
			}},
		{dir: "render-error.missing-values-file", code: 1,
			want: []string{
				`prod render-error values-prod.yaml:0: open values-prod.yaml: no such file or directory`,
			}},
		{dir: "render-error.object-without-apiversion", code: 1,
			want: []string{
				`prod render-error chart/templates/deployment.yaml:1: rendered YAML: line 1: object has no apiVersion`,
			}},
		{dir: "render-error.object-without-kind", code: 1,
			want: []string{
				`prod render-error overlay/kustomization.yaml:2: accumulating resources: accumulation err='accumulating resources from 'deployment.yaml': missing kind in object {{apps/v1 } {{web } map[] map[]}}': must build at directory: 'overlay/deployment.yaml': file is not directory`,
			}},
		{dir: "render-error.resource-duplicate-key", code: 1,
			want: []string{
				`prod render-error overlay/deployment.yaml:5: yaml: line 5: mapping key "name" already defined at line 4`,
			}},
		{dir: "render-error.resource-not-utf8", code: 1,
			want: []string{
				`prod render-error overlay/deployment.yaml:0: accumulating resources: accumulating resources from 'deployment.yaml': MalformedYAMLError: yaml: invalid leading UTF-8 octet in File: deployment.yaml`,
			}},
		{dir: "render-error.resource-wrong-type", code: 1,
			want: []string{
				`prod render-error overlay/kustomization.yaml:0: updating name reference in 'spec/template/spec/containers/env/valueFrom/configMapKeyRef/name' field of 'Deployment.v1.apps/web.[noNs]': considering field 'spec/template/spec/containers/env/valueFrom/configMapKeyRef/name' of object Deployment.v1.apps/web.[noNs]: expected sequence or mapping node`,
			}},
		{dir: "finding.template-duplicate-key", code: 1,
			want: []string{
				`prod render-warning chart/templates/deployment.yaml:14: Deployment web: key spec.template.spec.containers[0].image is rendered twice; Kubernetes takes the last: "web:0.1.0"`,
				`prod mesh-injection chart/templates/deployment.yaml:7: namespace "default" (not rendered, not in mesh.namespaces) has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`,
			}},
		{dir: "render-error.template-fail", code: 1,
			want: []string{
				`prod render-error chart/templates/deployment.yaml:2: execution error at (chart/templates/deployment.yaml:2:4): tier must be web or api, got "batch"`,
			}},
		{dir: "render-error.template-malformed-yaml", code: 1,
			want: []string{
				`prod render-error chart/templates/configmap.yaml:0: YAML parse error on chart/templates/configmap.yaml: error converting YAML to JSON: yaml: line 6: mapping values are not allowed in this context`,
			}},
		{dir: "render-error.template-not-utf8", code: 1,
			want: []string{
				`prod render-error chart/templates/deployment.yaml:0: YAML parse error on chart/templates/deployment.yaml: error converting YAML to JSON: yaml: invalid leading UTF-8 octet`,
			}},
		{dir: "render-error.template-required", code: 1,
			want: []string{
				`prod render-error chart/templates/deployment.yaml:13: execution error at (chart/templates/deployment.yaml:13:20): image.repository is required`,
			}},
		{dir: "finding.values-duplicate-key", code: 1,
			want: []string{
				`prod render-warning prod.yaml:4: values key image.tag is defined twice (lines 3 and 4); helm takes the last: "1.2.4"`,
				`prod mesh-injection chart/templates/deployment.yaml:7: namespace "default" (not rendered, not in mesh.namespaces) has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`,
			}},
		{dir: "render-error.values-malformed-yaml", code: 1,
			want: []string{
				`prod render-error prod.yaml:3: failed to parse prod.yaml: error converting YAML to JSON: yaml: line 3: did not find expected ',' or ']'`,
			}},
		{dir: "render-error.values-not-utf8", code: 1,
			want: []string{
				`prod render-error prod.yaml:0: failed to parse prod.yaml: error converting YAML to JSON: yaml: incomplete UTF-8 octet sequence`,
			}},
		{dir: "render-error.values-wrong-type", code: 1,
			want: []string{
				`prod render-error chart/templates/deployment.yaml:12: template: chart/templates/deployment.yaml:12:25: executing "shop/templates/deployment.yaml" at <.Values.sidecars>: range can't iterate over envoy`,
			}},
		{dir: "success.null-containers", code: 0,
			want: []string{}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.dir] = true
		t.Run(tt.dir, func(t *testing.T) {
			vars := map[string]string{"MESHGATE_TODAY": "2026-11-25", "RUNNER_TEMP": t.TempDir()}
			for k, v := range tt.env {
				vars[k] = v
			}
			getenv := func(k string) string { return vars[k] }
			code, outs := secRun(t, getenv, "check", "-C", filepath.Join(badRoot, tt.dir), "--format", "json")
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, outs["stderr"])
			}
			if tt.code == 2 {
				if outs["stderr"] != tt.stderr {
					t.Errorf("stderr:\n got %q\nwant %q", outs["stderr"], tt.stderr)
				}
				return
			}
			if outs["stderr"] != "" && !strings.HasPrefix(outs["stderr"], "meshgate: checked ") {
				t.Errorf("stderr: %s", outs["stderr"])
			}
			if got := summary(t, outs["stdout"]); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	// Every case of the catalogue is in the table.
	entries, err := os.ReadDir(badRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !seen[e.Name()] {
			t.Errorf("testdata/bad/%s has no expectation in TestBadInput", e.Name())
		}
	}
}
