package manifest

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/render"
)

// FuzzBuild decodes arbitrary rendered text (as a Helm document with an
// arbitrary template, and as a kustomize document that is its own source)
// and extracts everything; no input may panic, and every line handed out
// must lie in its file.
func FuzzBuild(f *testing.F) {
	for _, p := range []string{
		"testdata/refs/env-secret-key-ref.yaml",
		"testdata/refs/istio-user-volume-map.yaml",
		"testdata/workloads/null-containers.yaml",
		"testdata/decode/success.lists-expanded.yaml",
	} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, b)
	}
	f.Fuzz(func(t *testing.T, data, template []byte) {
		for _, source := range []string{"helm", "kustomize"} {
			src := template
			if source == "kustomize" {
				src = data
			}
			res := render.Result{Source: source, DefaultNamespace: "default",
				Docs:    []render.Doc{{YAML: data, File: "t.yaml"}},
				Sources: map[string][]byte{"t.yaml": src}}
			set, err := BuildShared(res, nil)
			if err != nil {
				if err.File != "t.yaml" || err.Line < 1 || !strings.HasPrefix(err.Message, "rendered YAML: line ") {
					t.Fatalf("%s: malformed error %#v", source, *err)
				}
				continue
			}
			maxLine := bytes.Count(src, []byte("\n")) + 1
			check := func(what string, l int) {
				if l < 0 || l > maxLine {
					t.Fatalf("%s: %s line %d outside 0..%d", source, what, l, maxLine)
				}
			}
			for _, o := range set.Objects {
				check("object", o.Line)
			}
			for _, w := range set.Workloads {
				for _, c := range w.Pod.Containers {
					check("container", w.LineOf(c.Path...))
					check("container env", w.LineOf(join(c.Path, "env", 0, "valueFrom")...))
				}
			}
			for _, r := range set.Refs {
				if r.Name == "" || r.Object == nil {
					t.Fatalf("%s: ref without name or object: %+v", source, r)
				}
				check("ref", r.Object.LineOf(r.Path...))
				check("ref key", r.Object.LineOf(r.KeyPath...))
			}
			for _, p := range set.Problems {
				check("problem", p.Object.LineOf(p.Path...))
			}
		}
	})
}

// FuzzHelmLine maps arbitrary paths of arbitrary rendered documents into
// arbitrary templates; the answer is always a line of the template (or 1).
func FuzzHelmLine(f *testing.F) {
	tmpl, err := os.ReadFile("testdata/helm/shop/templates/deployment.yaml")
	if err != nil {
		f.Fatal(err)
	}
	rendered, err := os.ReadFile("testdata/helm/shop.rendered.yaml")
	if err != nil {
		f.Fatal(err)
	}
	deployment := rendered[:bytes.Index(rendered, []byte("---\n# Source: shop/templates/jobs.yaml"))]
	f.Add(tmpl, deployment, "spec.template.spec.containers.2.env.0.valueFrom.secretKeyRef.name")
	f.Add(tmpl, deployment, "metadata.labels")
	f.Add([]byte("kind: A\n---\nkind: A\n  - x: {{ y }}\n"), []byte("kind: A\nx: [1]\n"), "x.0")
	f.Fuzz(func(t *testing.T, template, rendered []byte, path string) {
		var node *yaml.Node
		var n yaml.Node
		if yaml.Unmarshal(rendered, &n) == nil {
			node = &n
		}
		var p []any
		if path != "" {
			for _, el := range strings.Split(path, ".") {
				if i, err := strconv.Atoi(el); err == nil {
					p = append(p, i)
				} else {
					p = append(p, el)
				}
			}
		}
		tmpl := parseTemplate(template)
		got := newHelmObject(tmpl, node, 0).line(p)
		if lines := len(tmpl.lines); got < 1 || got > max(1, lines) {
			t.Fatalf("line = %d, want 1..%d", got, max(1, lines))
		}
	})
}
