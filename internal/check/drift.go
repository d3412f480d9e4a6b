package check

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// Drift axes, as a finding's evidence names them.
const (
	DriftSiblings     = "siblings"
	DriftEnvironments = "environments"
	DriftCommits      = "commits"
)

// DriftMeshed is the setting that stands for the verdict itself: the pod
// gets the mesh dataplane.
const DriftMeshed = "meshed"

// driftPrefixes are the annotation and label prefixes of mesh settings.
var driftPrefixes = []string{
	"sidecar.istio.io/", "proxy.istio.io/", "traffic.sidecar.istio.io/", "istio.io/",
	"linkerd.io/", "config.linkerd.io/", "config.alpha.linkerd.io/",
	"consul.hashicorp.com/", "kuma.io/", "traffic.kuma.io/",
}

// driftSwitches decide injection, so their effect is the verdict "meshed",
// or are written by injectors and controllers, not by people: neither is a
// setting a workload can lack.
var driftSwitches = []string{
	"sidecar.istio.io/inject", "istio.io/rev", "istio.io/dataplane-mode", "sidecar.istio.io/status",
	"linkerd.io/inject", "linkerd.io/created-by", "linkerd.io/proxy-version", "linkerd.io/identity-mode",
	"linkerd.io/trust-root-sha256", "linkerd.io/control-plane-ns", "linkerd.io/workload-ns",
	"linkerd.io/proxy-deployment", "linkerd.io/control-plane-component",
	"consul.hashicorp.com/connect-inject", "consul.hashicorp.com/connect-inject-status",
	"kuma.io/sidecar-injection", "kuma.io/sidecar-injected",
}

// driftProxies are the dataplane's own containers, which charts of the
// meshes render pre-injected (linkerd's control plane): their env is the
// proxy's configuration, not the app's settings.
var driftProxies = []string{"linkerd-proxy", "istio-proxy", "consul-dataplane", "envoy-sidecar", "kuma-sidecar"}

// driftSecretish marks env names whose values may be credentials: their
// values are never kept or quoted.
var driftSecretish = []string{"KEY", "TOKEN", "SECRET", "PASSWORD", "HEADERS", "AUTH", "CREDENTIAL", "CERT"}

// DriftProfile is what mesh-drift knows of one environment: its
// workloads' mesh verdicts and settings, enough to compare it with other
// environments and with a base, after its rendered set is gone.
type DriftProfile struct {
	Env string
	// Decided is false when the provider checks no injection (none): no
	// workload is meshed and nothing is compared.
	Decided   bool
	Workloads []*DriftWorkload
}

// DriftWorkload is one workload's mesh verdict and settings.
type DriftWorkload struct {
	ID, Kind, Namespace, Name, File string
	// Class groups siblings: long-running, node (DaemonSet) or batch.
	Class  string
	Meshed bool
	// Settings by name (see DriftSettingName) with the value, "" where the
	// value is not kept.
	Settings map[string]string
	// EnvUnknown: an app container reads envFrom a source whose keys are
	// not known, so it may set any env var.
	EnvUnknown bool

	metaLine, envLine int
	container         string
	// stub carries the inline exemption annotations, for findings made
	// after the rendered set is gone.
	stub *manifest.Workload
	// anchors are where a remedy would add a missing setting.
	anchors *driftAnchors
}

// Workload classes.
const (
	driftClassService = "long-running"
	driftClassNode    = "node"
	driftClassBatch   = "batch"
)

// driftProfile reads the mesh verdict and settings of every workload.
func driftProfile(in Input) *DriftProfile {
	p := &DriftProfile{Env: in.Env.Name}
	if in.Config == nil || in.Set == nil {
		return p
	}
	mesh := in.Config.Mesh
	prov, _ := LookupProvider(mesh.Provider)
	p.Decided = prov.table != nil
	if !p.Decided {
		return p
	}
	idx := meshEnvIndexOf(in.Set)
	dr := in.Config.Drift
	mc := meshCtxOf(mesh, in.Env)
	structured := map[string]map[string]string{}
	for _, w := range in.Set.Workloads {
		if w == nil || w.Object == nil {
			continue
		}
		v, _ := meshDecide(mc, meshNamespaceOf(in, w.Namespace), w)
		dw := &DriftWorkload{
			ID: w.ID(), Kind: w.Kind, Namespace: w.Namespace, Name: w.Name, File: w.File,
			Class: driftClass(w), Meshed: v.meshed, Settings: map[string]string{},
			stub: driftStub(w),
		}
		dw.metaLine = w.LineOf(append(slices.Clone(w.Pod.Path), "metadata")...)
		dw.anchors = driftAnchorsOf(w)
		dw.envLine = dw.metaLine
		if v.meshed {
			dw.Settings[DriftMeshed] = "true"
			driftMetaSettings(dr, dw, "annotation", w.Pod.Annotations, structured)
			driftMetaSettings(dr, dw, "label", w.Pod.Labels, structured)
			driftEnvSettings(dr, idx, dw, w)
		}
		for k := range dw.Settings {
			if dr.Ignored(driftBare(k)) {
				delete(dw.Settings, k)
			}
		}
		p.Workloads = append(p.Workloads, dw)
	}
	return p
}

