package config

import (
	"errors"
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

// valuesFile matches values-<env>.yaml and values.<env>.yaml beside a chart,
// presetFile the <name>-values.yaml presets beside it and in its ci/
// folder (chart-testing's convention).
var (
	valuesFile = regexp.MustCompile(`^values[-.](.+)\.ya?ml$`)
	presetFile = regexp.MustCompile(`^(.+)-values\.ya?ml$`)
)

// fixtureDirs are folders of a chart that hold test fixtures, not
// environments.
var fixtureDirs = []string{"tests", "testdata", "examples"}

// DefaultConfig is the config used when a repository has no config file:
// the discovered environments and every default.
func DefaultConfig(root string) (*Config, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("discover environments: %w", err)
	}
	envs, skipped, err := discover(root)
	if err != nil {
		return nil, err
	}
	cfg := &Config{Environments: envs, Root: root, Discovered: true, Skipped: skipped}
	applyDefaults(cfg, root)
	return cfg, nil
}

// Discover finds the environments of a repository without a config file
// (SPEC "Discovery"), sorted by name, with defaults applied and Origin set
// to the file each one was found from:
//
//   - a folder with a kustomization that no other kustomization includes as a
//     resource, component or base (unless it sets a namespace, defines a
//     Namespace or is a complete application, isApplication), and that is
//     not itself a Component, named after its last path element where that
//     is unique, else its path;
//   - a chart (Chart.yaml) named after its folder, with its own values.yaml,
//     plus one environment <chart>/<env> per values-<env>.yaml or
//     values.<env>.yaml beside it and <chart>/<name> per <name>-values.yaml
//     preset beside it or in its ci/ folder. Subcharts under another
//     chart's charts/ folder, and charts in the chartHome of a
//     kustomization's helmCharts, are not environments; library charts,
//     charts only used as file:// dependencies and test fixtures under a
//     chart are skipped (DefaultConfig lists them in Config.Skipped);
//   - a folder of plain objects holding a workload (manifestFolders), named
//     after its path.
//
// Charts and kustomizations under a tests/ or testdata/ folder anywhere
// are test fixtures, skipped and listed too.
//
// A chart or kustomization at the root is named by rootName. Names still
// shared after that fall back to the Origin path. Hidden folders and
// node_modules are not searched.
func Discover(root string) ([]Environment, error) {
	envs, _, err := discover(root)
	return envs, err
}

// Skipped is a chart or kustomization discovery found but did not make an
// environment, and why: the discovery listing says so.
type Skipped struct {
	Path   string
	Reason string
}

func discover(root string) ([]Environment, []Skipped, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, nil, fmt.Errorf("discover environments: %w", err)
	}
	src, err := findSources(root)
	if err != nil {
		return nil, nil, fmt.Errorf("discover environments: %w", err)
	}
	kusts, charts := src.kusts, src.charts
	ki := readKustomizations(root, kusts)
	var cands []candidate
	var skipped []Skipped
	for dir, file := range kusts {
		if fixture := fixtureReason(dir, charts); fixture != "" || ki.included[dir] {
			if fixture != "" {
				skipped = append(skipped, Skipped{Path: path.Join(dir, file), Reason: fixture})
			}
			continue
		}
		env := Environment{Kustomize: &Kustomize{Path: dir}, Origin: path.Join(dir, file)}
		cands = append(cands, newCandidate(env, dir, root))
	}
	chartEnvs, chartSkipped := chartEnvironments(root, charts, ki.chartHomes)
	skipped = append(skipped, chartSkipped...)
	for _, dir := range chartEnvs {
		env := Environment{Helm: &Helm{Chart: dir}, Origin: path.Join(dir, "Chart.yaml")}
		cands = append(cands, newCandidate(env, dir, root))
	}
	folders, folderSkipped := manifestFolders(root, src, ki)
	skipped = append(skipped, folderSkipped...)
	for _, dir := range folders {
		env := Environment{Manifests: &Manifests{Path: dir}, Origin: folderOrigin(dir)}
		c := newCandidate(env, dir, root)
		// A folder's last name says little ("kube", "manifests"): its path does.
		c.short = c.long
		cands = append(cands, c)
	}
	envs, chartEnvName := nameCandidates(cands)
	for _, dir := range chartEnvs {
		variants, err := valuesEnvironments(root, dir, chartEnvName[dir])
		if err != nil {
			return nil, nil, fmt.Errorf("discover environments: %w", err)
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
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].Path < skipped[j].Path })
	return envs, skipped, nil
}

// chartEnvironments are the chart folders that are environments: not
// subcharts, and, said in skipped, not library charts (helm refuses to
// install them), charts only used as file:// dependencies of other charts
// (rendered as part of those; one with values files for environments of
// its own is deployed on its own too), nor test fixtures of a chart.
func chartEnvironments(root string, charts, chartHomes []string) (envs []string, skipped []Skipped) {
	usedBy := map[string]string{}
	metas := map[string]chartMeta{}
	for _, dir := range charts {
		metas[dir] = chartMetadata(root, dir)
		for _, dep := range metas[dir].fileDeps {
			if dep != dir && usedBy[dep] == "" {
				usedBy[dep] = dir
			}
		}
	}
	for _, dir := range charts {
		var reason string
		switch {
		case isSubchart(dir, charts, chartHomes):
			continue
		case metas[dir].Type == "library":
			reason = "a library chart"
		case usedBy[dir] != "" && !hasVariants(root, dir):
			reason = "a file:// dependency of " + usedBy[dir]
		case fixtureReason(dir, charts) != "":
			reason = fixtureReason(dir, charts)
		default:
			envs = append(envs, dir)
			continue
		}
		skipped = append(skipped, Skipped{Path: path.Join(dir, "Chart.yaml"), Reason: reason})
	}
	return envs, skipped
}

