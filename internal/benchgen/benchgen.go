// Package benchgen writes the synthetic platform monorepo that meshgate's
// benchmark runs on: N environments × M services, half of the environments
// rendered from one Helm chart, half from kustomize overlays, with a
// .meshgate.yaml listing them all and an envs.tsv holding the equivalent
// helm/kustomize command lines for the render-only baseline.
//
// The output is a pure function of Options: the same options write the
// same bytes, so a benchmark figure names exactly what it measured.
package benchgen

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Default sizes: about 2,000 workloads.
const (
	DefaultEnvs     = 40
	DefaultServices = 50
	DefaultSeed     = 1
)

// Options size the generated repository.
type Options struct {
	Envs     int   // environments; half Helm, half kustomize
	Services int   // services deployed in every environment
	Seed     int64 // varies service shapes, versions and sizes
}

// Files the generator writes at the repository root.
const (
	ConfigFile = ".meshgate.yaml"
	// EnvsFile lists one environment a line: name, source ("helm" or
	// "kustomize"), then the arguments of the equivalent CLI call, all
	// tab-separated; lines starting with '#' are comments.
	EnvsFile = "envs.tsv"
)

// Repository paths of the two sources.
const (
	chartDir    = "charts/platform"
	valuesDir   = "envs"
	baseDir     = "deploy/base"
	overlaysDir = "deploy/overlays"
	compsDir    = "deploy/components"
)

// Generate writes the repository into dir, which must be missing or empty so
// that no file of an earlier, larger run is left behind.
func Generate(dir string, opts Options) error {
	if opts.Envs < 1 || opts.Services < 1 {
		return fmt.Errorf("benchgen: need at least one environment and one service, got %d × %d", opts.Envs, opts.Services)
	}
	if err := checkEmpty(dir); err != nil {
		return err
	}
	files := Files(opts)
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("benchgen: %w", err)
		}
		if err := os.WriteFile(full, []byte(files[p]), 0o644); err != nil {
			return fmt.Errorf("benchgen: %w", err)
		}
	}
	return nil
}

func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("benchgen: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("benchgen: %s is not empty; remove it or choose another folder", dir)
	}
	return nil
}

// Files returns every file of the repository by slash-separated path.
func Files(opts Options) map[string]string {
	p := newPlan(opts)
	files := map[string]string{}
	p.writeChart(files)
	p.writeKustomize(files)
	for _, e := range p.envs {
		if e.dupOf == nil && e.helm {
			files[e.valuesFile] = p.helmValues(e)
		}
	}
	files[ConfigFile] = p.config()
	files[EnvsFile] = p.envsTSV()
	return files
}

// Workloads is how many workloads the repository renders: every service plus
// one batch workload (a migration Job or a CronJob) per environment.
func Workloads(opts Options) int { return opts.Envs * (opts.Services + 1) }

// Deliberate gaps, by service index, so that the checks have findings. They
// are switched on by the dev and qa environments only: staging and prod stay
// clean, so a run has environments with and without findings.
const (
	gapInjectOff  = 1  // dev: pod label sidecar.istio.io/inject "false" (mesh-injection)
	gapMeshEnv    = 3  // dev: no ISTIO_META_REQUEST_ID env var (mesh-env)
	gapSecretKey  = 5  // qa: reads a key its Secret does not have (secret-key-missing)
	gapSecretGone = 7  // qa: mounts a Secret nothing produces (secret-missing)
	gapProxyConf  = 9  // qa: proxy.istio.io/config without the request id (mesh-annotation)
	inlineIgnored = 11 // everywhere: opted out of the mesh with an inline exemption
)

var stages = []string{"dev", "qa", "staging", "prod"}

// regions name environments; past the list they repeat with a number.
var regions = []string{
	"use1", "euw1", "usw2", "euc1", "apse1", "apne1", "use2", "euw2", "aps1", "cac1",
	"sae1", "usw1", "eun1", "apse2", "euw3", "apne2", "mes1", "afs1", "eus1", "apne3",
}

var serviceNames = []string{
	"cart", "checkout", "payments", "orders", "catalog", "search", "inventory", "shipping",
	"pricing", "users", "auth", "notifications", "email", "recommendations", "reviews",
	"ratings", "gateway", "billing", "invoices", "ledger", "fraud", "loyalty", "promotions",
	"coupons", "wishlist", "media", "thumbnails", "reports", "analytics", "audit",
	"sessions", "profile", "accounts", "tax", "currency", "quotes", "returns", "warehouse",
	"fulfillment", "tracking", "chat", "support", "feedback", "content", "cms",
	"translations", "geo", "scheduler", "webhooks", "ratelimit",
}

type service struct {
	index    int
	name     string
	kind     string // Deployment or StatefulSet
	port     int
	external bool // credentials from an ExternalSecret where the API exists
	vaultTLS bool // mounts vault-<name>-tls, created outside the manifests
	config   [][2]string
	keys     []string
	minor    int
	storage  string
}

type env struct {
	index      int
	name       string
	stage      string
	region     string
	helm       bool
	namespace  string
	release    string // helm
	valuesFile string // helm
	overlay    string // kustomize
	cluster    string
	// dupOf is the environment whose render inputs this one shares exactly
	// (a disaster-recovery cluster deploying what its primary deploys).
	dupOf *env
}

type plan struct {
	opts     Options
	services []service
	envs     []*env
}

func newPlan(opts Options) *plan {
	p := &plan{opts: opts}
	for k := range opts.Services {
		p.services = append(p.services, newService(opts.Seed, k))
	}
	for i := range opts.Envs {
		p.envs = append(p.envs, p.newEnv(i))
	}
	return p
}

