package kustomize

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/meshgate/meshgate/internal/kustomization"
	"github.com/meshgate/meshgate/internal/manifest"
	"github.com/meshgate/meshgate/internal/render"
)

// TestLocationsAgreeWithOrigins holds meshgate's kustomize locations to
// kustomize's own (issue 11, item 11). For every kustomization under a
// testdata folder of the repository (every fixture of every package) that
// meshgate builds, kustomize builds it again with buildMetadata
// [originAnnotations] added, and for each object:
//
//   - its File is the file the origin annotation names (the resource file;
//     for a generated object the kustomization that configures the
//     generator), relative to the repository root;
//   - its Line, for an object of a resource file, is the line of the
//     top-level apiVersion or kind key (whichever comes first) of the
//     document it came from in that file: the one of its kind whose name is
//     its rendered name or the longest contained in it (prefixes, suffixes);
//     else, when a patch changed its kind, of the documents with that name
//     the one sharing the most keys with it down to three levels (its
//     Deployment, not the ServiceAccount of the same name), of its API
//     group on a tie; for a generated object, the line of the generator
//     entry of that kustomization whose name is the longest contained in
//     the rendered one.
//
// A kustomization meshgate does not build (the bad fixtures; remote bases,
// plugins and helmCharts, which meshgate refuses before anything runs) is a
// render error with no objects: it is counted, not compared.
func TestLocationsAgreeWithOrigins(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	var built, failed []string
	for _, dir := range testdataKustomizations(t, root) {
		res := buildAt(t, root, dir, "")
		if res.Err != nil {
			if len(res.Docs) != 0 {
				t.Errorf("%s: render error with %d documents", dir, len(res.Docs))
			}
			failed = append(failed, dir)
			continue
		}
		built = append(built, dir)
		t.Run(dir, func(t *testing.T) { checkOrigins(t, root, dir, res) })
	}
	for _, want := range []string{"internal/render/testdata/kustomize/kind-change/daemonset", "internal/render/testdata/kustomize/kind-change/job",
		"internal/render/testdata/kustomize/kind-change/renamed",
		"internal/render/testdata/kustomize/overlays/prod", "testdata/demo/deploy/overlays/prod", "internal/cli/testdata/locations/deploy/daemonset"} {
		if !slices.Contains(built, want) {
			t.Errorf("%s was not built (built: %q)", want, built)
		}
	}
	t.Logf("%d kustomizations built and compared, %d render errors: %q", len(built), len(failed), failed)
}

