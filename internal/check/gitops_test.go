package check

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
	"gopkg.in/yaml.v3"
)

// gitopsTestObj decodes one object written as YAML.
func gitopsTestObj(t *testing.T, src string) *manifest.Object {
	t.Helper()
	var body map[string]any
	if err := yaml.Unmarshal([]byte(src), &body); err != nil {
		t.Fatal(err)
	}
	meta, _ := body["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	apiVersion, _ := body["apiVersion"].(string)
	kind, _ := body["kind"].(string)
	return &manifest.Object{APIVersion: apiVersion, Kind: kind, Namespace: ns, Name: name, Body: body, File: "clusters/prod/apps.yaml", Line: 1}
}

func TestGitOpsFindings(t *testing.T) {
	tests := []struct {
		name string
		obj  string
		envs []config.Environment
		want string // the message; "" for no finding
	}{
		{
			name: "notice.argo-application-path",
			obj: `{apiVersion: argoproj.io/v1alpha1, kind: Application, metadata: {name: guestbook, namespace: argocd},
  spec: {source: {repoURL: "https://github.com/acme/apps.git", path: guestbook, targetRevision: HEAD}}}`,
			want: "Application argocd/guestbook: not rendered (path guestbook of https://github.com/acme/apps.git at HEAD); add an environment for it",
		},
		{
			name: "success.argo-application-path-has-an-environment",
			obj: `{apiVersion: argoproj.io/v1alpha1, kind: Application, metadata: {name: guestbook, namespace: argocd},
  spec: {source: {repoURL: "https://github.com/acme/apps.git", path: ./guestbook/}}}`,
			envs: []config.Environment{{Name: "guestbook", Kustomize: &config.Kustomize{Path: "guestbook"}}},
		},
		{
			name: "notice.argo-application-sources",
			obj: `{apiVersion: argoproj.io/v1alpha1, kind: Application, metadata: {name: podinfo, namespace: argocd},
  spec: {sources: [{repoURL: "https://stefanprodan.github.io/podinfo", chart: podinfo, targetRevision: 6.5.0},
                   {repoURL: "https://github.com/acme/apps.git", path: podinfo/values}]}}`,
			want: "Application argocd/podinfo: not rendered (chart podinfo of https://stefanprodan.github.io/podinfo at 6.5.0; path podinfo/values of https://github.com/acme/apps.git); add an environment for it",
		},
		{
			name: "notice.argo-applicationset",
			obj:  `{apiVersion: argoproj.io/v1alpha1, kind: ApplicationSet, metadata: {name: apps, namespace: argocd}, spec: {}}`,
			want: "ApplicationSet argocd/apps: the Applications it generates are not rendered; add environments for them",
		},
		{
			name: "notice.flux-helmrelease-chart-repository",
			obj: `{apiVersion: helm.toolkit.fluxcd.io/v2, kind: HelmRelease, metadata: {name: podinfo, namespace: podinfo},
  spec: {chart: {spec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: podinfo}}}}}`,
			want: "HelmRelease podinfo/podinfo: chart not rendered (podinfo from HelmRepository podinfo/podinfo); add an environment for it",
		},
		{
			name: "success.flux-helmrelease-chart-folder-has-an-environment",
			obj: `{apiVersion: helm.toolkit.fluxcd.io/v2, kind: HelmRelease, metadata: {name: podinfo, namespace: podinfo},
  spec: {chart: {spec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: podinfo}}}}}`,
			envs: []config.Environment{{Name: "podinfo", Helm: &config.Helm{Chart: "vendor/charts/podinfo"}}},
		},
		{
			name: "notice.flux-helmrelease-chart-ref",
			obj: `{apiVersion: helm.toolkit.fluxcd.io/v2, kind: HelmRelease, metadata: {name: web, namespace: web},
  spec: {chartRef: {kind: OCIRepository, name: web-chart, namespace: flux-system}}}`,
			want: "HelmRelease web/web: chart not rendered (from OCIRepository flux-system/web-chart); add an environment for it",
		},
		{
			name: "notice.flux-kustomization",
			obj: `{apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization, metadata: {name: apps, namespace: flux-system},
  spec: {path: ./apps/staging, sourceRef: {kind: GitRepository, name: flux-system}}}`,
			want: "Kustomization flux-system/apps: not rendered (path ./apps/staging of GitRepository flux-system/flux-system); add an environment for it",
		},
		{
			name: "success.kustomize-kustomization-is-no-gitops-object",
			obj:  `{apiVersion: kustomize.config.k8s.io/v1beta1, kind: Kustomization, metadata: {name: apps}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{
				Config: &config.Config{Environments: tt.envs},
				Env:    config.Environment{Name: "prod"},
				Set:    &manifest.Set{Objects: []*manifest.Object{gitopsTestObj(t, tt.obj)}},
			}
			got := gitopsFindings(in)
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("got %q, want no finding", got[0].Message)
			case tt.want != "" && (len(got) != 1 || subjectMessage(got[0]) != tt.want || got[0].Severity != "notice"):
				t.Errorf("got %+v, want one notice %q", got, tt.want)
			}
		})
	}
}

// TestInlineLocations: a finding at a chart template line that reads a
// value an Application's own values set points at that value's line in
// the Application's file, the last document setting it winning; a
// template of a subchart, a value no inline document sets, and a document
// whose line is unknown leave the finding where it is.
func TestInlineLocations(t *testing.T) {
	lines := map[string]string{
		"charts/web/templates/deploy.yaml:12":           `        sidecar.istio.io/inject: {{ .Values.mesh.inject | quote }}`,
		"charts/web/templates/deploy.yaml:20":           `          image: {{ .Values.image.repository }}:{{ .Values.image.tag }}`,
		"charts/web/templates/deploy.yaml:30":           `          replicas: {{ .Values.replicas }}`,
		"charts/web/charts/db/templates/deploy.yaml:12": `        sidecar.istio.io/inject: {{ .Values.mesh.inject | quote }}`,
	}
	in := Input{
		Env: config.Environment{Name: "web", Helm: &config.Helm{Chart: "charts/web", Inline: []config.InlineValues{
			{File: "apps/web.yaml", Line: 20, YAML: "mesh:\n  inject: true\nimage:\n  tag: \"2\"\n"},
			{File: "apps/web.yaml", Line: 40, YAML: "mesh:\n  inject: \"false\"\n"},
			{File: "apps/gen.yaml", Line: 0, YAML: "replicas: 3\n"},
		}}},
		Set: &manifest.Set{SourceLine: func(file string, line int) string { return lines[fmt.Sprintf("%s:%d", file, line)] }},
	}
	fs := []finding.Finding{
		{File: "charts/web/templates/deploy.yaml", Line: 12},
		{File: "charts/web/templates/deploy.yaml", Line: 20},
		{File: "charts/web/templates/deploy.yaml", Line: 30},
		{File: "charts/web/charts/db/templates/deploy.yaml", Line: 12},
	}
	inlineLocations(in, fs)
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s:%d", f.File, f.Line))
	}
	want := []string{"apps/web.yaml:41", "apps/web.yaml:23", "charts/web/templates/deploy.yaml:30", "charts/web/charts/db/templates/deploy.yaml:12"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("locations %q, want %q", got, want)
	}
}

// subjectMessage is a finding's message after its object, as the text
// report shows them: "Kind namespace/name: message".
func subjectMessage(f finding.Finding) string {
	return f.Kind + " " + f.Namespace + "/" + f.Name + ": " + f.Message
}
