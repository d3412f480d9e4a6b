package kustomize

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/render"
)

// budget bounds the reads of one build: each file's size, the bytes read
// in all and the number of reads. kustomize reads a base again for every
// kustomization that includes it, so a small tree of overlays that each
// include the level below twice stands for an exponential number of reads;
// the budget ends such a build early instead of letting it fill memory.
type budget struct {
	maxBytes int64
	maxReads int

	mu    sync.Mutex
	bytes int64
	reads int
	// times counts the reads of each file.
	times map[string]int
}

// maxReadsPerFile bounds how often one build reads the same file. A real
// build reads a base once for each overlay of the build that includes it;
// a tree of overlays that each include the level below twice reads its
// leaves 2^depth times, and kustomize's work grows faster still.
const maxReadsPerFile = 64

// take accounts for reading the file at path, of size bytes.
func (b *budget) take(path string, size int64) *render.Error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reads++
	b.bytes += size
	if b.times == nil {
		b.times = map[string]int{}
	}
	b.times[path]++
	switch {
	case b.times[path] > maxReadsPerFile:
		return &render.Error{Limit: true, Message: fmt.Sprintf("the build read this file more than %d times: do overlays include the same bases over and over?", maxReadsPerFile)}
	case b.maxBytes > 0 && size > b.maxBytes:
		return &render.Error{Limit: true, Message: fmt.Sprintf("the file is %s, more than limits.maxRenderedBytes (%s)", render.MiB(size), render.MiB(b.maxBytes))}
	case b.maxBytes > 0 && b.bytes > b.maxBytes:
		return &render.Error{Limit: true, Message: fmt.Sprintf("the build read more than limits.maxRenderedBytes (%s) of files in all", render.MiB(b.maxBytes))}
	case b.maxReads > 0 && b.reads > b.maxReads:
		return &render.Error{Limit: true, Message: fmt.Sprintf("the build read files more than %d times (limits.maxObjects); do overlays include the same bases over and over?", b.maxReads)}
	}
	return nil
}

// readLimited reads a file of at most max bytes (any size when max is 0).
func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if max <= 0 {
		return io.ReadAll(f)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %s", path, render.MiB(max))
	}
	return data, nil
}

// disk is the repository as this package reads kustomizations and the
// files they name: absolute paths, which callers check are inside the
// repository (paths.Inside), each file at most max bytes (0: any size).
type disk struct{ max int64 }

func (d disk) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }
func (d disk) ReadFile(name string) ([]byte, error)  { return readLimited(name, d.max) }

// aliasBudget bounds the nodes alias expansion may add to a file. kustomize
// expands every alias when it reads a resource, so a few nested aliases
// ("billion laughs") would stand for billions of nodes in memory. Real
// kustomize files rarely use aliases at all.
const aliasBudget = 100_000

// checkYAML refuses a YAML file whose aliases expand past aliasBudget, or
// that repeats a key in a mapping (kustomize would fail only when it writes
// the object out, without naming the file). Text that does not parse is
// left to krusty, which reports it in its own words.
func checkYAML(data []byte) *render.Error {
	if !bytes.ContainsAny(data, ":*") {
		return nil
	}
	for doc := range render.Documents(data) {
		c := yamlChecker{memo: map[*yaml.Node]int{}}
		if plain, expanded := c.count(doc), c.expanded(doc); expanded-plain > aliasBudget {
			return &render.Error{Line: c.firstAlias, Limit: true,
				Message: fmt.Sprintf("aliases expand to more than %d nodes (a YAML alias bomb)", aliasBudget)}
		}
		if line, msg := duplicateKey(doc); line > 0 {
			return &render.Error{Line: line, Message: msg}
		}
	}
	return nil
}

type yamlChecker struct {
	memo       map[*yaml.Node]int
	firstAlias int
}

// count counts the nodes as written, noting the first alias.
func (c *yamlChecker) count(n *yaml.Node) int {
	if n.Kind == yaml.AliasNode && c.firstAlias == 0 {
		c.firstAlias = n.Line
	}
	size := 1
	for _, ch := range n.Content {
		size += c.count(ch)
	}
	return size
}

// expanded counts the nodes with aliases expanded, saturating past the
// budget; an alias inside the node it names counts as infinite.
func (c *yamlChecker) expanded(n *yaml.Node) int {
	const inf = 1 << 40
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return 1
		}
		return c.expanded(n.Alias)
	}
	if s, ok := c.memo[n]; ok {
		if s < 0 {
			return inf
		}
		return s
	}
	c.memo[n] = -1
	size := 1
	for _, ch := range n.Content {
		size += c.expanded(ch)
		if size > inf {
			size = inf
			break
		}
	}
	c.memo[n] = size
	return size
}

// duplicateKey finds a mapping that repeats a key, in yaml.v3's words.
func duplicateKey(n *yaml.Node) (int, string) {
	line, first, key := render.DuplicateKey(n)
	if line == 0 {
		return 0, ""
	}
	return line, fmt.Sprintf("yaml: line %d: mapping key %q already defined at line %d", line, key, first)
}
