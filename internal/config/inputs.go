package config

import (
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Inputs lists what an environment's rendering reads, relative to the
// repository root: folders end in "/" and stand for everything below them.
// It serves `--changed-since`: an environment none of whose inputs changed
// renders as before. The list errs on the side of more: a kustomization
// that cannot be read contributes its whole folder.
func (c *Config) Inputs(env Environment) []string {
	set := map[string]bool{}
	if c.File != "" {
		// The config judges every environment.
		set[c.File] = true
	}
	switch {
	case env.Helm != nil:
		inputsHelm(c.Root, env.Helm, set)
	case env.Kustomize != nil:
		inputsKustomize(c.Root, env.Kustomize.Path, set, map[string]bool{})
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Touches reports whether a changed file (repo-relative) is one of inputs.
func Touches(inputs []string, file string) bool {
	for _, in := range inputs {
		if strings.HasSuffix(in, "/") {
			if strings.HasPrefix(file, in) {
				return true
			}
		} else if file == in {
			return true
		}
	}
	return false
}

func inputsHelm(root string, h *Helm, set map[string]bool) {
	chart := path.Clean(h.Chart)
	if strings.HasSuffix(chart, ".tgz") {
		set[chart] = true
	} else {
		inputsChart(root, chart, set, map[string]bool{})
	}
	for _, v := range h.Values {
		set[path.Clean(v)] = true
	}
}

// inputsChart adds a chart folder and its file:// dependencies, which
// meshgate attaches from their own folders.
func inputsChart(root, dir string, set, seen map[string]bool) {
	if seen[dir] {
		return
	}
	seen[dir] = true
	set[dir+"/"] = true
	var meta struct {
		Dependencies []struct {
			Repository string `yaml:"repository"`
		} `yaml:"dependencies"`
	}
	data, err := readInRoot(root, path.Join(dir, "Chart.yaml"), maxMetadataBytes)
	if err != nil || yaml.Unmarshal(data, &meta) != nil {
		return
	}
	for _, d := range meta.Dependencies {
		if rest, ok := strings.CutPrefix(d.Repository, "file://"); ok {
			if dep := path.Join(dir, rest); inRepo(dep) {
				inputsChart(root, dep, set, seen)
			}
		}
	}
}

// inputsKustomization is what a kustomization reads from its folder and
// beyond: every path-valued field kustomize resolves against it.
type inputsKustomization struct {
	Resources             []string `yaml:"resources"`
	Bases                 []string `yaml:"bases"`
	Components            []string `yaml:"components"`
	Crds                  []string `yaml:"crds"`
	PatchesStrategicMerge []string `yaml:"patchesStrategicMerge"`
	Configurations        []string `yaml:"configurations"`
	Transformers          []string `yaml:"transformers"`
	Generators            []string `yaml:"generators"`
	Validators            []string `yaml:"validators"`
	Patches               []struct {
		Path string `yaml:"path"`
	} `yaml:"patches"`
	PatchesJSON6902 []struct {
		Path string `yaml:"path"`
	} `yaml:"patchesJson6902"`
	Replacements []struct {
		Path string `yaml:"path"`
	} `yaml:"replacements"`
	ConfigMapGenerator []inputsGenerator `yaml:"configMapGenerator"`
	SecretGenerator    []inputsGenerator `yaml:"secretGenerator"`
}

type inputsGenerator struct {
	Files []string `yaml:"files"`
	Envs  []string `yaml:"envs"`
	Env   string   `yaml:"env"`
}

// inputsKustomize adds the kustomization folder dir and, following its
// resources, bases and components, every folder and file it reads.
func inputsKustomize(root, dir string, set, seen map[string]bool) {
	dir = path.Clean(dir)
	if seen[dir] {
		return
	}
	seen[dir] = true
	set[dir+"/"] = true
	var k inputsKustomization
	for _, name := range kustomizationFiles {
		data, err := readInRoot(root, path.Join(dir, name), maxMetadataBytes)
		if err != nil {
			continue
		}
		_ = yaml.Unmarshal(data, &k) // partial results on type errors are fine
		break
	}
	var files []string
	files = append(files, k.Crds...)
	files = append(files, k.PatchesStrategicMerge...)
	files = append(files, k.Configurations...)
	for _, p := range k.Patches {
		files = append(files, p.Path)
	}
	for _, p := range k.PatchesJSON6902 {
		files = append(files, p.Path)
	}
	for _, p := range k.Replacements {
		files = append(files, p.Path)
	}
	for _, g := range append(k.ConfigMapGenerator, k.SecretGenerator...) {
		for _, f := range g.Files {
			// files: [key=path] or [path]
			if _, p, ok := strings.Cut(f, "="); ok {
				f = p
			}
			files = append(files, f)
		}
		files = append(files, g.Envs...)
		if g.Env != "" {
			files = append(files, g.Env)
		}
	}
	for _, f := range files {
		if f == "" || strings.Contains(f, "\n") {
			continue // an inline patch, not a path
		}
		if p := path.Join(dir, f); inRepo(p) && !strings.HasPrefix(p, dir+"/") {
			set[p] = true
		}
	}
	var refs []string
	refs = append(refs, k.Resources...)
	refs = append(refs, k.Bases...)
	refs = append(refs, k.Components...)
	refs = append(refs, k.Transformers...)
	refs = append(refs, k.Generators...)
	refs = append(refs, k.Validators...)
	for _, r := range refs {
		p := path.Join(dir, r)
		if r == "" || strings.Contains(r, "://") || !inRepo(p) {
			continue // remote (refused at render) or outside
		}
		switch {
		case isKustomizationDir(root, p):
			// Also inside dir: it may reach beyond it.
			inputsKustomize(root, p, set, seen)
		case !strings.HasPrefix(p, dir+"/"):
			set[p] = true
		}
	}
}

func isKustomizationDir(root, dir string) bool {
	for _, name := range kustomizationFiles {
		if f, err := openInRoot(root, path.Join(dir, name)); err == nil {
			f.Close()
			return true
		}
	}
	return false
}

// inRepo reports whether a cleaned repo-relative path stays in the
// repository.
func inRepo(p string) bool {
	return p != ".." && !strings.HasPrefix(p, "../") && !path.IsAbs(p)
}
