package gitops

import (
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// globFiles are the repository files (relative paths) that pattern, a
// repository-relative glob, matches, sorted: '*', '?' and '[...]' within a
// path segment, '**' for any number of segments, as the doublestar globs
// Argo CD expands values files with. Symbolic links are not followed.
func globFiles(root, pattern string) []string {
	segs := strings.Split(pattern, "/")
	static := 0
	for static < len(segs) && !isGlob(segs[static]) {
		static++
	}
	start := path.Join(segs[:static]...)
	if start == "" {
		start = "."
	}
	var out []string
	base := filepath.Join(root, filepath.FromSlash(start))
	_ = filepath.WalkDir(base, func(p string, de fs.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if matchSegments(segs, strings.Split(rel, "/")) {
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// matchSegments matches path segments against pattern segments, "**"
// standing for any number of them.
func matchSegments(pat, name []string) bool {
	if len(pat) == 0 {
		return len(name) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(name); i++ {
			if matchSegments(pat[1:], name[i:]) {
				return true
			}
		}
		return false
	}
	if len(name) == 0 {
		return false
	}
	ok, err := path.Match(pat[0], name[0])
	return err == nil && ok && matchSegments(pat[1:], name[1:])
}
