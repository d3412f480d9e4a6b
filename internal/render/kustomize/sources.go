package kustomize

import (
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/meshgate/meshgate/internal/kustomization"
	"github.com/meshgate/meshgate/internal/render"
)

// sourceIndex tells which repository file an object of the build came from,
// without kustomize's origin annotations: asking kustomize for those costs
// time that grows with the square of an overlay's transformer entries (ten
// times the whole build for a 50-service overlay with an images: list).
// It reads the kustomization tree the build read: the resource files of
// every kustomization, indexed by kind and name, and the generators.
type sourceIndex struct {
	// resources maps "Kind/name" as written in a resource file to the
	// files (repo-relative) holding such a document.
	resources map[string][]string
	// generators maps "ConfigMap/name" or "Secret/name" to the
	// kustomization that configures the generator the object comes from.
	generators map[string]string
	// overlay is the top kustomization file, for objects not found.
	overlay string
}

// newSourceIndex walks the kustomization at dir (absolute) and every local
// kustomization it includes, reading them from disk.
func newSourceIndex(p paths, dir string) sourceIndex { return tree{}.sourceIndex(p, dir) }

// sourceIndex walks the kustomization at dir (absolute) and every local
// kustomization it includes, taking those inspect read from t. What it
// cannot read it leaves out: the build itself has already succeeded, so
// this only decides attributions.
func (t tree) sourceIndex(p paths, dir string) sourceIndex {
	idx := sourceIndex{resources: map[string][]string{}, generators: map[string]string{}}
	merged := map[string]bool{} // generators an outer kustomization only merges into
	seen := map[string]bool{}
	var walk func(dir string)
	walk = func(dir string) {
		if seen[dir] || !p.Inside(dir) {
			return
		}
		seen[dir] = true
		file, k := t.kustomization(dir)
		if file == "" {
			return
		}
		rel := p.Rel(file)
		if idx.overlay == "" {
			idx.overlay = rel
		}
		if k == nil {
			return
		}
		// The kustomization read first is the outermost. A generator it
		// creates or replaces is its own; one it merges into keeps the
		// origin of the base that created it, as kustomize's would.
		generated := func(kind string, g types.GeneratorArgs) {
			id := kind + "/" + g.Name
			if _, ok := idx.generators[id]; !ok || merged[id] {
				idx.generators[id] = rel
				merged[id] = g.Behavior == "merge"
			}
		}
		for _, g := range k.ConfigMapGenerator {
			generated("ConfigMap", g.GeneratorArgs)
		}
		for _, g := range k.SecretGenerator {
			generated("Secret", g.GeneratorArgs)
		}
		for _, e := range k.Local() {
			if !e.Base() {
				continue
			}
			target := filepath.Join(dir, filepath.FromSlash(e.Value))
			fi, err := os.Stat(target)
			switch {
			case err != nil || !p.Inside(target):
			case fi.IsDir():
				walk(target)
			default:
				idx.addResourceFile(p, target)
			}
		}
	}
	walk(dir)
	return idx
}

// kustomization is the kustomization file of dir and, unless it cannot be
// read or decoded, its content: the one a GitOps object edits or
// generates, else the one inspect read, else from disk.
func (t tree) kustomization(dir string) (string, *kustomization.Kustomization) {
	for file, data := range t.overlay {
		if filepath.Dir(file) == dir {
			k := &kustomization.Kustomization{File: file, Data: data}
			if yaml.Unmarshal(data, &k.Kustomization) != nil {
				return file, nil
			}
			return file, k
		}
	}
	if k := t.kusts[dir]; k != nil {
		return k.File, k
	}
	file := kustomization.Find(disk{}, dir)
	if file == "" {
		return "", nil
	}
	k, err := kustomization.Read(disk{}, file)
	if err != nil {
		return file, nil
	}
	return file, k
}

// addResourceFile indexes the documents of one resource file.
func (idx sourceIndex) addResourceFile(p paths, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		return
	}
	rel := p.Rel(file)
	for node := range render.Documents(data) {
		var doc struct {
			Kind     string `yaml:"kind"`
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
			Items []struct {
				Kind     string `yaml:"kind"`
				Metadata struct {
					Name string `yaml:"name"`
				} `yaml:"metadata"`
			} `yaml:"items"`
		}
		if node.Decode(&doc) != nil {
			return // YAML the build read differently
		}
		idx.add(doc.Kind, doc.Metadata.Name, rel)
		for _, it := range doc.Items {
			idx.add(it.Kind, it.Metadata.Name, rel)
		}
	}
}

func (idx sourceIndex) add(kind, name, rel string) {
	if kind == "" || name == "" {
		return
	}
	id := kind + "/" + name
	for _, f := range idx.resources[id] {
		if f == rel {
			return
		}
	}
	idx.resources[id] = append(idx.resources[id], rel)
}

// file is the source of the object of kind and (rendered) name: the
// resource or generator whose name the rendered one is made of (namePrefix
// and nameSuffix add around it, a generator's hash after it), the longest
// such name when several fit; the overlay's kustomization when none does.
// sure is false when that is a guess: the id is in several files, several
// names fit as well, or none does (a patch changed the kind or the name).
func (idx sourceIndex) file(kind, name string) (file string, sure bool) {
	id := kind + "/" + name
	if files := idx.resources[id]; len(files) > 0 {
		_, generated := idx.generators[id]
		return files[0], len(files) == 1 && !generated
	}
	if f, ok := idx.generators[id]; ok {
		return f, true
	}
	best, bestLen, tie := "", 0, false
	consider := func(id, file string, several bool) {
		k, n, _ := strings.Cut(id, "/")
		if k != kind || !strings.Contains(name, n) || len(n) < bestLen {
			return
		}
		if len(n) == bestLen {
			tie = tie || file != best || several
			best = min(best, file)
			return
		}
		best, bestLen, tie = file, len(n), several
	}
	for id, files := range idx.resources {
		consider(id, files[0], len(files) > 1)
	}
	for id, file := range idx.generators {
		consider(id, file, false)
	}
	if best != "" {
		return best, !tie
	}
	return idx.overlay, false
}
