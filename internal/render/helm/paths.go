package helm

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/meshgate/meshgate/internal/render"
)

// paths converts between repository-relative and absolute paths and makes
// messages repository-relative.
type paths struct {
	root string // absolute, cleaned
	real string // root with symlinks resolved ("" when it cannot be)
}

func newPaths(root string) paths {
	root = filepath.Clean(root)
	p := paths{root: root}
	if r, err := filepath.EvalSymlinks(root); err == nil && r != root {
		p.real = r
	}
	return p
}

// abs is the absolute path of a repository-relative path.
func (p paths) abs(rel string) string { return filepath.Join(p.root, filepath.FromSlash(rel)) }

// rel is the repository-relative, slash-separated form of an absolute path;
// a path outside the repository stays as it is.
func (p paths) rel(abs string) string {
	for _, r := range []string{p.root, p.real} {
		if r == "" {
			continue
		}
		if rel, err := filepath.Rel(r, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(abs)
}

// message rewrites every absolute path under the repository root in msg to
// its repository-relative form ("." for the root itself).
func (p paths) message(msg string) string {
	for _, r := range []string{p.real, p.root} {
		if r != "" && r != string(filepath.Separator) {
			msg = relativize(msg, r)
		}
	}
	return msg
}

// relativize replaces root where it starts a path in msg.
func relativize(msg, root string) string {
	var b strings.Builder
	for {
		i := strings.Index(msg, root)
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		end := i + len(root)
		before := i == 0 || !isPathByte(msg[i-1]) && msg[i-1] != '/'
		switch {
		case before && end < len(msg) && msg[end] == filepath.Separator:
			b.WriteString(msg[:i])
			end++
		case before && (end == len(msg) || !isPathByte(msg[end])):
			b.WriteString(msg[:i])
			b.WriteString(".")
		default:
			b.WriteString(msg[:end])
		}
		msg = msg[end:]
	}
}

func isPathByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '~'
}

// inside reports whether abs, with symlinks resolved, is in the repository.
func (p paths) inside(abs string) bool {
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		real = abs
	}
	for _, r := range []string{p.root, p.real} {
		if r == "" {
			continue
		}
		if rel, err := filepath.Rel(r, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// existing resolves a repository-relative path that must exist inside the
// repository. what names it in messages ("chart", "values file").
func (p paths) existing(rel, what string) (string, *render.Error) {
	abs := p.abs(rel)
	// Refused before anything is read, so that even whether a file
	// outside exists does not show.
	if !p.inside(abs) {
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
		return "", &render.Error{Message: p.message(err.Error()), File: rel}
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
			if !p.inside(path) {
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
		return p.rel(f)
	}
	return ""
}

// join joins repository-relative slash paths.
func join(elem ...string) string { return path.Join(elem...) }
