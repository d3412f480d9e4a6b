package kustomize

import (
	"path/filepath"
	"slices"
	"sync/atomic"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/resid"

	"github.com/meshgate/meshgate/internal/render"
)

// originBuilds counts the builds made for origin annotations, for tests.
var originBuilds atomic.Int64

// originFiles builds the overlay at dir once more, with kustomize's origin
// annotations asked for in the overlay's kustomization as the build reads
// it (the file is not changed), and returns the repository file each object
// came from, by its id. It is nil when that build does not succeed: the
// source index's guesses then stand.
func (t tree) originFiles(p paths, rel, dir string, opts render.Options) map[resid.ResId]string {
	file, data := "", []byte(nil)
	if k := t.kusts[dir]; k != nil {
		file, data = k.File, k.Data
	}
	for f, edited := range t.overlay {
		if filepath.Dir(f) == dir {
			file, data = f, edited // as a GitOps object edits (or Flux generates) it
		}
	}
	if file == "" {
		return nil
	}
	text, ok := withOriginAnnotations(data)
	if !ok {
		return nil
	}
	override := map[string][]byte{filepath.Clean(file): text}
	if real, err := filepath.EvalSymlinks(file); err == nil {
		override[filepath.Clean(real)] = text // krusty reads through resolved links
	}
	originBuilds.Add(1)
	fsys, m, err := krustyRun(p, dir, t, opts, override)
	if err != nil || fsys.refused != nil || !fsys.served {
		return nil
	}
	out := map[resid.ResId]string{}
	for _, r := range m.Resources() {
		if f, err := originFile(rel, r); err == nil && f != "" {
			out[r.CurId()] = f
		}
	}
	return out
}

// withOriginAnnotations is a kustomization's text with originAnnotations
// added to its buildMetadata; ok is false when the text is no mapping
// meshgate can add it to.
func withOriginAnnotations(data []byte) ([]byte, bool) {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, false
	}
	m := doc.Content[0]
	item := &yaml.Node{Kind: yaml.ScalarNode, Value: types.OriginAnnotations}
	var list *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "buildMetadata" {
			list = m.Content[i+1]
		}
	}
	switch {
	case list == nil:
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "buildMetadata"},
			&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{item}})
	case list.Kind != yaml.SequenceNode:
		return nil, false
	case !slices.ContainsFunc(list.Content, func(n *yaml.Node) bool { return n.Value == types.OriginAnnotations }):
		list.Content = append(list.Content, item)
	}
	out, err := yaml.Marshal(&doc)
	return out, err == nil
}
