package cli

// Tests of what a hostile pull request can try against meshgate (issue
// "Hostile and broken input", docs/security.md): reading outside the
// repository, running code or reaching the network, leaking secrets,
// exhausting the runner, and a pull_request_target "pwn request". Each
// test fails without the protection it names.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/report"
)

// outsideCanary is the text of every file outside the repository that a
// test tries to make meshgate read.
const outsideCanary = "CANARY-OUTSIDE-7d3f9a"

// secWorld is a temporary folder holding a repository (repo) and, beside
// it, files the repository must never reach (outside).
type secWorld struct {
	t             *testing.T
	repo, outside string
}

func newSecWorld(t *testing.T) *secWorld {
	t.Helper()
	dir := t.TempDir()
	w := &secWorld{t: t, repo: filepath.Join(dir, "repo"), outside: filepath.Join(dir, "outside")}
	w.write(w.outside, map[string]string{
		"canary.txt":              outsideCanary + "\n",
		"secret.yaml":             "apiVersion: v1\nkind: Secret\nmetadata: {name: outside}\nstringData: {token: " + outsideCanary + "}\n",
		"configmap.yaml":          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\ndata: {token: " + outsideCanary + "}\n",
		"values.yaml":             "token: " + outsideCanary + "\n",
		"canary.env":              "TOKEN=" + outsideCanary + "\n",
		"base/kustomization.yaml": "resources: [configmap.yaml]\n",
		"base/configmap.yaml":     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\ndata: {token: " + outsideCanary + "}\n",
		"chart/Chart.yaml":        "apiVersion: v2\nname: outside\nversion: 0.1.0\n",
		"chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\ndata: {token: " + outsideCanary + "}\n",
		"templates/cm.yaml":       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\ndata: {token: " + outsideCanary + "}\n",
	})
	return w
}

// write writes files (relative slash paths) under dir.
func (w *secWorld) write(dir string, files map[string]string) {
	w.t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
}

// link makes symbolic links in the repository; in a target, OUTSIDE stands
// for the folder outside the repository.
func (w *secWorld) link(links map[string]string) {
	w.t.Helper()
	for name, target := range links {
		p := filepath.Join(w.repo, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.t.Fatal(err)
		}
		if err := os.Symlink(strings.ReplaceAll(target, "OUTSIDE", w.outside), p); err != nil {
			w.t.Fatal(err)
		}
	}
}

// secRun runs meshgate with args in the repository and the given
// environment; it returns the exit code and everything meshgate wrote:
// stdout, stderr and each output file.
func secRun(t *testing.T, getenv func(string) string, args ...string) (int, map[string]string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr)
	out := map[string]string{"stdout": stdout.String(), "stderr": stderr.String()}
	for i, a := range args {
		if a == "--output" && i+1 < len(args) {
			b, err := os.ReadFile(args[i+1])
			if os.IsNotExist(err) && code != 0 && code != 1 {
				continue // a usage or internal error writes no report
			}
			if err != nil {
				t.Fatalf("read %s: %v", args[i+1], err)
			}
			out[filepath.Base(args[i+1])] = string(b)
		}
	}
	return code, out
}

// everyFormat are the arguments that write the report in every format, to
// files under dir, and text to stdout.
func everyFormat(dir string) []string {
	var args []string
	for _, f := range report.Names() {
		args = append(args, "--format", f, "--output", filepath.Join(dir, "report."+f))
	}
	return append(args, "--format", "text")
}

// assertAbsent fails when any output holds one of the canaries.
func assertAbsent(t *testing.T, outputs map[string]string, canaries ...string) {
	t.Helper()
	names := make([]string, 0, len(outputs))
	for n := range outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, c := range canaries {
			if strings.Contains(outputs[n], c) {
				t.Errorf("%s holds %q:\n%s", n, c, outputs[n])
			}
		}
	}
}

// renderErrors are the render-error findings of a JSON report as
// "ENV FILE:LINE: MESSAGE".
func renderErrors(t *testing.T, jsonReport string) []string {
	t.Helper()
	var rep report.Report
	if err := json.Unmarshal([]byte(jsonReport), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, jsonReport)
	}
	var out []string
	for _, f := range rep.Findings {
		if f.Rule == "render-error" {
			out = append(out, fmt.Sprintf("%s %s:%d: %s", f.Environment, f.File, f.Line, f.Message))
		}
	}
	return out
}

// secCase is a repository to check: its files (OUTSIDE in a file's text
// stands for the folder outside the repository), its links, and the
// render errors expected, as renderErrors gives them (nil: the
// environments render).
type secCase struct {
	name  string
	files map[string]string
	links map[string]string
	want  []string
	code  int
	// stderr is the expected standard error of a usage error (code 2).
	stderr string
}

