package config

import (
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/kustomization"
)

// Inputs lists what an environment's rendering reads, relative to the
// repository root: folders end in "/" and stand for everything below them.
// It serves `--changed-since`: an environment none of whose inputs changed
// renders as before. The list errs on the side of more: a kustomization
// that cannot be read contributes its whole folder.
func (c *Config) Inputs(env Environment) []string {
	set := map[string]bool{}
	c.inputs(env, set, map[string]bool{})
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// inputs adds env's inputs to set, and those of the environment whose
// rendering holds its GitOps object, each environment once.
func (c *Config) inputs(env Environment, set, seen map[string]bool) {
	seen[env.Name] = true
	if c.File != "" {
		// The config judges every environment.
		set[c.File] = true
	}
	switch {
	case env.Helm != nil:
		inputsHelm(c.Root, env.Helm, set)
	case env.Kustomize != nil:
		inputsKustomize(metadataFS(c.Root), env.Kustomize.Path, set, map[string]bool{})
	case env.Manifests != nil:
		// The whole folder: a file added to it is read too, and one below
		// it when recursive (when not, listing it errs on the side of more).
		set[path.Clean(env.Manifests.Path)+"/"] = true
	}
	inputsGitOps(env, set)
	if env.From == nil {
		return
	}
	for _, parent := range c.Environments {
		if parent.Name == env.From.Via && !seen[parent.Name] {
			c.inputs(parent, set, seen)
		}
	}
}

// Touches reports whether a changed file (repo-relative) is one of inputs.
// The root folder, "./", holds every file.
func Touches(inputs []string, file string) bool {
	for _, in := range inputs {
		if strings.HasSuffix(in, "/") {
			if in == "./" || strings.HasPrefix(file, in) {
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
	for _, dep := range chartMetadata(root, dir).fileDeps {
		inputsChart(root, dep, set, seen)
	}
}

// chartMeta is what discovery and --changed-since read of a chart folder.
type chartMeta struct {
	// Type is Chart.yaml's type ("", "application", "library").
	Type string
	// fileDeps are the folders of its file:// dependencies inside the
	// repository, from Chart.yaml and, for apiVersion v1 charts,
	// requirements.yaml.
	fileDeps []string
}

// chartMetadata reads the chart at dir; what cannot be read gives nothing.
func chartMetadata(root, dir string) chartMeta {
	type deps struct {
		Dependencies []struct {
			Repository string `yaml:"repository"`
		} `yaml:"dependencies"`
	}
	var meta struct {
		deps `yaml:",inline"`
		Type string `yaml:"type"`
	}
	var out chartMeta
	if data, err := readInRoot(root, path.Join(dir, "Chart.yaml"), maxMetadataBytes); err == nil && yaml.Unmarshal(data, &meta) == nil {
		out.Type = meta.Type
	}
	all := meta.Dependencies
	var req deps
	if data, err := readInRoot(root, path.Join(dir, "requirements.yaml"), maxMetadataBytes); err == nil && yaml.Unmarshal(data, &req) == nil {
		all = append(all, req.Dependencies...)
	}
	for _, d := range all {
		if rest, ok := strings.CutPrefix(d.Repository, "file://"); ok {
			if dep := path.Join(dir, rest); inRepo(dep) {
				out.fileDeps = append(out.fileDeps, dep)
			}
		}
	}
	return out
}

// inputsKustomize adds the kustomization folder dir and, following its
// local entries, every folder and file it reads: kustomization folders it
// includes (also those inside dir: they may reach beyond it), and files
// and folders outside dir.
func inputsKustomize(fsys metadataFS, dir string, set, seen map[string]bool) {
	dir = path.Clean(dir)
	if seen[dir] {
		return
	}
	seen[dir] = true
	set[dir+"/"] = true
	// What cannot be read or decoded adds nothing beyond the folder.
	k, _ := kustomization.Load(fsys, dir)
	for _, e := range k.Local() {
		p := path.Join(dir, e.Value)
		switch {
		case !inRepo(p):
		case e.Folder() && kustomization.Find(fsys, p) != "":
			inputsKustomize(fsys, p, set, seen)
		case e.Field == "openapi":
			// Not counted as an input (yet): listing it would change
			// which environments --changed-since renders.
		case !strings.HasPrefix(p, dir+"/"):
			set[p] = true
		}
	}
}

// Includes is the set of kustomization folders the kustomization in dir
// builds: dir itself and every kustomization it includes, at any depth.
func (c *Config) Includes(dir string) map[string]bool {
	seen := map[string]bool{}
	inputsKustomize(metadataFS(c.Root), dir, map[string]bool{}, seen)
	return seen
}

// inRepo reports whether a cleaned repo-relative path stays in the
// repository.
func inRepo(p string) bool {
	return p != ".." && !strings.HasPrefix(p, "../") && !path.IsAbs(p)
}

// inputsGitOps adds what the GitOps object of env adds to its rendering:
// the object's own file, the files of the values it writes or takes from
// ConfigMaps and Secrets, the files of a Flux substitution's variables.
func inputsGitOps(env Environment, set map[string]bool) {
	if env.From != nil && env.From.File != "" {
		set[env.From.File] = true
	}
	if env.Helm != nil {
		for _, in := range env.Helm.Inline {
			set[in.File] = true
		}
		for _, v := range env.Helm.ChartValues {
			set[path.Clean(v)] = true
		}
	}
	if env.Kustomize != nil && env.Kustomize.Flux != nil && env.Kustomize.Flux.PostBuild != nil {
		for _, f := range env.Kustomize.Flux.PostBuild.Files {
			set[f] = true
		}
	}
}
