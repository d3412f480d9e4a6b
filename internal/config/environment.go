package config

// DefaultNamespace is the namespace of the environment's objects that set
// none: helm.namespace for a chart, namespace for a kustomize overlay.
func (e Environment) DefaultNamespace() string {
	if e.Helm != nil {
		return e.Helm.Namespace
	}
	return e.Namespace
}
