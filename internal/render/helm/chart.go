package helm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/render"
)

// origin is where a chart of the tree lives in the repository: a folder, or
// a packaged .tgz, whose templates are pointed at inside it.
type origin struct {
	dir     string
	archive string
	// inner is the chart's folder inside the archive as helm's template
	// names spell it: "" for the chart the archive packages,
	// "charts/NAME" for a subchart packaged with it.
	inner string
	// folder is the repository folder an archived chart was packaged from,
	// when a file:// dependency names it; "" when unknown.
	folder string
}

// loaded is a chart with its dependencies attached, and where each chart of
// its tree came from.
type loaded struct {
	p     paths
	chart *chart.Chart
	// origins maps a chart's path in Helm's template names ("shop",
	// "shop/charts/cache") to where it lives.
	origins map[string]origin
	sources map[string][]byte
	// linked maps the location of a template in an archive to the file of
	// the folder the archive was packaged from, when it holds the same text.
	linked map[string]string
}

// loadChart loads the chart at rel (a folder or a packaged .tgz) once, with
// its vendored subcharts, attaches the file:// dependencies that are not
// vendored from their folders (what `helm dependency build` would package
// into charts/), and refuses a chart that `helm template` would refuse.
func loadChart(p paths, rel, abs string) (*loaded, *render.Error) {
	if rerr := p.confined(rel, abs); rerr != nil {
		return nil, rerr
	}
	c, err := loader.Load(abs)
	if err != nil {
		return nil, loadError(p, rel, isArchive(abs), err)
	}
	ld := &loaded{p: p, chart: c, origins: map[string]origin{}, sources: map[string][]byte{}, linked: map[string]string{}}
	top := origin{dir: rel}
	if isArchive(abs) {
		top = origin{archive: rel}
	}
	ld.origins[c.Name()] = top
	switch c.Metadata.Type {
	case "", "application":
	default:
		return nil, ld.chartYAMLError(fmt.Sprintf("%s charts are not installable", c.Metadata.Type), "type")
	}
	if rerr := ld.attach(c, map[string]origin{c.Name(): top}, nil); rerr != nil {
		return nil, rerr
	}
	if c.Metadata.Dependencies != nil {
		if err := action.CheckDependencies(c, c.Metadata.Dependencies); err != nil {
			rerr := ld.chartYAMLError(err.Error()+" (meshgate never downloads dependencies: vendor them with `helm dependency build`)", "dependencies")
			if name := firstMissing(c); name != "" {
				rerr.Line = dependencyLine(chartYAML(c), name)
			}
			return nil, rerr
		}
	}
	disableRemoteSchemaRefs(c)
	return ld, nil
}

// confined refuses a chart folder with a symbolic link out of the
// repository: Helm's loader would read what it points at into .Files.
func (p paths) confined(rel, abs string) *render.Error {
	if isArchive(abs) {
		return nil
	}
	if f := p.symlinkOutside(abs); f != "" {
		return &render.Error{Message: fmt.Sprintf("%s is a symbolic link to a path outside the repository", f), File: f}
	}
	return nil
}

func isArchive(abs string) bool {
	fi, err := os.Stat(abs)
	return err == nil && !fi.IsDir()
}

