package main

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/meshgate/meshgate/"

// layers is the pipeline, first to last: a package may import only
// packages of earlier layers (and, for a subpackage, its parent). This is
// the architecture CONTRIBUTING.md draws.
var layers = [][]string{
	{"internal/finding", "internal/suggest", "internal/kustomization"},
	{"internal/config"},
	{"internal/render"},
	{"internal/render/helm", "internal/render/kustomize"},
	{"internal/manifest"},
	{"internal/check"},
	{"internal/report"},
	{"internal/engine", "internal/publish", "internal/benchgen"},
	{"internal/action"},
	{"internal/cli"},
	{"cmd/meshgate"},
}

// TestLayers: no package imports against the pipeline, every package is in
// a layer, and nothing but cmd/meshgate imports cli.
func TestLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	layer := map[string]int{}
	for i, l := range layers {
		for _, p := range l {
			layer[p] = i
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, ok := strings.CutPrefix(fields[0], module)
		if !ok || pkg == "internal/benchgen/cmd/benchgen" || pkg == "internal/publish/githubtest" {
			continue // tools and test support, outside the pipeline
		}
		from, known := layer[pkg]
		if !known {
			t.Errorf("%s is in no layer: add it to layers and to CONTRIBUTING.md's picture", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			dep, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			if to, known := layer[dep]; known && to >= from {
				t.Errorf("%s imports %s, which is not before it in the pipeline", pkg, dep)
			}
		}
	}
}
