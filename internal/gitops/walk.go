package gitops

import (
	"io/fs"
	"path"
	"path/filepath"
)

// walk visits the regular files under the repository folder dir (slash,
// relative to root), in name order, as repository-relative slash paths.
// enter says whether to go into a folder below dir (by its relative path
// and name); visit returns false to stop. Symbolic links are not followed,
// and what cannot be read is left out.
func walk(root, dir string, enter func(rel, name string) bool, visit func(rel, name string) bool) {
	start := filepath.Join(root, filepath.FromSlash(dir))
	_ = filepath.WalkDir(start, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		r, err := filepath.Rel(root, p)
		if err != nil {
			return nil
		}
		rel := filepath.ToSlash(r)
		switch {
		case de.IsDir():
			if p != start && !enter(rel, de.Name()) {
				return filepath.SkipDir
			}
		case de.Type().IsRegular():
			if !visit(rel, de.Name()) {
				return filepath.SkipAll
			}
		}
		return nil
	})
}

// everywhere enters every folder; notHidden every one whose name does not
// start with a dot.
func everywhere(string, string) bool { return true }

func notHidden(_, name string) bool { return name == "" || name[0] != '.' }

// under is rel relative to dir, slash-separated.
func under(dir, rel string) string {
	if dir == "." || dir == "" {
		return rel
	}
	r, err := filepath.Rel(filepath.FromSlash(dir), filepath.FromSlash(rel))
	if err != nil {
		return rel
	}
	return path.Clean(filepath.ToSlash(r))
}