// hasVariants reports a chart with values files for environments beside
// it: deployed on its own too, although another chart depends on it.
func hasVariants(root, dir string) bool {
	envs, _ := valuesEnvironments(root, dir, "")
	return len(envs) > 0
}

// fixtureReason says why the chart or kustomization at dir is a test
// fixture: it is under a chart's tests/, testdata/ or examples/ folder, or
// under any tests/ or testdata/ folder; "" when it is none.
func fixtureReason(dir string, charts []string) string {
	switch {
	case isFixture(dir, charts):
		return "a test fixture of a chart"
	case isTestFolder(dir):
		return "a test fixture (under tests/ or testdata/)"
	}
	return ""
}

// isFixture reports a folder under a chart's tests/, testdata/ or
// examples/ folder.
func isFixture(dir string, charts []string) bool {
	for _, c := range charts {
		prefix := c + "/"
		if c == "." {
			prefix = ""
		}
		rest, ok := strings.CutPrefix(dir, prefix)
		if !ok || c == dir {
			continue
		}
		if first, _, _ := strings.Cut(rest, "/"); slices.Contains(fixtureDirs, first) {
			return true
		}
	}
	return false
}

// sources are what discovery finds walking the repository.
type sources struct {
	// kusts maps a kustomization's folder to its file name, the one
	// kustomize prefers.
	kusts map[string]string
	// charts are the folders holding a Chart.yaml.
	charts []string
	// manifests maps a folder to the names of its .yaml, .yml and .json
	// files (IsManifestFile) other than a kustomization or Chart.yaml.
	manifests map[string][]string
}

// findSources walks the repository for kustomizations, charts and folders
// of YAML files, skipping hidden folders and node_modules.
func findSources(root string) (sources, error) {
	kusts := map[string]string{}
	manifests := map[string][]string{}
	var charts []string
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
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
		case IsManifestFile(name):
			manifests[dir] = append(manifests[dir], name)
		}
		return nil
	})
	return sources{kusts: kusts, charts: charts, manifests: manifests}, err
}

// kustomizations is what discovery reads of the kustomizations found.
type kustomizations struct {
	// included are the folders another kustomization includes (as a
	// resource, component or base), and Components, which only build as
	// part of an overlay.
	included map[string]bool
	// chartHomes are the chartHome folders of their helmCharts.
	chartHomes []string
	// referenced are the local paths any of them names, in any field.
	referenced map[string]bool
}

// readKustomizations reads every kustomization found. A kustomization that
// cannot be read still counts: rendering reports kustomize's own error for
// it.
func readKustomizations(root string, kusts map[string]string) kustomizations {
	included := map[string]bool{}
	referenced := map[string]bool{}
	var chartHomes []string
	standalone := map[string]bool{}
	read := map[string]*kustomization.Kustomization{}
	includers := map[string][]string{}
	for dir, file := range kusts {
		k, _ := kustomization.Read(metadataFS(root), path.Join(dir, file))
		read[dir] = k
		if k.IsComponent() {
			included[dir] = true
		} else if k.Namespace != "" || listsNamespace(root, dir, k) {
			standalone[dir] = true
		}
		for _, e := range k.Entries() {
			// Files and remote targets are never discovered folders, so
			// looking the joined path up is enough.
			if target := path.Join(dir, e.Value); e.Base() && target != dir && kusts[target] != "" {
				included[target] = true
				includers[target] = append(includers[target], dir)
			}
		}
		for _, e := range k.Local() {
			referenced[path.Join(dir, e.Value)] = true
		}
		if home, ok := k.ChartHome(); ok {
			chartHomes = append(chartHomes, path.Join(dir, home))
		}
	}
	yields := workloadYield{root: root, read: read, memo: map[string]bool{}}
	for dir := range included {
		if isApplication(dir, read[dir], includers[dir], yields) {
			standalone[dir] = true
		}
	}
	for dir := range standalone {
		delete(included, dir)
	}
	return kustomizations{included: included, chartHomes: chartHomes, referenced: referenced}
}

// namespaceKind finds a Namespace object in a YAML file.
var namespaceKind = regexp.MustCompile(`(?m)^kind:\s*["']?Namespace["']?\s*$`)

// listsNamespace reports a kustomization whose own resource files define a
// Namespace: an application deployed on its own (emojivoto's
// kustomize/deployment), although other kustomizations use it as a base.
func listsNamespace(root, dir string, k *kustomization.Kustomization) bool {
	for _, e := range k.Entries() {
		if e.Field != "resources" {
			continue
		}
		data, err := readInRoot(root, path.Join(dir, e.Value), maxMetadataBytes)
		if err == nil && namespaceKind.Match(data) {
			return true
		}
	}
	return false
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
// name chart): one per values-<env>.yaml or values.<env>.yaml beside it,
// and one per <name>-values.yaml preset beside it or in its ci/ folder.
func valuesEnvironments(root, dir, chart string) ([]Environment, error) {
	var envs []Environment
	for _, sub := range []string{"", "ci"} {
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir), sub))
		if err != nil {
			if sub != "" && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		for _, de := range entries {
			m := valuesFile.FindStringSubmatch(de.Name())
			if m == nil || sub != "" {
				m = presetFile.FindStringSubmatch(de.Name())
			}
			if m == nil || de.IsDir() {
				continue
			}
			values := path.Join(dir, sub, de.Name())
			envs = append(envs, Environment{
				Name:   chart + "/" + m[1],
				Helm:   &Helm{Chart: dir, Values: []string{values}},
				Origin: values,
			})
		}
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