const (
	secChart    = "apiVersion: v2\nname: c\nversion: 0.1.0\n"
	secCM       = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {a: b}\n"
	secHelmEnv  = "environments: [{name: leak, helm: {chart: c}}]\n"
	secKustEnv  = "environments: [{name: leak, kustomize: {path: k}}]\n"
	secTemplate = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata:\n  token: {{ .Values.token | default \"none\" | quote }}\n"
)

// TestOutsideReadsRefused: nothing outside the repository is read, whatever
// path or link a pull request writes; each attempt is a render-error naming
// the path, and nothing of the outside file appears in any output.
func TestOutsideReadsRefused(t *testing.T) {
	t.Setenv("MESHGATE_TEST_ENV_CANARY", outsideCanary)
	tests := []secCase{
		{name: "kustomize resource linked outside",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/kustomization.yaml": "resources: [leak.yaml]\n"},
			links: map[string]string{"k/leak.yaml": "OUTSIDE/secret.yaml"},
			want:  []string{"leak k/kustomization.yaml:1: accumulating resources: accumulation err='accumulating resources from 'leak.yaml': security; file 'k/leak.yaml' is not in or below 'k'': must build at directory: 'k/leak.yaml': file is not directory"}},
		{name: "kustomize resource linked to the process environment",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/kustomization.yaml": "resources: [environ.yaml]\n"},
			links: map[string]string{"k/environ.yaml": "/proc/self/environ"},
			want:  []string{"leak k/kustomization.yaml:1: accumulating resources: accumulation err='accumulating resources from 'environ.yaml': security; file 'k/environ.yaml' is not in or below 'k'': must build at directory: 'k/environ.yaml': file is not directory"}},
		{name: "kustomize resource by absolute path",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/kustomization.yaml": "resources: [OUTSIDE/configmap.yaml]\n"},
			want:  []string{"leak k/kustomization.yaml:1: accumulating resources: accumulation err='accumulating resources from 'OUTSIDE/configmap.yaml': security; file 'OUTSIDE/configmap.yaml' is not in or below 'k'': new root 'OUTSIDE/configmap.yaml' cannot be absolute"}},
		{name: "kustomize resource up and out",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/kustomization.yaml": "resources: [../../outside/configmap.yaml]\n"},
			want:  []string{"leak k/kustomization.yaml:1: accumulating resources: accumulation err='accumulating resources from '../../outside/configmap.yaml': security; file 'OUTSIDE/configmap.yaml' is not in or below 'k'': must build at directory: 'OUTSIDE/configmap.yaml': file is not directory"}},
		{name: "kustomize base linked outside",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/kustomization.yaml": "resources: [base]\n"},
			links: map[string]string{"k/base": "OUTSIDE/base"},
			want:  []string{`leak k/kustomization.yaml:1: resources entry "base" is outside the repository`}},
		{name: "kustomize overlay linked outside",
			files: map[string]string{".meshgate.yaml": secKustEnv},
			links: map[string]string{"k": "OUTSIDE/base"},
			want:  []string{"leak k:0: kustomization k is outside the repository"}},
		{name: "kustomize patch linked outside",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/kustomization.yaml": "resources: [cm.yaml]\npatches: [{path: leak.yaml}]\n", "k/cm.yaml": secCM},
			links: map[string]string{"k/leak.yaml": "OUTSIDE/configmap.yaml"},
			want:  []string{"leak k/kustomization.yaml:2: trouble configuring builtin PatchTransformer with config: `\npath: leak.yaml\n`: failed to get the patch file from path(leak.yaml): security; file 'k/leak.yaml' is not in or below 'k'"}},
		{name: "kustomize generator file linked outside",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/kustomization.yaml": "configMapGenerator: [{name: x, files: [leak.txt]}]\n"},
			links: map[string]string{"k/leak.txt": "OUTSIDE/canary.txt"},
			want:  []string{"leak k/kustomization.yaml:1: loading KV pairs: file sources: [leak.txt]: security; file 'k/leak.txt' is not in or below 'k'"}},
		{name: "kustomize generator file by absolute path",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/kustomization.yaml": "configMapGenerator: [{name: x, files: [/proc/self/environ]}]\n"},
			want:  []string{"leak k/kustomization.yaml:1: loading KV pairs: file sources: [/proc/self/environ]: security; file '/proc/self/environ' is not in or below 'k'"}},
		{name: "kustomize secret env file linked outside",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/kustomization.yaml": "secretGenerator: [{name: x, envs: [leak.env]}]\n"},
			links: map[string]string{"k/leak.env": "OUTSIDE/canary.env"},
			want:  []string{"leak k/kustomization.yaml:1: loading KV pairs: env source files: [leak.env]: security; file 'k/leak.env' is not in or below 'k'"}},
		{name: "helm values file linked outside",
			files: map[string]string{".meshgate.yaml": "environments: [{name: leak, helm: {chart: c, values: [leak.yaml]}}]\n", "c/Chart.yaml": secChart, "c/templates/cm.yaml": secTemplate},
			links: map[string]string{"leak.yaml": "OUTSIDE/values.yaml"},
			want:  []string{"leak leak.yaml:0: values file leak.yaml leads out of the repository through a symbolic link"}},
		{name: "helm values file linked to the process environment",
			files: map[string]string{".meshgate.yaml": "environments: [{name: leak, helm: {chart: c, values: [environ.yaml]}}]\n", "c/Chart.yaml": secChart, "c/templates/cm.yaml": secTemplate},
			links: map[string]string{"environ.yaml": "/proc/self/environ"},
			want:  []string{"leak environ.yaml:0: values file environ.yaml leads out of the repository through a symbolic link"}},
		{name: "helm chart linked outside",
			files: map[string]string{".meshgate.yaml": secHelmEnv},
			links: map[string]string{"c": "OUTSIDE/chart"},
			want:  []string{"leak c:0: chart c leads out of the repository through a symbolic link"}},
		{name: "helm templates linked outside",
			files: map[string]string{".meshgate.yaml": secHelmEnv, "c/Chart.yaml": secChart},
			links: map[string]string{"c/templates": "OUTSIDE/templates"},
			want:  []string{"leak c/templates:0: c/templates is a symbolic link to a path outside the repository"}},
		{name: "helm .Files.Get through a link",
			files: map[string]string{".meshgate.yaml": secHelmEnv, "c/Chart.yaml": secChart,
				"c/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata:\n  token: {{ .Files.Get \"leak.txt\" | quote }}\n"},
			links: map[string]string{"c/leak.txt": "OUTSIDE/canary.txt"},
			want:  []string{"leak c/leak.txt:0: c/leak.txt is a symbolic link to a path outside the repository"}},
		{name: "helm file:// dependency outside",
			files: map[string]string{".meshgate.yaml": secHelmEnv, "c/templates/cm.yaml": secCM,
				"c/Chart.yaml": secChart + "dependencies:\n  - name: outside\n    version: 0.1.0\n    repository: file://../../outside/chart\n"},
			want: []string{`leak c/Chart.yaml:5: dependency "outside": file://../../outside/chart is outside the repository`}},
		{name: "helm .Files.Get up and out reads nothing",
			files: map[string]string{".meshgate.yaml": secHelmEnv, "c/Chart.yaml": secChart,
				"c/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata:\n  a: {{ .Files.Get \"../../outside/canary.txt\" | quote }}\n  b: {{ .Files.Get \"OUTSIDE/canary.txt\" | quote }}\n"}},
		{name: "config path absolute", code: 2,
			stderr: "meshgate: .meshgate.yaml:1:43: environments[0].helm.chart: must be relative to the config file's folder, not absolute\n",
			files:  map[string]string{".meshgate.yaml": "environments: [{name: leak, helm: {chart: OUTSIDE/chart}}]\n"}},
		{name: "config path up and out", code: 2,
			stderr: "meshgate: .meshgate.yaml:1:47: environments[0].kustomize.path: path escapes the repository root\n",
			files:  map[string]string{".meshgate.yaml": "environments: [{name: leak, kustomize: {path: ../outside/base}}]\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newSecWorld(t)
			files := map[string]string{}
			for n, text := range tt.files {
				files[n] = strings.ReplaceAll(text, "OUTSIDE", w.outside)
			}
			w.write(w.repo, files)
			w.link(tt.links)
			getenv := env("MESHGATE_TODAY", "2026-11-25", "MESHGATE_TEST_ENV_CANARY", outsideCanary)
			code, outs := secRun(t, getenv, append([]string{"check", "-C", w.repo}, everyFormat(t.TempDir())...)...)
			want := tt.code
			if want == 0 {
				want = 1
				if tt.want == nil {
					want = 0
				}
			}
			if code != want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, want, outs["stderr"])
			}
			if code == 2 {
				got := strings.ReplaceAll(outs["stderr"], w.outside, "OUTSIDE")
				if got != tt.stderr {
					t.Errorf("stderr:\n got %q\nwant %q", got, tt.stderr)
				}
			} else {
				got := renderErrors(t, strings.ReplaceAll(outs["report.json"], w.outside, "OUTSIDE"))
				if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
					t.Errorf("render errors:\n got %q\nwant %q", got, tt.want)
				}
				_, rendered := secRun(t, getenv, "render", "-C", w.repo, "--env", "leak")
				outs["render stdout"], outs["render stderr"] = rendered["stdout"], rendered["stderr"]
			}
			assertAbsent(t, outs, outsideCanary)
		})
	}
}

