package check

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
)

// SchemaURL is the JSON Schema of .meshgate.yaml as shipped in the
// repository; editors with the YAML language server complete against it.
const SchemaURL = "https://raw.githubusercontent.com/meshgate/meshgate/main/schema/meshgate.schema.json"

// initGitOps is the gitops section: on, as by default.
const initGitOps = `
# Argo CD and Flux objects that deploy from this repository are environments
# of their own. More URLs of this repository, and charts of chart
# repositories vendored here:
gitops:
  enabled: true
  # repoURLs: [https://git.example.com/platform/apps.git]
  # charts: [{repoURL: https://charts.example.com, chart: web, version: 1.0.0, path: vendor/web}]
`

// InitConfig is the text of a .meshgate.yaml for the discovered
// environments: every section present, with the settings most repositories
// change commented in place.
func InitConfig(envs []config.Environment, provider string) string {
	var b strings.Builder
	b.WriteString("# yaml-language-server: $schema=" + SchemaURL + "\n")
	b.WriteString(`#
# meshgate configuration. ` + "`meshgate init`" + ` wrote it from the Helm charts and
# kustomizations it found; edit it to match how you deploy, then run
# ` + "`meshgate check`" + `. Every field: ` + DocsURL + `/configuration.md
# Paths are relative to this file's folder.

environments:
`)
	initEnvironments(&b, envs)

	initMesh(&b, provider)
	b.WriteString(initGitOps + `
secrets:
  # Secrets created outside these manifests (by hand, by a controller):
  # globs of NAME, or of NAMESPACE/NAME, e.g. ["vault-*", shop/regcred]
  external: []
  # Referenced keys must exist where a Secret's keys are known.
  checkKeys: true

# Extra requirements for some workloads; findings name the entry.
# rules:
#   - name: payments-request-id
#     match: {environments: [prod], kinds: [Deployment], namespaces: ["pay*"]}
#     require:
#       env: [ISTIO_META_REQUEST_ID]
#     severity: error

# Exemptions: each needs a reason, and lapses after its until date.
# ignore:
#   - rules: [` + finding.RuleMeshInjection + `]
#     workloads: ["Job/*/db-migrate"]
#     reason: migrations run before the mesh is up
#     until: 2027-01-31

# ` + finding.RuleMeshDrift + ` needs no rule: a workload that lacks a mesh setting its peers
# carry is a finding. Uncomment to tune it (these are the defaults).
# drift:
#   siblings: true       # same environment, namespace and workload class
#   environments: true   # the same workload in the other environments
#   commits: true        # what a workload lost since the base (--base-ref)
#   quorum: 0.75         # share of the peers that must carry a setting
#   minGroup: 3          # siblings that must carry it, at least
#   env: []              # more env var globs that are mesh settings
#   ignore: []           # settings never compared, e.g. [sidecar.istio.io/proxyCPU]
`)
	return b.String()
}

// initEnvironments writes the environments list: each discovered one with
// the file it was found from; those of GitOps objects are left to the
// gitops section, and a list they fill alone says so.
func initEnvironments(b *strings.Builder, envs []config.Environment) {
	var fromGitOps []string
	for _, e := range envs {
		if e.From != nil {
			fromGitOps = append(fromGitOps, e.Name)
		}
	}
	if len(fromGitOps) == len(envs) && len(envs) > 0 {
		fmt.Fprintf(b, "  # None beside the %d that GitOps objects define (gitops: below): %s\n", len(envs), strings.Join(fromGitOps, ", "))
	}
	for _, e := range envs {
		if e.From != nil {
			continue // an environment of gitops: below
		}
		fmt.Fprintf(b, "  # Found %s\n", e.Origin)
		fmt.Fprintf(b, "  - name: %s\n", yamlScalar(e.Name))
		switch {
		case e.Helm != nil:
			b.WriteString("    helm:\n")
			fmt.Fprintf(b, "      chart: %s\n", yamlScalar(e.Helm.Chart))
			if len(e.Helm.Values) > 0 {
				b.WriteString("      # Merged over the chart's values.yaml, in order (helm -f).\n")
				b.WriteString("      values:\n")
				for _, v := range e.Helm.Values {
					fmt.Fprintf(b, "        - %s\n", yamlScalar(v))
				}
			}
			b.WriteString("      # The release namespace: where this environment is deployed.\n")
			fmt.Fprintf(b, "      namespace: %s\n", yamlScalar(e.Helm.Namespace))
		case e.Kustomize != nil:
			b.WriteString("    kustomize:\n")
			fmt.Fprintf(b, "      path: %s\n", yamlScalar(e.Kustomize.Path))
			b.WriteString("    # The namespace of objects that set none.\n")
			fmt.Fprintf(b, "    namespace: %s\n", yamlScalar(e.Namespace))
		case e.Manifests != nil:
			initManifests(b, e)
		}
	}
}

