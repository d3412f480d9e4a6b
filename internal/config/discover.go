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

	"github.com/meshgate/meshgate/internal/kustomization"
)

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
	kusts, charts, err := findSources(root)
	if err != nil {
		return nil, fmt.Errorf("discover environments: %w", err)
	}
	included, chartHomes := readKustomizations(root, kusts)
	var cands []candidate
	for dir, file := range kusts {
		if !included[dir] {
			env := Environment{Kustomize: &Kustomize{Path: dir}, Origin: path.Join(dir, file)}
			cands = append(cands, newCandidate(env, dir, root))
		}
	}
	var chartEnvs []string // chart folders that are environments
	for _, dir := range charts {
		if isSubchart(dir, charts, chartHomes) {
			continue
		}
		chartEnvs = append(chartEnvs, dir)
		env := Environment{Helm: &Helm{Chart: dir}, Origin: path.Join(dir, "Chart.yaml")}
		cands = append(cands, newCandidate(env, dir, root))
	}
	envs, chartEnvName := nameCandidates(cands)
	for _, dir := range chartEnvs {
		variants, err := valuesEnvironments(root, dir, chartEnvName[dir])
		if err != nil {
			return nil, fmt.Errorf("discover environments: %w", err)
		}
		envs = append(envs, variants...)
	}

	// values-prod.yaml beside values.prod.yaml, or a kustomize folder named
	// like a chart variant: only the files tell them apart.
	count := map[string]int{}
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

// findSources walks the repository for kustomizations (folder → file name,
// the one kustomize prefers) and charts (folders), skipping hidden folders
// and node_modules.
func findSources(root string) (kusts map[string]string, charts []string, err error) {
	kusts = map[string]string{}
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
		case slices.Contains(kustomization.FileNames, name):
			if cur, ok := kusts[dir]; !ok || slices.Index(kustomization.FileNames, name) < slices.Index(kustomization.FileNames, cur) {
				kusts[dir] = name
			}
		}
		return nil
	})
	return kusts, charts, err
}

// readKustomizations reads every kustomization found: which of their
// folders another one includes (as a resource, component or base) or are
// Components, which only build as part of an overlay; and the chartHome
// folders of their helmCharts. A kustomization that cannot be read still
// counts: rendering reports kustomize's own error for it.
func readKustomizations(root string, kusts map[string]string) (included map[string]bool, chartHomes []string) {
	included = map[string]bool{}
	for dir, file := range kusts {
		k, _ := kustomization.Read(metadataFS(root), path.Join(dir, file))
		if k.IsComponent() {
			included[dir] = true
		}
		for _, e := range k.Entries() {
			// Files and remote targets are never discovered folders, so
			// looking the joined path up is enough.
			if target := path.Join(dir, e.Value); e.Base() && target != dir && kusts[target] != "" {
				included[target] = true
			}
		}
		if home, ok := k.ChartHome(); ok {
			chartHomes = append(chartHomes, path.Join(dir, home))
		}
	}
	return included, chartHomes
}

// candidate is an environment with the names it may go by: short, its
// folder's name, unless another candidate shares it; then long, its path.
type candidate struct {
	env         Environment
	short, long string
}

func newCandidate(env Environment, dir, root string) candidate {
	if dir == "." {
		name := rootName(env, root)
		return candidate{env: env, short: name, long: name}
	}
	return candidate{env: env, short: path.Base(dir), long: dir}
}

// RootName names an environment whose chart or kustomization is the
// repository root, never after the checkout's folder: a --base-ref
// worktree, a CI checkout and a clone under another name must give the
// same environment the same name. A chart goes by the name its Chart.yaml
// declares, a kustomization by its metadata.name; else "root".
const RootName = "root"

func rootName(env Environment, root string) string {
	var name string
	if env.Helm != nil {
		name = chartName(root, ".")
	} else if env.Kustomize != nil {
		if k, err := kustomization.Read(metadataFS(root), env.Origin); err == nil && k.MetaData != nil {
			name = k.MetaData.Name
		}
	}
	if name == "" || strings.ContainsAny(name, "/\\") {
		return RootName
	}
	return name
}

// nameCandidates names the candidates, short names where unique, and maps
// each chart folder to its environment's name.
func nameCandidates(cands []candidate) (envs []Environment, chartEnvName map[string]string) {
	count := map[string]int{}
	for _, c := range cands {
		count[c.short]++
	}
	chartEnvName = map[string]string{}
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
	return envs, chartEnvName
}

// valuesEnvironments are the variants of the chart at dir (environment
// name chart): one per values-<env>.yaml or values.<env>.yaml beside it.
func valuesEnvironments(root, dir, chart string) ([]Environment, error) {
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if err != nil {
		return nil, err
	}
	var envs []Environment
	for _, de := range entries {
		m := valuesFile.FindStringSubmatch(de.Name())
		if m == nil || de.IsDir() {
			continue
		}
		values := path.Join(dir, de.Name())
		envs = append(envs, Environment{
			Name:   chart + "/" + m[1],
			Helm:   &Helm{Chart: dir, Values: []string{values}},
			Origin: values,
		})
	}
	return envs, nil
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
