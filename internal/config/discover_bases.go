package config

import (
	"path"
	"strings"

	"github.com/meshgate/meshgate/internal/kustomization"
)

// isApplication reports a kustomization at dir, included by the
// kustomizations at includers, that is a complete application of its own:
// it is not a Component, it builds into at least one workload, and one of
// its includers composes it with workloads of other origin from another
// top-level folder of the repository (argocd-example-apps' pre-post-sync
// adds its hook Jobs to kustomize-guestbook; kubeflow's example/ lists
// every application). An includer that adds no workload is a variant of
// it (overlays/prod on base, also from another folder), and one in the
// same top-level folder is a variant or the application it is a part of
// (wordpress on wordpress/mysql): that is deployed instead of it.
func isApplication(dir string, k *kustomization.Kustomization, includers []string, yields workloadYield) bool {
	if k == nil || k.IsComponent() {
		return false
	}
	for _, inc := range includers {
		if inc != "." && topFolder(inc) != topFolder(dir) && yields.besides(inc, dir) {
			return yields.of(dir)
		}
	}
	return false
}

// topFolder is the first folder of a repository path.
func topFolder(p string) string {
	first, _, _ := strings.Cut(p, "/")
	return first
}

// workloadYield tells whether a kustomization builds into a workload, as
// far as its local resources, bases and components show: a file of them
// that holds one, or a kustomization of them that does.
type workloadYield struct {
	root string
	read map[string]*kustomization.Kustomization
	// memo holds the answer by folder; a folder being looked at counts as
	// no workload, which ends a cycle.
	memo map[string]bool
}

func (w workloadYield) of(dir string) bool {
	if done, ok := w.memo[dir]; ok {
		return done
	}
	w.memo[dir] = false // until known: a cycle back here finds none
	w.memo[dir] = w.besides(dir, "")
	return w.memo[dir]
}

// besides reports whether the kustomization at dir builds a workload from
// its resources, bases and components other than the folder except.
func (w workloadYield) besides(dir, except string) bool {
	k := w.read[dir]
	if k == nil {
		return false
	}
	for _, e := range k.Local() {
		target := path.Join(dir, e.Value)
		if !e.Base() || target == except {
			continue
		}
		if _, isKust := w.read[target]; isKust && w.of(target) || !isKust && fileHasWorkload(w.root, target) {
			return true
		}
	}
	return false
}
