package config

// RuleIDs are the stable rule ids that ignore.rules may name. config comes
// before check in the pipeline and cannot import it, so this repeats the ids
// of check.Rules; keep the two in sync (and the enum in
// schema/meshgate.schema.json, which a test compares with this list).
var RuleIDs = []string{
	"render-error",
	"mesh-injection",
	"mesh-annotation",
	"mesh-env",
	"secret-missing",
	"secret-key-missing",
	"mesh-job-sidecar",
	"ignore-expired",
}

// Providers are the valid mesh.provider values.
var Providers = []string{ProviderIstio, ProviderIstioAmbient, ProviderLinkerd, ProviderConsul, ProviderKuma, ProviderNone}

// JobPolicies are the valid mesh.jobs values.
var JobPolicies = []string{JobsRequire, JobsWarn, JobsIgnore}

// Severities are the valid rules[].severity values.
var Severities = []string{"error", "warning", "notice"}
