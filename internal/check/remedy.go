package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// Remedies: the source edits that would close a gap, where a check knows
// one (finding.Remedy). internal/fix proves each by re-rendering before it
// is offered, so a remedy may be wrong, never harmful.

// remedyAnchor locates the field at path in the object's source: its own
// line, or its parent's (parent names the parent's key) when the source
// lacks it. Object.LineOf falls back to the nearest ancestor, so a field
// found on its parent's line is a field not found.
func remedyAnchor(o *manifest.Object, path []any, parent string) finding.Anchor {
	field := fmt.Sprint(path[len(path)-1])
	if _, item := path[len(path)-1].(int); item {
		field = "-"
	}
	line, up := o.LineOf(path...), o.LineOf(path[:len(path)-1]...)
	if line != up {
		return finding.Anchor{Line: line, Field: field}
	}
	return finding.Anchor{Line: up, Missing: true, Field: field, Parent: parent}
}

// remedyMeta is the anchor of the pod template's labels or annotations
// (section "labels" or "annotations").
func remedyMeta(w *manifest.Workload, section string) finding.Anchor {
	parent := "metadata"
	return remedyAnchor(w.Object, append(slices.Clone(w.Pod.Path), parent, section), parent)
}

// remedySet gives the pod template's labels or annotations the entry
// key: value.
func remedySet(w *manifest.Workload, section, key, value string) *finding.Remedy {
	if w.Object == nil || w.File == "" || strings.Contains(value, "\n") {
		return nil
	}
	return &finding.Remedy{Op: finding.RemedySet, Key: key, Value: value, At: remedyMeta(w, section),
		Title: fmt.Sprintf("set %s %s: %q on %s.%s", strings.TrimSuffix(section, "s"), key, value, meshTemplateMeta(w), section)}
}

// remedyMove moves an annotation of the pod template to its labels (the
// classic mistake: injectors select on labels).
func remedyMove(w *manifest.Workload, key string) *finding.Remedy {
	if w.Object == nil || w.File == "" {
		return nil
	}
	meta := append(slices.Clone(w.Pod.Path), "metadata")
	at := remedyAnchor(w.Object, append(slices.Clone(meta), "annotations", key), "annotations")
	if at.Missing {
		// Not written as a line of its own (a template renders the map):
		// the map, where internal/fix finds the template expression.
		if at = remedyMeta(w, "annotations"); at.Missing {
			return nil
		}
	}
	return &finding.Remedy{Op: finding.RemedyMove, Key: key, At: at, To: remedyMeta(w, "labels"),
		Title: fmt.Sprintf("move %s from %s.annotations to %s.labels", key, meshTemplateMeta(w), meshTemplateMeta(w))}
}

// remedyInjectLabel moves istio's injection switch from the pod
// template's annotations to its labels.
func remedyInjectLabel(w *manifest.Workload) *finding.Remedy { return remedyMove(w, meshIstioInject) }

// remedyEnv adds env var name to container c, copying another app
// container of the workload that sets it (its source line, and its
// literal value when the copy cannot be made); nil when no container of
// the workload sets it.
func remedyEnv(w *manifest.Workload, c manifest.Container, name string) *finding.Remedy {
	if w.Object == nil || w.File == "" || len(c.Path) == 0 {
		return nil
	}
	for _, o := range w.Pod.Containers {
		if o.Type != manifest.ContainerApp || o.Name == c.Name {
			continue
		}
		i := remedyEnvIndex(w, o, name)
		if i < 0 {
			continue
		}
		value, ok := driftEnvValues(w, o)[name]
		r := remedyEnvFrom(w, c, name, value)
		item := remedyAnchor(w.Object, append(slices.Clone(o.Path), "env", i), "env")
		if !item.Missing {
			r.Copy = item.Line
		} else if !ok {
			return nil
		}
		return r
	}
	return nil
}

// remedyEnvFrom adds env var name with value to container c.
func remedyEnvFrom(w *manifest.Workload, c manifest.Container, name, value string) *finding.Remedy {
	parent := fmt.Sprint(c.Path[len(c.Path)-2])
	return &finding.Remedy{Op: finding.RemedyAddEnv, Key: name, Value: value, At: remedyAnchor(w.Object, c.Path, parent),
		Title: fmt.Sprintf("add env %s to container %s", name, c.Name)}
}

