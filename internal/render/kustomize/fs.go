package kustomize

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/meshgate/meshgate/internal/render"
)

// repoFS is the filesystem krusty builds over: the disk, read-only, where
// nothing outside the repository can be read, and where the top
// kustomization asks for origin annotations without the file changing.
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
	mu      sync.Mutex
	// topDirs are the overlay folder as given and with symlinks resolved
	// (krusty reads through the resolved one); topName the kustomization
	// file name in it.
	topDirs [2]string
	topName string
}

var errReadOnly = errors.New("meshgate builds kustomizations read-only")

func newRepoFS(p paths, disk filesys.FileSystem, dir string, t tree, opts render.Options) *repoFS {
	f := &repoFS{FileSystem: disk, p: p, topDirs: [2]string{filepath.Clean(dir), filepath.Clean(dir)},
		sources: t.sources, budget: &budget{maxBytes: opts.MaxBytes, maxReads: opts.MaxReads}}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		f.topDirs[1] = real
	}
	if k := kustomizationFile(dir); k != "" {
		f.topName = filepath.Base(k)
	}
	return f
}

func (f *repoFS) isTop(path string) bool {
	path = filepath.Clean(path)
	d := filepath.Dir(path)
	return f.topName != "" && filepath.Base(path) == f.topName && (d == f.topDirs[0] || d == f.topDirs[1])
}

// ReadFile reads a file of the repository; the top kustomization with
// buildMetadata originAnnotations added.
func (f *repoFS) ReadFile(path string) ([]byte, error) {
	if !f.p.inside(path) {
		return nil, fmt.Errorf("%s is outside the repository", f.p.rel(path))
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		if rerr := f.budget.take(filepath.Clean(path), fi.Size()); rerr != nil {
			return nil, f.refuse(path, rerr)
		}
	}
	data, err := f.FileSystem.ReadFile(path)
	if err != nil {
		return data, err
	}
	if !f.isSource(path) {
		if rerr := checkYAML(data); rerr != nil {
			return nil, f.refuse(path, rerr)
		}
	}
	if !f.isTop(path) {
		return data, nil
	}
	return withOriginAnnotations(data), nil
}

// refuse records the first refused read and returns it as an error for
// krusty.
func (f *repoFS) refuse(path string, rerr *render.Error) error {
	rerr.File = f.p.rel(path)
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
	if !f.p.inside(path) {
		return nil, fmt.Errorf("%s is outside the repository", f.p.rel(path))
	}
	return f.FileSystem.Open(path)
}

func (f *repoFS) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (f *repoFS) Mkdir(string) error                  { return errReadOnly }
func (f *repoFS) MkdirAll(string) error               { return errReadOnly }
func (f *repoFS) RemoveAll(string) error              { return errReadOnly }
func (f *repoFS) WriteFile(string, []byte) error      { return errReadOnly }

// withOriginAnnotations returns a kustomization that also asks for origin
// annotations. When the file is a block mapping without buildMetadata the
// line is appended, so every line number kustomize reports stays that of
// the user's file; otherwise the list is extended and the YAML re-encoded.
// Text that does not parse as one mapping is returned as it is, for krusty
// to report.
func withOriginAnnotations(data []byte) []byte {
	doc, ok := singleMapping(data)
	if !ok {
		return data
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "buildMetadata" {
			continue
		}
		seq := m.Content[i+1]
		for _, n := range seq.Content {
			if n.Value == types.OriginAnnotations {
				return data
			}
		}
		if seq.Kind != yaml.SequenceNode {
			// null or malformed: krusty reports a malformed one itself
			if seq.Tag != "!!null" {
				return data
			}
			*seq = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		}
		seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: types.OriginAnnotations})
		return encode(doc, data)
	}
	if m.Style&yaml.FlowStyle == 0 && m.Column == 1 {
		appended := append(bytes.TrimRight(append([]byte(nil), data...), " \t\r\n"), "\nbuildMetadata: ["+types.OriginAnnotations+"]\n"...)
		if check, ok := singleMapping(appended); ok && len(check.Content[0].Content) == len(m.Content)+2 {
			return appended
		}
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "buildMetadata"},
		&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: types.OriginAnnotations}}})
	return encode(doc, data)
}

// singleMapping parses data as exactly one YAML document holding a mapping.
func singleMapping(data []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if dec.Decode(&doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, false
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return &doc, true
}

func encode(doc *yaml.Node, fallback []byte) []byte {
	out, err := yaml.Marshal(doc)
	if err != nil {
		return fallback
	}
	return out
}

// ensure repoFS keeps the whole interface.
var _ filesys.FileSystem = (*repoFS)(nil)
