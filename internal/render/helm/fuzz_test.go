package helm

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/finding"
)

// FuzzSplitDocs splits arbitrary `helm template` streams at their "---"
// lines and maps each "# Source:" line to a repository file. No stream may
// panic; every document is trimmed text ending in a newline, holds no
// separator line, and gets a file of the chart (or none, for a name that
// is no path inside it: templates can write "# Source:" lines too).
func FuzzSplitDocs(f *testing.F) {
	for _, name := range []string{"shop-prod", "lite"} {
		b, err := os.ReadFile("../testdata/expected/" + name + ".helm-template.yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("---\n# Source: shop/templates/a.yaml\nkind: A\n---\n# Source: shop/charts/cache/templates/b.yaml\nkind: B\n")
	f.Add("---\n# Source: shop/crds/c.yaml\nkind: C\n---\nkind: D\n---\n\n---\t\n# Source: \n")
	f.Add("# Source: before/a.yaml\nkind: A\n--- # comment\n# Source: shop/templates/x.yaml\r\nkind: X\r\n")
	f.Add("---\n# Source: shop/../../../etc/passwd\nkind: A\n---\n# Source: shop/charts/db/templates/../x.yaml\nkind: B\n")
	ld := &loaded{origins: map[string]origin{
		"shop":              {dir: "charts/shop"},
		"shop/charts/cache": {archive: "charts/shop/charts/cache-1.0.0.tgz"},
		"shop/charts/db":    {dir: "charts/db"},
	}}
	f.Fuzz(func(t *testing.T, stream string) {
		docs := splitDocs(stream, ld.fileFor, nil)
		for _, d := range docs {
			y := string(d.YAML)
			if y == "" || !strings.HasSuffix(y, "\n") || strings.TrimSpace(y) == "" {
				t.Fatalf("document %q", y)
			}
			for _, line := range strings.Split(y, "\n") {
				if isSeparator(line) {
					t.Fatalf("document holds a separator: %q", y)
				}
			}
			if slices.Contains(strings.Split(d.File, "/"), "..") || strings.HasSuffix(d.File, "/") {
				t.Fatalf("file %q leaves its chart", d.File)
			}
			if a, p, ok := finding.SplitArchive(d.File); ok && (a != "charts/shop/charts/cache-1.0.0.tgz" || !filepath.IsLocal(p)) {
				t.Fatalf("file %q is no template inside the cache archive", d.File)
			}
			switch {
			case d.File == "":
			case strings.HasPrefix(d.File, "charts/shop/"), strings.HasPrefix(d.File, "charts/db/"):
			default:
				t.Fatalf("file %q is none of the chart's", d.File)
			}
		}
	})
}
