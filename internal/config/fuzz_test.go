package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad decodes arbitrary config text. No input may panic; a rejected
// one yields problems in the file, each with a message, at a line of the
// text; an accepted one has environments that each render one source.
func FuzzLoad(f *testing.F) {
	for _, glob := range []string{"testdata/load/*.yaml", "testdata/load/*/*.yaml", "../../testdata/*/.meshgate.yaml", "../../testdata/bad/*/.meshgate.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("limits: {renderTimeout: 1h, maxRenderedBytes: 9223372036854775807, maxObjects: 0x10}\nenvironments: [{name: a, kustomize: {path: k}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := &decoder{root: "/repo", dir: "/repo", file: "c.yaml"}
		cfg := d.decode(data)
		lines := yamlLineBreaks(string(data)) + 2
		for _, p := range d.problems {
			if p.File != "c.yaml" || p.Message == "" || p.Line < 0 || p.Line > lines {
				t.Fatalf("malformed problem %#v", p)
			}
		}
		if len(d.problems) > 0 || cfg == nil {
			return
		}
		for _, e := range cfg.Environments {
			sources := 0
			for _, set := range []bool{e.Helm != nil, e.Kustomize != nil, e.Manifests != nil} {
				if set {
					sources++
				}
			}
			if e.Name == "" || sources != 1 {
				t.Fatalf("accepted environment %#v", e)
			}
			if p := e.Path(); p == "" || strings.HasPrefix(p, "../") || p == ".." || filepath.IsAbs(p) {
				t.Fatalf("accepted path %q outside the repository", p)
			}
		}
		l := cfg.Limits
		if l.Timeout() <= 0 || l.RenderedBytes() <= 0 || l.Objects() <= 0 {
			t.Fatalf("limits in force %v %d %d", l.Timeout(), l.RenderedBytes(), l.Objects())
		}
	})
}

// yamlLineBreaks counts line breaks the way YAML does: CR LF is one, and a
// lone CR, LF, NEL, LS or PS is one each, so "a\rb" is two lines to the
// parser and to the problems it reports.
func yamlLineBreaks(s string) int {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	n := 0
	for _, r := range s {
		switch r {
		case '\r', '\n', '\u0085', '\u2028', '\u2029':
			n++
		}
	}
	return n
}
