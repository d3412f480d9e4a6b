package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
)

// TestProviders holds the table to the names config validates, in order,
// and to their sections in docs/mesh-providers.md.
func TestProviders(t *testing.T) {
	sameNames(t, Providers, func(p Provider) string { return p.Name }, config.Providers)
	if _, ok := LookupProvider(config.DefaultProvider); !ok {
		t.Errorf("the default provider %q is not in the table", config.DefaultProvider)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "mesh-providers.md"))
	if err != nil {
		t.Fatal(err)
	}
	at := 0
	for _, name := range config.Providers {
		i := strings.Index(string(doc[at:]), "\n## `"+name+"`")
		if i < 0 {
			t.Errorf("docs/mesh-providers.md has no section \"## `%s`\" after the previous provider's", name)
			continue
		}
		at += i + 1
	}
}
