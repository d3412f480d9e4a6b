package kustomize

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
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

// sourceKustomization is what the index reads of a kustomization.
type sourceKustomization struct {
	Resources          []string          `yaml:"resources"`
	Bases              []string          `yaml:"bases"`
	Components         []string          `yaml:"components"`
	ConfigMapGenerator []sourceGenerator `yaml:"configMapGenerator"`
	SecretGenerator    []sourceGenerator `yaml:"secretGenerator"`
}

type sourceGenerator struct {
	Name     string `yaml:"name"`
	Behavior string `yaml:"behavior"`
}

// newSourceIndex walks the kustomization at dir (absolute) and every local
// kustomization it includes. What it cannot read it leaves out: the build
// itself has already succeeded, so this only decides attributions.
func newSourceIndex(p paths, dir string) sourceIndex {
	idx := sourceIndex{resources: map[string][]string{}, generators: map[string]string{}}
	merged := map[string]bool{} // generators an outer kustomization only merges into
	seen := map[string]bool{}
	var walk func(dir string)
	walk = func(dir string) {
		if seen[dir] || !p.Inside(dir) {
			return
		}
		seen[dir] = true
		file := kustomizationFile(dir)
		if file == "" {
			return
		}
		rel := p.Rel(file)
		if idx.overlay == "" {
			idx.overlay = rel
		}
		var k sourceKustomization
		if data, err := os.ReadFile(file); err != nil || yaml.Unmarshal(data, &k) != nil {
			return
		}
		// The kustomization read first is the outermost. A generator it
		// creates or replaces is its own; one it merges into keeps the
		// origin of the base that created it, as kustomize's would.
		for kind, gens := range map[string][]sourceGenerator{"ConfigMap": k.ConfigMapGenerator, "Secret": k.SecretGenerator} {
			for _, g := range gens {
				id := kind + "/" + g.Name
				if _, ok := idx.generators[id]; !ok || merged[id] {
					idx.generators[id] = rel
					merged[id] = g.Behavior == "merge"
				}
			}
		}
		for _, list := range [][]string{k.Resources, k.Bases, k.Components} {
			for _, e := range list {
				if e == "" || strings.Contains(e, "://") {
					continue
				}
				target := filepath.Join(dir, filepath.FromSlash(e))
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
	}
	walk(dir)
	return idx
}

// addResourceFile indexes the documents of one resource file.
func (idx sourceIndex) addResourceFile(p paths, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		return
	}
	rel := p.Rel(file)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
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
		if err := dec.Decode(&doc); err != nil {
			return // end of the file, or YAML the build read differently
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
func (idx sourceIndex) file(kind, name string) string {
	if files := idx.resources[kind+"/"+name]; len(files) > 0 {
		return files[0]
	}
	if f, ok := idx.generators[kind+"/"+name]; ok {
		return f
	}
	best, bestLen := "", 0
	consider := func(id, file string) {
		k, n, _ := strings.Cut(id, "/")
		if k == kind && strings.Contains(name, n) && (len(n) > bestLen || len(n) == bestLen && file < best) {
			best, bestLen = file, len(n)
		}
	}
	for id, files := range idx.resources {
		consider(id, files[0])
	}
	for id, file := range idx.generators {
		consider(id, file)
	}
	if best != "" {
		return best
	}
	return idx.overlay
}
