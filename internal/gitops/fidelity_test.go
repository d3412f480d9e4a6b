package gitops

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/render/helm"
	"github.com/meshgate/meshgate/internal/render/kustomize"
	"github.com/meshgate/meshgate/internal/render/manifests"
)

// TestArgoRenderingFidelity renders the environments of the fixture
// Applications and ApplicationSets and requires, document for document,
// the output of `helm template` and `kustomize build` run with the flags
// and the `kustomize edit` commands Argo CD's repo server uses for them
// (testdata/argo/expected/README.md has the commands, and why each flag
// is what Argo CD passes). The expected files are the CLIs' output,
// never rewritten by -update.
func TestArgoRenderingFidelity(t *testing.T) {
	tests := []struct {
		fixture, env, expected string
	}{
		{"apps/success.helm-values-files.yaml", "shop-prod", "shop-prod.yaml"},
		{"apps/success.helm-values-object.yaml", "shop-staging", "shop-staging.yaml"},
		{"apps/success.multi-source-ref.yaml", "shop-multi", "shop-multi.yaml"},
		{"apps/success.remote-chart-vendored.yaml", "podinfo", "podinfo.yaml"},
		{"apps/success.detect-kustomize.yaml", "web", "web.yaml"},
		{"apps/success.kustomize-edits.yaml", "web-prod", "web-prod.yaml"},
		{"appsets/success.list.yaml", "shop-qa", "shop-qa.yaml"},
		{"appsets/success.git-files-gotemplate.yaml", "shop-prod", "clusters-shop-prod.yaml"},
		{"appsets/success.matrix.yaml", "web-dev", "web.yaml"},
	}
	cfg := argoConfig(t)
	for _, tt := range tests {
		t.Run(tt.fixture+"/"+tt.env, func(t *testing.T) {
			env := fixtureEnvironment(t, cfg, tt.fixture, tt.env)
			var r render.Renderer = kustomize.Renderer{}
			if env.Helm != nil {
				r = helm.Renderer{}
			}
			res := r.Render(context.Background(), cfg.Root, env, render.Options{MaxBytes: config.DefaultMaxRenderedBytes, MaxReads: config.DefaultMaxObjects})
			if res.Err != nil {
				t.Fatalf("render: %v", res.Err)
			}
			want := cliDocuments(t, filepath.Join(argoRoot, "expected", tt.expected))
			if len(res.Docs) != len(want) {
				t.Fatalf("%d documents, want %d", len(res.Docs), len(want))
			}
			for i, d := range res.Docs {
				if string(d.YAML) != want[i] {
					t.Errorf("document %d:\n%s\nwant:\n%s", i, d.YAML, want[i])
				}
			}
		})
	}
}

// fixtureEnvironment is the environment name of what the fixture file
// expands to.
func fixtureEnvironment(t *testing.T, cfg *config.Config, fixture, name string) config.Environment {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(argoRoot, fixture))
	if err != nil {
		t.Fatal(err)
	}
	objs := Decode(fixture, data)
	s := &Scope{Root: cfg.Root, Config: cfg, Repo: NewRepo(cfg.Root, nil, cfg.GitOps.RepoURLs), Objects: objs}
	x := expanderOf(objs[0]).Expand(s, objs[0])
	for _, e := range x.Environments {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("%s expands to no environment %s: %s", fixture, name, describeExpansion(x))
	return config.Environment{}
}

var (
	cliSeparator = regexp.MustCompile(`(?m)^---\n`)
	sourceLine   = regexp.MustCompile(`(?m)^# Source: .*\n`)
)

// cliDocuments are the documents of a CLI's output: split at "---"
// lines, helm's "# Source:" lines and the blank lines around each
// document dropped.
func cliDocuments(t *testing.T, file string) []string {
	t.Helper()
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for _, d := range cliSeparator.Split(string(text), -1) {
		d = strings.Trim(sourceLine.ReplaceAllString(d, ""), "\n")
		if d != "" {
			docs = append(docs, d+"\n")
		}
	}
	return docs
}

// TestArgoDirectorySource: a directory source reads what Argo CD's
// findManifests reads (reposerver/repository/repository.go): the YAML
// files below the folder with recurse, include '*.yaml' crossing '/',
// exclude '*debug*' dropping extra/debug-pod.yaml.
func TestArgoDirectorySource(t *testing.T) {
	cfg := argoConfig(t)
	env := fixtureEnvironment(t, cfg, "apps/success.directory.yaml", "guestbook")
	res := manifests.Renderer{}.Render(context.Background(), cfg.Root, env, render.Options{MaxBytes: config.DefaultMaxRenderedBytes})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var got []string
	for _, d := range res.Docs {
		got = append(got, d.File)
	}
	want := []string{"manifests/guestbook/extra/service.yaml", "manifests/guestbook/guestbook.yaml"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("documents from %q, want %q", got, want)
	}
}
