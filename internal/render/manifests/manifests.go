// Package manifests reads a folder of plain Kubernetes objects as `kubectl
// apply -f DIR` (-R when recursive) reads it, and Argo CD's directory
// source with its include and exclude globs: the .yaml, .yml and .json
// files in walk order, their documents split on "---" lines, Lists
// expanded into their items, and an object defined twice taken once, the
// last one.
package manifests

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
)

// Renderer renders config.Manifests environments.
type Renderer struct{}

var _ render.Renderer = Renderer{}

// Render reads env's folder. Each document's File and Line are the file
// and line its object starts at. env.Namespace is the namespace of objects
// that set none, for telling two definitions of one object apart.
func (Renderer) Render(ctx context.Context, root string, env config.Environment, opts render.Options) render.Result {
	return render.Run(ctx, config.SourceManifests, "reading the manifests", root, env, func(res render.Result) render.Result {
		files, rerr := list(root, *env.Manifests)
		if rerr != nil {
			res.Err = rerr
			return res
		}
		r := newReader(res.DefaultNamespace)
		budget := opts.MaxBytes
		for _, f := range files {
			data, rerr := readFile(root, f, opts.MaxBytes, &budget)
			if rerr != nil {
				res.Err = rerr
				return res
			}
			if rerr := r.file(f, data); rerr != nil {
				res.Err = rerr
				return res
			}
		}
		return r.result(res)
	})
}

// list is the files of the folder m reads, repository-relative, in the
// order kubectl and Argo CD read them: filepath.Walk's, each folder's
// entries sorted by name, a subfolder's files where its name sorts. Like
// both, it does not follow a symbolic link to a folder.
func list(root string, m config.Manifests) ([]string, *render.Error) {
	p := render.NewPaths(root)
	dir := p.Abs(m.Path)
	fail := func(format string, args ...any) *render.Error {
		return &render.Error{Message: fmt.Sprintf(format, args...), File: m.Path}
	}
	if !p.Inside(dir) {
		return nil, fail("manifests folder %s is outside the repository", m.Path)
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fail("manifests folder %s does not exist", m.Path)
	case err != nil:
		return nil, fail("manifests folder %s: %s", m.Path, p.Message(err.Error()))
	case !fi.IsDir():
		return nil, fail("manifests path %s is a file; give its folder, and include: [%s] to read only it", m.Path, filepath.Base(dir))
	}
	selects := m.Selector()
	var files []string
	err = filepath.WalkDir(dir, func(path string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if de.IsDir() {
			if path != dir && !m.Recursive {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		if config.IsManifestFile(de.Name()) && selects(filepath.ToSlash(rel)) {
			files = append(files, p.Rel(path))
		}
		return nil
	})
	if err != nil {
		return nil, fail("read manifests folder %s: %s", m.Path, p.Message(err.Error()))
	}
	return files, nil
}

// readFile reads the repository file rel, refusing one that leaves the
// repository through a symbolic link, one larger than max bytes, and one
// that would take more than what is left of budget (both 0: no bound).
func readFile(root, rel string, max int64, budget *int64) ([]byte, *render.Error) {
	fail := func(format string, args ...any) *render.Error {
		return &render.Error{Message: fmt.Sprintf(format, args...), File: rel}
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fail("read %s: %v", rel, err)
	}
	defer r.Close()
	f, err := r.Open(filepath.FromSlash(rel))
	if err != nil {
		if strings.Contains(err.Error(), "escapes") {
			return nil, fail("%s is a symbolic link to a file outside the repository", rel)
		}
		return nil, fail("read %s: %s", rel, render.NewPaths(root).Message(err.Error()))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fail("read %s: %v", rel, err)
	}
	if max > 0 {
		switch {
		case fi.Size() > max:
			return nil, limit(fail("the file is %s, more than limits.maxRenderedBytes (%s)", render.MiB(fi.Size()), render.MiB(max)))
		case fi.Size() > *budget:
			return nil, limit(fail("the folder's files are more than limits.maxRenderedBytes (%s) in all", render.MiB(max)))
		}
		*budget -= fi.Size()
	}
	var rd io.Reader = f
	if max > 0 {
		rd = io.LimitReader(f, max+1)
	}
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, fail("read %s: %v", rel, err)
	}
	if max > 0 && int64(len(data)) > max {
		return nil, limit(fail("the file is more than limits.maxRenderedBytes (%s)", render.MiB(max)))
	}
	return data, nil
}

// limit marks a render error as one a limit caused.
func limit(e *render.Error) *render.Error {
	e.Limit = true
	return e
}