// remedyEnvIndex is the index of env var name in container c's env list,
// -1 when it has none.
func remedyEnvIndex(w *manifest.Workload, c manifest.Container, name string) int {
	if len(c.Path) < 2 {
		return -1
	}
	field, _ := c.Path[len(c.Path)-2].(string)
	i, _ := c.Path[len(c.Path)-1].(int)
	list, _ := w.Pod.Spec[field].([]any)
	if i >= len(list) {
		return -1
	}
	cm, _ := list[i].(map[string]any)
	env, _ := cm["env"].([]any)
	for j, e := range env {
		if m, _ := e.(map[string]any); m["name"] == name {
			return j
		}
	}
	return -1
}

// remedyNativeSidecar sets the per-pod annotation that makes a meshed
// Job's sidecar native on the configured release, where there is one.
func remedyNativeSidecar(c meshCtx, p Provider, v meshVerdict, w *manifest.Workload) *finding.Remedy {
	if v.manual {
		return nil
	}
	if _, known := meshNativeGates[p.Name]; !known && p.Name != config.ProviderIstioAmbient {
		return nil
	}
	g := meshNativeGateFor(p.Name, c.version)
	if len(g.keys) == 0 {
		return nil
	}
	return remedySet(w, "annotations", g.keys[0], "true")
}

// remedyRename replaces the key a Secret reference reads with the key of
// the Secret it most likely meant.
func remedyRename(ref manifest.Ref, key string) *finding.Remedy {
	if ref.Object == nil || ref.Object.File == "" || len(ref.KeyPath) == 0 {
		return nil
	}
	at := remedyAnchor(ref.Object, ref.KeyPath, "")
	if at.Missing {
		return nil
	}
	return &finding.Remedy{Op: finding.RemedyRename, Old: ref.Key, Value: key, At: at,
		Title: fmt.Sprintf("read key %q of Secret %s instead of %q", key, ref.Name, ref.Key)}
}

// driftAnchors are where a mesh-drift remedy adds a missing setting to a
// workload, kept with its drift profile after the rendered set is gone.
type driftAnchors struct {
	labels, annotations, container finding.Anchor
	// meta spells the pod template's metadata; name is the first app
	// container, which env findings name.
	meta, name string
}

func driftAnchorsOf(w *manifest.Workload) *driftAnchors {
	if w.File == "" {
		return nil
	}
	a := &driftAnchors{labels: remedyMeta(w, "labels"), annotations: remedyMeta(w, "annotations"), meta: meshTemplateMeta(w)}
	for _, c := range w.Pod.Containers {
		if c.Type == manifest.ContainerApp && !slices.Contains(driftProxies, c.Name) && len(c.Path) >= 2 {
			a.name = c.Name
			a.container = remedyAnchor(w.Object, c.Path, fmt.Sprint(c.Path[len(c.Path)-2]))
			break
		}
	}
	return a
}

// remedy sets a missing label or annotation to the value most peers use,
// or adds a missing env var with it; nil for the verdict itself, a key
// inside an annotation, and a value not kept.
func (a *driftAnchors) remedy(setting, value string) *finding.Remedy {
	section, key, _ := strings.Cut(setting, " ")
	if a == nil || value == "" || strings.Contains(key, " ") || strings.Contains(value, "\n") {
		return nil
	}
	switch section {
	case "label", "annotation":
		at := a.labels
		if section == "annotation" {
			at = a.annotations
		}
		return &finding.Remedy{Op: finding.RemedySet, Key: key, Value: value, At: at,
			Title: fmt.Sprintf("set %s %s: %q on %s.%ss, as most of its peers do", section, key, value, a.meta, section)}
	case "env":
		if a.name == "" {
			return nil
		}
		return &finding.Remedy{Op: finding.RemedyAddEnv, Key: key, Value: value, At: a.container,
			Title: fmt.Sprintf("add env %s: %q to container %s, as most of its peers do", key, value, a.name)}
	}
	return nil
}
