package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// Sizes of the files config reads itself. Real ones are a few KiB; the
// bounds only keep a hostile repository from making meshgate read a huge
// file into memory.
const (
	maxConfigBytes   = 4 << 20
	maxMetadataBytes = 1 << 20
)

// inRoot runs fn on the repository at root as an os.Root, so that neither
// ".." nor a symbolic link can lead out of the repository: a pull request
// controls these paths and links.
func inRoot[T any](root string, fn func(*os.Root) (T, error)) (T, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		var zero T
		return zero, err
	}
	defer r.Close()
	return fn(r)
}

// openInRoot opens the repository-relative file rel (see inRoot).
func openInRoot(root, rel string) (*os.File, error) {
	return inRoot(root, func(r *os.Root) (*os.File, error) { return r.Open(filepath.FromSlash(rel)) })
}

// readInRoot reads a repository-relative file of at most max bytes.
func readInRoot(root, rel string, max int64) ([]byte, error) {
	f, err := openInRoot(root, rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readBounded(f, rel, max)
}

// metadataFS is the repository at its root as config reads kustomization
// files: through an os.Root like openInRoot, each file at most
// maxMetadataBytes.
type metadataFS string

func (root metadataFS) Stat(rel string) (fs.FileInfo, error) {
	return inRoot(string(root), func(r *os.Root) (fs.FileInfo, error) { return r.Stat(filepath.FromSlash(rel)) })
}

func (root metadataFS) ReadFile(rel string) ([]byte, error) {
	return readInRoot(string(root), rel, maxMetadataBytes)
}

// readBounded reads f, refusing more than max bytes.
func readBounded(f *os.File, name string, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d MiB", name, max>>20)
	}
	return data, nil
}

// errOutside is a config file that lies in the repository but is a symbolic
// link out of it.
var errOutside = errors.New("is a symbolic link to a file outside the repository")

// readConfigFile reads the config file at abs. A file inside the repository
// is read through the repository root; one outside it was named on purpose
// (--config) and is read as it is.
func readConfigFile(root, abs, rel string) ([]byte, error) {
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		f, err := os.Open(abs)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readBounded(f, rel, maxConfigBytes)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, err
	}
	data, err := readInRoot(root, rel, maxConfigBytes)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		if real, rerr := filepath.EvalSymlinks(abs); rerr == nil && !within(root, real) {
			return nil, fmt.Errorf("%s %w", rel, errOutside)
		}
	}
	return data, err
}

// within reports whether path, symlinks resolved, is under root (itself
// resolved).
func within(root, path string) bool {
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	rel, err := filepath.Rel(root, path)
	return err == nil && filepath.IsLocal(rel)
}

// ReadInRoot reads the repository-relative file rel of at most max bytes,
// through an os.Root: neither ".." nor a symbolic link leads out of root.
// The gitops package reads the files GitOps objects name this way.
func ReadInRoot(root, rel string, max int64) ([]byte, error) { return readInRoot(root, rel, max) }

// StatInRoot stats the repository-relative path rel through an os.Root.
func StatInRoot(root, rel string) (fs.FileInfo, error) { return metadataFS(root).Stat(rel) }

// ReadDirInRoot lists the repository-relative folder rel through an
// os.Root.
func ReadDirInRoot(root, rel string) ([]fs.DirEntry, error) {
	return inRoot(root, func(r *os.Root) ([]fs.DirEntry, error) {
		f, err := r.Open(filepath.FromSlash(rel))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return f.ReadDir(-1)
	})
}

// YAMLTooLarge reports a YAML node that stands for more than a million
// nodes with its aliases expanded (a YAML bomb), or that holds itself.
func YAMLTooLarge(n *yaml.Node) bool { return expandedSize(n, map[*yaml.Node]int{}) > maxNodes }
