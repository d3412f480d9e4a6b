package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
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
	{"internal/gitops"},
	{"internal/render"},
	{"internal/render/helm", "internal/render/kustomize", "internal/render/manifests"},
	{"internal/manifest"},
	{"internal/check"},
	{"internal/report"},
	{"internal/engine", "internal/publish", "internal/benchgen"},
	{"internal/fix"},
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
		if !ok || pkg == "internal/benchgen/cmd/benchgen" || pkg == "internal/publish/githubtest" || pkg == "internal/testrepo" {
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

// maxFuncLines is the longest a non-test function may be: longer ones hide
// more than one idea.
const maxFuncLines = 80

// TestFunctionLength: no non-test function of meshgate is longer than
// maxFuncLines lines, declaration and closing brace included.
func TestFunctionLength(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range []string{"../../internal", "."} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				if n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1; n > maxFuncLines {
					t.Errorf("%s: %s is %d lines, more than %d", fset.Position(fn.Pos()), fn.Name.Name, n, maxFuncLines)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
