package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// finding.Finding subjects of the mesh rules (they feed the fingerprint).
const (
	meshSubjectInjection     = "injection"
	meshSubjectNativeSidecar = "native-sidecar"
)

// meshFindings: mesh-injection, mesh-annotation, mesh-env, mesh-job-sidecar
// and the config rules: entries.
func meshFindings(in Input) []finding.Finding {
	if in.Config == nil || in.Set == nil {
		return nil
	}
	mesh := in.Config.Mesh
	envIdx := meshEnvIndexOf(in.Set)
	var out []finding.Finding
	for _, w := range in.Set.Workloads {
		if w == nil || w.Object == nil {
			continue
		}
		out = append(out, meshInjectionFindings(in, w)...)
		out = append(out, meshRequireFindings(in, w, envIdx, mesh.Require, finding.SeverityError, "")...)
		for _, r := range in.Config.Rules {
			if meshRuleMatches(in, r, w) {
				out = append(out, meshRequireFindings(in, w, envIdx, r.Require, meshSeverity(r.Severity), r.Name)...)
			}
		}
	}
	return out
}

// meshInjectionFindings decides whether the pod gets the mesh dataplane and,
// for Jobs and CronJobs, whether a classic sidecar keeps it from completing.
func meshInjectionFindings(in Input, w *manifest.Workload) []finding.Finding {
	mesh := in.Config.Mesh
	jobs := mesh.Jobs
	if jobs == "" {
		jobs = config.JobsWarn
	}
	if w.IsJob && jobs == config.JobsIgnore {
		return nil
	}
	c := meshCtxOf(mesh, in.Env)
	ns := meshNamespaceOf(in, w.Namespace)
	v, ok := meshDecide(c, ns, w)
	if !ok {
		return nil
	}
	p, _ := LookupProvider(mesh.Provider)
	if !v.meshed {
		msg := v.why + meshObjectMetadataHint(w, p.injectionKeys)
		f := newFinding(in, finding.RuleMeshInjection, meshInjectionSeverity(mesh, jobs, w, v), w.Object, "", meshSubjectInjection, msg, v.path...)
		f.Remedy = v.remedy
		return []finding.Finding{f}
	}
	if !w.IsJob || !v.sidecar {
		return nil
	}
	if why, path, native := meshNativeSidecar(c, p, v, ns, w); !native {
		f := newFinding(in, finding.RuleMeshJobSidecar, finding.SeverityWarning, w.Object, "", meshSubjectNativeSidecar, why, path...)
		f.Remedy = remedyNativeSidecar(c, p, v, w)
		return []finding.Finding{f}
	}
	return nil
}

// meshInjectionSeverity: a pod the webhook rejects is an error, Job or
// not; a deliberate opt-out has mesh.optOut's severity; a Job without the
// dataplane is a warning under mesh.jobs: warn, and never more.
func meshInjectionSeverity(mesh config.Mesh, jobs string, w *manifest.Workload, v meshVerdict) finding.Severity {
	if v.rejected {
		return finding.SeverityError
	}
	sev := finding.SeverityError
	if v.optOut {
		sev = finding.Severity(mesh.OptOut)
		if mesh.OptOut == "" {
			sev = finding.Severity(config.DefaultOptOut)
		}
	}
	if w.IsJob && jobs == config.JobsWarn && sev == finding.SeverityError {
		sev = finding.SeverityWarning
	}
	return sev
}

// meshNamespace is what meshgate knows of a namespace's labels and
// annotations when a pod is created there.
type meshNamespace struct {
	name        string
	labels      map[string]string
	annotations map[string]string
	// origin says where the facts come from, for messages.
	origin string
}

const (
	meshOriginRendered = "from the rendered Namespace"
	meshOriginConfig   = "from mesh.namespaces"
	meshOriginUnknown  = "not rendered, not in mesh.namespaces"
)

// meshNamespaceOf: a Namespace object rendered in the environment replaces
// the mesh.namespaces entry of the same name (SPEC "Namespace facts"). A
// config entry is one map of labels and annotations, so its keys count as
// both.
func meshNamespaceOf(in Input, name string) meshNamespace {
	if o := in.Set.Namespaces[name]; o != nil {
		return meshNamespace{name: name, labels: o.Labels, annotations: o.Annotations, origin: meshOriginRendered}
	}
	if facts, ok := in.Config.Mesh.Namespaces[name]; ok {
		return meshNamespace{name: name, labels: facts, annotations: facts, origin: meshOriginConfig}
	}
	return meshNamespace{name: name, origin: meshOriginUnknown}
}

// String names the namespace and where its facts come from.
func (ns meshNamespace) String() string {
	return fmt.Sprintf("namespace %q (%s)", ns.name, ns.origin)
}

// meshMetaPath is the field path of the pod template's metadata, or of one
// label or annotation in it (section "labels"/"annotations", key).
func meshMetaPath(w *manifest.Workload, section, key string) []any {
	p := append(slices.Clone(w.Pod.Path), "metadata")
	if section != "" {
		if section == "labels" && !meshHas(w.Pod.Labels, key) || section == "annotations" && !meshHas(w.Pod.Annotations, key) {
			return p
		}
		p = append(p, section, key)
	}
	return p
}

// meshSpecPath is the field path of a pod spec field.
func meshSpecPath(w *manifest.Workload, field string) []any {
	return append(slices.Clone(w.Pod.Path), "spec", field)
}

func meshHas(m map[string]string, key string) bool {
	_, ok := m[key]
	return ok
}

// meshTemplateMeta spells the pod template's metadata path for messages:
// spec.template.metadata, spec.jobTemplate.spec.template.metadata.
func meshTemplateMeta(w *manifest.Workload) string {
	parts := make([]string, 0, len(w.Pod.Path)+1)
	for _, p := range w.Pod.Path {
		parts = append(parts, fmt.Sprint(p))
	}
	return strings.Join(append(parts, "metadata"), ".")
}

// meshKey is a label or annotation key.
type meshKey struct {
	section string // "label" or "annotation"
	key     string
}

// meshObjectMetadataHint explains the classic mistake of putting a key on
// the workload's own metadata: injectors only see the pod's metadata, which
// comes from the template. Empty for a bare Pod, whose metadata is the pod's.
func meshObjectMetadataHint(w *manifest.Workload, keys []meshKey) string {
	if len(w.Pod.Path) == 0 {
		return ""
	}
	var hints []string
	for _, k := range keys {
		obj, pod := w.Labels, w.Pod.Labels
		if k.section == "annotation" {
			obj, pod = w.Annotations, w.Pod.Annotations
		}
		if meshHas(obj, k.key) && !meshHas(pod, k.key) {
			hints = append(hints, fmt.Sprintf("%s %s is on the %s's metadata, not on %s", k.section, k.key, w.Kind, meshTemplateMeta(w)))
		}
	}
	if len(hints) == 0 {
		return ""
	}
	return "; " + strings.Join(hints, "; ")
}

// meshSeverity parses a rules: entry's severity; the default is error.
func meshSeverity(s string) finding.Severity {
	switch sev := finding.Severity(s); sev {
	case finding.SeverityError, finding.SeverityWarning, finding.SeverityNotice:
		return sev
	}
	return finding.SeverityError
}