// TestNothingRunsOrReachesOut: a repository cannot make meshgate run a
// program or reach the network. Plugins and functions, helmCharts,
// remote bases and chart repositories are refused with a render-error; a
// program that would have run leaves no trace, and a local server standing
// for the network, a cluster or a chart repository gets no request.
func TestNothingRunsOrReachesOut(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "meshgate must not call this", http.StatusTeapot)
	}))
	defer srv.Close()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	kc := "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: " + srv.URL + "}}]\n" +
		"users: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n"
	if err := os.WriteFile(kubeconfig, []byte(kc), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", kubeconfig)
	marker := filepath.Join(t.TempDir(), "ran")
	fn := "#!/bin/sh\ntouch " + marker + "\ncat\n"
	cmTemplate := func(value string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata:\n  x: " + value + "\n"
	}
	tests := []struct {
		secCase
		// rendered is a line the rendering must hold (environments that
		// render).
		rendered string
	}{
		{secCase: secCase{name: "kustomize exec function",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/fn.sh": fn,
				"k/kustomization.yaml": "resources: [cm.yaml]\ntransformers: [fn.yaml]\n", "k/cm.yaml": secCM,
				"k/fn.yaml": "apiVersion: example.test/v1\nkind: Run\nmetadata:\n  name: run\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./fn.sh\n"},
			want: []string{"leak k/kustomization.yaml:0: external plugins disabled; unable to load external plugin 'Run'"}}},
		{secCase: secCase{name: "kustomize container function",
			files: map[string]string{".meshgate.yaml": secKustEnv,
				"k/kustomization.yaml": "resources: [cm.yaml]\ntransformers: [fn.yaml]\n", "k/cm.yaml": secCM,
				"k/fn.yaml": "apiVersion: example.test/v1\nkind: Run\nmetadata:\n  name: run\n  annotations:\n    config.kubernetes.io/function: |\n      container:\n        image: 127.0.0.1:1/fn:1\n"},
			want: []string{"leak k/kustomization.yaml:0: external plugins disabled; unable to load external plugin 'Run'"}}},
		{secCase: secCase{name: "kustomize legacy exec plugin",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/fn.sh": fn,
				"k/kustomization.yaml": "resources: [cm.yaml]\ngenerators: [gen.yaml]\n", "k/cm.yaml": secCM,
				"k/gen.yaml": "apiVersion: someteam.example.test/v1\nkind: Sed\nmetadata: {name: gen}\n"},
			want: []string{"leak k/kustomization.yaml:0: loading generator plugins: failed to load generator: external plugins disabled; unable to load external plugin 'Sed'"}}},
		{secCase: secCase{name: "kustomize helmCharts",
			files: map[string]string{".meshgate.yaml": secKustEnv,
				"k/kustomization.yaml": "helmCharts: [{name: redis, repo: " + srv.URL + ", version: 1.0.0}]\n"},
			want: []string{"leak k/kustomization.yaml:0: trouble configuring builtin HelmChartInflationGenerator with config: `\nname: redis\nrepo: SERVER\nversion: 1.0.0\n`: must specify --enable-helm"}}},
		{secCase: secCase{name: "kustomize remote file",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/kustomization.yaml": "resources: [" + srv.URL + "/cm.yaml]\n"},
			want:  []string{`leak k/kustomization.yaml:1: resources entry "SERVER/cm.yaml" is remote: meshgate does not fetch remote bases, resources or components`}}},
		{secCase: secCase{name: "kustomize remote base",
			files: map[string]string{".meshgate.yaml": secKustEnv, "k/kustomization.yaml": "resources: ['" + srv.URL + "/acme/platform.git//base?ref=v1']\n"},
			want:  []string{`leak k/kustomization.yaml:1: resources entry "SERVER/acme/platform.git//base?ref=v1" is remote: meshgate does not fetch remote bases, resources or components`}}},
		{secCase: secCase{name: "helm dependency from a repository",
			files: map[string]string{".meshgate.yaml": secHelmEnv, "c/templates/cm.yaml": secCM,
				"c/Chart.yaml": secChart + "dependencies:\n  - name: redis\n    version: 1.0.0\n    repository: " + srv.URL + "\n"},
			want: []string{"leak c/Chart.yaml:5: found in Chart.yaml, but missing in charts/ directory: redis (meshgate never downloads dependencies: vendor them with `helm dependency build`)"}}},
		{secCase: secCase{name: "helm values schema with a remote reference",
			files: map[string]string{".meshgate.yaml": secHelmEnv, "c/Chart.yaml": secChart, "c/templates/cm.yaml": secCM,
				"c/values.schema.json": `{"type": "object", "properties": {"a": {"$ref": "` + srv.URL + `/schema.json"}}}`}},
			rendered: "data: {a: b}"},
		{secCase: secCase{name: "helm lookup",
			files: map[string]string{".meshgate.yaml": secHelmEnv, "c/Chart.yaml": secChart,
				"c/templates/cm.yaml": cmTemplate(`{{ lookup "v1" "Secret" "default" "db" | toJson | quote }}`)}},
			rendered: `  x: "{}"`},
		{secCase: secCase{name: "helm getHostByName",
			files: map[string]string{".meshgate.yaml": secHelmEnv, "c/Chart.yaml": secChart,
				"c/templates/cm.yaml": cmTemplate(`{{ getHostByName "localhost" | quote }}`)}},
			rendered: `  x: ""`},
		{secCase: secCase{name: "helm env",
			files: map[string]string{".meshgate.yaml": secHelmEnv, "c/Chart.yaml": secChart,
				"c/templates/cm.yaml": cmTemplate(`{{ env "HOME" | quote }}`)},
			want: []string{`leak c/templates/cm.yaml:5: parse error at (c/templates/cm.yaml:5): function "env" not defined`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newSecWorld(t)
			w.write(w.repo, tt.files)
			if err := os.Chmod(filepath.Join(w.repo, "k", "fn.sh"), 0o755); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			before := requests.Load()
			code, outs := secRun(t, env("MESHGATE_TODAY", "2026-11-25"), "check", "-C", w.repo, "--format", "json")
			want := 0
			if tt.want != nil {
				want = 1
			}
			if code != want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, want, outs["stderr"])
			}
			got := renderErrors(t, strings.ReplaceAll(outs["stdout"], srv.URL, "SERVER"))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("render errors:\n got %q\nwant %q", got, tt.want)
			}
			if tt.rendered != "" {
				_, r := secRun(t, env(), "render", "-C", w.repo, "--env", "leak")
				if !strings.Contains(r["stdout"], "\n"+tt.rendered+"\n") {
					t.Errorf("rendering lacks %q:\n%s%s", tt.rendered, r["stdout"], r["stderr"])
				}
			}
			if n := requests.Load() - before; n > 0 {
				t.Errorf("%d requests reached the network", n)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Errorf("a program of the repository ran")
			}
		})
	}
}

