package gitops

import (
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
)

// MayHold reports whether env's rendering may hold GitOps objects: one of
// the files it reads mentions a GitOps API group. Only those environments
// are rendered before the check to look for nested GitOps objects.
func MayHold(cfg *config.Config, env config.Environment) bool {
	for _, in := range cfg.Inputs(env) {
		if in == cfg.File {
			continue
		}
		if dir, ok := strings.CutSuffix(in, "/"); ok {
			if folderMentions(cfg.Root, dir) {
				return true
			}
			continue
		}
		if data, err := config.ReadInRoot(cfg.Root, in, maxFileBytes); err == nil && mentionsGitOps(data) {
			return true
		}
	}
	for _, v := range inlineTexts(env) {
		if mentionsGitOps([]byte(v)) {
			return true
		}
	}
	return false
}

// inlineTexts are the values and patches env carries in itself.
func inlineTexts(env config.Environment) []string {
	var out []string
	if env.Helm != nil {
		for _, v := range env.Helm.Inline {
			out = append(out, v.YAML)
		}
	}
	if env.Kustomize != nil && env.Kustomize.Overlay != nil {
		for _, p := range env.Kustomize.Overlay.Patches {
			out = append(out, p.Patch)
		}
	}
	return out
}

// folderMentions reports a file under the repository folder dir that
// mentions a GitOps API group.
func folderMentions(root, dir string) bool {
	found := false
	start := filepath.Join(root, filepath.FromSlash(dir))
	_ = filepath.WalkDir(start, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if de.IsDir() {
			if p != start && strings.HasPrefix(de.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !de.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil
		}
		if data, err := config.ReadInRoot(root, filepath.ToSlash(rel), maxFileBytes); err == nil && mentionsGitOps(data) {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}
