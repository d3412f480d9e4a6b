package gitops

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/kustomization"
)

// maxFileBytes bounds each YAML file read for GitOps objects; real ones are
// a few KiB.
const maxFileBytes = 4 << 20

// Find reads the repository's YAML files that mention a GitOps API group
// and returns their objects in file order: the GitOps objects and those
// beside them. Hidden folders, node_modules, the templates of charts and
// kustomization files are not read; a file that is not YAML is left alone
// (its environment's rendering reports it, if any uses it).
func Find(root string) ([]Object, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := de.Name()
		if de.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || isChartTemplates(p)) {
				return filepath.SkipDir
			}
			return nil
		}
		ext := path.Ext(name)
		if de.Type().IsRegular() && (ext == ".yaml" || ext == ".yml") && !slices.Contains(kustomization.FileNames, name) {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var objs []Object
	for _, f := range files {
		data, err := config.ReadInRoot(root, f, maxFileBytes)
		if err != nil || !mentionsGitOps(data) {
			continue
		}
		objs = append(objs, Decode(f, data)...)
	}
	return objs, nil
}

// isChartTemplates reports the templates folder of a chart: Helm
// templates, rendered by the chart's environment.
func isChartTemplates(dir string) bool {
	if filepath.Base(dir) != "templates" {
		return false
	}
	_, err := os.Stat(filepath.Join(filepath.Dir(dir), "Chart.yaml"))
	return err == nil
}

func mentionsGitOps(data []byte) bool {
	for _, m := range markers {
		if bytes.Contains(data, []byte(m)) {
			return true
		}
	}
	return false
}

// Decode reads the objects of a YAML stream written in file, up to the
// first document that does not parse. Documents without apiVersion and
// kind, and YAML bombs, are left out.
func Decode(file string, data []byte) []Object {
	var objs []Object
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if dec.Decode(&doc) != nil {
			return objs
		}
		if len(doc.Content) == 0 || config.YAMLTooLarge(&doc) {
			continue
		}
		root := doc.Content[0]
		var body map[string]any
		if root.Kind != yaml.MappingNode || root.Decode(&body) != nil {
			continue
		}
		o := objectOf(body)
		if o.APIVersion == "" || o.Kind == "" {
			continue
		}
		o.File, o.Line = file, root.Line
		o.LineOf = func(p ...any) int { return nodeLine(root, p) }
		objs = append(objs, o)
	}
}

// ObjectOf is body as an Object, with its apiVersion, kind, namespace and
// name; File and Line are left to the caller.
func ObjectOf(body map[string]any) Object { return objectOf(body) }

func objectOf(body map[string]any) Object {
	meta, _ := body["metadata"].(map[string]any)
	return Object{
		APIVersion: str(body, "apiVersion"),
		Kind:       str(body, "kind"),
		Namespace:  str(meta, "namespace"),
		Name:       str(meta, "name"),
		Body:       body,
	}
}

// nodeLine is the line of the field at p under n: the key's line for a
// map entry, the item's for a list entry; 0 when there is none.
func nodeLine(n *yaml.Node, p []any) int {
	line := 0
	for _, el := range p {
		for n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		if n == nil {
			return 0
		}
		switch k := el.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return 0
			}
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line, next = n.Content[i].Line, n.Content[i+1]
				}
			}
			n = next
		case int:
			if n.Kind != yaml.SequenceNode || k < 0 || k >= len(n.Content) {
				return 0
			}
			n = n.Content[k]
			line = n.Line
		default:
			return 0
		}
	}
	return line
}

// str is m[key] when it is a string.
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// mapOf is m[key] when it is a map.
func mapOf(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

// listOf is m[key] when it is a list.
func listOf(m map[string]any, key string) []any {
	v, _ := m[key].([]any)
	return v
}