// testdataKustomizations lists the folders with a kustomization under a
// testdata folder of the repository at root, relative to it.
func testdataKustomizations(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() && slices.Contains(strings.Split(rel, "/"), "testdata") && kustomization.Find(disk{}, p) != "" {
			dirs = append(dirs, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// checkOrigins compares one overlay's documents and objects with
// kustomize's origin annotations.
func checkOrigins(t *testing.T, root, dir string, res render.Result) {
	origins := kustomizeOrigins(t, root, dir)
	if len(origins) != len(res.Docs) {
		t.Fatalf("%d documents, kustomize built %d", len(res.Docs), len(origins))
	}
	set, berr := manifest.BuildShared(res, nil)
	if berr != nil {
		t.Fatal(berr)
	}
	for _, obj := range set.Objects {
		meta, _ := obj.Body["metadata"].(map[string]any)
		ns, _ := meta["namespace"].(string)
		id := obj.Kind + "/" + ns + "/" + obj.Name
		o, ok := origins[id]
		if !ok {
			t.Errorf("%s: kustomize built no such object", id)
			continue
		}
		if obj.File != o.file {
			t.Errorf("%s: file %q, origin annotation %q", id, obj.File, o.file)
			continue
		}
		want, what := o.line(t, root, obj)
		if obj.Line != want {
			t.Errorf("%s: %s:%d, want %d (%s)", id, obj.File, obj.Line, want, what)
		}
	}
}

// origin is what kustomize's origin annotation says of an object.
type origin struct {
	file      string
	generated bool
}

// kustomizeOrigins builds the kustomization in dir as `kustomize build`
// does with buildMetadata [originAnnotations] added to it, and returns each
// object's origin by Kind/namespace/name.
func kustomizeOrigins(t *testing.T, root, dir string) map[string]origin {
	t.Helper()
	abs := filepath.Join(root, dir)
	file := kustomization.Find(disk{}, abs)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case bytes.Contains(data, []byte(types.OriginAnnotations)):
	case bytes.Contains(data, []byte("buildMetadata")):
		t.Fatalf("%s sets buildMetadata: add originAnnotations to it in this test", file)
	default:
		data = append(append([]byte(nil), data...), "\nbuildMetadata: [originAnnotations]\n"...)
	}
	top, err := filepath.EvalSymlinks(file)
	if err != nil {
		t.Fatal(err)
	}
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified
	opts.LoadRestrictions = types.LoadRestrictionsRootOnly
	opts.PluginConfig = types.DisabledPluginConfig()
	m, err := krusty.MakeKustomizer(opts).Run(textFS{filesys.MakeFsOnDisk(), top, data}, abs)
	if err != nil {
		t.Fatalf("kustomize with origin annotations: %v", err)
	}
	out := map[string]origin{}
	for _, r := range m.Resources() {
		o, err := r.GetOrigin()
		if err != nil || o == nil {
			t.Fatalf("%s: no origin annotation (%v)", r.CurId(), err)
		}
		var got origin
		switch {
		case o.Path != "":
			got.file = filepath.ToSlash(filepath.Join(dir, o.Path))
		case o.ConfiguredIn != "":
			got = origin{file: filepath.ToSlash(filepath.Join(dir, o.ConfiguredIn)), generated: true}
		}
		out[r.GetKind()+"/"+r.GetNamespace()+"/"+r.GetName()] = got
	}
	return out
}

// textFS serves text as the file at top, and the disk otherwise.
type textFS struct {
	filesys.FileSystem
	top  string
	text []byte
}

func (f textFS) ReadFile(p string) ([]byte, error) {
	if real, err := filepath.EvalSymlinks(p); err == nil && real == f.top {
		return f.text, nil
	}
	return f.FileSystem.ReadFile(p)
}

// line is the line the object must have in its origin file, and what it is.
func (o origin) line(t *testing.T, root string, obj *manifest.Object) (int, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(o.file)))
	if err != nil {
		t.Fatal(err)
	}
	var docs []*yaml.Node
	for d := range render.Documents(data) {
		if len(d.Content) == 1 && d.Content[0].Kind == yaml.MappingNode {
			docs = append(docs, d.Content[0])
		}
	}
	if o.generated {
		for _, field := range []string{"configMapGenerator", "secretGenerator"} {
			if e := longestName(entries(docs, field), obj.Name, nil); e != nil {
				return e.Line, "the " + field + " entry"
			}
		}
		t.Fatalf("no generator entry in %s makes %s", o.file, obj.Name)
	}
	sameKind := func(d *yaml.Node) bool { return value(d, "kind") == obj.Kind }
	if d := longestName(docs, obj.Name, sameKind); d != nil {
		return docStart(d), "the document's apiVersion or kind line"
	}
	if d := patchedFrom(t, docs, obj); d != nil {
		return docStart(d), fmt.Sprintf("the %s its kind was patched from", value(d, "kind"))
	}
	t.Fatalf("no document in %s makes %s %s", o.file, obj.Kind, obj.Name)
	return 0, ""
}

