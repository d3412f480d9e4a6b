package config

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// kustomizationFiles in the order kustomize looks for them.
var kustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// valuesFile matches values-<env>.yaml and values.<env>.yaml beside a chart.
var valuesFile = regexp.MustCompile(`^values[-.](.+)\.ya?ml$`)

// DefaultConfig is the config used when a repository has no config file:
// the discovered environments and every default.
func DefaultConfig(root string) (*Config, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("discover environments: %w", err)
	}
	envs, err := Discover(root)
	if err != nil {
		return nil, err
	}
	cfg := &Config{Environments: envs, Root: root, Discovered: true}
	applyDefaults(cfg, root)
	return cfg, nil
}

// Discover finds the environments of a repository without a config file
// (SPEC "Discovery"), sorted by name, with defaults applied and Origin set
// to the file each one was found from:
//
//   - a folder with a kustomization that no other kustomization includes as a
//     resource, component or base, and that is not itself a Component, named
//     after its last path element where that is unique, else its path;
//   - a chart (Chart.yaml) named after its folder, with its own values.yaml,
//     plus one environment <chart>/<env> per values-<env>.yaml or
//     values.<env>.yaml beside it. Subcharts under another chart's charts/
//     folder, and charts in the chartHome of a kustomization's helmCharts,
//     are not environments.
//
// Names still shared after that fall back to the Origin path. Hidden
// folders and node_modules are not searched.
func Discover(root string) ([]Environment, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("discover environments: %w", err)
	}
	kusts := map[string]string{} // folder → kustomization file name
	var charts []string
	err = filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := de.Name()
		if de.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		dir := relTo(root, filepath.Dir(p))
		switch {
		case name == "Chart.yaml":
			charts = append(charts, dir)
		case slices.Contains(kustomizationFiles, name):
			if cur, ok := kusts[dir]; !ok || slices.Index(kustomizationFiles, name) < slices.Index(kustomizationFiles, cur) {
				kusts[dir] = name
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("discover environments: %w", err)
	}

	included := map[string]bool{}
	var chartHomes []string
	for dir, file := range kusts {
		k := readKustomization(root, path.Join(dir, file))
		if k.Kind == "Component" {
			// A component only builds as part of an overlay.
			included[dir] = true
		}
		for _, entry := range slices.Concat(k.Resources, k.Components, k.Bases) {
			// Files and remote targets are never discovered folders, so
			// looking the joined path up is enough.
			if target := path.Join(dir, entry); target != dir && kusts[target] != "" {
				included[target] = true
			}
		}
		if len(k.HelmCharts) > 0 {
			home := k.HelmGlobals.ChartHome
			if home == "" {
				home = "charts" // kustomize's default chartHome
			}
			chartHomes = append(chartHomes, path.Join(dir, home))
		}
	}

	base := func(dir string) string {
		if dir == "." {
			return filepath.Base(root)
		}
		return path.Base(dir)
	}
	type candidate struct {
		env         Environment
		short, long string
	}
	var cands []candidate
	for dir, file := range kusts {
		if included[dir] {
			continue
		}
		cands = append(cands, candidate{
			env:   Environment{Kustomize: &Kustomize{Path: dir}, Origin: path.Join(dir, file)},
			short: base(dir), long: longName(dir, root),
		})
	}
	var chartEnvs []string // chart folders that are environments
	for _, dir := range charts {
		if isSubchart(dir, charts, chartHomes) {
			continue
		}
		chartEnvs = append(chartEnvs, dir)
		cands = append(cands, candidate{
			env:   Environment{Helm: &Helm{Chart: dir}, Origin: path.Join(dir, "Chart.yaml")},
			short: base(dir), long: longName(dir, root),
		})
	}

	// Short names where unique, else paths.
	count := map[string]int{}
	for _, c := range cands {
		count[c.short]++
	}
	chartEnvName := map[string]string{} // chart folder → its environment name
	var envs []Environment
	for _, c := range cands {
		c.env.Name = c.short
		if count[c.short] > 1 {
			c.env.Name = c.long
		}
		if c.env.Helm != nil {
			chartEnvName[c.env.Helm.Chart] = c.env.Name
		}
		envs = append(envs, c.env)
	}
	for _, dir := range chartEnvs {
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
		if err != nil {
			return nil, fmt.Errorf("discover environments: %w", err)
		}
		for _, de := range entries {
			m := valuesFile.FindStringSubmatch(de.Name())
			if m == nil || de.IsDir() {
				continue
			}
			values := path.Join(dir, de.Name())
			envs = append(envs, Environment{
				Name:   chartEnvName[dir] + "/" + m[1],
				Helm:   &Helm{Chart: dir, Values: []string{values}},
				Origin: values,
			})
		}
	}

	// values-prod.yaml beside values.prod.yaml, or a kustomize folder named
	// like a chart variant: only the files tell them apart.
	count = map[string]int{}
	for _, e := range envs {
		count[e.Name]++
	}
	for i := range envs {
		if count[envs[i].Name] > 1 {
			envs[i].Name = envs[i].Origin
		}
		envDefaults(&envs[i], root)
	}
	sort.Slice(envs, func(i, j int) bool { return envs[i].Name < envs[j].Name })
	return envs, nil
}

// longName is a folder's path as an environment name; the repository root
// goes by its folder name.
func longName(dir, root string) string {
	if dir == "." {
		return filepath.Base(root)
	}
	return dir
}

// isSubchart reports a chart under another chart's charts/ folder or in a
// kustomization's helmCharts chartHome.
func isSubchart(dir string, charts, chartHomes []string) bool {
	for _, parent := range charts {
		prefix := "charts/"
		if parent != "." {
			prefix = parent + "/charts/"
		}
		if parent != dir && strings.HasPrefix(dir, prefix) {
			return true
		}
	}
	for _, home := range chartHomes {
		if home == "." || strings.HasPrefix(dir+"/", home+"/") {
			return true
		}
	}
	return false
}

// kustomization is what discovery reads of a kustomization file.
type kustomization struct {
	Kind        string   `yaml:"kind"`
	Resources   []string `yaml:"resources"`
	Components  []string `yaml:"components"`
	Bases       []string `yaml:"bases"`
	HelmCharts  []any    `yaml:"helmCharts"`
	HelmGlobals struct {
		ChartHome string `yaml:"chartHome"`
	} `yaml:"helmGlobals"`
}

// readKustomization reads what it can: a broken kustomization is still an
// environment, and rendering reports kustomize's own error for it.
func readKustomization(root, rel string) kustomization {
	var k kustomization
	data, err := readInRoot(root, rel, maxMetadataBytes)
	if err == nil {
		_ = yaml.Unmarshal(data, &k) // partial results on type errors are fine
	}
	return k
}
