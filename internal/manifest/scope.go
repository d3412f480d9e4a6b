package manifest

// clusterScoped are kinds that live outside namespaces: neither Helm nor
// kustomize gives them a namespace, and Kubernetes ignores one if set.
// Keyed by kind alone, as kustomize's namespace transformer does for the
// kinds it knows; custom resources not listed here are namespaced.
var clusterScoped = map[string]bool{
	// core and built-in APIs
	"Namespace":                        true,
	"Node":                             true,
	"PersistentVolume":                 true,
	"ComponentStatus":                  true,
	"ClusterRole":                      true,
	"ClusterRoleBinding":               true,
	"CustomResourceDefinition":         true,
	"APIService":                       true,
	"StorageClass":                     true,
	"VolumeAttachment":                 true,
	"CSIDriver":                        true,
	"CSINode":                          true,
	"VolumeAttributesClass":            true,
	"PriorityClass":                    true,
	"RuntimeClass":                     true,
	"IngressClass":                     true,
	"MutatingWebhookConfiguration":     true,
	"ValidatingWebhookConfiguration":   true,
	"ValidatingAdmissionPolicy":        true,
	"ValidatingAdmissionPolicyBinding": true,
	"MutatingAdmissionPolicy":          true,
	"MutatingAdmissionPolicyBinding":   true,
	"CertificateSigningRequest":        true,
	"ClusterTrustBundle":               true,
	"FlowSchema":                       true,
	"PriorityLevelConfiguration":       true,
	"PodSecurityPolicy":                true,
	"IPAddress":                        true,
	"ServiceCIDR":                      true,
	"DeviceClass":                      true,
	"ResourceSlice":                    true,
	"StorageVersionMigration":          true,
	"VolumeSnapshotClass":              true,
	"VolumeSnapshotContent":            true,
	// widely deployed custom resources
	"GatewayClass":            true, // Gateway API
	"ClusterIssuer":           true, // cert-manager
	"ClusterSecretStore":      true, // external-secrets
	"ClusterExternalSecret":   true, // external-secrets
	"ClusterPolicy":           true, // Kyverno
	"ClusterPolicyReport":     true, // Kyverno
	"ClusterCleanupPolicy":    true, // Kyverno
	"ClusterImagePolicy":      true, // Sigstore policy-controller
	"ClusterTriggerBinding":   true, // Tekton
	"ClusterInterceptor":      true, // Tekton
	"ClusterTask":             true, // Tekton
	"ClusterWorkflowTemplate": true, // Argo Workflows
}

// namespaced reports whether objects of kind live in a namespace.
func namespaced(kind string) bool { return !clusterScoped[kind] }
