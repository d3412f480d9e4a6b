package manifest

import (
	"sync"

	"github.com/meshgate/meshgate/internal/render"
)

// Shared holds the repository files that Builds read for source lines, and
// their parsed YAML, for the Builds of one run: the environments of a
// repository share bases, components and templates, so each file is read
// and parsed once per run instead of once per environment. Files are
// assumed not to change during the run. A nil *Shared shares nothing.
type Shared struct {
	mu    sync.Mutex
	files map[string]*sharedFile
}

// sharedFile is one repository file: its text, read once, and its YAML
// documents, parsed once, both read-only afterwards.
type sharedFile struct {
	readOnce  sync.Once
	text      []byte
	parseOnce sync.Once
	yaml      *yamlSource
}

// NewShared returns an empty Shared.
func NewShared() *Shared { return &Shared{files: map[string]*sharedFile{}} }

// BuildShared decodes a rendering into an indexed Set, reading and parsing
// each source file once across the environments that share s (nil: no
// sharing). A document that does not decode, or an object without
// apiVersion or kind, is returned as a *render.Error naming its file and
// line. A failed rendering (res.Err) is returned as is.
func BuildShared(res render.Result, s *Shared) (*Set, *render.Error) {
	return build(res, s)
}

// file returns the entry of a repository file, made on first use.
func (s *Shared) file(root, file string) *sharedFile {
	key := root + "\x00" + file
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[key]
	if !ok {
		f = &sharedFile{}
		s.files[key] = f
	}
	return f
}

// readText is the file's text, read once; nil when it cannot be read.
func (f *sharedFile) readText(root, file string) []byte {
	f.readOnce.Do(func() { f.text, _ = readSource(root, file) })
	return f.text
}

// source is the file's YAML documents, parsed once.
func (f *sharedFile) source(text []byte) *yamlSource {
	f.parseOnce.Do(func() { f.yaml = parseYAMLSource(text) })
	return f.yaml
}