func driftClass(w *manifest.Workload) string {
	switch {
	case w.IsJob:
		return driftClassBatch
	case w.Kind == "DaemonSet":
		return driftClassNode
	}
	return driftClassService
}

// driftStub keeps a workload's identity, location and inline exemption
// annotations.
func driftStub(w *manifest.Workload) *manifest.Workload {
	keep := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for _, k := range []string{exemptAnnotation, exemptReasonAnnotation} {
			if v, ok := m[k]; ok {
				out[k] = v
			}
		}
		return out
	}
	o := &manifest.Object{Kind: w.Kind, Namespace: w.Namespace, Name: w.Name, File: w.File, Line: w.Line, Annotations: keep(w.Annotations)}
	return &manifest.Workload{Object: o, Pod: manifest.PodTemplate{Path: w.Pod.Path, Annotations: keep(w.Pod.Annotations)}}
}

// driftIsMeshKey: a key under a mesh prefix that is no switch.
func driftIsMeshKey(dr config.Drift, key string) bool {
	if slices.Contains(driftSwitches, key) {
		return false
	}
	for _, p := range driftPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	for _, p := range dr.Prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// driftMetaSettings adds the mesh annotations or labels, and each key
// inside an annotation whose value is a YAML or JSON map.
// cache holds the key paths of the structured values seen, by value:
// the workloads of a chart share them.
func driftMetaSettings(dr config.Drift, dw *DriftWorkload, section string, m map[string]string, cache map[string]map[string]string) {
	for k, v := range m {
		if !driftIsMeshKey(dr, k) {
			continue
		}
		name := section + " " + k
		dw.Settings[name] = v
		if section != "annotation" || !strings.Contains(v, ":") {
			continue
		}
		keys, ok := cache[v]
		if !ok {
			var doc map[string]any
			if yaml.Unmarshal([]byte(v), &doc) == nil {
				keys = map[string]string{}
				driftFlatten(keys, "", "", doc)
			}
			cache[v] = keys
		}
		for path, kv := range keys {
			dw.Settings[name+" key "+path] = kv
		}
	}
}

// driftFlatten adds one setting per leaf key path of a structured
// annotation.
func driftFlatten(out map[string]string, prefix, path string, node map[string]any) {
	for k, v := range node {
		p := k
		if path != "" {
			p = path + "." + k
		}
		switch v := v.(type) {
		case map[string]any:
			if len(v) > 0 {
				driftFlatten(out, prefix, p, v)
				continue
			}
			out[prefix+p] = ""
		case []any:
			out[prefix+p] = ""
		default:
			out[prefix+p] = fmt.Sprint(v)
		}
	}
}

// driftEnvSettings adds the env vars of app containers whose names are
// mesh or tracing settings, set by env or by envFrom of a rendered
// ConfigMap or Secret.
func driftEnvSettings(dr config.Drift, idx meshEnvIndex, dw *DriftWorkload, w *manifest.Workload) {
	for _, c := range w.Pod.Containers {
		if c.Type != manifest.ContainerApp || slices.Contains(driftProxies, c.Name) {
			continue
		}
		if dw.container == "" {
			dw.container = c.Name
			dw.envLine = w.LineOf(append(slices.Clone(c.Path), "env")...)
		}
		var values map[string]string
		for _, name := range c.Env {
			if driftIsMeshEnv(dr, name) {
				if values == nil {
					values = driftEnvValues(w, c)
				}
				dw.Settings["env "+name] = driftEnvValue(name, values[name])
			}
		}
		for _, src := range c.EnvFrom {
			keys, known := driftEnvFromKeys(idx, w.Namespace, src)
			if !known {
				dw.EnvUnknown = true
				continue
			}
			for k := range keys {
				if name := src.Prefix + k; driftIsMeshEnv(dr, name) {
					if _, ok := dw.Settings["env "+name]; !ok {
						dw.Settings["env "+name] = ""
					}
				}
			}
		}
	}
}

func driftEnvFromKeys(idx meshEnvIndex, ns string, src manifest.EnvFromSource) (map[string]bool, bool) {
	switch src.Kind {
	case "ConfigMap":
		keys, ok := idx.configMaps[ns+"/"+src.Name]
		return keys, ok
	case "Secret":
		keys, ok := idx.secrets[ns+"/"+src.Name]
		return keys, ok && keys != nil
	}
	return nil, false
}

// driftIsMeshEnv: the env var names of mesh and tracing settings are
// ISTIO_*, LINKERD*, OTEL_*, *_REQUEST_ID and drift.env's globs. The
// defaults are tested without path.Match: this runs for every env var.
func driftIsMeshEnv(dr config.Drift, name string) bool {
	if strings.HasPrefix(name, "ISTIO_") || strings.HasPrefix(name, "LINKERD") ||
		strings.HasPrefix(name, "OTEL_") || strings.HasSuffix(name, "_REQUEST_ID") {
		return true
	}
	for _, g := range dr.Env {
		if config.Glob(g, name) {
			return true
		}
	}
	return false
}

// driftEnvValues are the literal values of a container's env list.
func driftEnvValues(w *manifest.Workload, c manifest.Container) map[string]string {
	out := map[string]string{}
	if len(c.Path) < 2 {
		return out
	}
	field, _ := c.Path[len(c.Path)-2].(string)
	i, _ := c.Path[len(c.Path)-1].(int)
	list, _ := w.Pod.Spec[field].([]any)
	if i >= len(list) {
		return out
	}
	cm, _ := list[i].(map[string]any)
	env, _ := cm["env"].([]any)
	for _, e := range env {
		m, _ := e.(map[string]any)
		if name, ok := m["name"].(string); ok {
			if v, ok := m["value"]; ok && v != nil {
				out[name] = fmt.Sprint(v)
			}
		}
	}
	return out
}

// driftEnvValue keeps a value unless the name suggests a credential or the
// value is long.
func driftEnvValue(name, v string) string {
	upper := strings.ToUpper(name)
	for _, s := range driftSecretish {
		if strings.Contains(upper, s) {
			return ""
		}
	}
	if len(v) > 64 {
		return ""
	}
	return v
}

// driftBare is a setting's name as drift.ignore globs match it: the key,
// KEY:PATH, the env var name, or "meshed".
func driftBare(setting string) string {
	if setting == DriftMeshed {
		return setting
	}
	_, rest, _ := strings.Cut(setting, " ")
	if k, path, ok := strings.Cut(rest, " key "); ok {
		return k + ":" + path
	}
	return rest
}

// driftIsSetting reports whether a setting named in a base report is one
// under this config (the base may have been checked with another).
func driftIsSetting(dr config.Drift, setting string) bool {
	if setting == DriftMeshed {
		return !dr.Ignored(setting)
	}
	section, rest, _ := strings.Cut(setting, " ")
	key, _, _ := strings.Cut(rest, " key ")
	switch section {
	case "env":
		return driftIsMeshEnv(dr, key) && !dr.Ignored(driftBare(setting))
	case "annotation", "label":
		return driftIsMeshKey(dr, key) && !dr.Ignored(driftBare(setting))
	}
	return false
}

// driftIsEnv reports an env setting.
func driftIsEnv(setting string) bool { return strings.HasPrefix(setting, "env ") }

// driftParent is the annotation a key inside it belongs to, "" for others.
func driftParent(setting string) string {
	if k, _, ok := strings.Cut(setting, " key "); ok {
		return k
	}
	return ""
}

// driftPhrase names a setting in a message.
func driftPhrase(setting string) string {
	if setting == DriftMeshed {
		return "the mesh dataplane"
	}
	return setting
}

// driftLine is where a finding about the setting points.
func (dw *DriftWorkload) driftLine(setting string) int {
	if driftIsEnv(setting) {
		return dw.envLine
	}
	return dw.metaLine
}

// driftContainer is the container a finding about the setting names.
func (dw *DriftWorkload) driftContainer(setting string) string {
	if driftIsEnv(setting) {
		return dw.container
	}
	return ""
}

// carries reports whether the workload carries the setting; known is
// false when it may (an env var through an unknown envFrom).
func (dw *DriftWorkload) carries(setting string) (has, known bool) {
	if _, ok := dw.Settings[setting]; ok {
		return true, true
	}
	return false, !(driftIsEnv(setting) && dw.EnvUnknown)
}

// driftReported is what other rules already report: workload id →
// settings (and "annotation KEY" covers every key inside it).
type driftReported map[string]map[string]bool

// driftReportedOf maps mesh-injection, mesh-annotation and mesh-env
// findings (reported or exempted) to the settings they are about.
func driftReportedOf(lists ...[]finding.Finding) driftReported {
	r := driftReported{}
	add := func(id, s string) {
		if r[id] == nil {
			r[id] = map[string]bool{}
		}
		r[id][s] = true
	}
	for _, fs := range lists {
		for _, f := range fs {
			subject := f.Subject
			if f.Policy != "" {
				subject = strings.TrimPrefix(subject, f.Policy+"/")
			}
			switch f.Rule {
			case finding.RuleMeshInjection:
				add(f.WorkloadID(), DriftMeshed)
			case finding.RuleMeshAnnotation, finding.RuleMeshEnv:
				section, key, _ := strings.Cut(subject, ":")
				add(f.WorkloadID(), section+" "+key)
			}
		}
	}
	return r
}

// has reports whether another rule reports the setting on the workload.
func (r driftReported) has(id, setting string) bool {
	m := r[id]
	if m == nil {
		return false
	}
	if m[setting] {
		return true
	}
	p := driftParent(setting)
	return p != "" && m[p]
}