// attach records where c and its subcharts live under each of its names
// (a chart has several when dependencies alias it, and inside an archive
// each name has its own path), attaches its missing file:// dependencies
// and collects its templates. stack holds the folders of the charts above
// c, to stop a file:// cycle.
func (ld *loaded) attach(c *chart.Chart, at map[string]origin, stack []string) *render.Error {
	// Helm's loader adds subcharts in map order; Helm then orders those
	// listed in Chart.yaml, but not the others, whose CRDs would come out in
	// a different order from run to run.
	deps := c.Dependencies()
	sort.SliceStable(deps, func(i, j int) bool { return deps[i].Name() < deps[j].Name() })
	c.SetDependencies(deps...)
	names := make([]string, 0, len(at))
	for n := range at {
		names = append(names, n)
	}
	sort.Strings(names)
	o := at[names[0]] // a folder or an archive is the same under every name
	if o.dir != "" {
		stack = append(stack[:len(stack):len(stack)], o.dir)
	}
	for _, n := range names {
		ld.origins[n] = at[n]
		ld.collect(c, at[n])
	}
	subOrigins := ld.vendored(c, o)
	if o.dir != "" {
		for _, req := range c.Metadata.Dependencies {
			if req == nil || !strings.HasPrefix(req.Repository, "file://") || hasDependency(c, req.Name) {
				continue
			}
			sc, so, rerr := ld.fileDependency(c, o.dir, req, stack)
			if rerr != nil {
				return rerr
			}
			c.AddDependency(sc)
			subOrigins[sc] = so
		}
	}
	for _, sc := range c.Dependencies() {
		subAt := map[string]origin{}
		for _, n := range names {
			for _, alias := range aliases(c, sc) {
				so := subOrigins[sc]
				if on := at[n]; on.archive != "" {
					// Packaged with its parent: the parent's archive, one
					// folder down.
					so = origin{archive: on.archive, inner: join(on.inner, "charts", alias), folder: so.folder}
				}
				subAt[n+"/charts/"+alias] = so
			}
		}
		if rerr := ld.attach(sc, subAt, stack); rerr != nil {
			return rerr
		}
	}
	return nil
}

// collect keeps the text of c's templates and CRD files by their location
// in o, for line mapping. A template of an archive that the folder it was
// packaged from holds unchanged is located in that folder.
func (ld *loaded) collect(c *chart.Chart, o origin) {
	files := append([]*chart.File(nil), c.Templates...)
	for _, f := range c.Files {
		if strings.HasPrefix(f.Name, "crds/") {
			files = append(files, f)
		}
	}
	for _, f := range files {
		switch {
		case o.dir != "":
			ld.sources[join(o.dir, f.Name)] = f.Data
		case o.archive != "":
			loc := finding.InArchive(o.archive, join(o.inner, f.Name))
			if loc == o.archive {
				continue // no location inside it: no lines either
			}
			ld.sources[loc] = f.Data
			if o.folder == "" {
				continue
			}
			file := join(o.folder, f.Name)
			if disk, ok := ld.p.readFile(file, int64(len(f.Data))); ok && bytes.Equal(disk, f.Data) {
				ld.linked[loc] = file
				ld.sources[file] = f.Data
			}
		}
	}
}

// aliases are the names under which the parent's templates see sc: its own
// name and every alias a dependency entry gives it.
func aliases(parent, sc *chart.Chart) []string {
	names := []string{sc.Name()}
	for _, req := range parent.Metadata.Dependencies {
		if req != nil && req.Name == sc.Name() && req.Alias != "" && req.Alias != sc.Name() {
			names = append(names, req.Alias)
		}
	}
	return names
}

func hasDependency(c *chart.Chart, name string) bool {
	for _, d := range c.Dependencies() {
		if d.Name() == name {
			return true
		}
	}
	return false
}

// firstMissing names the first Chart.yaml dependency with no chart.
func firstMissing(c *chart.Chart) string {
	for _, req := range c.Metadata.Dependencies {
		if req != nil && !hasDependency(c, req.Name) {
			return req.Name
		}
	}
	return ""
}