// initManifests writes a manifests environment: the folder, and the files
// it reads as `kubectl apply -f` would.
func initManifests(b *strings.Builder, e config.Environment) {
	m := e.Manifests
	b.WriteString("    # Plain objects, read like kubectl apply -f (recursive: like -R).\n")
	b.WriteString("    manifests:\n")
	fmt.Fprintf(b, "      path: %s\n", yamlScalar(m.Path))
	if m.Recursive {
		b.WriteString("      recursive: true\n")
	}
	for _, l := range []struct {
		field string
		globs []string
	}{{"include", m.Include}, {"exclude", m.Exclude}} {
		if len(l.globs) > 0 {
			fmt.Fprintf(b, "      %s:\n", l.field)
			for _, g := range l.globs {
				fmt.Fprintf(b, "        - %s\n", yamlScalar(g))
			}
		}
	}
	b.WriteString("    # The namespace of objects that set none.\n")
	fmt.Fprintf(b, "    namespace: %s\n", yamlScalar(e.Namespace))
}

// initMesh writes the mesh section, with the provider's examples.
func initMesh(b *strings.Builder, provider string) {
	p, _ := LookupProvider(provider)
	b.WriteString(`
mesh:
  # ` + strings.Join(config.Providers, " | ") + `
  provider: ` + provider + "\n")
	if p.Init.Namespace != "" {
		b.WriteString(`  # Labels and annotations of namespaces that exist in the cluster but are
  # not rendered here; a Namespace object rendered in an environment wins.
  # namespaces:
  #   shop: {` + p.Init.Namespace + "}\n")
	}
	b.WriteString(`  # What every pod template must carry as rendered, meshed or not.
  # require:
`)
	if p.Init.RequireAnnotation != "" {
		b.WriteString("  #   annotations:\n  #     " + p.Init.RequireAnnotation + "\n")
	}
	b.WriteString(`  #   labels:
  #     app.kubernetes.io/name: {present: true}
`)
	if p.Init.RequireEnv != "" {
		b.WriteString("  #   env: [" + p.Init.RequireEnv + "]\n")
	}
	b.WriteString(`  # Injection on Job and CronJob pods: ` + strings.Join(config.JobPolicies, " | ") + `
  jobs: ` + config.DefaultJobs + "\n")
	if p.Init.InjectByDefault != "" {
		b.WriteString("  # " + p.Init.InjectByDefault + "\n  injectByDefault: false\n")
	}
	if v := config.DefaultVersions[provider]; v != "" {
		b.WriteString("  # The " + provider + " release whose injector behaviour applies (default: " + v + ", the current one).\n")
		b.WriteString("  # version: " + yamlScalar(v) + "\n")
	}
	if len(p.Init.Install) > 0 {
		b.WriteString("  # Installation-wide settings, here with their upstream defaults.\n  # install:\n")
		for _, in := range p.Init.Install {
			fmt.Fprintf(b, "  #   %-45s # %s\n", in.Line, in.Upstream)
		}
	}
	if p.ChecksInjection() {
		b.WriteString(`  # A deliberate opt-out through the mesh's own switch: ` + strings.Join(config.OptOutSeverities, " | ") + `
  optOut: ` + config.DefaultOptOut + "\n")
	}
}

// yamlScalar writes s as a YAML flow scalar, quoted where YAML needs it.
func yamlScalar(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil || strings.Count(string(out), "\n") > 1 {
		return fmt.Sprintf("%q", s)
	}
	return strings.TrimSuffix(string(out), "\n")
}
