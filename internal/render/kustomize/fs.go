package kustomize

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/meshgate/meshgate/internal/render"
)

// repoFS is the filesystem krusty builds over: the disk, read-only, where
// nothing outside the repository can be read.
type repoFS struct {
	filesys.FileSystem
	p paths
	// sources are generator data files (see tree.sources).
	sources map[string]bool
	// budget bounds what krusty may read.
	budget *budget
	// refused is the first read refused for a limit or a YAML bomb: the
	// render error, located at the file, whatever krusty makes of it.
	refused *render.Error
	// override holds the text served for a file instead of the disk's (the
	// images fast path's kustomization); the read budget counts the disk's.
	override map[string][]byte
	// served reports that the override was read.
	served bool
	// watched reports a read holding one of watchedText, when watch is set.
	watch, watched bool
	mu             sync.Mutex
}

var errReadOnly = errors.New("meshgate builds kustomizations read-only")

func newRepoFS(p paths, disk filesys.FileSystem, dir string, t tree, opts render.Options) *repoFS {
	return &repoFS{FileSystem: disk, p: p, sources: t.sources,
		budget: &budget{maxBytes: opts.MaxBytes, maxReads: opts.MaxReads}}
}

// ReadFile reads a file of the repository within the read budget, checked
// for YAML bombs.
func (f *repoFS) ReadFile(path string) ([]byte, error) {
	if !f.p.Inside(path) {
		return nil, fmt.Errorf("%s is outside the repository", f.p.Rel(path))
	}
	fi, err := os.Stat(path)
	if err == nil && fi.Mode().IsRegular() {
		if rerr := f.budget.take(filepath.Clean(path), fi.Size()); rerr != nil {
			return nil, f.refuse(path, rerr)
		}
	}
	o, ok := f.override[filepath.Clean(path)]
	var data []byte
	if !ok || err == nil {
		// Read even when overridden, as it would have been (the budget,
		// a folder's error); a file Flux generates is not on the disk.
		if data, err = f.FileSystem.ReadFile(path); err != nil {
			return data, err
		}
	}
	if ok {
		data = o
		f.mu.Lock()
		f.served = true
		f.mu.Unlock()
	}
	if f.watch {
		for _, w := range watchedText {
			if bytes.Contains(data, w) {
				f.mu.Lock()
				f.watched = true
				f.mu.Unlock()
				break
			}
		}
	}
	if !f.isSource(path) {
		if rerr := checkYAML(data); rerr != nil {
			return nil, f.refuse(path, rerr)
		}
	}
	return data, nil
}

// refuse records the first refused read and returns it as an error for
// krusty.
func (f *repoFS) refuse(path string, rerr *render.Error) error {
	rerr.File = f.p.Rel(path)
	f.mu.Lock()
	if f.refused == nil {
		f.refused = rerr
	}
	f.mu.Unlock()
	return rerr
}

// isSource reports a generator data file, or a file in a generator's data
// folder.
func (f *repoFS) isSource(path string) bool {
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		if f.sources[p] {
			return true
		}
		if p == filepath.Dir(p) {
			return false
		}
	}
}

// Open opens a file of the repository.
func (f *repoFS) Open(path string) (filesys.File, error) {
	if !f.p.Inside(path) {
		return nil, fmt.Errorf("%s is outside the repository", f.p.Rel(path))
	}
	if f.watch {
		// Unwatched text: the images fast path does not vouch for it.
		f.mu.Lock()
		f.watched = true
		f.mu.Unlock()
	}
	return f.FileSystem.Open(path)
}

func (f *repoFS) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (f *repoFS) Mkdir(string) error                  { return errReadOnly }
func (f *repoFS) MkdirAll(string) error               { return errReadOnly }
func (f *repoFS) RemoveAll(string) error              { return errReadOnly }
func (f *repoFS) WriteFile(string, []byte) error      { return errReadOnly }

// ensure repoFS keeps the whole interface.
var _ filesys.FileSystem = (*repoFS)(nil)
