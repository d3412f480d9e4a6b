package config

import (
	"cmp"
	"path"

	"github.com/meshgate/meshgate/internal/kustomization"
)

// Aggregate is what a kustomization lists and gives the kustomizations it
// lists: its namespace, and the Secrets its generators make.
type Aggregate struct {
	// Members are the kustomizations it lists as local resources, bases
	// or components, other than Components (which build only as part of
	// an overlay), in the order it lists them, each once.
	Members []string
	// Namespace is its namespace: field ("" when it sets none).
	Namespace string
	// Secrets are the Secrets its secretGenerator makes, as
	// namespace/name (the namespace "" when neither the generator nor the
	// kustomization names one).
	Secrets []string
}

// AggregateOf reads what the kustomize environment env aggregates; the
// zero Aggregate for another kind of environment, or a kustomization that
// cannot be read.
func (c *Config) AggregateOf(env Environment) Aggregate {
	if env.Kustomize == nil {
		return Aggregate{}
	}
	fsys := metadataFS(c.Root)
	dir := path.Clean(env.Kustomize.Path)
	k, err := kustomization.Load(fsys, dir)
	if err != nil {
		return Aggregate{}
	}
	a := Aggregate{Namespace: k.Namespace}
	seen := map[string]bool{dir: true}
	for _, e := range k.Local() {
		target := path.Join(dir, e.Value)
		if !e.Base() || seen[target] || !inRepo(target) {
			continue
		}
		seen[target] = true
		// One that cannot be read is a member all the same: checking it
		// says what is wrong with it.
		if kustomization.Find(fsys, target) == "" {
			continue
		}
		if m, _ := kustomization.Load(fsys, target); !m.IsComponent() {
			a.Members = append(a.Members, target)
		}
	}
	for _, g := range k.SecretGenerator {
		a.Secrets = append(a.Secrets, cmp.Or(g.Namespace, k.Namespace)+"/"+g.Name)
	}
	return a
}
