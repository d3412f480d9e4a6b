package check

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/manifest"
)

// meshSignal is a key whose presence in rendered objects points at a
// provider: a label or annotation on pod templates, Namespaces or both.
type meshSignal struct {
	on      meshOn
	section string // "label" or "annotation"
	// key is a key, or a prefix ending in "/" (every key under it).
	key string
}

type meshOn int

const (
	meshOnPod meshOn = 1 << iota
	meshOnNamespace
)

// meshIstioSignals: istio's pod keys (all sidecar.istio.io/ labels and
// annotations) and its namespace injection labels.
var meshIstioSignals = []meshSignal{
	{meshOnPod, "label", "sidecar.istio.io/"},
	{meshOnPod, "annotation", "sidecar.istio.io/"},
	{meshOnNamespace, "label", meshIstioNsInjection},
	{meshOnNamespace, "label", meshIstioRev},
}

// Detection is the mesh provider assumed when no config names one.
type Detection struct {
	Provider string
	// Reason says why, for stderr.
	Reason string
	// Sets is how many environments rendered objects; with none there is
	// nothing to say.
	Sets int
}

// DetectProvider looks for each provider's keys in the rendered objects.
// One provider signalled is assumed; istio-ambient wins over istio (a
// sidecar still counts under ambient); with none, or with signals of
// several meshes, istio is assumed and Reason says so.
func DetectProvider(sets []*manifest.Set) Detection {
	d := detectProvider(sets)
	for _, s := range sets {
		if s != nil && len(s.Objects) > 0 {
			d.Sets++
		}
	}
	return d
}

func detectProvider(sets []*manifest.Set) Detection {
	found := map[string]string{} // provider → first evidence
	for _, set := range sets {
		if set == nil {
			continue
		}
		for _, p := range Providers {
			if _, seen := found[p.Name]; !seen {
				if ev := meshEvidence(p, set); ev != "" {
					found[p.Name] = ev
				}
			}
		}
	}
	if _, ok := found[config.ProviderIstioAmbient]; ok {
		delete(found, config.ProviderIstio)
	}
	names := make([]string, 0, len(found))
	for _, p := range Providers {
		if _, ok := found[p.Name]; ok {
			names = append(names, p.Name)
		}
	}
	switch len(names) {
	case 0:
		return Detection{Provider: config.DefaultProvider, Reason: "no mesh.provider configured and no rendered object carries a mesh's injection key; assuming " + config.DefaultProvider}
	case 1:
		return Detection{Provider: names[0], Reason: fmt.Sprintf("no mesh.provider configured; assuming %s: %s", names[0], found[names[0]])}
	}
	var ev []string
	for _, n := range names {
		ev = append(ev, n+" ("+found[n]+")")
	}
	return Detection{Provider: config.DefaultProvider, Reason: fmt.Sprintf("no mesh.provider configured and the rendered objects point at several meshes: %s; assuming %s, set mesh.provider to choose", strings.Join(ev, "; "), config.DefaultProvider)}
}

// meshEvidence names the first object of set carrying one of p's keys,
// "" when none does.
func meshEvidence(p Provider, set *manifest.Set) string {
	for _, s := range p.detect {
		if s.on&meshOnNamespace != 0 {
			for _, name := range slices.Sorted(maps.Keys(set.Namespaces)) {
				o := set.Namespaces[name]
				if k := meshSignalKey(s, o.Labels, o.Annotations); k != "" {
					return fmt.Sprintf("Namespace %s has %s %s", name, s.section, k)
				}
			}
		}
		if s.on&meshOnPod != 0 {
			for _, w := range set.Workloads {
				if w == nil || w.Object == nil {
					continue
				}
				if k := meshSignalKey(s, w.Pod.Labels, w.Pod.Annotations); k != "" {
					return fmt.Sprintf("%s has pod %s %s", w.ID(), s.section, k)
				}
			}
		}
	}
	return ""
}

// meshSignalKey is the key of labels or annotations that s matches.
func meshSignalKey(s meshSignal, labels, annotations map[string]string) string {
	m := labels
	if s.section == "annotation" {
		m = annotations
	}
	if !strings.HasSuffix(s.key, "/") {
		if meshHas(m, s.key) {
			return s.key
		}
		return ""
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if strings.HasPrefix(k, s.key) {
			return k
		}
	}
	return ""
}
