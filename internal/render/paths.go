package render

import (
	"path/filepath"
	"strings"
)

// Paths converts between repository-relative and absolute paths and makes
// messages repository-relative.
type Paths struct {
	root string // absolute, cleaned
	real string // root with symlinks resolved ("" when it cannot be)
}

// NewPaths is the Paths of the repository at root (absolute).
func NewPaths(root string) Paths {
	root = filepath.Clean(root)
	p := Paths{root: root}
	if r, err := filepath.EvalSymlinks(root); err == nil && r != root {
		p.real = r
	}
	return p
}

// Abs is the absolute path of a repository-relative path.
func (p Paths) Abs(rel string) string { return filepath.Join(p.root, filepath.FromSlash(rel)) }

// Rel is the repository-relative, slash-separated form of an absolute path;
// a path outside the repository stays as it is.
func (p Paths) Rel(abs string) string {
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

// Message rewrites every absolute path under the repository root in msg to
// its repository-relative form ("." for the root itself).
func (p Paths) Message(msg string) string {
	for _, r := range []string{p.real, p.root} {
		if r != "" && r != string(filepath.Separator) {
			msg = relativize(msg, r)
		}
	}
	return msg
}

// relativize replaces root where it starts a path in msg.
func relativize(msg, root string) string {
	return rewrite(msg, root, func(msg string, i int) (string, int) {
		end := i + len(root)
		before := i == 0 || !isPathByte(msg[i-1]) && msg[i-1] != '/'
		switch {
		case before && end < len(msg) && msg[end] == filepath.Separator:
			return msg[:i], end + 1
		case before && (end == len(msg) || !isPathByte(msg[end])):
			return msg[:i] + ".", end
		}
		return msg[:end], end
	})
}

func isPathByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '~'
}

// Inside reports whether abs, with symlinks resolved, is in the repository.
func (p Paths) Inside(abs string) bool {
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
