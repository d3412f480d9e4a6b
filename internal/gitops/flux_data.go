package gitops

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
)

// The ConfigMaps and Secrets a Flux object reads (substituteFrom,
// valuesFrom) are in the cluster for Flux; here they are the objects of the
// same rendering, else those written in the repository's YAML files.

// maxDataFileBytes bounds each file read for ConfigMaps and Secrets.
const maxDataFileBytes = 4 << 20

// findDataObjects returns the ConfigMaps and Secrets written in the YAML
// files of the repository at root, in file order. Hidden folders and
// node_modules are not read; a file that does not parse is left alone.
func findDataObjects(root string) ([]*Object, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	fsys := r.FS()
	var out []*Object
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return fs.SkipDir
			}
			return nil
		}
		if ext := path.Ext(name); !d.Type().IsRegular() || ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := config.ReadInRoot(root, p, maxDataFileBytes)
		if err != nil || !bytes.Contains(data, []byte("ConfigMap")) && !bytes.Contains(data, []byte("Secret")) {
			return nil // too big or not one: skipped
		}
		out = append(out, dataObjects(p, data)...)
		return nil
	})
	return out, err
}

// dataObjects are the ConfigMaps and Secrets of one YAML stream of file.
func dataObjects(file string, data []byte) []*Object {
	var out []*Object
	for _, o := range Decode(file, data) {
		if (o.Kind == "ConfigMap" || o.Kind == "Secret") && o.APIVersion == "v1" {
			out = append(out, &o)
		}
	}
	return out
}

// FluxDataFrom is the lookup of ConfigMaps and Secrets over objects, in
// order of preference: in each list, an object of the namespace asked
// for, else one that sets no namespace (a kustomization places it); the
// first list that holds one wins.
func FluxDataFrom(lists ...[]*Object) FluxDataLookup {
	return func(kind, namespace, name string) (*FluxData, error) {
		for _, objs := range lists {
			if o := pickObject(objs, kind, namespace, name); o != nil {
				d, err := ReadFluxData(kind, o.Body)
				if err != nil {
					return nil, errors.New(o.File + ": " + err.Error())
				}
				d.File, d.Line = o.File, o.Line
				d.KeyLine = func(key string) int {
					for _, field := range []string{"stringData", "data"} {
						if l := o.line(field, key); l != o.Line {
							return l
						}
					}
					return o.Line
				}
				return d, nil
			}
		}
		return nil, nil
	}
}
