package check

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// Helpers shared by the mesh tests; all prefixed meshTest to stay apart from
// the other checks' tests in this package.

const (
	meshTestEnv  = "prod"
	meshTestFile = "charts/shop/templates/app.yaml"
	meshTestLine = 7
)

type meshTestOpt func(*manifest.Workload)

func meshTestPairs(kv []string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func meshTestPodLabels(kv ...string) meshTestOpt {
	return func(w *manifest.Workload) { w.Pod.Labels = meshTestPairs(kv) }
}

func meshTestPodAnn(kv ...string) meshTestOpt {
	return func(w *manifest.Workload) { w.Pod.Annotations = meshTestPairs(kv) }
}

func meshTestObjLabels(kv ...string) meshTestOpt {
	return func(w *manifest.Workload) { w.Labels = meshTestPairs(kv) }
}

func meshTestObjAnn(kv ...string) meshTestOpt {
	return func(w *manifest.Workload) { w.Annotations = meshTestPairs(kv) }
}

func meshTestHostNetwork(w *manifest.Workload) { w.Pod.HostNetwork = true }

func meshTestAutomount(b bool) meshTestOpt {
	return func(w *manifest.Workload) { w.Pod.AutomountServiceAccountToken = &b }
}

func meshTestIn(ns string) meshTestOpt {
	return func(w *manifest.Workload) { w.Namespace = ns }
}

// meshTestContainers replaces the containers; their paths are filled in.
func meshTestContainers(cs ...manifest.Container) meshTestOpt {
	return func(w *manifest.Workload) {
		counts := map[string]int{}
		w.Pod.Containers = nil
		for _, c := range cs {
			field := map[string]string{
				manifest.ContainerApp:       "containers",
				manifest.ContainerInit:      "initContainers",
				manifest.ContainerEphemeral: "ephemeralContainers",
			}[c.Type]
			c.Path = append(slices.Clone(w.Pod.Path), "spec", field, counts[field])
			counts[field]++
			w.Pod.Containers = append(w.Pod.Containers, c)
		}
	}
}

// meshTestWorkload builds a workload in namespace "shop" with one app
// container "server", the pod template where its kind keeps it.
func meshTestWorkload(kind, name string, opts ...meshTestOpt) *manifest.Workload {
	w := &manifest.Workload{
		Object: &manifest.Object{
			APIVersion: "apps/v1", Kind: kind, Namespace: "shop", Name: name,
			File: meshTestFile, Line: meshTestLine,
		},
		IsJob: kind == "Job" || kind == "CronJob",
	}
	switch kind {
	case "Pod":
	case "CronJob":
		w.Pod.Path = []any{"spec", "jobTemplate", "spec", "template"}
	default:
		w.Pod.Path = []any{"spec", "template"}
	}
	meshTestContainers(manifest.Container{Name: "server", Type: manifest.ContainerApp})(w)
	for _, o := range opts {
		o(w)
	}
	if kind == "Pod" {
		// A bare Pod's template is its own metadata.
		w.Labels, w.Annotations = w.Pod.Labels, w.Pod.Annotations
	}
	return w
}

func meshTestNamespace(name string, labels, annotations map[string]string) *manifest.Object {
	return &manifest.Object{APIVersion: "v1", Kind: "Namespace", Name: name, Labels: labels, Annotations: annotations}
}

func meshTestInput(mesh config.Mesh, set *manifest.Set, rules ...config.Rule) Input {
	return Input{
		Config: &config.Config{Mesh: mesh, Rules: rules},
		Env:    config.Environment{Name: meshTestEnv},
		Set:    set,
	}
}

// meshTestWant is the finding a check should make, fingerprint included.
func meshTestWant(rule string, sev finding.Severity, w *manifest.Workload, container, subject, policy, message string) finding.Finding {
	return finding.Finding{
		Rule: rule, Severity: sev, Environment: meshTestEnv,
		Kind: w.Kind, Namespace: w.Namespace, Name: w.Name, Container: container,
		Message: message, File: meshTestFile, Line: meshTestLine,
		Fingerprint: finding.Fingerprint(rule, meshTestEnv, w.Kind, w.Namespace, w.Name, container, subject),
		Policy:      policy, Subject: subject,
	}
}

func meshTestCompare(t *testing.T, got, want []finding.Finding) {
	t.Helper()
	got, want = slices.Clone(got), slices.Clone(want)
	// The remedies (lines to edit) are TestRemedies' and internal/fix's.
	for i := range got {
		got[i].Remedy = nil
	}
	order := func(a, b finding.Finding) int {
		if finding.Less(a, b) {
			return -1
		}
		if finding.Less(b, a) {
			return 1
		}
		return 0
	}
	slices.SortFunc(got, order)
	slices.SortFunc(want, order)
	if reflect.DeepEqual(got, want) {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "got %d findings, want %d\n", len(got), len(want))
	for i := 0; i < max(len(got), len(want)); i++ {
		if i < len(got) && i < len(want) && reflect.DeepEqual(got[i], want[i]) {
			continue
		}
		if i < len(got) {
			fmt.Fprintf(&b, "got  [%d] %+v\n", i, got[i])
		}
		if i < len(want) {
			fmt.Fprintf(&b, "want [%d] %+v\n", i, want[i])
		}
	}
	t.Error(b.String())
}
