package check

import (
	"slices"

	"github.com/meshgate/meshgate/internal/finding"
)

// RuleInfo documents one rule: `meshgate rules`, `meshgate explain`,
// docs/rules, the SARIF rule metadata and the check run's rule text are
// all made from this one list.
type RuleInfo struct {
	ID          string
	Severity    finding.Severity
	Description string // one line
	Why         string // why it matters
	Fix         string // how to fix it
	Example     string // an example finding message: the one Failing gives
	// Failing is a repository that gives exactly the Example finding;
	// Passing is what changes to fix it (see Example).
	Failing Example
	Passing Example
	// Exempt is how its findings are exempted; the zero value is by
	// workload, in .meshgate.yaml or inline.
	Exempt Exemption
	// Category is what the rule is about: rendering, service-mesh,
	// secrets or exemptions (a SARIF tag).
	Category string
}

// Exemption is how a rule's findings are exempted (exempt.go), for the
// "How to exempt" section of its docs.
type Exemption struct {
	Scope ExemptScope
	// Why says why no workload can be named (ExemptEnvironment).
	Why string
	// Note ends the section: other ways to turn the rule off, or, for
	// ExemptNever, what to do instead.
	Note string
}

// ExemptScope is what an exemption names to cover a rule's findings.
type ExemptScope int

const (
	// ExemptWorkload: a workload glob or an inline annotation.
	ExemptWorkload ExemptScope = iota
	// ExemptEnvironment: findings of no object; only entries without
	// workloads cover them.
	ExemptEnvironment
	// ExemptNever: the findings cannot be exempted.
	ExemptNever
)

