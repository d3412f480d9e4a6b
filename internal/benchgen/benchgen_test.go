package benchgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/render/helm"
	"github.com/meshgate/meshgate/internal/render/kustomize"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// treeHash hashes every file's path and bytes under dir.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		h.Write([]byte(filepath.ToSlash(rel) + "\x00"))
		h.Write(data)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func generate(t *testing.T, opts Options) string {
	t.Helper()
	dir := t.TempDir()
	if err := Generate(dir, opts); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestGenerateIsDeterministic(t *testing.T) {
	opts := Options{Envs: 20, Services: 12, Seed: 7}
	first, second := treeHash(t, generate(t, opts)), treeHash(t, generate(t, opts))
	if first != second {
		t.Errorf("two runs with the same options differ: %s vs %s", first, second)
	}
	opts.Seed = 8
	if other := treeHash(t, generate(t, opts)); other == first {
		t.Errorf("seeds 7 and 8 wrote the same repository")
	}
}

// TestGoldenFiles pins the config and the baseline command lines of a small
// repository; refresh with go test ./internal/benchgen -update.
func TestGoldenFiles(t *testing.T) {
	dir := generate(t, Options{Envs: 20, Services: 12, Seed: DefaultSeed})
	for _, name := range []string{ConfigFile, EnvsFile} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", strings.TrimPrefix(name, ".")+".golden")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run with -update after checking the change):\n%s", name, golden, got)
		}
	}
}

func TestGenerateSizes(t *testing.T) {
	tests := []struct {
		envs, services, helmEnvs, dups int
	}{
		{envs: 1, services: 1, helmEnvs: 1},
		{envs: 6, services: 3, helmEnvs: 3},
		{envs: 20, services: 12, helmEnvs: 10, dups: 2},
		{envs: 40, services: 60, helmEnvs: 20, dups: 4},
	}
	for _, tt := range tests {
		opts := Options{Envs: tt.envs, Services: tt.services, Seed: DefaultSeed}
		t.Run(fmt.Sprintf("%dx%d", tt.envs, tt.services), func(t *testing.T) {
			dir := generate(t, opts)
			cfg, err := config.Load(dir, ConfigFile)
			if err != nil {
				t.Fatalf("config.Load: %v", err)
			}
			if len(cfg.Environments) != tt.envs {
				t.Errorf("%d environments in the config, want %d", len(cfg.Environments), tt.envs)
			}
			helmEnvs := 0
			for _, e := range cfg.Environments {
				if e.Helm != nil {
					helmEnvs++
				}
			}
			if helmEnvs != tt.helmEnvs {
				t.Errorf("%d helm environments, want %d", helmEnvs, tt.helmEnvs)
			}
			if dups := len(identicalInputs(cfg)); dups != tt.dups {
				t.Errorf("%d environments share another's inputs, want %d", dups, tt.dups)
			}

			// The chart's service catalog and the base's workloads.
			var values struct {
				Services map[string]any `yaml:"services"`
			}
			readYAML(t, filepath.Join(dir, chartDir, "values.yaml"), &values)
			if len(values.Services) != tt.services {
				t.Errorf("%d services in the chart values, want %d", len(values.Services), tt.services)
			}
			workloads, _ := filepath.Glob(filepath.Join(dir, baseDir, "services", "*", "workload.yaml"))
			if len(workloads) != tt.services {
				t.Errorf("%d workloads in the kustomize base, want %d", len(workloads), tt.services)
			}
			for _, w := range workloads {
				var obj struct{ Kind string }
				readYAML(t, w, &obj)
				if obj.Kind != "Deployment" && obj.Kind != "StatefulSet" {
					t.Errorf("%s is a %s", w, obj.Kind)
				}
			}

			data, err := os.ReadFile(filepath.Join(dir, EnvsFile))
			if err != nil {
				t.Fatal(err)
			}
			lines := 0
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				if !strings.HasPrefix(line, "#") {
					lines++
				}
			}
			if lines != tt.envs {
				t.Errorf("%d environments in %s, want %d", lines, EnvsFile, tt.envs)
			}
		})
	}
}

