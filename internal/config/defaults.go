package config

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Defaults of fields a config leaves unset.
const (
	DefaultProvider  = ProviderIstio
	DefaultJobs      = JobsWarn
	DefaultOptOut    = OptOutNotice
	defaultNamespace = "default"
	DefaultSeverity  = "error"
)

func applyDefaults(cfg *Config, root string) {
	if cfg.Mesh.Provider == "" {
		cfg.Mesh.Provider = DefaultProvider
		cfg.Mesh.ProviderDefaulted = true
	}
	if cfg.Mesh.OptOut == "" {
		cfg.Mesh.OptOut = DefaultOptOut
	}
	if cfg.Mesh.Jobs == "" {
		cfg.Mesh.Jobs = DefaultJobs
	}
	if cfg.Secrets.CheckKeys == nil {
		cfg.Secrets.CheckKeys = ptr(true)
	}
	for i := range cfg.Environments {
		envDefaults(&cfg.Environments[i], root)
	}
	for i := range cfg.Rules {
		if cfg.Rules[i].Severity == "" {
			// mesh-annotation and mesh-env, the ids a rule reports, are errors.
			cfg.Rules[i].Severity = DefaultSeverity
		}
	}
}

func envDefaults(e *Environment, root string) {
	if (e.Kustomize != nil || e.Manifests != nil) && e.Namespace == "" {
		e.Namespace = defaultNamespace
	}
	h := e.Helm
	if h == nil {
		return
	}
	if h.Namespace == "" {
		h.Namespace = defaultNamespace
	}
	if h.KubeVersion == "" {
		h.KubeVersion = DefaultKubeVersion
	}
	if h.IncludeHooks == nil {
		h.IncludeHooks = ptr(true)
	}
	if h.Release == "" {
		h.Release = chartName(root, h.Chart)
	}
}

func ptr[T any](v T) *T { return &v }

// chartName is the name a chart declares in its Chart.yaml, for the default
// release name. A chart that cannot be read gives "" (a folder) or its file
// name without the version (a .tgz); rendering then reports the real error.
func chartName(root, chart string) string {
	if isArchive(chart) {
		if name := archiveChartName(root, chart); name != "" {
			return name
		}
		return archiveFileName(path.Base(chart))
	}
	data, err := readInRoot(root, path.Join(chart, "Chart.yaml"), maxMetadataBytes)
	if err != nil {
		return ""
	}
	return metadataName(data)
}

func isArchive(p string) bool {
	return strings.HasSuffix(p, ".tgz") || strings.HasSuffix(p, ".tar.gz")
}

func metadataName(data []byte) string {
	var meta struct {
		Name string `yaml:"name"`
	}
	if yaml.Unmarshal(data, &meta) != nil {
		return ""
	}
	return meta.Name
}

// archiveChartName reads NAME/Chart.yaml from a packaged chart.
func archiveChartName(root, chart string) string {
	f, err := openInRoot(root, chart)
	if err != nil {
		return ""
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return ""
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			return ""
		}
		name := strings.TrimPrefix(h.Name, "./")
		if dir, base := path.Split(name); base == "Chart.yaml" && strings.Count(dir, "/") == 1 {
			// Chart.yaml is metadata: a megabyte is far more than any real one.
			data, err := io.ReadAll(io.LimitReader(tr, 1<<20))
			if err != nil {
				return ""
			}
			return metadataName(data)
		}
	}
}

var semverSuffix = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// archiveFileName strips the version from a `helm package` file name:
// my-chart-1.2.3-rc.1.tgz is my-chart.
func archiveFileName(base string) string {
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".tgz"), ".tar.gz")
	for i := 0; i < len(base); i++ {
		if base[i] == '-' && semverSuffix.MatchString(base[i+1:]) {
			return base[:i]
		}
	}
	return base
}

// EnvDefaults applies the defaults of a configured environment to one
// made elsewhere (from a GitOps object): namespaces, kube version, hooks,
// the release name of a chart.
func EnvDefaults(e *Environment, root string) { envDefaults(e, root) }