// Canaries planted where credentials live; none may reach any output.
const (
	canaryData       = "CANARY-DATA-b64-4a1c"
	canaryStringData = "CANARY-STRINGDATA-9e2f"
	canaryLiteral    = "CANARY-LITERAL-51d0"
	canaryEnvFile    = "CANARY-ENVFILE-c3b7"
	canaryValues     = "CANARY-VALUES-0f86"
	canaryToken      = "ghs_CANARYTOKEN8b1e0d4c"
)

// TestSecretsNeverLeak plants canaries in Secret data (base64) and
// stringData, a secretGenerator literal and env file, Helm values under a
// credential key and the process environment, then makes the repository
// copy them where findings quote values (an injection annotation, a
// proxy.istio.io/config hasKey) and into helm fail and required messages.
// No output of check in any format, of render, nor stderr may hold one.
func TestSecretsNeverLeak(t *testing.T) {
	t.Setenv("GITHUB_TOKEN", canaryToken)
	b64 := base64.StdEncoding.EncodeToString([]byte(canaryData))
	chart := map[string]string{
		"c/Chart.yaml":  secChart,
		"c/values.yaml": "db:\n  user: \"\"\n  password: " + canaryValues + "\nfailNow: false\nrequireUser: false\n",
		"c/templates/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata:\n  password: {{ .Values.db.password | b64enc }}\n" +
			"stringData:\n  url: postgres://app:{{ .Values.db.password }}@db\n",
		"c/templates/deploy.yaml": "{{- if .Values.failNow }}{{ fail (printf \"cannot log in with password %s\" .Values.db.password) }}{{ end }}\n" +
			"{{- if .Values.requireUser }}{{ required (printf \"a user for password %s\" .Values.db.password) .Values.db.user }}{{ end }}\n" +
			"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    metadata:\n      labels: {sidecar.istio.io/inject: \"true\"}\n" +
			"      annotations:\n        proxy.istio.io/config: {{ .Values.db.password | quote }}\n" +
			"    spec:\n      containers:\n        - name: api\n          image: api\n          envFrom: [{secretRef: {name: db}}]\n",
		"e/Chart.yaml":         "apiVersion: v2\nname: e\nversion: 0.1.0\n",
		"e/templates/env.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: e}\ndata: {token: {{ env \"GITHUB_TOKEN\" | quote }}}\n",
		"fail.yaml":            "failNow: true\n",
		"required.yaml":        "requireUser: true\n",
	}
	kust := map[string]string{
		"k/kustomization.yaml": "resources: [secret.yaml, deploy.yaml]\n" +
			"secretGenerator:\n  - name: gen\n    literals: [\"token=" + canaryLiteral + "\"]\n    envs: [creds.env]\n" +
			"replacements:\n  - source: {kind: Secret, name: plain, fieldPath: stringData.password}\n" +
			"    targets:\n      - select: {kind: Deployment, name: web}\n        fieldPaths: ['spec.template.metadata.labels.[sidecar.istio.io/inject]']\n",
		"k/creds.env": "API_KEY=" + canaryEnvFile + "\nGITHUB_TOKEN\n",
		// kustomize quotes a literal that is not KEY=VALUE, and an env
		// file line that is not UTF-8, in its errors.
		"kl/kustomization.yaml": "secretGenerator:\n  - name: gen\n    literals: [\"" + canaryLiteral + "-no-key\"]\n",
		"ke/kustomization.yaml": "secretGenerator:\n  - name: gen\n    envs: [creds.env]\n",
		"ke/creds.env":          "API_KEY=" + canaryEnvFile + "-\xff\n",
		"k/secret.yaml":         "apiVersion: v1\nkind: Secret\nmetadata: {name: plain}\ndata: {b64: " + b64 + "}\nstringData: {password: " + canaryStringData + "}\n",
		"k/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata:\n      labels: {sidecar.istio.io/inject: \"true\"}\n" +
			"    spec:\n      containers:\n        - name: web\n          image: web\n          envFrom: [{secretRef: {name: gen}}, {secretRef: {name: plain}}]\n",
	}
	files := map[string]string{".meshgate.yaml": `environments:
  - {name: helm, helm: {chart: c, namespace: shop}}
  - {name: helm-fail, helm: {chart: c, namespace: shop, values: [fail.yaml]}}
  - {name: helm-required, helm: {chart: c, namespace: shop, values: [required.yaml]}}
  - {name: helm-env, helm: {chart: e, namespace: shop}}
  - {name: kust, kustomize: {path: k}, namespace: web}
  - {name: kust-bad-literal, kustomize: {path: kl}}
  - {name: kust-bad-env-file, kustomize: {path: ke}}
mesh:
  namespaces: {shop: {istio-injection: enabled}}
  require:
    annotations:
      proxy.istio.io/config: {hasKey: proxyMetadata.ISTIO_META_REQUEST_ID}
`}
	for _, m := range []map[string]string{chart, kust} {
		for k, v := range m {
			files[k] = v
		}
	}
	w := newSecWorld(t)
	w.write(w.repo, files)
	getenv := env("MESHGATE_TODAY", "2026-11-25", "GITHUB_TOKEN", canaryToken, "INPUT_GITHUB-TOKEN", canaryToken)
	canaries := []string{canaryData, b64, canaryStringData, canaryLiteral, canaryEnvFile, canaryValues, canaryToken}

	code, outs := secRun(t, getenv, append([]string{"check", "-C", w.repo}, everyFormat(t.TempDir())...)...)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, outs["stderr"])
	}
	// The values were where findings quote them: redacted, not dropped.
	var rep report.Report
	if err := json.Unmarshal([]byte(outs["report.json"]), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s %s %s/%s: %s", f.Environment, f.Rule, f.Kind, f.Name, f.Message))
	}
	want := []string{
		`helm mesh-annotation Deployment/api: annotation proxy.istio.io/config has no key proxyMetadata.ISTIO_META_REQUEST_ID: its value "[redacted]" is not a YAML or JSON map`,
		`helm mesh-injection Deployment/api: pod template has annotation proxy.istio.io/config="[redacted]", which istio's injector rejects (not a YAML map of ProxyConfig fields): the webhook answers allowed: false; the pod is not created at all`,
		`helm-env render-error /: parse error at (e/templates/env.yaml:4): function "env" not defined`,
		`helm-fail render-error /: execution error at (c/templates/deploy.yaml:1:28): cannot log in with password [redacted]`,
		`helm-required render-error /: execution error at (c/templates/deploy.yaml:2:32): a user for password [redacted]`,
		`kust mesh-annotation Deployment/web: annotation proxy.istio.io/config is missing`,
		`kust mesh-injection Deployment/web: pod template has label sidecar.istio.io/inject="[redacted]", which is not "true" or "false": namespace "web" (not rendered, not in mesh.namespaces) has no istio-injection or istio.io/rev label, so only the value "true" selects the pod for injection`,
		`kust-bad-env-file render-error /: secretGenerator "gen": env file line 1 is not valid UTF-8 (the line is not shown, as it may hold a credential)`,
		`kust-bad-literal render-error /: secretGenerator "gen": literals[0] is not KEY=VALUE (the entry is not shown, as it may hold a credential)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	assertAbsent(t, outs, canaries...)

	// render prints the rendered YAML with Secret values redacted; the
	// copies this repository makes into a label and an annotation are
	// printed as rendered.
	renders := map[string]string{}
	for _, e := range []string{"helm", "helm-fail", "kust"} {
		_, r := secRun(t, getenv, "render", "-C", w.repo, "--env", e)
		renders["render "+e+" stdout"], renders["render "+e+" stderr"] = r["stdout"], r["stderr"]
	}
	assertAbsent(t, renders, canaryData, b64, canaryLiteral, canaryEnvFile, canaryToken)
	// The renderer itself redacts its error: render quotes it as it is.
	assertAbsent(t, map[string]string{"render helm-fail stderr": renders["render helm-fail stderr"]}, canaryValues)
	if !strings.Contains(renders["render helm-fail stderr"], "cannot log in with password [redacted]") {
		t.Errorf("render helm-fail stderr: %s", renders["render helm-fail stderr"])
	}
}

// TestRedactionSparesPathsAndKeys: a credential that is also a common
// word (kubeflow's katib database user) is removed where a message quotes
// it as a value, never from the paths and keys that hold the same word,
// and the value itself is in no output.
func TestRedactionSparesPathsAndKeys(t *testing.T) {
	w := newSecWorld(t)
	w.write(w.repo, map[string]string{
		".meshgate.yaml":             "environments:\n  - {name: katib, helm: {chart: katib, namespace: kubeflow}}\n",
		"katib/Chart.yaml":           "apiVersion: v2\nname: katib\nversion: 0.1.0\n",
		"katib/values.yaml":          "db:\n  password: katib\n  rootPassword: " + canaryValues + "\n",
		"katib/templates/katib.yaml": "{{ fail (printf \"user %s: wrong password %s\" .Values.db.password .Values.db.rootPassword) }}\n",
	})
	code, outs := secRun(t, env("MESHGATE_TODAY", "2026-11-25"), append([]string{"check", "-C", w.repo}, everyFormat(t.TempDir())...)...)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, outs["stderr"])
	}
	got := renderErrors(t, outs["report.json"])
	want := []string{"katib katib/templates/katib.yaml:1: execution error at (katib/templates/katib.yaml:1:3): user [redacted]: wrong password [redacted]"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("render errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	assertAbsent(t, outs, canaryValues, "user katib", "password katib")
}

// fakeRenderer stands for a renderer in tests of the runner.
type fakeRenderer func(ctx context.Context, root string, env config.Environment, opts render.Options) render.Result

func (f fakeRenderer) Render(ctx context.Context, root string, env config.Environment, opts render.Options) render.Result {
	return f(ctx, root, env, opts)
}

// withRenderer replaces the renderer of a source for the test. Tests that
// use it must not run in parallel with others.
func withRenderer(t *testing.T, source string, r render.Renderer) {
	t.Helper()
	old := renderers
	renderers = engine.DefaultRenderers()
	renderers[source] = r
	t.Cleanup(func() { renderers = old })
}

// secTwoEnvs is a repository with a helm environment ("broken", which the
// tests break) and a kustomize one ("good", with one secret-missing
// finding), to show that a broken environment does not stop the others.
func secTwoEnvs(t *testing.T) string {
	t.Helper()
	w := newSecWorld(t)
	w.write(w.repo, map[string]string{
		".meshgate.yaml":       "environments:\n  - {name: broken, helm: {chart: c}}\n  - {name: good, kustomize: {path: k}}\nmesh: {provider: none}\n",
		"c/Chart.yaml":         secChart,
		"c/templates/cm.yaml":  secCM,
		"k/kustomization.yaml": "resources: [deploy.yaml]\n",
		"k/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n" +
			"      containers:\n        - name: web\n          image: web\n          envFrom: [{secretRef: {name: missing}}]\n",
	})
	return w.repo
}

// summary lists a JSON report's findings as "ENV RULE FILE:LINE: MESSAGE".
func summary(t *testing.T, jsonReport string) []string {
	t.Helper()
	var rep report.Report
	if err := json.Unmarshal([]byte(jsonReport), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, jsonReport)
	}
	var out []string
	for _, f := range rep.Findings {
		out = append(out, fmt.Sprintf("%s %s %s:%d: %s", f.Environment, f.Rule, f.File, f.Line, f.Message))
	}
	return out
}

const goodFinding = `good secret-missing k/deploy.yaml:10: envFrom reads Secret default/missing, which this environment does not produce`

// TestPanicIsAnInternalError: a bug that panics while one environment is
// rendered or checked becomes that environment's render-error asking for a
// report, and exit code 3; the other environments are still checked.
func TestPanicIsAnInternalError(t *testing.T) {
	tests := []struct {
		name     string
		renderer render.Renderer
		want     string
	}{
		{name: "panic in the runner's goroutine",
			renderer: fakeRenderer(func(context.Context, string, config.Environment, render.Options) render.Result {
				panic("boom")
			}),
			want: "broken render-error c:0: internal error while checking this environment: boom; this is a bug in meshgate, please report it"},
		{name: "panic the renderer recovered",
			renderer: fakeRenderer(func(context.Context, string, config.Environment, render.Options) render.Result {
				return render.Result{Source: "helm", Path: "c", Err: &render.Error{Message: "internal error while rendering the chart: boom; this is a bug in meshgate, please report it", Internal: true}}
			}),
			want: "broken render-error c:0: internal error while rendering the chart: boom; this is a bug in meshgate, please report it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withRenderer(t, "helm", tt.renderer)
			code, outs := secRun(t, env(), "check", "-C", secTwoEnvs(t), "--format", "json")
			if code != report.ExitInternal {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, report.ExitInternal, outs["stderr"])
			}
			got := summary(t, outs["stdout"])
			if want := []string{tt.want, goodFinding}; strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestRenderTimeout: a rendering that does not finish within
// limits.renderTimeout is abandoned with a render-error; the others go on.
// The renderer stands for a looping template: it ends only with its
// context, so the test waits for nothing but the timeout.
func TestRenderTimeout(t *testing.T) {
	withRenderer(t, "helm", fakeRenderer(func(ctx context.Context, _ string, _ config.Environment, _ render.Options) render.Result {
		<-ctx.Done()
		return render.Result{Source: "helm", Path: "c", Err: &render.Error{Message: "rendering did not finish: " + ctx.Err().Error()}}
	}))
	root := secTwoEnvs(t)
	cfg := filepath.Join(root, ".meshgate.yaml")
	text, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, append(text, "limits: {renderTimeout: 1s}\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, outs := secRun(t, env(), "check", "-C", root, "--format", "json")
	if code != 1 {
		t.Errorf("exit %d, want 1; stderr:\n%s", code, outs["stderr"])
	}
	want := []string{"broken render-error c:0: rendering did not finish within limits.renderTimeout (1s): does a template loop, or an overlay include the same bases over and over?", goodFinding}
	if got := summary(t, outs["stdout"]); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// git runs git in dir for a test's setup and returns its trimmed output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.test", "-c", "commit.gpgsign=false"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestPullRequestTargetPwnRequest: on pull_request_target (a write token
// and the repository's secrets) with a fork's head, or a merge of it,
// checked out, meshgate refuses to run unless the workflow says it accepts
// the risk, and points to the fork-safe pattern. GitHub is never called.
func TestPullRequestTargetPwnRequest(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "not in this test", http.StatusTeapot)
	}))
	defer srv.Close()

	ws := secTwoEnvs(t)
	git(t, ws, "init", "-q", "-b", "main")
	git(t, ws, "add", ".")
	git(t, ws, "commit", "-q", "-m", "base")
	base := git(t, ws, "rev-parse", "HEAD")
	git(t, ws, "checkout", "-q", "-b", "pr")
	if err := os.WriteFile(filepath.Join(ws, "change.txt"), []byte("fork change\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, ws, "add", ".")
	git(t, ws, "commit", "-q", "-m", "fork change")
	prHead := git(t, ws, "rev-parse", "HEAD")
	git(t, ws, "checkout", "-q", "main")
	git(t, ws, "merge", "-q", "--no-ff", "-m", "merge", "pr")
	merge := git(t, ws, "rev-parse", "HEAD")

	event := func(headRepo string) string {
		p := filepath.Join(t.TempDir(), "event.json")
		payload := fmt.Sprintf(`{"number": 7, "pull_request": {"number": 7, "head": {"sha": %q, "repo": {"full_name": %q}}, "base": {"sha": %q, "repo": {"full_name": "acme/shop"}}}}`, prHead, headRepo, base)
		if err := os.WriteFile(p, []byte(payload), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	refusal := fmt.Sprintf("meshgate: github action: refusing to run on pull_request_target with the code of pull request #7 from fork/shop checked out (HEAD %%s): "+
		"that code runs with this workflow's write token and secrets (a \"pwn request\"). "+
		"Check fork pull requests in a pull_request workflow and publish the report from a workflow_run workflow (README, \"Fork pull requests\"), "+
		"or check out the base branch; to accept the risk, set the input %s: true\n", "allow-pull-request-target-head")
	tests := []struct {
		name, checkout, headRepo, allow string
		// stderr is the refusal expected; "" when meshgate goes on.
		stderr string
	}{
		{name: "fork head checked out", checkout: prHead, headRepo: "fork/shop", stderr: fmt.Sprintf(refusal, prHead[:12])},
		{name: "merge of the fork checked out", checkout: merge, headRepo: "fork/shop", stderr: fmt.Sprintf(refusal, merge[:12])},
		{name: "base checked out", checkout: base, headRepo: "fork/shop"},
		{name: "same-repository pull request", checkout: prHead, headRepo: "acme/shop"},
		{name: "risk accepted", checkout: prHead, headRepo: "fork/shop", allow: "true"},
		{name: "invalid input", checkout: prHead, headRepo: "fork/shop", allow: "yes",
			stderr: "meshgate: github action: input allow-pull-request-target-head \"yes\": want true or false\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			git(t, ws, "checkout", "-q", "--detach", tt.checkout)
			getenv := env("GITHUB_ACTIONS", "true", "GITHUB_EVENT_NAME", "pull_request_target", "GITHUB_EVENT_PATH", event(tt.headRepo),
				"GITHUB_REPOSITORY", "acme/shop", "GITHUB_API_URL", srv.URL, "GITHUB_SHA", tt.checkout, "GITHUB_RUN_ID", "1",
				"INPUT_GITHUB-TOKEN", "ghs_pwntest", "INPUT_ALLOW-PULL-REQUEST-TARGET-HEAD", tt.allow, "RUNNER_TEMP", t.TempDir())
			before := requests.Load()
			code, outs := secRun(t, getenv, "check", "-C", ws)
			refused := strings.Contains(outs["stderr"], "refusing") || strings.Contains(outs["stderr"], "input allow-")
			switch {
			case tt.stderr != "":
				if code != 2 || outs["stderr"] != tt.stderr {
					t.Errorf("exit %d, stderr:\n%s\nwant exit 2, stderr:\n%s", code, outs["stderr"], tt.stderr)
				}
				if n := requests.Load() - before; n != 0 {
					t.Errorf("%d requests to GitHub before refusing", n)
				}
			case refused:
				t.Errorf("refused (exit %d):\n%s", code, outs["stderr"])
			}
		})
	}
}

// aliasBomb is a "billion laughs" YAML mapping, indented by indent: nine
// levels of nine aliases stand for 9^9 strings.
func aliasBomb(indent string) string {
	var b strings.Builder
	b.WriteString(indent + `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for c := 'b'; c <= 'i'; c++ {
		prev := string(c - 1)
		fmt.Fprintf(&b, "%s%c: &%c [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n", indent, c, c, prev, prev, prev, prev, prev, prev, prev, prev, prev)
	}
	return b.String()
}

