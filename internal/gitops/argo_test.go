package gitops

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// argoRoot is the fixture repository of the Argo CD tests.
const argoRoot = "testdata/argo"

// argoConfig is the config of the fixture repository: it is
// github.com/acme/platform, and vendors the podinfo chart.
func argoConfig(t *testing.T) *config.Config {
	t.Helper()
	root, err := filepath.Abs(argoRoot)
	if err != nil {
		t.Fatal(err)
	}
	return &config.Config{Root: root, GitOps: config.GitOps{
		RepoURLs: []string{"https://github.com/acme/platform"},
		Charts:   []config.ChartSource{{RepoURL: "https://stefanprodan.github.io/podinfo/", Chart: "podinfo", Version: "6.5.0", Path: "vendor/podinfo"}},
	}}
}

// describeExpansion is what an object expands to, as text: each
// environment's settings and each note.
func describeExpansion(x Expansion) string {
	var b strings.Builder
	for _, e := range x.Environments {
		fmt.Fprintf(&b, "environment %s (%s)\n", e.Name, e.Origin)
		if e.From != nil {
			fmt.Fprintf(&b, "  from: %s %s/%s %s:%d\n", e.From.Kind, e.From.Namespace, e.From.Name, e.From.File, e.From.Line)
		}
		switch {
		case e.Helm != nil:
			h := e.Helm
			fmt.Fprintf(&b, "  helm: chart %s, release %s, namespace %s, kubeVersion %s, skipCRDs %v\n", h.Chart, h.Release, h.Namespace, h.KubeVersion, h.SkipCRDs)
			for _, v := range h.Values {
				fmt.Fprintf(&b, "  values: %s\n", v)
			}
			for _, in := range h.Inline {
				fmt.Fprintf(&b, "  inline values at %s:%d:\n", in.File, in.Line)
				for _, l := range strings.Split(strings.TrimRight(in.YAML, "\n"), "\n") {
					fmt.Fprintf(&b, "    | %s\n", l)
				}
			}
			for _, set := range []struct {
				name string
				m    map[string]string
			}{{"set", h.Set}, {"set-string", h.SetString}} {
				keys := make([]string, 0, len(set.m))
				for k := range set.m {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					fmt.Fprintf(&b, "  %s: %s=%s\n", set.name, k, set.m[k])
				}
			}
		case e.Manifests != nil:
			m := e.Manifests
			fmt.Fprintf(&b, "  manifests: path %s, recursive %v, include %q, exclude %q, namespace %s\n", m.Path, m.Recursive, m.Include, m.Exclude, e.Namespace)
		case e.Kustomize != nil:
			fmt.Fprintf(&b, "  kustomize: path %s, namespace %s\n", e.Kustomize.Path, e.Namespace)
			if o := e.Kustomize.Overlay; o != nil {
				j, _ := json.MarshalIndent(o, "  ", "  ")
				fmt.Fprintf(&b, "  overlay: %s\n", j)
			}
		}
	}
	for _, n := range x.Notes {
		fmt.Fprintf(&b, "note %s:%d: %s: %s\n", n.Ref.File, n.Line, n.Ref, n.Message)
	}
	return b.String()
}

// TestArgoFixtures expands each Application and ApplicationSet of the
// fixture repository (apps/, appsets/; each file named for what it
// shows) and compares the environments and notes with its golden file in
// testdata/argo/golden (go test ./internal/gitops -update rewrites them).
func TestArgoFixtures(t *testing.T) {
	cfg := argoConfig(t)
	files, _ := filepath.Glob(filepath.Join(argoRoot, "app*", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		rel, _ := filepath.Rel(argoRoot, f)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			objs := Decode(rel, data)
			if len(objs) != 1 {
				t.Fatalf("%d objects, want 1", len(objs))
			}
			s := &Scope{Root: cfg.Root, Config: cfg, Repo: NewRepo(cfg.Root, nil, cfg.GitOps.RepoURLs), Objects: objs}
			got := describeExpansion(expanderOf(objs[0]).Expand(s, objs[0]))
			golden := filepath.Join(argoRoot, "golden", strings.TrimSuffix(strings.ReplaceAll(rel, "/", "."), ".yaml")+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("expansion of %s:\n%s\nwant (%s):\n%s", rel, got, golden, want)
			}
			// Fixtures are named for their expectation.
			switch {
			case strings.Contains(rel, "/notice.") && !strings.Contains(got, "\nnote ") && !strings.HasPrefix(got, "note "):
				t.Errorf("%s is named notice.* but gives no note", rel)
			case strings.Contains(rel, "/success.") && strings.Contains(got, "environment ") == false:
				t.Errorf("%s is named success.* but gives no environment", rel)
			}
		})
	}
}
