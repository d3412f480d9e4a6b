package engine

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/report"
	"github.com/meshgate/meshgate/internal/testrepo"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGitOpsAppOfApps checks testdata/gitops with no config, as a user
// would: a chart renders Applications (an app of apps, like
// argocd-example-apps' apps/ chart). The Applications of this repository
// are environments named after them, rendered with their own settings (the
// api Application's valuesObject opts its pod out of the mesh: a notice at
// its template line), and the discovered chart and overlay they deploy are
// not checked again; the plugin, the other repository and the chart
// repository are notices on the Application in the rendering that holds
// it; the Application that renders the app of apps again manages itself,
// as a self-managed root Application does in Argo CD: followed, not a
// cycle, and no notice. An
// Application in a file of its own (argocd/api-canary.yaml) that opts its
// pod out in its valuesObject gets the notice at that line. The listing
// (stderr) and the text report are compared with testdata/gitops.golden.
func TestGitOpsAppOfApps(t *testing.T) {
	getenv := func(k string) string { return map[string]string{"GITHUB_REPOSITORY": "acme/platform"}[k] }
	plan, err := NewPlan(context.Background(), Request{Dir: "testdata/gitops", Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	plan.Today = exampleDay
	plan.Elapsed = func(time.Time) int64 { return 0 }
	var out bytes.Buffer
	plan.Describe(&out)
	rep, err := Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	out.WriteString("---\n")
	if err := report.Write(&out, "", report.FormatText, rep, report.Options{}); err != nil {
		t.Fatal(err)
	}
	got := regexp.MustCompile(`(?m)^meshgate: no mesh.provider.*\n`).ReplaceAll(out.Bytes(), nil)
	const golden = "testdata/gitops.golden"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(filepath.FromSlash(golden))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got:\n%s\nwant (%s, -update rewrites it):\n%s", got, golden, want)
	}
}

// gitopsPatchRepo: a Flux Kustomization and an Argo CD Application deploy
// the same folder with patches of their own: Flux's JSON 6902 patch adds
// an env var that reads a missing Secret and replaces the key another one
// reads with a missing key (web-tokens has token, not tokn); Argo CD's
// strategic merge patch
// opts the pod out of the mesh with the inject label.
var gitopsPatchRepo = map[string]string{
	".git/config": "[remote \"origin\"]\n\turl = https://github.com/acme/platform.git\n",
	"clusters/prod/web.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: web
  namespace: flux-system
spec:
  sourceRef:
    kind: GitRepository
    name: flux-system
  path: ./apps/web
  targetNamespace: shop
  patches:
    - target:
        kind: Deployment
        name: web
      patch: |
        - op: add
          path: /spec/template/spec/containers/0/env/-
          value:
            name: TOKEN
            valueFrom:
              secretKeyRef: {name: web-token, key: token}
        - op: replace
          path: /spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/key
          value: tokn
`,
	"argocd/web-canary.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web-canary
  namespace: argocd
spec:
  source:
    repoURL: https://github.com/acme/platform.git
    path: apps/web
    kustomize:
      patches:
        - patch: |
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              template:
                metadata:
                  labels:
                    sidecar.istio.io/inject: "false"
  destination:
    namespace: canary
`,
	"apps/web/kustomization.yaml": "resources: [deploy.yaml, secret.yaml]\n",
	"apps/web/secret.yaml":        "apiVersion: v1\nkind: Secret\nmetadata: {name: web-tokens}\nstringData: {token: x}\n",
	"apps/web/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, sidecar.istio.io/inject: "true"}
    spec:
      containers:
        - name: web
          image: nginx
          env:
            - name: A
              valueFrom:
                secretKeyRef:
                  name: web-tokens
                  key: token
`,
}

// TestGitOpsPatchLocations: a finding about a field a GitOps object's
// patch writes points at that line of the object's file, the line a
// person edits, not at the nearest field of the base file, nor at the
// base's field whose value the patch replaces. The remedy of that one
// (read the close key token) is dropped: its lines are the base file's.
func TestGitOpsPatchLocations(t *testing.T) {
	rep := checkRepo(t, Request{Dir: testrepo.New(t, gitopsPatchRepo)})
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s %s %s %s:%d remedy=%t", f.Environment, f.Rule, f.WorkloadID(), f.File, f.Line, f.Remedy != nil))
	}
	want := []string{
		"web secret-key-missing Deployment/shop/web clusters/prod/web.yaml:25 remedy=false",
		"web secret-missing Deployment/shop/web clusters/prod/web.yaml:22 remedy=false",
		"web-canary mesh-injection Deployment/canary/web argocd/web-canary.yaml:21 remedy=false",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestListEnvironmentsColumns: the listing's name column is as wide as the
// longest name (24 at least), so that sources line up; a name longer than
// 40 characters pushes its own line only.
func TestListEnvironmentsColumns(t *testing.T) {
	k := func(name string) config.Environment {
		return config.Environment{Name: name, Kustomize: &config.Kustomize{Path: "x"}, Origin: "x/kustomization.yaml"}
	}
	var b bytes.Buffer
	listEnvironments(&b, []config.Environment{k("web"), k("example.kustomize-guestbook"), k(strings.Repeat("n", 41))})
	want := "  web                         kustomize x/kustomization.yaml\n" +
		"  example.kustomize-guestbook kustomize x/kustomization.yaml\n" +
		"  " + strings.Repeat("n", 41) + " kustomize x/kustomization.yaml\n"
	if b.String() != want {
		t.Errorf("listing:\n%s\nwant:\n%s", b.String(), want)
	}
}

// clusterRepo: two cluster folders apply Flux Kustomizations. In
// clusters/prod, one deploys the web app and another the Namespace
// (labelled for injection) and the Secret it reads; clusters/staging
// deploys the web app alone (with a name prefix, so that it is not the
// same rendering as prod's, which would be one environment).
var clusterRepo = map[string]string{
	".git/config":                 "[remote \"origin\"]\n\turl = https://github.com/acme/platform.git\n",
	"clusters/prod/web.yaml":      fluxKS("web", "./apps/web"),
	"clusters/prod/platform.yaml": fluxKS("platform", "./platform"),
	"clusters/staging/web.yaml":   fluxKS("web", "./apps/web") + "  namePrefix: stg-\n",
	"apps/web/kustomization.yaml": "resources: [deploy.yaml]\n",
	"platform/kustomization.yaml": "resources: [namespace.yaml, secret.yaml]\n",
	"platform/namespace.yaml":     "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {istio-injection: enabled}\n",
	"platform/secret.yaml":        "apiVersion: v1\nkind: Secret\nmetadata: {name: web-db, namespace: shop}\nstringData: {password: x}\n",
	"apps/web/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
          env:
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: web-db, key: password}}
`,
}

func fluxKS(name, path string) string {
	return "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: " + name + ", namespace: flux-system}\n" +
		"spec:\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: " + path + "\n"
}

// TestGitOpsClusterSiblings: the Kustomizations of one cluster folder are
// slices of one deployment: web in clusters/prod reads the Secret and runs
// in the Namespace that platform renders, so it has no gap, also when the
// run checks it alone (--env); web in clusters/staging has no such
// sibling, and both gaps are reported.
func TestGitOpsClusterSiblings(t *testing.T) {
	root := testrepo.New(t, clusterRepo)
	for _, envs := range [][]string{nil, {"web@clusters/prod"}} {
		rep := checkRepo(t, Request{Dir: root, Envs: envs})
		var got []string
		for _, f := range rep.Findings {
			got = append(got, fmt.Sprintf("%s %s %s", f.Environment, f.Rule, f.WorkloadID()))
		}
		want := []string{
			"web@clusters/staging mesh-injection Deployment/shop/stg-web",
			"web@clusters/staging secret-missing Deployment/shop/stg-web",
		}
		if envs != nil {
			want = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("--env %v: findings:\n%s\nwant:\n%s", envs, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// checkRepo plans and runs req, failing the test on an error.
func checkRepo(t *testing.T, req Request) report.Report {
	t.Helper()
	p, err := NewPlan(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