// deep is a flow sequence nested n deep.
func deep(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// overlayTree writes a tree of kustomize overlays under k/: each level
// includes both overlays of the level below, so that k/l<depth>a stands
// for 2^depth copies of one ConfigMap.
func overlayTree(depth int) map[string]string {
	files := map[string]string{
		"k/l0/kustomization.yaml": "resources: [cm.yaml]\n",
		"k/l0/cm.yaml":            secCM,
	}
	for i := 1; i <= depth; i++ {
		prev := "[../l0]"
		if i > 1 {
			prev = fmt.Sprintf("[../l%da, ../l%db]", i-1, i-1)
		}
		for _, side := range []string{"a", "b"} {
			files[fmt.Sprintf("k/l%d%s/kustomization.yaml", i, side)] = fmt.Sprintf("namePrefix: %s-\nresources: %s\n", side, prev)
		}
	}
	return files
}

// exhaustionRepo has one environment per way to exhaust the runner, under
// limits low enough for a test, and a good environment.
func exhaustionRepo(t *testing.T, extra map[string]string) string {
	t.Helper()
	w := newSecWorld(t)
	bomb := aliasBomb("")
	cmBomb := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n" + aliasBomb("  ")
	chart := func(name, template string) map[string]string {
		return map[string]string{name + "/Chart.yaml": "apiVersion: v2\nname: " + name + "\nversion: 0.1.0\n", name + "/templates/t.yaml": template}
	}
	files := map[string]string{
		".meshgate.yaml": `environments:
  - {name: good, kustomize: {path: good}}
  - {name: helm-values-bomb, helm: {chart: plain, values: [bomb.yaml]}}
  - {name: helm-chart-values-bomb, helm: {chart: valuesbomb}}
  - {name: helm-template-bomb, helm: {chart: templatebomb}}
  - {name: helm-huge-values, helm: {chart: plain, values: [huge.yaml]}}
  - {name: helm-huge-rendering, helm: {chart: huge}}
  - {name: helm-deep-values, helm: {chart: plain, values: [deep.yaml]}}
  - {name: helm-too-many, helm: {chart: many}}
  - {name: kustomize-resource-bomb, kustomize: {path: kbomb}}
  - {name: kustomize-patch-bomb, kustomize: {path: kpatch}}
  - {name: kustomize-huge-resource, kustomize: {path: khuge}}
  - {name: kustomize-deep-resource, kustomize: {path: kdeep}}
  - {name: kustomize-overlay-tree, kustomize: {path: k/l12a}}
mesh: {provider: none}
limits: {maxRenderedBytes: 1MiB, maxObjects: 100}
`,
		"good/kustomization.yaml":   "resources: [deploy.yaml]\n",
		"good/deploy.yaml":          "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web\n          envFrom: [{secretRef: {name: missing}}]\n",
		"bomb.yaml":                 bomb,
		"huge.yaml":                 "x: \"" + strings.Repeat("x", 2<<20) + "\"\n",
		"deep.yaml":                 "x: " + deep(20000) + "\n",
		"kbomb/kustomization.yaml":  "resources: [cm.yaml]\n",
		"kbomb/cm.yaml":             cmBomb,
		"kpatch/kustomization.yaml": "resources: [cm.yaml]\npatches: [{path: patch.yaml}]\n",
		"kpatch/cm.yaml":            secCM,
		"kpatch/patch.yaml":         cmBomb,
		"khuge/kustomization.yaml":  "resources: [cm.yaml]\n",
		"khuge/cm.yaml":             "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  x: \"" + strings.Repeat("x", 2<<20) + "\"\n",
		"kdeep/kustomization.yaml":  "resources: [cm.yaml]\n",
		"kdeep/cm.yaml":             "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  x: " + deep(20000) + "\n",
	}
	for _, m := range []map[string]string{
		chart("plain", secCM),
		chart("valuesbomb", secCM),
		chart("templatebomb", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n"+aliasBomb("  ")),
		chart("huge", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  x: {{ repeat 4194304 \"x\" | quote }}\n"),
		chart("many", "{{- range until 150 }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-{{ . }}}\n{{- end }}\n"),
		overlayTree(12), extra,
	} {
		for k, v := range m {
			files[k] = v
		}
	}
	files["valuesbomb/values.yaml"] = bomb
	w.write(w.repo, files)
	return w.repo
}

// exhaustionWant are the findings of exhaustionRepo: each way to exhaust
// the runner is a render-error of its environment, and the good one is
// checked.
var exhaustionWant = []string{
	"good secret-missing good/deploy.yaml:10: envFrom reads Secret default/missing, which this environment does not produce",
	"helm-chart-values-bomb render-error valuesbomb/values.yaml:0: cannot load values.yaml: error converting YAML to JSON: yaml: document contains excessive aliasing",
	"helm-deep-values render-error deep.yaml:0: failed to parse deep.yaml: error converting YAML to JSON: yaml: exceeded max depth of 10000",
	"helm-huge-rendering render-error huge/templates/t.yaml:0: the chart renders 4.0 MiB, more than limits.maxRenderedBytes (1.0 MiB); the largest template renders 4.0 MiB",
	"helm-huge-values render-error huge.yaml:0: the file is 2.0 MiB, more than limits.maxRenderedBytes (1.0 MiB)",
	"helm-template-bomb render-error templatebomb/templates/t.yaml:0: YAML parse error on templatebomb/templates/t.yaml: error converting YAML to JSON: yaml: document contains excessive aliasing",
	"helm-too-many render-error many:0: the environment rendered 150 documents, more than limits.maxObjects (100)",
	"helm-values-bomb render-error bomb.yaml:0: failed to parse bomb.yaml: error converting YAML to JSON: yaml: document contains excessive aliasing",
	"kustomize-deep-resource render-error kdeep/cm.yaml:5: accumulating resources: accumulating resources from 'cm.yaml': MalformedYAMLError: yaml: line 5: exceeded max depth of 10000 in File: cm.yaml",
	"kustomize-huge-resource render-error khuge/cm.yaml:0: the file is 2.0 MiB, more than limits.maxRenderedBytes (1.0 MiB)",
	"kustomize-overlay-tree render-error k/l0/kustomization.yaml:0: the build read files more than 100 times (limits.maxObjects); do overlays include the same bases over and over?",
	"kustomize-patch-bomb render-error kpatch/patch.yaml:6: aliases expand to more than 100000 nodes (a YAML alias bomb)",
	"kustomize-resource-bomb render-error kbomb/cm.yaml:6: aliases expand to more than 100000 nodes (a YAML alias bomb)",
}

// TestExhaustionIsARenderError: alias bombs, huge files and renderings,
// deep nesting, too many objects and an exponential tree of overlays each
// end as a render-error of their environment, and the good environment is
// still checked.
func TestExhaustionIsARenderError(t *testing.T) {
	code, outs := secRun(t, env(), "check", "-C", exhaustionRepo(t, nil), "--format", "json")
	if code != 1 {
		t.Errorf("exit %d, want 1; stderr:\n%s", code, outs["stderr"])
	}
	if got := summary(t, outs["stdout"]); strings.Join(got, "\n") != strings.Join(exhaustionWant, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(exhaustionWant, "\n"))
	}
}

// TestExhaustionMemoryBounded runs the built binary over every way to
// exhaust the runner at once, with realistic limits (a 16 MiB rendering, a
// 2 s render timeout), plus a template that loops and files larger than
// the limit: the process ends with every environment reported and its peak
// memory stays under maxRSS.
func TestExhaustionMemoryBounded(t *testing.T) {
	const maxRSS = 300 << 20
	root := exhaustionRepo(t, map[string]string{
		"loop/Chart.yaml":            "apiVersion: v2\nname: loop\nversion: 0.1.0\n",
		"loop/templates/t.yaml":      "{{- range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n" + secCM,
		"big/Chart.yaml":             "apiVersion: v2\nname: big\nversion: 0.1.0\n",
		"big/templates/t.yaml":       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n{{- range $i := until 200 }}\n  k{{ $i }}: {{ repeat 100000 \"x\" }}\n{{- end }}\n",
		"ksparse/kustomization.yaml": "resources: [cm.yaml]\n",
	})
	// Files far larger than the limit, which must never be read: sparse,
	// so that the test does not write them out.
	for _, f := range []string{"sparse.yaml", "ksparse/cm.yaml"} {
		fh, err := os.Create(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := fh.Truncate(1 << 30); err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
	cfg := filepath.Join(root, ".meshgate.yaml")
	text, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The timeout stops helm-loop; it is long enough that the big chart
	// finishes rendering (and is refused for its size) on a loaded machine.
	text = []byte(strings.Replace(string(text), "limits: {maxRenderedBytes: 1MiB, maxObjects: 100}", "limits: {maxRenderedBytes: 16MiB, renderTimeout: 8s}", 1))
	text = []byte(strings.Replace(string(text), "environments:\n", `environments:
  - {name: helm-loop, helm: {chart: loop}}
  - {name: helm-big-rendering, helm: {chart: big}}
  - {name: helm-sparse-values, helm: {chart: plain, values: [sparse.yaml]}}
  - {name: kustomize-sparse-resource, kustomize: {path: ksparse}}
  - {name: kustomize-deep-tree, kustomize: {path: k/l12a}}
`, 1))
	if err := os.WriteFile(cfg, text, 0o644); err != nil {
		t.Fatal(err)
	}
	// Deeper than the default tree: only the per-file read bound stops it.
	w := &secWorld{t: t, repo: root}
	tree := overlayTree(20)
	delete(tree, "k/l0/cm.yaml")
	w.write(root, tree)
	text = []byte(strings.Replace(string(text), "{path: k/l12a}}\n", "{path: k/l20a}}\n", 2))
	if err := os.WriteFile(cfg, text, 0o644); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(meshgateBinary(t), "check", "-C", root, "--format", "json")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The peak is read from the child's own VmHWM while it runs: the
	// rusage of a child started with vfork counts the parent's memory too.
	peak := make(chan int64)
	go func() {
		var max int64
		for {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
			if err != nil {
				break
			}
			for _, line := range strings.Split(string(b), "\n") {
				var kib int64
				if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &kib); err == nil && kib<<10 > max {
					max = kib << 10
				}
			}
			if strings.Contains(string(b), "State:\tZ") {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		peak <- max
	}()
	err = cmd.Wait()
	rss := <-peak
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit %d (%v), want 1; stderr:\n%s", code, err, stderr.String())
	}
	if rss == 0 || rss > maxRSS {
		t.Errorf("peak memory %d MiB, want under %d MiB", rss>>20, maxRSS>>20)
	}
	got := summary(t, stdout.String())
	want := map[string]string{
		"good":                      "good secret-missing good/deploy.yaml:10: envFrom reads Secret default/missing, which this environment does not produce",
		"helm-loop":                 "helm-loop render-error loop:0: rendering did not finish within limits.renderTimeout (8s): does a template loop, or an overlay include the same bases over and over?",
		"helm-big-rendering":        "helm-big-rendering render-error big/templates/t.yaml:0: the chart renders 19.1 MiB, more than limits.maxRenderedBytes (16.0 MiB); the largest template renders 19.1 MiB",
		"helm-sparse-values":        "helm-sparse-values render-error sparse.yaml:0: the file is 1024.0 MiB, more than limits.maxRenderedBytes (16.0 MiB)",
		"kustomize-sparse-resource": "kustomize-sparse-resource render-error ksparse/cm.yaml:0: the file is 1024.0 MiB, more than limits.maxRenderedBytes (16.0 MiB)",
		"kustomize-deep-tree":       "kustomize-deep-tree render-error k/l0/kustomization.yaml:0: the build read this file more than 64 times: do overlays include the same bases over and over?",
	}
	// The alias bombs and deep nesting of exhaustionRepo, as there.
	for _, name := range []string{"helm-values-bomb", "helm-chart-values-bomb", "helm-template-bomb", "helm-deep-values",
		"kustomize-resource-bomb", "kustomize-patch-bomb", "kustomize-deep-resource"} {
		want[name] = ""
		for _, w := range exhaustionWant {
			if strings.HasPrefix(w, name+" ") {
				want[name] = w
			}
		}
	}
	for name, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("environment %s: no finding %q", name, w)
		}
	}
	var rep report.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	t.Logf("peak memory %d MiB over %d environments", rss>>20, len(rep.Environments))
}
