package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/render"
)

// fixtureResult renders one fixture as kustomize would hand it over: the
// fixture is both the rendered stream and its own source file, so expected
// lines are the fixture's lines.
func fixtureResult(t testing.TB, path string) render.Result {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	file := "deploy/" + filepath.Base(path)
	return render.Result{
		Source:           "kustomize",
		DefaultNamespace: "shop",
		Docs:             []render.Doc{{YAML: b, File: file}},
		Sources:          map[string][]byte{file: b},
	}
}

func buildFixture(t testing.TB, path string) *Set {
	t.Helper()
	set, err := BuildShared(fixtureResult(t, path), nil)
	if err != nil {
		t.Fatalf("BuildShared(%s, nil): %v", path, err)
	}
	return set
}

// refView is a Ref as tests compare it: identity, resolution and lines.
type refView struct {
	Object    string
	Container string
	Where     string
	Namespace string
	Name      string
	Key       string
	Optional  bool
	Any       bool
	Line      int
	KeyLine   int // 0 without a key
}

func viewRefs(refs []Ref) []refView {
	var out []refView
	for _, r := range refs {
		v := refView{Object: r.Object.ID(), Container: r.Container, Where: r.Where, Namespace: r.Namespace,
			Name: r.Name, Key: r.Key, Optional: r.Optional, Any: r.AnyNamespace, Line: r.Object.LineOf(r.Path...)}
		if r.KeyPath != nil {
			v.KeyLine = r.Object.LineOf(r.KeyPath...)
		}
		out = append(out, v)
	}
	return out
}

// producerView is a Producer as tests compare it.
type producerView struct {
	Namespace string
	Name      string
	Keys      string
	KeysKnown bool
	Via       string
	Object    string
}

func viewProducers(ps []Producer) []producerView {
	var out []producerView
	for _, p := range ps {
		out = append(out, producerView{Namespace: p.Namespace, Name: p.Name, Keys: strings.Join(p.Keys, ","),
			KeysKnown: p.KeysKnown, Via: p.Via, Object: p.Object.ID()})
	}
	return out
}

func diff[T any](t *testing.T, what string, got, want []T) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	var b strings.Builder
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w string
		if i < len(got) {
			g = fmt.Sprintf("%+v", got[i])
		}
		if i < len(want) {
			w = fmt.Sprintf("%+v", want[i])
		}
		mark := " "
		if g != w {
			mark = "!"
		}
		fmt.Fprintf(&b, "%s %d\n    got:  %s\n    want: %s\n", mark, i, g, w)
	}
	t.Errorf("%s differ:\n%s", what, b.String())
}
