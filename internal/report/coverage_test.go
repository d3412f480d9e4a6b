package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestCoverage: every format shows an environment's mesh coverage, and the
// change since the base with the workloads that lost the dataplane.
func TestCoverage(t *testing.T) {
	r := Report{Environments: []Environment{
		{Name: "prod", Source: "helm", Path: "charts/shop", Objects: 50, Workloads: 42, Mesh: &Coverage{
			Meshed: 41, Workloads: 42, Unmeshed: []string{"Deployment/shop/checkout"},
			Base: &CoverageChange{Meshed: 42, Workloads: 42, Lost: []string{"Deployment/shop/checkout"}},
		}},
		{Name: "staging", Source: "helm", Path: "charts/shop", Objects: 50, Workloads: 42, Mesh: &Coverage{Meshed: 42, Workloads: 42}},
	}}
	want := map[string][]string{
		FormatText: {
			"prod (helm charts/shop): 50 objects, 42 workloads, 41/42 meshed, 0ms\n  mesh: −1 since base: Deployment shop/checkout lost the mesh dataplane\n",
			"staging (helm charts/shop): 50 objects, 42 workloads, 42/42 meshed, 0ms\n  no gaps\n",
		},
		FormatMarkdown: {
			"| _meshed_ | 41/42 (−1) | 42/42 |\n",
			"**prod** 41/42 meshed, −1 since base: Deployment shop/checkout lost the mesh dataplane\n",
		},
		FormatJSON:  {`"mesh": {`, `"lost": [`},
		FormatSARIF: {`"meshCoverage": [`, `"change": "−1 since base: Deployment shop/checkout lost the mesh dataplane"`},
	}
	for format, lines := range want {
		f, err := Lookup(format)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := f(&b, r, Options{}); err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if !strings.Contains(b.String(), l) {
				t.Errorf("%s output lacks %q:\n%s", format, l, b.String())
			}
		}
	}
}
