package helm

import (
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/meshgate/meshgate/internal/render"
)

// paths is the repository's Paths in this package's spelling.
type paths struct{ render.Paths }

func newPaths(root string) paths { return paths{render.NewPaths(root)} }

// existing resolves a repository-relative path that must exist inside the
// repository. what names it in messages ("chart", "values file").
func (p paths) existing(rel, what string) (string, *render.Error) {
	abs := p.Abs(rel)
	// Refused before anything is read, so that even whether a file
	// outside exists does not show.
	if !p.Inside(abs) {
		if filepath.IsLocal(filepath.FromSlash(rel)) {
			return "", &render.Error{Message: fmt.Sprintf("%s %s leads out of the repository through a symbolic link", what, rel), File: rel}
		}
		return "", &render.Error{Message: fmt.Sprintf("%s %s is outside the repository", what, rel), File: rel}
	}
	if _, err := os.Stat(abs); err != nil {
		if os.IsNotExist(err) {
			if what == "chart" {
				// helm's own message for a local chart path that does not exist
				return "", &render.Error{Message: fmt.Sprintf("path %q not found", rel), File: rel}
			}
			return "", &render.Error{Message: fmt.Sprintf("open %s: no such file or directory", rel), File: rel}
		}
		return "", &render.Error{Message: p.Message(err.Error()), File: rel}
	}
	return abs, nil
}

// symlinkOutside finds a symbolic link under dir (followed into linked
// folders, as Helm's loader follows them) that leads out of the repository,
// and returns it repository-relative; "" when there is none.
func (p paths) symlinkOutside(dir string) string {
	seen := map[string]bool{}
	var walk func(dir string) string
	walk = func(dir string) string {
		if seen[dir] {
			return ""
		}
		seen[dir] = true
		found := ""
		_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.Type()&os.ModeSymlink == 0 {
				return nil
			}
			if !p.Inside(path) {
				found = path
				return filepath.SkipAll
			}
			if real, err := filepath.EvalSymlinks(path); err == nil {
				if fi, err := os.Stat(real); err == nil && fi.IsDir() {
					if f := walk(real); f != "" {
						found = f
						return filepath.SkipAll
					}
				}
			}
			return nil
		})
		return found
	}
	if f := walk(dir); f != "" {
		return p.Rel(f)
	}
	return ""
}

// join joins repository-relative slash paths.
func join(elem ...string) string { return path.Join(elem...) }

// readFile reads a regular file of the repository, not larger than max
// bytes; ok is false when it cannot be read, leads out of the repository
// or is larger.
func (p paths) readFile(rel string, max int64) ([]byte, bool) {
	abs := p.Abs(rel)
	if !p.Inside(abs) {
		return nil, false
	}
	fi, err := os.Stat(abs)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > max {
		return nil, false
	}
	b, err := os.ReadFile(abs)
	return b, err == nil
}
