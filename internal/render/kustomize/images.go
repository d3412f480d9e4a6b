package kustomize

import (
	"bytes"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/filters/imagetag"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// The images fast path.
//
// An overlay's `images:` list is the most expensive part of a typical
// build: krusty runs each entry as its own transformer, and each one walks
// every node of every resource twice (kustomize's legacy containers walk,
// then its field specs), so a 50-entry list over 300 resources costs more
// than the rest of the build. Yet an entry changes only the image values it
// matches, and in a typical repository each matches one workload.
//
// So, when it is known to give the same bytes, meshgate builds the overlay
// with its top-level images list removed and then runs kustomize's own
// image filters (package imagetag, the code krusty runs) on the built
// resources, entry by entry in order, but only on the resources holding a
// value the entry can match. It is known to be the same when:
//
//   - the top-level images run last in kustomize's order: the overlay has
//     no replacements, transformers or validators (which run after them)
//     and no kustomization of the tree has vars (resolved after them),
//     configurations or crds (which change the field specs), or
//     buildMetadata (which records transformations);
//   - the overlay's kustomization is a plain block mapping of known fields,
//     and removing the images lines leaves exactly the same kustomization
//     without images;
//   - nothing the build reads asks for a content hash of a resource
//     (kustomize.config.k8s.io/needs-hash, computed after the images) or
//     drops resources (config.kubernetes.io/local-config, dropped after
//     them), and no entry matches a value in a ConfigMap or Secret;
//   - the filters fail on no resource: kustomize's filters can fail on a
//     malformed image field whatever the entry, and then krusty's own
//     message is wanted.
//
// Otherwise the overlay is built as it is, by krusty alone. Tests compare
// both builds on every kustomize fixture and on generated overlays.

// imagesFast turns the fast path on; tests turn it off to compare.
var imagesFast = true

// defaultImageFieldSpecs are kustomize's builtin field specs for images
// (api/internal/konfig/builtinpluginconsts/images.go in v0.21.2), the ones
// an images entry uses when no kustomization sets configurations.
var defaultImageFieldSpecs = types.FsSlice{
	{Path: "spec/containers[]/image", CreateIfNotPresent: true},
	{Path: "spec/initContainers[]/image", CreateIfNotPresent: true},
	{Path: "spec/volumes[]/image/reference", CreateIfNotPresent: true},
	{Path: "spec/template/spec/containers[]/image", CreateIfNotPresent: true},
	{Path: "spec/template/spec/initContainers[]/image", CreateIfNotPresent: true},
	{Path: "spec/template/spec/volumes[]/image/reference", CreateIfNotPresent: true},
	{Path: "spec/jobTemplate/spec/template/spec/volumes[]/image/reference", CreateIfNotPresent: true},
}

// fastFields are the kustomization fields the fast path allows in the
// overlay: none of them runs after the images, and none renames a field
// (kustomize moves deprecated ones such as imageTags into others).
var fastFields = map[string]bool{
	"apiVersion": true, "kind": true, "metadata": true,
	"resources": true, "components": true,
	"namespace": true, "namePrefix": true, "nameSuffix": true,
	"labels": true, "commonLabels": true, "commonAnnotations": true,
	"patches": true, "patchesStrategicMerge": true, "patchesJson6902": true,
	"replicas": true, "images": true,
	"configMapGenerator": true, "secretGenerator": true, "generatorOptions": true,
	"sortOptions": true, "openapi": true,
}

// watchedText is text in a file the build reads that turns the fast path
// off (see above).
var watchedText = [][]byte{[]byte("needs-hash"), []byte("local-config")}

// imagePlan is the fast path for one overlay.
type imagePlan struct {
	file     string // the overlay's kustomization file, absolute
	stripped []byte // its text without the images field
	images   []types.Image
}

// planImages returns the fast path for the overlay whose kustomization is
// file, or nil when it does not apply.
func planImages(file string, data []byte) *imagePlan {
	stripped, images, ok := stripImages(data)
	if !ok {
		return nil
	}
	return &imagePlan{file: file, stripped: stripped, images: images}
}

// stripImages removes the top-level images field from a kustomization's
// text. It reports false unless the text is one block mapping of
// fastFields, with no key twice, with a non-empty images list, and the
// stripped text decodes to the same kustomization less its images.
func stripImages(data []byte) ([]byte, []types.Image, bool) {
	var orig types.Kustomization
	if sigsyaml.UnmarshalStrict(data, &orig) != nil || len(orig.Images) == 0 {
		return nil, nil, false
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if dec.Decode(&doc) != nil || dec.Decode(new(yaml.Node)) == nil {
		return nil, nil, false // not exactly one document
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, nil, false
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 || m.Tag != "!!map" {
		return nil, nil, false
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	// Only the lines of the mapping's keys may start at its column: no
	// document markers or directives.
	for _, l := range lines {
		if bytes.HasPrefix(l, []byte("---")) || bytes.HasPrefix(l, []byte("...")) || bytes.HasPrefix(l, []byte("%")) {
			return nil, nil, false
		}
	}
	seen := map[string]bool{}
	from, to := 0, len(lines) // the images field's lines, 0-based, [from, to)
	for i := 0; i < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || !fastFields[k.Value] || seen[k.Value] {
			return nil, nil, false
		}
		seen[k.Value] = true
		if k.Column != m.Content[0].Column || k.Line < 1 || k.Line > len(lines) ||
			strings.TrimSpace(string(lines[k.Line-1][:min(k.Column-1, len(lines[k.Line-1]))])) != "" {
			return nil, nil, false
		}
		if k.Value == "images" {
			from = k.Line - 1
			if i+2 < len(m.Content) {
				to = m.Content[i+2].Line - 1
			}
		}
	}
	if !seen["images"] || to <= from {
		return nil, nil, false
	}
	var out []byte
	for i, l := range lines {
		if i < from || i >= to {
			out = append(out, l...)
		}
	}
	var got types.Kustomization
	if sigsyaml.UnmarshalStrict(out, &got) != nil {
		return nil, nil, false
	}
	want := orig
	want.Images = nil
	if !reflect.DeepEqual(got, want) {
		return nil, nil, false
	}
	return out, orig.Images, true
}

// apply runs the plan's images entries on the built resources, the way
// krusty runs them, and reports whether the result is known to equal
// krusty's (see the comment at the top of this file).
func (pl *imagePlan) apply(rs []*resource.Resource) bool {
	// kustomize's filters fail on a malformed image field whatever the
	// entry; a name that is not a regular expression matches nothing.
	probe := types.Image{Name: "["}
	values := make([][]string, len(rs))
	for i, r := range rs {
		if runImageFilters(r, probe) != nil {
			return false
		}
		values[i] = scalars(r.YNode(), nil)
	}
	// matches reports whether resource i holds a value re can match; a
	// resource with aliases is not read through, so it always may.
	matches := func(i int, re *regexp.Regexp, prefix string) bool {
		return slices.ContainsFunc(values[i], func(v string) bool {
			return v == aliasMark || strings.HasPrefix(v, prefix) && re.MatchString(v)
		})
	}
	for _, img := range pl.images {
		re, err := regexp.Compile(imagePattern(img.Name))
		if err != nil {
			continue // kustomize's IsImageMatched: no match
		}
		// A name without metacharacters matches only values it starts.
		prefix := ""
		if regexp.QuoteMeta(img.Name) == img.Name {
			prefix = img.Name
		}
		for i, r := range rs {
			if !matches(i, re, prefix) {
				continue
			}
			if k := r.GetKind(); k == "ConfigMap" || k == "Secret" {
				return false
			}
			if runImageFilters(r, img) != nil {
				return false
			}
			values[i] = scalars(r.YNode(), values[i][:0])
		}
	}
	return true
}

// runImageFilters runs what krusty's ImageTagTransformer runs for one
// images entry, on one resource.
func runImageFilters(r *resource.Resource, img types.Image) error {
	nodes := []*kyaml.RNode{&r.RNode}
	if _, err := (imagetag.LegacyFilter{ImageTag: img}).Filter(nodes); err != nil {
		return err
	}
	_, err := (imagetag.Filter{ImageTag: img, FsSlice: defaultImageFieldSpecs}).Filter(nodes)
	return err
}

// imagePattern is the regular expression kustomize matches image values
// against for an images entry name (api/internal/image.IsImageMatched).
func imagePattern(name string) string {
	return "^" + name + "(:[a-zA-Z0-9_.{}-]*)?(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{}-]*)?$"
}

// aliasMark stands for an alias among scalars' values, which every entry
// may match (a scalar that happens to hold it only costs a filter run).
const aliasMark = "\x00alias"

// scalars appends the values of every scalar under n to out, and aliasMark
// for an alias.
func scalars(n *kyaml.Node, out []string) []string {
	if n == nil {
		return out
	}
	switch n.Kind {
	case kyaml.ScalarNode:
		return append(out, n.Value)
	case kyaml.AliasNode:
		return append(out, aliasMark)
	}
	for _, c := range n.Content {
		out = scalars(c, out)
	}
	return out
}