// vendored tells for each subchart Helm loaded from c's charts/ folder
// which entry of that folder it came from: Helm's loader does not say.
// Entries are matched on their Chart.yaml bytes.
func (ld *loaded) vendored(c *chart.Chart, o origin) map[*chart.Chart]origin {
	out := map[*chart.Chart]origin{}
	if o.archive != "" {
		for _, sc := range c.Dependencies() {
			out[sc] = origin{archive: o.archive, folder: ld.fileFolder(c, o.folder, sc)}
		}
		return out
	}
	chartsDir := join(o.dir, "charts")
	entries, _ := os.ReadDir(ld.p.Abs(chartsDir))
	type candidate struct {
		name      string
		archive   bool
		chartYAML []byte
		read      bool
		used      bool
	}
	var cands []*candidate
	for _, e := range entries {
		n := e.Name()
		if strings.IndexAny(n, "_.") == 0 {
			continue
		}
		isTgz := filepath.Ext(n) == ".tgz"
		if !isTgz && !e.IsDir() {
			continue
		}
		cands = append(cands, &candidate{name: n, archive: isTgz})
	}
	chartYAMLOf := func(cd *candidate) []byte {
		if !cd.read {
			cd.read = true
			abs := ld.p.Abs(join(chartsDir, cd.name))
			if cd.archive {
				cd.chartYAML = archiveChartYAML(abs)
			} else if b, err := os.ReadFile(filepath.Join(abs, "Chart.yaml")); err == nil {
				cd.chartYAML = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
			}
		}
		return cd.chartYAML
	}
	for _, sc := range c.Dependencies() {
		want := chartYAML(sc)
		var pick *candidate
		// Helm's own naming first: charts/<name>/ and charts/<name>-<version>.tgz.
		for _, cd := range cands {
			if !cd.used && (cd.name == sc.Name() || cd.name == sc.Name()+"-"+sc.Metadata.Version+".tgz") && bytes.Equal(chartYAMLOf(cd), want) {
				pick = cd
				break
			}
		}
		for _, cd := range cands {
			if pick == nil && !cd.used && bytes.Equal(chartYAMLOf(cd), want) {
				pick = cd
			}
		}
		if pick == nil {
			out[sc] = origin{dir: join(chartsDir, sc.Name())}
			continue
		}
		pick.used = true
		if pick.archive {
			out[sc] = origin{archive: join(chartsDir, pick.name), folder: ld.fileFolder(c, o.dir, sc)}
		} else {
			out[sc] = origin{dir: join(chartsDir, pick.name)}
		}
	}
	return out
}

// fileFolder is the repository folder of the file:// dependency of c (in
// the folder dir) that sc was packaged from, as `helm dependency build`
// resolves it; "" when sc is no such dependency or dir is unknown.
func (ld *loaded) fileFolder(c *chart.Chart, dir string, sc *chart.Chart) string {
	if dir == "" {
		return ""
	}
	for _, req := range c.Metadata.Dependencies {
		if req == nil || req.Name != sc.Name() {
			continue
		}
		target, ok := strings.CutPrefix(req.Repository, "file://")
		if !ok || filepath.IsAbs(target) {
			return ""
		}
		abs := filepath.Join(ld.p.Abs(dir), filepath.FromSlash(target))
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() || !ld.p.Inside(abs) {
			return ""
		}
		return ld.p.Rel(abs)
	}
	return ""
}

// archiveChartYAML reads the top Chart.yaml of a packaged chart.
func archiveChartYAML(abs string) []byte {
	f, err := os.Open(abs)
	if err != nil {
		return nil
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil
	}
	tr := tar.NewReader(gz)
	for {
		hd, err := tr.Next()
		if err != nil {
			return nil
		}
		parts := strings.Split(strings.ReplaceAll(hd.Name, "\\", "/"), "/")
		if len(parts) == 2 && parts[1] == "Chart.yaml" {
			b, err := io.ReadAll(io.LimitReader(tr, 1<<20))
			if err != nil {
				return nil
			}
			return bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
		}
	}
}

// chartYAML is the Chart.yaml text Helm loaded for c.
func chartYAML(c *chart.Chart) []byte {
	for _, f := range c.Raw {
		if f.Name == "Chart.yaml" {
			return f.Data
		}
	}
	return nil
}

