package helm

import (
	"reflect"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
)

// TestMergeValuesInline: the values written in a GitOps object come after
// the values files, as a later -f, then --set, then --set-string (helm's
// values.Options.MergeValues order); a key repeated there is a warning at
// its line in the object's file.
func TestMergeValuesInline(t *testing.T) {
	h := &config.Helm{
		Values:    []string{"helm/envs/common.yaml"},
		Inline:    []config.InlineValues{{File: "apps/shop.yaml", Line: 20, YAML: "replicaCount: 3\nmesh: {inject: true}\nmesh: {inject: false}\n"}},
		Set:       map[string]string{"image.tag": "1.2.3", "port": "8080"},
		SetString: map[string]string{"port": "8081"},
	}
	vals, warnings, rerr := mergeValues(newPaths(testRoot(t)), h, config.DefaultMaxRenderedBytes)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if vals["replicaCount"] != float64(3) {
		t.Errorf("replicaCount = %#v, want the inline 3", vals["replicaCount"])
	}
	if got := vals["mesh"]; !reflect.DeepEqual(got, map[string]interface{}{"inject": false}) {
		t.Errorf("mesh = %#v", got)
	}
	if vals["port"] != "8081" {
		t.Errorf("port = %#v, want the --set-string \"8081\"", vals["port"])
	}
	want := []render.Warning{{File: "apps/shop.yaml", Line: 22, Message: "values key mesh is defined twice (lines 21 and 22); helm takes the last: a mapping"}}
	if !reflect.DeepEqual(warnings, want) {
		t.Errorf("warnings = %#v\nwant %#v", warnings, want)
	}
	h.Inline[0].YAML = "a: 1\nb: [\n"
	if _, _, rerr := mergeValues(newPaths(testRoot(t)), h, config.DefaultMaxRenderedBytes); rerr == nil || rerr.File != "apps/shop.yaml" || rerr.Line < 20 {
		t.Errorf("bad inline values: %v, want an error in apps/shop.yaml from line 20", rerr)
	}
}
