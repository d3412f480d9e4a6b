package gitops

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/testrepo"
)

// app writes an Argo CD Application of this repository.
func argoApp(name, spec string) string {
	return "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: " + name + "\n  namespace: argocd\nspec:\n" + spec
}

const thisRepo = "https://github.com/acme/platform.git"

// fakeRender renders a kustomize environment as the objects of the YAML
// files in its folder (no kustomize needed to test the expansion), and a
// chart as nothing.
func fakeRender(root string) func(config.Environment) []Object {
	return func(env config.Environment) []Object {
		if env.Kustomize == nil {
			return nil
		}
		var objs []Object
		entries, _ := os.ReadDir(filepath.Join(root, env.Kustomize.Path))
		for _, de := range entries {
			if strings.HasSuffix(de.Name(), ".yaml") && de.Name() != "kustomization.yaml" {
				data, _ := os.ReadFile(filepath.Join(root, env.Kustomize.Path, de.Name()))
				objs = append(objs, Decode(path.Join(env.Kustomize.Path, de.Name()), data)...)
			}
		}
		return objs
	}
}

// expandTree runs Expand over a repository of files, as discovery would
// have found it: cfg's environments are those given.
func expandTree(t *testing.T, files map[string]string, cfg *config.Config) (Plan, string) {
	t.Helper()
	files[".git/config"] = "[remote \"origin\"]\n\turl = " + thisRepo + "\n"
	root := testrepo.New(t, files)
	cfg.Root = root
	objs, err := Find(root)
	if err != nil {
		t.Fatal(err)
	}
	return Expand(Input{Config: cfg, Objects: objs, Render: fakeRender(root)}), root
}

// describe is a plan as lines: environments (name, source, path,
// origin), replaced ones, notes and followed objects by environment.
func describe(p Plan) string {
	var lines []string
	for _, e := range p.Environments {
		lines = append(lines, fmt.Sprintf("env %s: %s %s; %s", e.Name, e.Source(), e.Path(), e.Origin))
	}
	for _, r := range p.Replaced {
		lines = append(lines, fmt.Sprintf("replaced %s: %s", r.Path, r.Reason))
	}
	var names []string
	for n := range p.Notes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, note := range p.Notes[n] {
			lines = append(lines, fmt.Sprintf("note in %s: %s:%d: %s: %s", n, note.Ref.File, note.Line, note.Ref, note.Message))
		}
	}
	names = names[:0]
	for n := range p.Followed {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, r := range p.Followed[n] {
			lines = append(lines, fmt.Sprintf("followed in %s: %s", n, r))
		}
	}
	for _, note := range p.Unrendered {
		lines = append(lines, fmt.Sprintf("unrendered: %s:%d: %s: %s", note.Ref.File, note.Line, note.Ref, note.Message))
	}
	return strings.Join(lines, "\n")
}

func kustomizeEnv(name, dir string) config.Environment {
	return config.Environment{Name: name, Kustomize: &config.Kustomize{Path: dir}, Namespace: "default", Origin: dir + "/kustomization.yaml"}
}