// patchedFrom is, of the documents named like obj, the one sharing the
// most keys with it down to three levels, of its API group on a tie.
func patchedFrom(t *testing.T, docs []*yaml.Node, obj *manifest.Object) *yaml.Node {
	rendered, err := yaml.Marshal(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	var r yaml.Node
	if err := yaml.Unmarshal(rendered, &r); err != nil {
		t.Fatal(err)
	}
	name := longestName(docs, obj.Name, func(*yaml.Node) bool { return true })
	var best *yaml.Node
	bestScore := -1
	for _, d := range docs {
		if name == nil || value(d, "metadata", "name") != value(name, "metadata", "name") {
			continue
		}
		score := 2 * shared(d, r.Content[0], 3)
		if apiGroup(value(d, "apiVersion")) == apiGroup(obj.APIVersion) {
			score++
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// shared counts the keys mappings a and b both have, down to depth levels.
func shared(a, b *yaml.Node, depth int) int {
	if depth == 0 || a.Kind != yaml.MappingNode || b.Kind != yaml.MappingNode {
		return 0
	}
	n := 0
	for i := 0; i+1 < len(a.Content); i += 2 {
		for j := 0; j+1 < len(b.Content); j += 2 {
			if a.Content[i].Value == b.Content[j].Value {
				n += 1 + shared(a.Content[i+1], b.Content[j+1], depth-1)
			}
		}
	}
	return n
}

// entries are the items of a generator list of the documents.
func entries(docs []*yaml.Node, field string) []*yaml.Node {
	var out []*yaml.Node
	for _, d := range docs {
		for i := 0; i+1 < len(d.Content); i += 2 {
			if d.Content[i].Value == field && d.Content[i+1].Kind == yaml.SequenceNode {
				out = append(out, d.Content[i+1].Content...)
			}
		}
	}
	return out
}

// longestName is the mapping among nodes (that ok accepts, when set) whose
// metadata.name, or name for a generator entry, is the longest contained in
// name.
func longestName(nodes []*yaml.Node, name string, ok func(*yaml.Node) bool) *yaml.Node {
	var best *yaml.Node
	for _, n := range nodes {
		own := value(n, "metadata", "name")
		if ok == nil {
			own = value(n, "name")
		} else if !ok(n) {
			continue
		}
		if own != "" && strings.Contains(name, own) && (best == nil || len(own) > len(value(best, "metadata", "name"))+len(value(best, "name"))) {
			best = n
		}
	}
	return best
}

func value(n *yaml.Node, path ...string) string {
	for _, p := range path {
		var next *yaml.Node
		for i := 0; n != nil && n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == p {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// docStart is the line of a document's apiVersion or kind key, the first.
func docStart(d *yaml.Node) int {
	line := 0
	for i := 0; i+1 < len(d.Content); i += 2 {
		if k := d.Content[i]; (k.Value == "apiVersion" || k.Value == "kind") && (line == 0 || k.Line < line) {
			line = k.Line
		}
	}
	return line
}

func apiGroup(apiVersion string) string {
	g, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return ""
	}
	return g
}

// The origin annotations cost a second build: only overlays whose objects
// the source index cannot place pay for it (a kind or a name a patch
// changed, an id in two files), not those that only add prefixes, suffixes
// and generator hashes.
func TestOriginBuildOnlyWhenGuessing(t *testing.T) {
	for _, tt := range []struct {
		path string
		want int64
	}{
		{"kustomize/overlays/prod", 0},
		{"kustomize/overlays/staging", 0},
		{"kustomize/kind-change/base", 0},
		{"kustomize/kind-change/daemonset", 1},
		{"kustomize/kind-change/job", 1},
		{"kustomize/kind-change/renamed", 1},
	} {
		before := originBuilds.Load()
		if res := buildAt(t, testRoot(t), tt.path, ""); res.Err != nil {
			t.Fatalf("%s: %v", tt.path, res.Err)
		}
		if got := originBuilds.Load() - before; got != tt.want {
			t.Errorf("%s: %d origin builds, want %d", tt.path, got, tt.want)
		}
	}
}

func TestWithOriginAnnotations(t *testing.T) {
	tests := []struct{ in, want string }{
		{"resources: [a.yaml]\n", "resources: [a.yaml]\nbuildMetadata:\n    - originAnnotations\n"},
		{"buildMetadata: [managedByLabel]\n", "buildMetadata: [managedByLabel, originAnnotations]\n"},
		{"buildMetadata: [originAnnotations]\n", "buildMetadata: [originAnnotations]\n"},
	}
	for _, tt := range tests {
		got, ok := withOriginAnnotations([]byte(tt.in))
		if !ok || string(got) != tt.want {
			t.Errorf("withOriginAnnotations(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, in := range []string{"- a\n", "buildMetadata: originAnnotations\n", "a: [\n"} {
		if _, ok := withOriginAnnotations([]byte(in)); ok {
			t.Errorf("withOriginAnnotations(%q) succeeded", in)
		}
	}
}
