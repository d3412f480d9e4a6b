package kustomization

import (
	"errors"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"sigs.k8s.io/kustomize/api/konfig"
)

// mapFS serves inline fixtures; a name ending in "/" is a folder.
type mapFS map[string]string

func (m mapFS) fs() fstest.MapFS {
	out := fstest.MapFS{}
	for name, text := range m {
		if dir, ok := strings.CutSuffix(name, "/"); ok {
			out[dir] = &fstest.MapFile{Mode: fs.ModeDir}
			continue
		}
		out[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return out
}

func (m mapFS) Stat(name string) (fs.FileInfo, error) { return m.fs().Stat(name) }
func (m mapFS) ReadFile(name string) ([]byte, error)  { return m.fs().ReadFile(name) }

func TestFileNamesAreKustomizes(t *testing.T) {
	if want := konfig.RecognizedKustomizationFileNames(); !slices.Equal(FileNames, want) {
		t.Errorf("FileNames = %q, kustomize recognizes %q", FileNames, want)
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		name  string
		files mapFS
		dir   string
		want  string
	}{
		{"none", mapFS{"a/deploy.yaml": ""}, "a", ""},
		{"yaml", mapFS{"a/kustomization.yaml": ""}, "a", "a/kustomization.yaml"},
		{"yml", mapFS{"a/kustomization.yml": ""}, "a", "a/kustomization.yml"},
		{"capitalised", mapFS{"a/Kustomization": ""}, "a", "a/Kustomization"},
		{"yaml before yml", mapFS{"a/kustomization.yml": "", "a/kustomization.yaml": ""}, "a", "a/kustomization.yaml"},
		{"yml before Kustomization", mapFS{"a/Kustomization": "", "a/kustomization.yml": ""}, "a", "a/kustomization.yml"},
		{"a folder is no file", mapFS{"a/kustomization.yaml/": "", "a/Kustomization": ""}, "a", "a/Kustomization"},
		{"root", mapFS{"kustomization.yaml": ""}, ".", "kustomization.yaml"},
		{"other case", mapFS{"a/KUSTOMIZATION.YAML": ""}, "a", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Find(tt.files, tt.dir); got != tt.want {
				t.Errorf("Find = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFindAll(t *testing.T) {
	files := mapFS{"a/Kustomization": "", "a/kustomization.yaml": "", "a/kustomization.yml/": "", "b/kustomization.yml": ""}
	if got := FindAll(files, "a"); !slices.Equal(got, []string{"a/kustomization.yaml", "a/Kustomization"}) {
		t.Errorf("FindAll(a) = %q", got)
	}
	if got := FindAll(files, "b"); !slices.Equal(got, []string{"b/kustomization.yml"}) {
		t.Errorf("FindAll(b) = %q", got)
	}
	if got := FindAll(files, "c"); got != nil {
		t.Errorf("FindAll(c) = %q, want none", got)
	}
}

// everyPath names a path in every field that holds one.
const everyPath = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [deploy.yaml, ../base, "https://example.test/x.yaml", ""]
bases: [../legacy]
components: [../components/mesh]
crds: [crds/widget.yaml]
configurations: [config/names.yaml]
generators: [gen]
transformers: [trans.yaml]
validators: [valid]
patchesStrategicMerge:
  - smp.yaml
  - |
    kind: Deployment
patches:
  - path: patch.yaml
  - patch: '[{"op": "add"}]'
patchesJson6902:
  - path: json6902.yaml
replacements:
  - path: repl.yaml
openapi:
  path: schema.json
configMapGenerator:
  - name: cm
    files: [app.properties, key=../shared/data.txt]
    envs: [cm.env]
    env: legacy.env
secretGenerator:
  - name: s
    files: [tls.crt]
    literals: [password=x]
helmGlobals:
  chartHome: vendor/charts
helmCharts:
  - name: podinfo
images:
  - name: nginx
    newTag: "1.27"
`

func TestEntries(t *testing.T) {
	k, err := Read(mapFS{"o/kustomization.yaml": everyPath}, "o/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{"resources", "deploy.yaml", "deploy.yaml"},
		{"resources", "../base", "../base"},
		{"resources", "https://example.test/x.yaml", "https://example.test/x.yaml"},
		{"bases", "../legacy", "../legacy"},
		{"components", "../components/mesh", "../components/mesh"},
		{"crds", "crds/widget.yaml", "crds/widget.yaml"},
		{"configurations", "config/names.yaml", "config/names.yaml"},
		{"generators", "gen", "gen"},
		{"transformers", "trans.yaml", "trans.yaml"},
		{"validators", "valid", "valid"},
		{"patchesStrategicMerge", "smp.yaml", "smp.yaml"},
		{"patchesStrategicMerge", "kind: Deployment\n", "kind: Deployment\n"},
		{"patches", "patch.yaml", "patch.yaml"},
		{"patchesJson6902", "json6902.yaml", "json6902.yaml"},
		{"replacements", "repl.yaml", "repl.yaml"},
		{"openapi", "schema.json", "schema.json"},
		{"configMapGenerator", "app.properties", "app.properties"},
		{"configMapGenerator", "../shared/data.txt", "key=../shared/data.txt"},
		{"configMapGenerator", "cm.env", "cm.env"},
		{"configMapGenerator", "legacy.env", "legacy.env"},
		{"secretGenerator", "tls.crt", "tls.crt"},
	}
	if got := k.Entries(); !reflect.DeepEqual(got, want) {
		t.Errorf("Entries:\n got %q\nwant %q", got, want)
	}

	var local []string
	for _, e := range k.Local() {
		local = append(local, e.Value)
	}
	wantLocal := []string{"deploy.yaml", "../base", "../legacy", "../components/mesh", "crds/widget.yaml",
		"config/names.yaml", "gen", "trans.yaml", "valid", "smp.yaml", "patch.yaml", "json6902.yaml",
		"repl.yaml", "schema.json", "app.properties", "../shared/data.txt", "cm.env", "legacy.env", "tls.crt"}
	if !slices.Equal(local, wantLocal) {
		t.Errorf("Local:\n got %q\nwant %q", local, wantLocal)
	}

	var folders, bases []string
	for _, e := range k.Entries() {
		if e.Folder() {
			folders = append(folders, e.Field+" "+e.Value)
		}
		if e.Base() {
			bases = append(bases, e.Field+" "+e.Value)
		}
	}
	wantFolders := []string{"resources deploy.yaml", "resources ../base", "resources https://example.test/x.yaml",
		"bases ../legacy", "components ../components/mesh", "generators gen", "transformers trans.yaml", "validators valid"}
	if !slices.Equal(folders, wantFolders) {
		t.Errorf("Folder entries:\n got %q\nwant %q", folders, wantFolders)
	}
	if want := wantFolders[:5]; !slices.Equal(bases, want) {
		t.Errorf("Base entries:\n got %q\nwant %q", bases, want)
	}

	if home, ok := k.ChartHome(); home != "vendor/charts" || !ok {
		t.Errorf("ChartHome = %q, %v; want vendor/charts, true", home, ok)
	}
	if k.IsComponent() {
		t.Error("a Kustomization reads as a Component")
	}
	if len(k.Images) != 1 || k.Images[0].NewTag != "1.27" {
		t.Errorf("images = %+v", k.Images)
	}
}

// TestReadLenientAndStrict: Read returns an error for what a strict caller
// refuses, and still what decoded, for a lenient one.
func TestReadLenientAndStrict(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		wantErr   bool
		resources []string
		kind      string
	}{
		{name: "empty", text: ""},
		{name: "plain", text: "resources: [a, b]\n", resources: []string{"a", "b"}},
		{name: "component", text: "kind: Component\nresources: [a]\n", resources: []string{"a"}, kind: "Component"},
		// kustomize decodes keys case-insensitively, so meshgate must too.
		{name: "key case", text: "Resources: [a]\n", resources: []string{"a"}},
		// kustomize keeps the last of repeated keys.
		{name: "repeated key", text: "resources: [a]\nresources: [b]\n", resources: []string{"b"}},
		{name: "numbers are strings", text: "resources: [1]\n", resources: []string{"1"}},
		{name: "unknown field", text: "resources: [a]\nfrobnicate: true\n", resources: []string{"a"}},
		{name: "wrong type elsewhere", text: "kind: Component\nnamePrefix: [x]\nresources: [a]\n", wantErr: true, resources: []string{"a"}, kind: "Component"},
		{name: "wrong type", text: "resources: a\ncomponents: [c]\n", wantErr: true},
		{name: "not YAML", text: "resources: [a\n", wantErr: true},
		{name: "not a map", text: "- a\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := Read(mapFS{"kustomization.yaml": tt.text}, "kustomization.yaml")
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if k == nil || k.File != "kustomization.yaml" || string(k.Data) != tt.text {
				t.Fatalf("Read = %+v, want File and Data kept", k)
			}
			if !slices.Equal(k.Resources, tt.resources) || k.Kind != tt.kind {
				t.Errorf("resources %q kind %q, want %q %q", k.Resources, k.Kind, tt.resources, tt.kind)
			}
		})
	}
}

func TestReadAndLoadErrors(t *testing.T) {
	files := mapFS{"a/kustomization.yaml": "resources: [x]\n", "b/deploy.yaml": ""}
	k, err := Read(files, "missing/kustomization.yaml")
	if err == nil || k == nil || k.File != "missing/kustomization.yaml" || k.Data != nil {
		t.Errorf("Read(missing) = %+v, %v; want an empty Kustomization and an error", k, err)
	}
	k, err = Load(files, "b")
	if !errors.Is(err, ErrNotFound) || k == nil || k.File != "" || k.Resources != nil {
		t.Errorf("Load(no kustomization) = %+v, %v; want an empty one and ErrNotFound", k, err)
	}
	k, err = Load(files, "a")
	if err != nil || k.File != "a/kustomization.yaml" || !slices.Equal(k.Resources, []string{"x"}) {
		t.Errorf("Load(a) = %+v, %v", k, err)
	}
}

func TestChartHome(t *testing.T) {
	tests := []struct {
		text string
		home string
		ok   bool
	}{
		{"resources: [a]\n", "", false},
		{"helmGlobals: {chartHome: x}\n", "", false},
		{"helmCharts: [{name: a}]\n", "charts", true},
		{"helmCharts: [{name: a}]\nhelmGlobals: {configHome: y}\n", "charts", true},
		{"helmCharts: [{name: a}]\nhelmGlobals: {chartHome: third_party}\n", "third_party", true},
		// A malformed entry still means helmCharts are there.
		{"helmCharts: [nonsense]\n", "charts", true},
	}
	for _, tt := range tests {
		k, _ := Read(mapFS{"k": tt.text}, "k")
		if home, ok := k.ChartHome(); home != tt.home || ok != tt.ok {
			t.Errorf("%q: ChartHome = %q, %v; want %q, %v", tt.text, home, ok, tt.home, tt.ok)
		}
	}
}

func TestIsRemote(t *testing.T) {
	tests := []struct {
		entry string
		want  bool
	}{
		{"https://example.test/acme/deploy//base?ref=v1", true},
		{"HTTP://example.test/x.yaml", true},
		{"ssh://git@example.test/acme/deploy.git", true},
		{"file:///srv/git/deploy.git//base", true},
		{"s3+https://bucket/x", true},
		{"git::https://example.test/acme/deploy.git", true},
		{"Git::example.test/acme/deploy", true},
		{"github.com/acme/deploy/base", true},
		{"GitHub.com:acme/deploy.git", true},
		{"deploy@example.test:acme/deploy.git", true},
		{"  https://example.test/x.yaml", true},
		{"base", false},
		{"../base", false},
		{"./github.com/acme/deploy", false},
		{"example.test/acme/deploy", false},
		{"1user@host:path", false},
		{"/srv/base", false},
		{"dir/with://inside", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsRemote(tt.entry); got != tt.want {
			t.Errorf("IsRemote(%q) = %v, want %v", tt.entry, got, tt.want)
		}
	}
}

func TestLine(t *testing.T) {
	text := "namePrefix: app-\nresources:\n  - app-\n  - ../base\nconfigMapGenerator:\n  - name: c\n    files: [k=../data.txt]\n"
	k, _ := Read(mapFS{"k": text}, "k")
	tests := []struct {
		value string
		want  int
	}{
		{"app-", 1}, // the first scalar that equals it
		{"../base", 4},
		{"resources", 2},
		{"k=../data.txt", 7},
		{"../data.txt", 0},
	}
	for _, tt := range tests {
		if got := k.Line(tt.value); got != tt.want {
			t.Errorf("Line(%q) = %d, want %d", tt.value, got, tt.want)
		}
	}
	if got := k.LineWhere(func(s string) bool { return strings.HasSuffix(s, "=../data.txt") }); got != 7 {
		t.Errorf("LineWhere(suffix) = %d, want 7", got)
	}
	for _, data := range []string{"", "resources: [a\n"} {
		k := &Kustomization{Data: []byte(data)}
		if got := k.Line("a"); got != 0 {
			t.Errorf("Line in %q = %d, want 0", data, got)
		}
	}
}