// fileDependency loads a file:// dependency of the chart in dir the way
// `helm dependency build` resolves it: relative to the chart, its version
// within the constraint.
func (ld *loaded) fileDependency(c *chart.Chart, dir string, req *chart.Dependency, stack []string) (*chart.Chart, origin, *render.Error) {
	fail := func(msg string) *render.Error {
		return &render.Error{Message: msg, File: join(dir, "Chart.yaml"), Line: dependencyLine(chartYAML(c), req.Name)}
	}
	target := strings.TrimPrefix(req.Repository, "file://")
	var abs string
	if filepath.IsAbs(target) {
		abs = filepath.Clean(target)
	} else {
		abs = filepath.Join(ld.p.Abs(dir), filepath.FromSlash(target))
	}
	if !ld.p.Inside(abs) {
		return nil, origin{}, fail(fmt.Sprintf("dependency %q: %s is outside the repository", req.Name, req.Repository))
	}
	if _, err := os.Stat(abs); err != nil {
		// helm dependency build's wording
		return nil, origin{}, fail(fmt.Sprintf("directory %s not found", ld.p.Rel(abs)))
	}
	rel := ld.p.Rel(abs)
	for _, s := range stack {
		if s == rel {
			return nil, origin{}, fail(fmt.Sprintf("dependency %q: file:// dependency cycle through %s", req.Name, rel))
		}
	}
	if rerr := ld.p.confined(rel, abs); rerr != nil {
		return nil, origin{}, rerr
	}
	sc, err := loader.Load(abs)
	if err != nil {
		return nil, origin{}, loadError(ld.p, rel, isArchive(abs), err)
	}
	if req.Version != "" && !chartutil.IsCompatibleRange(req.Version, sc.Metadata.Version) {
		return nil, origin{}, fail(fmt.Sprintf("can't get a valid version for 1 subchart(s): %q (repository %q, version %q). Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml", req.Name, req.Repository, req.Version))
	}
	if isArchive(abs) {
		return sc, origin{archive: rel}, nil
	}
	return sc, origin{dir: rel}, nil
}

var unpackRe = regexp.MustCompile(`^error unpacking subchart (\S+) in \S+: `)

// loadError locates an error of Helm's chart loader: a bad Chart.yaml or
// values.yaml, possibly of a vendored subchart.
func loadError(p paths, rel string, archive bool, err error) *render.Error {
	msg := p.Message(err.Error())
	if archive {
		return &render.Error{Message: msg, File: rel}
	}
	dir, rest := rel, msg
	for {
		m := unpackRe.FindStringSubmatch(rest)
		if m == nil {
			break
		}
		if filepath.Ext(m[1]) == ".tgz" {
			return &render.Error{Message: msg, File: join(dir, "charts", m[1])}
		}
		dir, rest = join(dir, "charts", m[1]), rest[len(m[0]):]
	}
	file := dir
	switch {
	case strings.HasPrefix(rest, "cannot load Chart.yaml"), strings.HasPrefix(rest, "validation:"):
		file = join(dir, "Chart.yaml")
	case strings.HasPrefix(rest, "cannot load values.yaml"):
		file = join(dir, "values.yaml")
	case strings.HasPrefix(rest, "cannot load Chart.lock"):
		file = join(dir, "Chart.lock")
	case strings.HasPrefix(rest, "cannot load requirements.yaml"):
		file = join(dir, "requirements.yaml")
	case strings.HasPrefix(rest, "cannot load requirements.lock"):
		file = join(dir, "requirements.lock")
	}
	line := 0
	if file != dir {
		line = yamlLine(rest)
	}
	return &render.Error{Message: msg, File: file, Line: line}
}

// chartYAMLError is an error about the top chart's Chart.yaml, at key's line.
func (ld *loaded) chartYAMLError(msg, key string) *render.Error {
	o := ld.origins[ld.chart.Name()]
	if o.archive != "" {
		return &render.Error{Message: msg, File: o.archive}
	}
	return &render.Error{Message: msg, File: join(o.dir, "Chart.yaml"), Line: keyLine(chartYAML(ld.chart), key)}
}