func rng(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

func newService(seed int64, k int) service {
	r := rng(seed, uint64(k))
	name := serviceNames[k%len(serviceNames)]
	if k >= len(serviceNames) {
		name = fmt.Sprintf("%s-%d", name, k/len(serviceNames)+1)
	}
	s := service{
		index:    k,
		name:     name,
		kind:     "Deployment",
		port:     []int{8080, 8000, 9090, 3000}[r.IntN(4)],
		external: r.IntN(5) < 2,
		vaultTLS: r.IntN(4) == 0,
		minor:    r.IntN(30),
		keys:     []string{"password", "username"},
	}
	if r.IntN(5) == 0 {
		s.kind = "StatefulSet"
		s.storage = fmt.Sprintf("%dGi", 5*(1+r.IntN(8)))
	}
	if r.IntN(3) == 0 {
		s.keys = append(s.keys, "api-key")
	}
	settings := []string{
		"HTTP_TIMEOUT", "CACHE_TTL", "MAX_CONNECTIONS", "FEATURE_FLAGS", "UPSTREAM_URL",
		"TRACING_SAMPLE_RATE", "QUEUE_NAME", "RETRY_BUDGET", "WORKER_THREADS", "DB_HOST",
	}
	n := 3 + r.IntN(6)
	for _, i := range r.Perm(len(settings))[:n] {
		s.config = append(s.config, [2]string{settings[i], settingValue(settings[i], name, r)})
	}
	sort.Slice(s.config, func(i, j int) bool { return s.config[i][0] < s.config[j][0] })
	return s
}

func settingValue(key, svc string, r *rand.Rand) string {
	switch key {
	case "HTTP_TIMEOUT":
		return fmt.Sprintf("%ds", 5+r.IntN(25))
	case "CACHE_TTL":
		return fmt.Sprintf("%dm", 1+r.IntN(60))
	case "FEATURE_FLAGS":
		return "checkout-v2,fast-search"
	case "UPSTREAM_URL":
		return fmt.Sprintf("http://%s-upstream:8080", svc)
	case "TRACING_SAMPLE_RATE":
		return fmt.Sprintf("0.%02d", 1+r.IntN(20))
	case "QUEUE_NAME":
		return svc + "-events"
	case "DB_HOST":
		return svc + "-db"
	}
	return fmt.Sprint(1 + r.IntN(64))
}

// newEnv lays environments out alternately Helm and kustomize (so any even
// count is exactly half each), each source going through the four stages of
// a region before the next region; the two sources deploy to different
// regions.
func (p *plan) newEnv(i int) *env {
	j := i / 2
	r := 2*(j/len(stages)) + i%2
	region := regions[r%len(regions)]
	if r >= len(regions) {
		region = fmt.Sprintf("%s%d", region, r/len(regions)+1)
	}
	e := &env{index: i, stage: stages[j%len(stages)], region: region, helm: i%2 == 0}
	e.name = e.stage + "-" + region
	// In every 16 environments, the prod slots of one Helm and one kustomize
	// region are instead the disaster-recovery clusters of the prod
	// environments a region earlier: identical inputs under another name,
	// so render reuse shows.
	if i%16 == 14 || i%16 == 15 {
		prim := p.envs[i-8]
		*e = *prim
		e.index, e.name, e.dupOf = i, prim.name+"-dr", prim
		return e
	}
	e.namespace = e.name
	e.cluster = e.name + "-1"
	if e.helm {
		e.release = "platform-" + e.name
		e.valuesFile = valuesDir + "/" + e.name + ".yaml"
	} else {
		e.overlay = overlaysDir + "/" + e.name
	}
	return e
}

// kubeVersion is the helm environment's Kubernetes version; dev leaves it to
// meshgate's default.
func (e *env) kubeVersion() string {
	switch e.stage {
	case "staging", "prod":
		return "1.33.4"
	case "qa":
		return "1.32.0"
	}
	return ""
}

// apiVersions are the CRD APIs the environment's cluster serves: the chart
// renders ExternalSecrets only where external-secrets is installed.
func (e *env) apiVersions() []string {
	if e.stage == "staging" || e.stage == "prod" {
		return []string{"external-secrets.io/v1", "monitoring.coreos.com/v1"}
	}
	return nil
}

// rand returns the environment's own random stream (sizes, versions).
func (p *plan) rand(e *env) *rand.Rand { return rng(p.opts.Seed, 1<<32+uint64(e.index)) }

// tag is the image tag a service runs in an environment: prod lags behind.
func (s service) tag(e *env, r *rand.Rand) string {
	lag := map[string]int{"dev": 0, "qa": 0, "staging": 1, "prod": 2}[e.stage]
	return fmt.Sprintf("1.%d.%d", s.minor+2-lag, r.IntN(10))
}

// replicas and autoscaling bounds grow with the stage.
func (s service) replicas(e *env, r *rand.Rand) (replicas, minR, maxR int) {
	switch e.stage {
	case "dev", "qa":
		return 1, 1, 3
	case "staging":
		return 2, 2, 4 + r.IntN(4)
	}
	base := 3 + r.IntN(4)
	return base, base, base * (2 + r.IntN(3))
}

func (s service) cpu(e *env, r *rand.Rand) string {
	if e.stage == "dev" || e.stage == "qa" {
		return "50m"
	}
	return fmt.Sprintf("%dm", 100*(1+r.IntN(5)))
}

func (s service) memory(e *env, r *rand.Rand) string {
	if e.stage == "dev" || e.stage == "qa" {
		return "128Mi"
	}
	return fmt.Sprintf("%dMi", 256*(1+r.IntN(4)))
}

// secretValue is a fake, deterministic secret value.
func secretValue(parts ...string) string {
	h := uint64(14695981039346656037)
	for _, b := range []byte(strings.Join(parts, "/")) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return fmt.Sprintf("fake-%016x", h)
}