// TestExpandAppOfApps: an Application in a file renders a folder of
// Applications (an app of apps); each becomes an environment named after
// it, found once although the repository's files hold it too; one that
// leads back to the folder is a cycle (but for the one whose own rendering
// holds it: it manages itself), one of another repository a note;
// the discovered kustomization the root Application deploys is replaced.
func TestExpandAppOfApps(t *testing.T) {
	files := map[string]string{
		"argocd/root.yaml":        argoApp("root", "  source: {repoURL: "+thisRepo+", path: apps}\n  destination: {namespace: argocd}\n"),
		"apps/kustomization.yaml": "resources: [web.yaml, loop.yaml, foreign.yaml]\n",
		"apps/web.yaml":           argoApp("web", "  source: {repoURL: "+thisRepo+", path: web}\n  destination: {namespace: shop}\n"),
		"apps/loop.yaml":          argoApp("loop", "  source:\n    repoURL: git@github.com:acme/platform\n    path: apps/\n  destination: {namespace: argocd}\n"),
		"apps/foreign.yaml":       argoApp("foreign", "  source: {repoURL: https://github.com/other/repo, path: x}\n"),
		"web/kustomization.yaml":  "resources: [deploy.yaml]\n",
		"web/deploy.yaml":         "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
	}
	cfg := &config.Config{Discovered: true, Environments: []config.Environment{kustomizeEnv("apps", "apps"), kustomizeEnv("web", "web")}}
	p, _ := expandTree(t, files, cfg)
	// The files are read in path order: apps/loop.yaml before
	// argocd/root.yaml.
	want := `env loop: kustomize apps; Application loop in apps/loop.yaml
env web: kustomize web; Application web in apps/web.yaml
env root: kustomize apps; Application root in argocd/root.yaml
replaced apps/kustomization.yaml: deployed by Application loop in apps/loop.yaml
replaced web/kustomization.yaml: deployed by Application web in apps/web.yaml
note in loop: apps/foreign.yaml:7: Application argocd/foreign: not followed: its source is another repository (https://github.com/other/repo), which is not fetched; if it is this one, list the URL in gitops.repoURLs
note in root: apps/foreign.yaml:7: Application argocd/foreign: not followed: its source is another repository (https://github.com/other/repo), which is not fetched; if it is this one, list the URL in gitops.repoURLs
note in root: apps/loop.yaml:1: Application argocd/loop: not followed: a cycle (Application argocd/root → Application argocd/loop)
followed in loop: Application argocd/loop
followed in loop: Application argocd/web
followed in root: Application argocd/web`
	if got := describe(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestExpandDepth: Applications rendered by Applications are followed down
// to gitops.maxDepth; the next level is a note. An environment found
// nested says which environment renders it.
func TestExpandDepth(t *testing.T) {
	files := map[string]string{
		"l1/app.yaml":           argoApp("one", "  source: {repoURL: "+thisRepo+", path: l2}\n"),
		"l2/app.yaml":           argoApp("two", "  source: {repoURL: "+thisRepo+", path: l3}\n"),
		"l3/app.yaml":           argoApp("three", "  source: {repoURL: "+thisRepo+", path: l4}\n"),
		"l4/kustomization.yaml": "resources: []\n",
		"l2/kustomization.yaml": "resources: [app.yaml]\n",
		"l3/kustomization.yaml": "resources: [app.yaml]\n",
	}
	cfg := &config.Config{GitOps: config.GitOps{MaxDepth: 2}}
	files[".git/config"] = "[remote \"origin\"]\n\turl = " + thisRepo + "\n"
	root := testrepo.New(t, files)
	cfg.Root = root
	// Only l1/app.yaml is given as a file of the repository: the others are
	// found in the renderings.
	all, _ := Find(root)
	var top []Object
	for _, o := range all {
		if o.File == "l1/app.yaml" {
			top = append(top, o)
		}
	}
	p := Expand(Input{Config: cfg, Objects: top, Render: fakeRender(root)})
	want := `env one: kustomize l2; Application one in l1/app.yaml
env two: kustomize l3; Application two in l2/app.yaml (rendered by one)
note in two: l3/app.yaml:1: Application argocd/three: not followed: it is nested deeper than gitops.maxDepth (2)
followed in one: Application argocd/two`
	if got := describe(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestExpandNames: an environment is named after its Application; where
// another environment has the name, namespace/name, then Kind/namespace/
// name, then with the file and line.
func TestExpandNames(t *testing.T) {
	spec := "  source: {repoURL: " + thisRepo + ", path: web}\n"
	files := map[string]string{
		"a.yaml":                 argoApp("web", spec),
		"b.yaml":                 strings.Replace(argoApp("web", spec+"  destination: {namespace: b}\n"), "namespace: argocd", "namespace: team-b", 1),
		"c.yaml":                 argoApp("web", spec+"  destination: {namespace: c}\n"),
		"d.yaml":                 argoApp("web", spec+"  destination: {namespace: d}\n"),
		"web/kustomization.yaml": "resources: []\n",
	}
	cfg := &config.Config{Environments: []config.Environment{kustomizeEnv("web", "web")}}
	p, _ := expandTree(t, files, cfg)
	want := `env argocd/web: kustomize web; Application web in a.yaml
env team-b/web: kustomize web; Application web in b.yaml
env Application/argocd/web: kustomize web; Application web in c.yaml
env Application/argocd/web@d.yaml:1: kustomize web; Application web in d.yaml`
	if got := describe(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestExpandNamesPerCluster: the same object written in two cluster
// folders (flux2-kustomize-helm-example's Kustomization flux-system/apps
// in clusters/production and clusters/staging) is two environments, each
// named by its folder: namespace/name would tell them apart by the order
// they were found in. An object defined once keeps its name.
func TestExpandNamesPerCluster(t *testing.T) {
	files := map[string]string{
		"clusters/production/apps.yaml": fluxKustomization("apps", bootstrapSource+"  path: ./apps/production\n"),
		"clusters/staging/apps.yaml":    fluxKustomization("apps", bootstrapSource+"  path: ./apps/staging\n"),
		"clusters/staging/infra.yaml":   fluxKustomization("infra", bootstrapSource+"  path: ./infra\n"),
		"apps/production/web.yaml":      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n",
		"apps/staging/web.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n",
		"infra/redis.yaml":              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: redis}\n",
	}
	p, _ := expandTree(t, files, &config.Config{Discovered: true})
	want := `env apps@clusters/production: kustomize apps/production; Kustomization flux-system/apps in clusters/production/apps.yaml (GitRepository flux-system/flux-system (flux bootstrap's: this repository))
env apps@clusters/staging: kustomize apps/staging; Kustomization flux-system/apps in clusters/staging/apps.yaml (GitRepository flux-system/flux-system (flux bootstrap's: this repository))
env infra: kustomize infra; Kustomization flux-system/infra in clusters/staging/infra.yaml (GitRepository flux-system/flux-system (flux bootstrap's: this repository))`
	if got := describe(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestExpandCannotLeaveTheRoot: a source path that is a symbolic link out
// of the repository, or that climbs out of it, is no folder of the
// repository: a note, and nothing outside is read.
func TestExpandCannotLeaveTheRoot(t *testing.T) {
	outside := testrepo.New(t, map[string]string{"kustomization.yaml": "resources: [secret.yaml]\n", "secret.yaml": "kind: Secret\n"})
	files := map[string]string{
		"a.yaml":         argoApp("link", "  source: {repoURL: "+thisRepo+", path: link}\n"),
		"b.yaml":         argoApp("climb", "  source: {repoURL: "+thisRepo+", path: ../x}\n"),
		"c.yaml":         argoApp("values", "  source:\n    repoURL: "+thisRepo+"\n    path: web\n    helm: {valueFiles: [../../../etc/passwd]}\n"),
		"web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
	}
	files[".git/config"] = "[remote \"origin\"]\n\turl = " + thisRepo + "\n"
	root := testrepo.New(t, files)
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	objs, _ := Find(root)
	p := Expand(Input{Config: &config.Config{Root: root}, Objects: objs})
	want := `unrendered: a.yaml:7: Application argocd/link: not followed: path link is no folder of this checkout (Argo CD renders it at revision HEAD)
unrendered: b.yaml:7: Application argocd/climb: not followed: path "../x" leads out of the repository
unrendered: c.yaml:10: Application argocd/values: values file "../../../etc/passwd" leads out of the repository: rendered without it`
	if got := describe(p); !strings.HasSuffix(got, want) {
		t.Errorf("plan:\n%s\nwant it to end with:\n%s", got, want)
	}
}
