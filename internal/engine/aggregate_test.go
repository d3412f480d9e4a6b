package engine

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/testrepo"
)

// aggregateRepo is a platform kustomization that fails on a remote base and
// lists four applications: dashboard, an environment of the config; web,
// which reads a Secret that its sibling certs makes and one that the
// platform's secretGenerator makes, and one that nothing makes; certs; and
// remote, which fails on its own. A Component is no member.
var aggregateRepo = map[string]string{
	".meshgate.yaml": `environments:
  - name: platform
    kustomize: {path: example}
  - name: dashboard
    kustomize: {path: apps/dashboard}
mesh:
  provider: istio
  namespaces: {kubeflow: {istio-injection: enabled}}
`,
	"example/kustomization.yaml": `namespace: kubeflow
resources:
  - ../apps/dashboard
  - ../apps/web
  - ../apps/certs
  - ../apps/remote
  - https://github.com/example/pipelines//manifests?ref=v1
components:
  - ../components/labels
secretGenerator:
  - name: session
    literals: [key=not-a-real-one]
`,
	"apps/dashboard/kustomization.yaml": "resources: [deployment.yaml]\n",
	"apps/dashboard/deployment.yaml":    deployment("dashboard", ""),
	"apps/web/kustomization.yaml":       "resources: [deployment.yaml]\n",
	"apps/web/deployment.yaml": deployment("web", `          env:
            - name: TLS
              valueFrom: {secretKeyRef: {name: web-tls, key: tls.crt}}
            - name: SESSION
              valueFrom: {secretKeyRef: {name: session, key: key}}
            - name: DB
              valueFrom: {secretKeyRef: {name: db, key: password}}
`),
	"apps/certs/kustomization.yaml":        "resources: [secret.yaml]\n",
	"apps/certs/secret.yaml":               "apiVersion: v1\nkind: Secret\nmetadata: {name: web-tls}\ndata: {tls.crt: Y2VydA==, tls.key: a2V5}\n",
	"apps/remote/kustomization.yaml":       "resources: [https://github.com/example/jobset//config?ref=v1]\n",
	"components/labels/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
}

func deployment(name, env string) string {
	return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + "}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1\n" + env
}

// TestFailingAggregate (issue 11 item 8): the members of a failing
// aggregate that build on their own are checked as environments of their
// own, in the aggregate's namespace and with the Secrets their siblings
// and the aggregate's generator make; the aggregate's render-error says
// which were checked instead and which fail too.
func TestFailingAggregate(t *testing.T) {
	root := testrepo.New(t, aggregateRepo)
	const remote = `example/kustomization.yaml:7: resources entry "https://github.com/example/pipelines//manifests?ref=v1" is remote: meshgate does not fetch remote bases, resources or components`
	for _, tc := range []struct {
		name     string
		envs     []string
		checked  []string
		suffix   string
		findings []string
	}{
		{"every environment", nil, []string{"apps/certs", "apps/web", "dashboard", "platform"},
			"; checked instead, as environments of their own, the 3 it lists that build alone: dashboard, apps/web, apps/certs; not checked, as they fail on their own too (1): apps/remote",
			[]string{
				"secret-missing apps/web Deployment/kubeflow/web env DB reads Secret kubeflow/db, which this environment does not produce",
				// The configuration's own environment keeps its own namespace.
				`mesh-injection dashboard Deployment/default/dashboard namespace "default" (not rendered, not in mesh.namespaces) has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`,
			}},
		{"the aggregate alone", []string{"platform"}, []string{"apps/certs", "apps/web", "platform"},
			"; checked instead, as environments of their own, the 2 it lists that build alone: apps/web, apps/certs; not checked, as they fail on their own too (1): apps/remote; environments of their own that this run does not check (1): dashboard",
			[]string{"secret-missing apps/web Deployment/kubeflow/web env DB reads Secret kubeflow/db, which this environment does not produce"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPlan(context.Background(), Request{Dir: root, Envs: tc.envs})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Run(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range rep.Environments {
				names = append(names, e.Name)
				if e.Name == "platform" && e.Error != remote+tc.suffix {
					t.Errorf("platform error:\n%s\nwant:\n%s", e.Error, remote+tc.suffix)
				}
			}
			if !reflect.DeepEqual(names, tc.checked) {
				t.Errorf("environments %v, want %v", names, tc.checked)
			}
			var got []string
			for _, f := range rep.Findings {
				if f.Rule == "render-error" {
					if at := fmt.Sprintf("%s:%d: ", f.File, f.Line); f.Environment != "platform" || at+f.Message != remote+tc.suffix {
						t.Errorf("render-error %s: %s%s", f.Environment, at, f.Message)
					}
					continue
				}
				got = append(got, strings.Join([]string{f.Rule, f.Environment, f.WorkloadID(), f.Message}, " "))
			}
			if !reflect.DeepEqual(got, tc.findings) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.findings, "\n"))
			}
		})
	}
}

// TestFailingAggregateOnALimit: an aggregate that a limit stopped has its
// members left alone: they would cost as much again.
func TestFailingAggregateOnALimit(t *testing.T) {
	root := testrepo.New(t, map[string]string{
		".meshgate.yaml":              "environments:\n  - name: big\n    kustomize: {path: big}\nlimits: {maxRenderedBytes: 1KiB}\n",
		"big/kustomization.yaml":      "resources: [../apps/web, padding.yaml]\n",
		"big/padding.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: padding}\ndata: {text: \"" + strings.Repeat("x", 2048) + "\"}\n",
		"apps/web/kustomization.yaml": "resources: [deployment.yaml]\n",
		"apps/web/deployment.yaml":    deployment("web", ""),
	})
	p, err := NewPlan(context.Background(), Request{Dir: root})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Environments) != 1 || rep.Environments[0].Error != "big/padding.yaml: the file is 0.0 MiB, more than limits.maxRenderedBytes (0.0 MiB)" {
		t.Errorf("environments %+v", rep.Environments)
	}
}
