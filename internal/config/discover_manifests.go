package config

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// workloadKinds are the kinds that run pods; an object of another kind
// with a pod template at spec.template.spec (an Argo Rollout, a CloneSet)
// is a workload too.
var workloadKinds = map[string]bool{
	"Pod": true, "Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicaSet": true,
	"ReplicationController": true, "Job": true, "CronJob": true,
}

// manifestFolders are the folders of plain Kubernetes objects that are
// environments: the .yaml, .yml and .json files of the folder (not of the
// folders below it) hold at least one workload, and the folder is no
// kustomization's, under no chart nor a kustomization's chartHome, none of
// its files is named by a kustomization (a resource, a patch, a generator's
// input), and it is not under a tests/ or testdata/ folder. Folders of
// YAML under tests/ or testdata/ are counted in one Skipped entry.
func manifestFolders(root string, src sources, ki kustomizations) (dirs []string, skipped []Skipped) {
	fixtures := 0
	for dir, files := range src.manifests {
		switch {
		case src.kusts[dir] != "", under(dir, src.charts), under(dir, ki.chartHomes), referencedFolder(dir, files, ki.referenced):
			continue
		case isTestFolder(dir):
			fixtures++
			continue
		}
		if hasWorkload(root, dir, files) {
			dirs = append(dirs, dir)
		}
	}
	sort.Strings(dirs)
	if fixtures > 0 {
		skipped = append(skipped, Skipped{Path: fmt.Sprintf("%d folder(s) of YAML under tests/ or testdata/", fixtures), Reason: "test fixtures"})
	}
	return dirs, skipped
}

// folderOrigin is what a manifests environment was found from: its folder.
func folderOrigin(dir string) string {
	if dir == "." {
		return "./"
	}
	return dir + "/"
}

// under reports whether dir is one of folders or below one.
func under(dir string, folders []string) bool {
	for _, f := range folders {
		if f == "." || dir == f || strings.HasPrefix(dir, f+"/") {
			return true
		}
	}
	return false
}

// referencedFolder reports a folder a kustomization names, or one of whose
// files it names: its YAML is part of that kustomization's build.
func referencedFolder(dir string, files []string, referenced map[string]bool) bool {
	if referenced[dir] {
		return true
	}
	for _, f := range files {
		if referenced[path.Join(dir, f)] {
			return true
		}
	}
	return false
}

// isTestFolder reports a folder named tests, or testdata (Go's name for
// test fixtures, also with a suffix: testdata2), or one below it: test
// fixtures wherever they are, not only under a chart. A folder named test
// may be an environment (overlays/test), so it is not one.
func isTestFolder(dir string) bool {
	for _, part := range strings.Split(dir, "/") {
		if part == "tests" || strings.HasPrefix(part, "testdata") {
			return true
		}
	}
	return false
}

// hasWorkload reports whether one of the files of dir holds a workload: a
// document with an apiVersion and a kind that runs pods. Files that cannot
// be read or parsed hold none.
func hasWorkload(root, dir string, files []string) bool {
	for _, f := range files {
		if fileHasWorkload(root, path.Join(dir, f)) {
			return true
		}
	}
	return false
}

// fileHasWorkload reports whether the repository file rel holds a
// workload; one that cannot be read or parsed holds none.
func fileHasWorkload(root, rel string) bool {
	data, err := readInRoot(root, rel, maxMetadataBytes)
	if err != nil || !bytes.Contains(data, []byte("kind")) {
		return false
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if dec.Decode(&doc) != nil {
			return false
		}
		if len(doc.Content) > 0 && isWorkload(doc.Content[0]) {
			return true
		}
	}
}

// isWorkload reports an object that runs pods: it has an apiVersion, a
// kind and a name (a template whose name is "{{ .Name }}" is no object
// yet), and its kind runs pods or it has a pod template.
func isWorkload(n *yaml.Node) bool {
	apiVersion, kind := scalarAt(n, "apiVersion"), scalarAt(n, "kind")
	named := scalarAt(n, "metadata", "name") != "" || scalarAt(n, "metadata", "generateName") != ""
	if apiVersion == "" || kind == "" || !named {
		return false
	}
	return workloadKinds[kind] || nodeAt(n, "spec", "template", "spec") != nil
}

// nodeAt is the node at the path of mapping keys under n, else nil.
func nodeAt(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

// scalarAt is the text of the scalar at the path under n, else "".
func scalarAt(n *yaml.Node, keys ...string) string {
	if v := nodeAt(n, keys...); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}