// keyLine is the line of a top-level key of a YAML mapping, or 0.
func keyLine(data []byte, key string) int {
	m := mappingOf(data)
	if m == nil {
		return 0
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return 0
}

// dependencyLine is the line of the dependencies entry named name in a
// Chart.yaml, or of the dependencies key, or 0.
func dependencyLine(data []byte, name string) int {
	m := mappingOf(data)
	if m == nil {
		return 0
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "dependencies" {
			continue
		}
		for _, item := range m.Content[i+1].Content {
			for j := 0; j+1 < len(item.Content); j += 2 {
				if item.Content[j].Value == "name" && item.Content[j+1].Value == name {
					return item.Line
				}
			}
		}
		return m.Content[i].Line
	}
	return 0
}

func mappingOf(data []byte) *yaml.Node {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	return doc.Content[0]
}

// fileFor maps a template name of Helm's output ("shop/templates/x.yaml",
// "shop/charts/cache/templates/y.yaml", "shop/crds/z.yaml") to the file in
// the repository: the chart whose path is the longest prefix of name.
//
// A name that is no clean path inside its chart ("shop/", "shop/../x") is
// no template: a template can write "# Source:" lines of its own into the
// stream, and the file of such a document is unknown ("").
func (ld *loaded) fileFor(name string) string {
	prefix, o := ld.originOf(name)
	rest := strings.TrimPrefix(name, prefix+"/")
	switch {
	case prefix == "":
		return ""
	case rest == "." || !filepath.IsLocal(filepath.FromSlash(rest)) || path.Clean(rest) != rest:
		return ""
	case o.archive != "":
		loc := finding.InArchive(o.archive, join(o.inner, rest))
		if file, ok := ld.linked[loc]; ok {
			return file
		}
		return loc
	}
	return join(o.dir, rest)
}

// originOf finds the chart whose template path is the longest prefix of name.
func (ld *loaded) originOf(name string) (string, origin) {
	best := ""
	for prefix := range ld.origins {
		if len(prefix) > len(best) && strings.HasPrefix(name, prefix+"/") {
			best = prefix
		}
	}
	return best, ld.origins[best]
}

// templateLocRe finds a template location in Helm's messages:
// "template: shop/templates/x.yaml:12:4: ...", "parse error at
// (shop/templates/x.yaml:5): ...", "execution error at (...:12:4): ...".
var templateLocRe = regexp.MustCompile(`(?:template: |\()([^\s():]+):(\d+)(?::\d+)?[:)]`)

// yamlParseRe finds the template of a rendered document that is not YAML.
var yamlParseRe = regexp.MustCompile(`YAML parse error on ([^\s:]+):`)

// repoPaths rewrites the template names in helm's message ("shop/templates/x.yaml")
// to the repository paths a person opens ("charts/shop/templates/x.yaml"),
// as SPEC asks of quoted errors.
func (ld *loaded) repoPaths(msg string) string {
	rewrite := func(re *regexp.Regexp, msg string) string {
		return re.ReplaceAllStringFunc(msg, func(m string) string {
			sub := re.FindStringSubmatchIndex(m)
			name := m[sub[2]:sub[3]]
			if file := ld.fileFor(name); file != "" && file != name {
				return m[:sub[2]] + file + m[sub[3]:]
			}
			return m
		})
	}
	return rewrite(yamlParseRe, rewrite(templateLocRe, msg))
}

// renderError locates an error of the install action: the kubeVersion
// constraint, or a template. Chained template errors name the outermost
// template first; the last location is where the failure is.
func (ld *loaded) renderError(err error) *render.Error {
	raw := strings.TrimSpace(ld.p.Message(err.Error()))
	if strings.HasPrefix(raw, "chart requires kubeVersion") {
		return ld.chartYAMLError(raw, "kubeVersion")
	}
	msg := ld.repoPaths(raw)
	if locs := templateLocRe.FindAllStringSubmatch(raw, -1); locs != nil {
		last := locs[len(locs)-1]
		line, _ := strconv.Atoi(last[2])
		file := ld.fileFor(last[1])
		if _, o := ld.originOf(last[1]); o.archive != "" && file == o.archive {
			line = 0 // no line of the archive itself
		}
		return &render.Error{Message: msg, File: file, Line: line}
	}
	if m := yamlParseRe.FindStringSubmatch(raw); m != nil {
		// The line helm gives is in the rendered output, not the template.
		return &render.Error{Message: msg, File: ld.fileFor(m[1])}
	}
	if strings.HasPrefix(msg, "values don't meet the specifications") && ld.chart.Schema != nil {
		if o := ld.origins[ld.chart.Name()]; o.dir != "" {
			return &render.Error{Message: msg, File: join(o.dir, "values.schema.json")}
		}
	}
	return &render.Error{Message: msg}
}
