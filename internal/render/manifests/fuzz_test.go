package manifests

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzFile reads arbitrary text as a file of a manifests folder. No input
// may panic; each document read starts at a line of the text, and an
// error names a line of it.
func FuzzFile(f *testing.F) {
	files, _ := filepath.Glob("../testdata/manifests/shop/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("--- # c\n---\nitems: [{apiVersion: v1, kind: A, metadata: {name: a}}]\nkind: AList\napiVersion: v1\n"))
	f.Add([]byte("a: &x {b: *x}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := newReader("default")
		lines := bytes.Count(data, []byte("\n")) + 1
		if rerr := r.file("f.yaml", data); rerr != nil {
			if rerr.File != "f.yaml" || rerr.Line < 1 || rerr.Line > lines {
				t.Fatalf("error %+v", rerr)
			}
			return
		}
		for _, d := range r.docs {
			if d.File != "f.yaml" || d.Line < 1 || d.Line > lines {
				t.Fatalf("document at %s:%d of %d lines", d.File, d.Line, lines)
			}
		}
	})
}