// identicalInputs maps each environment whose render inputs equal an
// earlier one's to that earlier environment.
func identicalInputs(cfg *config.Config) map[string]string {
	out := map[string]string{}
	for i, e := range cfg.Environments {
		for _, prev := range cfg.Environments[:i] {
			if reflect.DeepEqual(e.Helm, prev.Helm) && reflect.DeepEqual(e.Kustomize, prev.Kustomize) && e.Namespace == prev.Namespace {
				out[e.Name] = prev.Name
				break
			}
		}
	}
	return out
}

func TestIdenticalInputs(t *testing.T) {
	dir := generate(t, Options{Envs: 40, Services: 2, Seed: DefaultSeed})
	cfg, err := config.Load(dir, ConfigFile)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"prod-use1-dr":  "prod-use1",
		"prod-euw1-dr":  "prod-euw1",
		"prod-apse1-dr": "prod-apse1",
		"prod-apne1-dr": "prod-apne1",
	}
	if got := identicalInputs(cfg); !reflect.DeepEqual(got, want) {
		t.Errorf("identical inputs = %v, want %v", got, want)
	}
}

// TestEveryEnvironmentRenders renders a small repository with meshgate's
// renderers: no errors, and every environment has each service's workload
// plus its batch workload.
func TestEveryEnvironmentRenders(t *testing.T) {
	opts := Options{Envs: 8, Services: 6, Seed: DefaultSeed}
	dir := generate(t, opts)
	cfg, err := config.Load(dir, ConfigFile)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, e := range cfg.Environments {
		var r render.Renderer = kustomize.Renderer{}
		if e.Helm != nil {
			r = helm.Renderer{}
		}
		res := r.Render(context.Background(), cfg.Root, e, render.Options{})
		if res.Err != nil {
			t.Errorf("%s: %v", e.Name, res.Err)
			continue
		}
		kinds := map[string]int{}
		for _, d := range res.Docs {
			var obj struct{ Kind string }
			if err := yaml.Unmarshal(d.YAML, &obj); err != nil {
				t.Fatalf("%s: %v", e.Name, err)
			}
			kinds[obj.Kind]++
		}
		got := kinds["Deployment"] + kinds["StatefulSet"] + kinds["Job"] + kinds["CronJob"]
		if got != opts.Services+1 {
			t.Errorf("%s: %d workloads, want %d (%v)", e.Name, got, opts.Services+1, kinds)
		}
		for _, kind := range []string{"Service", "ServiceAccount", "ConfigMap", "HorizontalPodAutoscaler", "PodDisruptionBudget"} {
			if kinds[kind] < opts.Services {
				t.Errorf("%s: %d %s objects, want at least %d", e.Name, kinds[kind], kind, opts.Services)
			}
		}
		if secrets := kinds["Secret"] + kinds["ExternalSecret"]; secrets < opts.Services {
			t.Errorf("%s: %d Secrets and ExternalSecrets, want at least %d", e.Name, secrets, opts.Services)
		}
		total += got
	}
	if total != Workloads(opts) {
		t.Errorf("%d workloads in all, Workloads says %d", total, Workloads(opts))
	}
}

func TestGenerateRefuses(t *testing.T) {
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "README.md"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		opts Options
		want string
	}{
		{"non-empty folder", full, Options{Envs: 2, Services: 2}, "benchgen: " + full + " is not empty; remove it or choose another folder"},
		{"no environments", t.TempDir(), Options{Envs: 0, Services: 2}, "benchgen: need at least one environment and one service, got 0 × 2"},
		{"no services", t.TempDir(), Options{Envs: 2, Services: 0}, "benchgen: need at least one environment and one service, got 2 × 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Generate(tt.dir, tt.opts)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Generate = %v, want %q", err, tt.want)
			}
		})
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