// Rules is every rule meshgate reports, in the order they are documented.
var Rules = []RuleInfo{
	{
		ID:          finding.RuleRenderError,
		Severity:    finding.SeverityError,
		Description: "the environment did not render (template error, missing file, bad kustomization)",
		Why:         "an environment that does not render cannot be deployed, and nothing in it can be checked",
		Fix:         "run `meshgate render --env NAME` and fix the error helm or kustomize reports at the file and line quoted in the message",
		Example:     `execution error at (charts/cart/templates/deployment.yaml:14:52): image.tag is required`,
		Failing:     exampleRenderError,
		Passing:     exampleRenderErrorFixed,
		Exempt: Exemption{
			Scope: ExemptEnvironment,
			Why:   "A render error belongs to no object",
			Note:  "Better still, leave the environment out of `.meshgate.yaml`, or check only the others with `--env`.",
		},
		Category: "rendering",
	},
	{
		ID:          finding.RuleRenderWarning,
		Severity:    finding.SeverityWarning,
		Description: "the environment rendered, but maybe not as its author meant: a repeated key or object, YAML that is no object, or no object at all",
		Why:         "helm and kubectl take the last of two equal keys without a word, so the value deployed may not be the one a reader of the file sees; `kubectl apply -f DIR` likewise keeps the last of two definitions of one object (a notice: folders of alternatives do it on purpose), and refuses YAML without apiVersion and kind, which meshgate skips with this warning; an environment that renders nothing passes every check while deploying nothing",
		Fix:         "remove the key or the definition that does not win (the message names what is taken), move a file that is no object out of a manifests folder (or leave it out with exclude), or give the environment the values it needs to render its objects",
		Example:     `values key image.tag is defined twice (lines 2 and 3); helm takes the last: "1.4.1"`,
		Failing:     exampleRenderWarning,
		Passing:     exampleRenderWarningFixed,
		Exempt: Exemption{
			Scope: ExemptEnvironment,
			Why:   "A repeated key belongs to a file, not to an object",
		},
		Category: "rendering",
	},
	{
		ID:          finding.RuleMeshInjection,
		Severity:    finding.SeverityError,
		Description: "the pod will not get the mesh dataplane under the provider's injection rules",
		Why:         "a pod without its sidecar (or ambient dataplane) gets no mTLS, no request ids for tracing and no traffic policy, and its calls fail where peers require mTLS",
		Fix:         "label the pod template (not the Deployment) or its namespace as the mesh expects, e.g. namespace label istio-injection=enabled or pod label sidecar.istio.io/inject=\"true\"; remove an opt-out that was not meant. A deliberate opt-out through the mesh's own switch is a notice (mesh.optOut); a host-network pod that must stay on the host network (a node agent) needs an exemption, not a change",
		Example:     `pod template has annotation sidecar.istio.io/inject="true" but namespace "shop" (not rendered, not in mesh.namespaces) has no istio-injection or istio.io/rev label: the injector selects on labels only; use the label sidecar.istio.io/inject="true" on the pod template or label the namespace`,
		Failing:     exampleMeshInjection,
		Passing:     exampleMeshInjectionFixed,
		Exempt:      Exemption{Note: "Jobs and CronJobs follow `mesh.jobs`: with `warn` (the default) a Job without the dataplane is a warning, with `require` an error, and `ignore` turns this rule off for them."},
		Category:    "service-mesh",
	},
	{
		ID:          finding.RuleMeshAnnotation,
		Severity:    finding.SeverityError,
		Description: "a required mesh annotation or label is missing from the pod template or its value does not match",
		Why:         "the platform relies on these settings (proxy config, request ids, telemetry); a pod without them behaves differently from its siblings",
		Fix:         "add the annotation or label to spec.template.metadata with a value that satisfies the requirement in .meshgate.yaml",
		Example:     `annotation proxy.istio.io/config has no key proxyMetadata.ISTIO_META_REQUEST_ID`,
		Failing:     exampleMeshAnnotation,
		Passing:     exampleMeshAnnotationFixed,
		Category:    "service-mesh",
	},
	{
		ID:          finding.RuleMeshEnv,
		Severity:    finding.SeverityError,
		Description: "a required env var is missing from an app container",
		Why:         "required env vars carry settings every service of the mesh must share, such as request-id propagation",
		Fix:         "set the env var on the container (env or envFrom of a ConfigMap/Secret that the environment renders)",
		Example:     `container "server" does not set env ISTIO_META_REQUEST_ID`,
		Failing:     exampleMeshEnv,
		Passing:     exampleMeshEnvFixed,
		Category:    "service-mesh",
	},
	{
		ID:          finding.RuleSecretMissing,
		Severity:    finding.SeverityError,
		Description: "a referenced Secret is produced nowhere in this environment's namespace and is not declared external",
		Why:         "a pod that references a missing Secret never starts (CreateContainerConfigError), and an Ingress or Gateway without its certificate serves no TLS",
		Fix:         "render the Secret (Secret, SealedSecret, ExternalSecret, Certificate, VaultStaticSecret) in the same namespace, fix the name, or list it in secrets.external if it is created outside these manifests",
		Example:     `env DB_PASSWORD reads Secret shop/cart-db, which this environment does not produce`,
		Failing:     exampleSecretMissing,
		Passing:     exampleSecretMissingFixed,
		Exempt:      Exemption{Note: "A Secret that is created outside the rendered manifests (by hand, by a controller) is no gap: list it in `secrets.external` instead, by name or `namespace/name` glob. A reference marked `optional: true` is reported as a notice."},
		Category:    "secrets",
	},
	{
		ID:          finding.RuleSecretKeyMissing,
		Severity:    finding.SeverityError,
		Description: "the Secret is produced with known keys and the referenced key is not among them",
		Why:         "a missing key fails the pod at start just like a missing Secret",
		Fix:         "add the key to the Secret's producer or reference a key it has",
		Example:     `env DB_PASSWORD reads key "passwd" of Secret shop/cart-db, which has keys password, user`,
		Failing:     exampleSecretKeyMissing,
		Passing:     exampleSecretKeyMissingFixed,
		Exempt:      Exemption{Note: "`secrets.checkKeys: false` turns this rule off. A reference marked `optional: true` is reported as a notice."},
		Category:    "secrets",
	},
	{
		ID:          finding.RuleMeshJobSidecar,
		Severity:    finding.SeverityWarning,
		Description: "a meshed Job/CronJob without native sidecars will never complete",
		Why:         "a classic sidecar keeps running after the job's container exits, so the Job never completes",
		Fix:         "do what the message says for the configured mesh version: a per-pod switch where the release has one (istio 1.24+ sidecar.istio.io/nativeSidecar, linkerd 2.15+ config.*.linkerd.io/proxy-enable-native-sidecar, consul enable-consul-dataplane-as-sidecar), else native sidecars installation-wide, or opt the Job out of injection",
		Example:     `Job pod gets a classic sidecar and will never complete: the default of istio 1.30 makes sidecars native only where the nodes run Kubernetes 1.33 or later, and this environment's run 1.31; set annotation sidecar.istio.io/nativeSidecar: "true"`,
		Failing:     exampleMeshJobSidecar,
		Passing:     exampleMeshJobSidecarFixed,
		Exempt:      Exemption{Note: "`mesh.jobs: ignore` turns this rule off for every Job and CronJob."},
		Category:    "service-mesh",
	},
	{
		ID:          finding.RuleMeshDrift,
		Severity:    finding.SeverityWarning,
		Description: "a workload lacks a mesh setting that most of its siblings, its other environments or its base commit carry (no rule needed)",
		Why:         "the setting nobody wrote a rule for is the one that is forgotten: one pod of an application without the request-id or proxy setting its peers carry breaks tracing and traffic policy for that pod only, and nothing else notices",
		Fix:         "add the setting to the workload, with the value the peers named in the message use; if the difference is deliberate, exempt the workload or list the setting in drift.ignore",
		Example:     `env ISTIO_META_REQUEST_ID is missing: 3 of the 4 meshed long-running workloads in namespace shop carry it (Deployment catalog, Deployment checkout, Deployment search); most use "true"`,
		Failing:     exampleMeshDrift,
		Passing:     exampleMeshDriftFixed,
		Exempt:      Exemption{Note: "`drift.ignore` stops comparing a setting everywhere; `drift.siblings`, `drift.environments` and `drift.commits` turn an axis off (see docs/configuration.md)."},
		Category:    "service-mesh",
	},
	{
		ID:          finding.RuleIgnoreExpired,
		Severity:    finding.SeverityWarning,
		Description: "an exemption is past its until date or has no reason",
		Why:         "exemptions are meant to be temporary and explained; an expired one no longer applies and the covered finding is reported again",
		Fix:         "fix the covered finding, or renew the exemption with a new until date and a reason",
		Example:     `exemption at .meshgate.yaml:8 expired on 2024-12-31; ` + finding.RuleMeshInjection + ` is reported again`,
		Failing:     exampleIgnoreExpired,
		Passing:     exampleIgnoreExpiredFixed,
		Exempt: Exemption{
			Scope: ExemptNever,
			Note:  "This warning cannot be exempted: renew the exemption it names with a new `until` date and a reason, or remove the exemption once the finding it covered is fixed.",
		},
		Category: "exemptions",
	},
	{
		ID:          finding.RuleGitOpsNotRendered,
		Severity:    finding.SeverityNotice,
		Description: "an Argo CD or Flux object in the rendered output deploys what this run does not render: meshgate could not expand it (another repository, a chart of a chart repository, a plugin, a generator that needs a cluster, a cycle, deeper than gitops.maxDepth) or does not follow its kind",
		Why:         "the workloads it deploys are checked nowhere: a clean report would say nothing about them",
		Fix:         "do what the message says: list this repository's other URLs in gitops.repoURLs, vendor the chart and point gitops.charts at it, or add an environment that renders what the object names",
		Example:     `not followed: chart podinfo 6.5.0 from HelmRepository shop/podinfo (https://stefanprodan.github.io/podinfo) is not fetched; vendor it in this repository and point gitops.charts at it`,
		Failing:     exampleGitOpsNotRendered,
		Passing:     exampleGitOpsNotRenderedFixed,
		Exempt:      Exemption{Note: "It is a notice, so it fails no run at the default `--fail-on error`. An object meshgate expands into environments of its own gives none (but for what of it is not expanded), and neither does one whose path (or, for a chart, folder name) an environment of the config renders."},
		Category:    "rendering",
	},
}

// LookupRule returns the rule with that id.
func LookupRule(id string) (RuleInfo, bool) {
	if i := RuleIndex(id); i >= 0 {
		return Rules[i], true
	}
	return RuleInfo{}, false
}

// RuleIndex is the position of the rule with that id in Rules, -1 for
// none.
func RuleIndex(id string) int {
	return slices.IndexFunc(Rules, func(r RuleInfo) bool { return r.ID == id })
}
