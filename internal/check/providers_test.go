package check

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
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
	for _, p := range Providers {
		if p.Upstream == "" {
			continue
		}
		tag := p.Upstream[strings.LastIndex(p.Upstream, " ")+1:]
		if !strings.Contains(string(doc), "`"+strings.TrimPrefix(tag, "v")+"`") && !strings.Contains(string(doc), "`"+tag+"`") {
			t.Errorf("docs/mesh-providers.md does not name %s, the release provider %s models", tag, p.Name)
		}
		if v := config.DefaultVersions[p.Name]; !strings.Contains(string(doc), "(`"+v+"`)") {
			t.Errorf("docs/mesh-providers.md does not give %s as %s's default mesh.version", v, p.Name)
		}
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

// TestMeshNativeGates: each provider's gates are in release order, and
// each says where upstream sets its default and what advice works there.
func TestMeshNativeGates(t *testing.T) {
	for _, p := range Providers {
		if !p.ChecksInjection() || p.Name == config.ProviderIstioAmbient {
			continue
		}
		gates, ok := meshNativeGates[p.Name]
		if !ok {
			t.Errorf("provider %s has no native sidecar gates", p.Name)
			continue
		}
		for i, g := range gates {
			if g.cite == "" || g.advice == "" {
				t.Errorf("%s gate %d: cite %q, advice %q", p.Name, i, g.cite, g.advice)
			}
			if i > 0 && g.since.Compare(gates[i-1].since) <= 0 {
				t.Errorf("%s gate %d (%v) is not after gate %d (%v)", p.Name, i, g.since, i-1, gates[i-1].since)
			}
		}
	}
}

// TestInitInstallDefaults: every mesh.install line `meshgate init` writes
// for a provider loads, and holds the value meshgate assumes when the
// setting is left out, so that uncommenting it changes no verdict.
func TestInitInstallDefaults(t *testing.T) {
	dir := t.TempDir()
	for _, p := range Providers {
		for _, in := range p.Init.Install {
			name := p.Name + ": " + in.Line
			file := filepath.Join(dir, ".meshgate.yaml")
			body := "environments: [{name: prod, kustomize: {path: .}}]\nmesh:\n  provider: " + p.Name + "\n  install:\n    " + in.Line + "\n"
			if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(dir, file)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			set := meshCtx{mesh: cfg.Mesh, version: cfg.Mesh.MeshVersion()}
			def := meshCtx{mesh: config.Mesh{Provider: p.Name}, version: set.version}
			for _, s := range []string{meshSettingAutoInject, meshSettingTokenProjection, meshSettingNeverInject, meshSettingAlwaysInject, meshSettingControlPlaneNamespace} {
				if meshInstallValue(set, s) != meshInstallValue(def, s) {
					t.Errorf("%s: %s is %q, the default %q", name, s, meshInstallValue(set, s), meshInstallValue(def, s))
				}
			}
			for _, s := range []string{meshSettingAllowNamespaces, meshSettingDenyNamespaces} {
				if got, want := meshInstallList(set, s), meshInstallList(def, s); !slices.Equal(got, want) && len(got)+len(want) > 0 {
					t.Errorf("%s: %s is %v, the default %v", name, s, got, want)
				}
			}
			if got, want := meshInstallExceptions(set), meshInstallExceptions(def); !maps.Equal(got, want) {
				t.Errorf("%s: exception labels %v, the default %v", name, got, want)
			}
			if n := cfg.Mesh.Install.NativeSidecars; n != "" && n != meshNativeGateFor(p.Name, set.version).def {
				t.Errorf("%s: nativeSidecars %s, the default %s", name, n, meshNativeGateFor(p.Name, set.version).def)
			}
		}
	}
}
