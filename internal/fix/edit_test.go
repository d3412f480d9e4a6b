package fix

import (
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/finding"
)

// TestEdits: each remedy on a small source, the text it becomes. The
// fixtures under testdata prove remedies end to end; these pin the shapes
// of YAML the line editor meets.
func TestEdits(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		remedy    finding.Remedy
		want      string // "" for no edit; "templated" for the advice
	}{
		{
			name:   "env list written at its key's indentation",
			src:    "- name: app\n  env:\n  - name: A\n    value: a\n  image: x\n",
			remedy: finding.Remedy{Op: finding.RemedyAddEnv, Key: "B", Value: "b", At: finding.Anchor{Line: 1, Field: "-"}},
			want:   "- name: app\n  env:\n  - name: A\n    value: a\n  - name: B\n    value: \"b\"\n  image: x\n",
		},
		{
			name:   "windows line endings stay",
			src:    "metadata:\r\n  labels:\r\n    app: a\r\n",
			remedy: finding.Remedy{Op: finding.RemedySet, Key: "team", Value: "x", At: finding.Anchor{Line: 2, Field: "labels"}},
			want:   "metadata:\r\n  labels:\r\n    app: a\r\n    team: \"x\"\r\n",
		},
		{
			name:   "a comment after the map stays after it",
			src:    "metadata:\n  labels:\n    app: a\n  # the pod's\n  annotations: {}\n",
			remedy: finding.Remedy{Op: finding.RemedySet, Key: "team", Value: "x", At: finding.Anchor{Line: 2, Field: "labels"}},
			want:   "metadata:\n  labels:\n    app: a\n    team: \"x\"\n  # the pod's\n  annotations: {}\n",
		},
		{
			name:   "a key that needs quotes",
			src:    "metadata:\n  annotations:\n    a: b\n",
			remedy: finding.Remedy{Op: finding.RemedySet, Key: "odd key: yes", Value: "v", At: finding.Anchor{Line: 2, Field: "annotations"}},
			want:   "metadata:\n  annotations:\n    a: b\n    \"odd key: yes\": \"v\"\n",
		},
		{
			name:   "a flow map is not edited",
			src:    "metadata:\n  labels: {app: a}\n",
			remedy: finding.Remedy{Op: finding.RemedySet, Key: "team", Value: "x", At: finding.Anchor{Line: 2, Field: "labels"}},
		},
		{
			name:   "a templated value is described",
			src:    "metadata:\n  annotations:\n    k: {{ .Values.k }}\n",
			remedy: finding.Remedy{Op: finding.RemedySet, Key: "k", Value: "v", At: finding.Anchor{Line: 2, Field: "annotations"}},
			want:   "templated",
		},
		{
			name:   "a quoted key to rename, comment kept",
			src:    "env:\n  - name: A\n    valueFrom:\n      secretKeyRef: {name: s, key: k}\nitems:\n  - key: \"passwd\" # old\n",
			remedy: finding.Remedy{Op: finding.RemedyRename, Old: "passwd", Value: "password", At: finding.Anchor{Line: 6, Field: "key"}},
			want:   "env:\n  - name: A\n    valueFrom:\n      secretKeyRef: {name: s, key: k}\nitems:\n  - key: \"password\" # old\n",
		},
		{
			name:   "a rename where the line says something else",
			src:    "key: other\n",
			remedy: finding.Remedy{Op: finding.RemedyRename, Old: "passwd", Value: "password", At: finding.Anchor{Line: 1, Field: "key"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := parseSource([]byte(tc.src))
			ops, err := s.ops(&tc.remedy)
			var got string
			switch _, templated := err.(*templatedError); {
			case templated:
				got = "templated"
			case err == nil:
				lines, aerr := apply(s.lines, ops)
				if aerr != nil {
					t.Fatal(aerr)
				}
				got = string(s.bytes(lines))
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestDiffWithoutFinalNewline: a file that does not end its last line is
// diffed with git's marker, so that the patch applies.
func TestDiffWithoutFinalNewline(t *testing.T) {
	s := parseSource([]byte("a:\n  b: c\nd: e"))
	p := Patch{files: []*fileChange{{path: "x.yaml", src: s, ops: []op{{start: 2, end: 2, lines: []string{"  f: g"}}}}}}
	var b strings.Builder
	if err := p.Diff(&b); err != nil {
		t.Fatal(err)
	}
	want := "diff --git a/x.yaml b/x.yaml\n--- a/x.yaml\n+++ b/x.yaml\n@@ -1,3 +1,4 @@\n a:\n   b: c\n+  f: g\n d: e\n\\ No newline at end of file\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
