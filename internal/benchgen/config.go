package benchgen

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
)

// config is the repository's .meshgate.yaml.
func (p *plan) config() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# The benchgen platform monorepo: %d environments × %d services (seed %d).\nenvironments:\n",
		p.opts.Envs, p.opts.Services, p.opts.Seed)
	for _, e := range p.envs {
		fmt.Fprintf(&b, "  - name: %s\n", e.name)
		if e.dupOf != nil {
			fmt.Fprintf(&b, "    # Disaster-recovery cluster: deploys exactly what %s deploys.\n", e.dupOf.name)
		}
		if !e.helm {
			fmt.Fprintf(&b, "    kustomize:\n      path: %s\n    namespace: %s\n", e.overlay, e.namespace)
			continue
		}
		fmt.Fprintf(&b, "    helm:\n      chart: %s\n      release: %s\n      namespace: %s\n      values: [%s]\n",
			chartDir, e.release, e.namespace, e.valuesFile)
		fmt.Fprintf(&b, "      set: {global.cluster: %s}\n", e.cluster)
		if v := e.kubeVersion(); v != "" {
			fmt.Fprintf(&b, "      kubeVersion: %q\n", v)
		}
		if apis := e.apiVersions(); len(apis) > 0 {
			fmt.Fprintf(&b, "      apiVersions: [%s]\n", strings.Join(apis, ", "))
		}
	}

	b.WriteString(`
mesh:
  provider: istio
  # Helm releases do not render their namespaces; the cluster labels them.
  namespaces:
`)
	var namespaces []string
	for _, e := range p.envs {
		if e.helm && e.dupOf == nil {
			namespaces = append(namespaces, e.namespace)
		}
	}
	sort.Strings(namespaces)
	for _, ns := range namespaces {
		fmt.Fprintf(&b, "    %s: {istio-injection: enabled}\n", ns)
	}
	if len(namespaces) == 0 {
		b.WriteString("    {}\n")
	}
	b.WriteString(`  require:
    annotations:
      proxy.istio.io/config: {hasKey: proxyMetadata.ISTIO_META_REQUEST_ID}
    labels:
      app.kubernetes.io/name: {present: true}
    env: [ISTIO_META_REQUEST_ID]
  jobs: warn

secrets:
  external: ["vault-*"]
  checkKeys: true
`)
	if p.hasStage("prod") {
		b.WriteString(`
rules:
  - name: prod-proxy-cpu
    match: {environments: ["prod-*"], kinds: [Deployment, StatefulSet]}
    require:
      annotations: {sidecar.istio.io/proxyCPU: {matches: "^[0-9]+m$"}}
    severity: warning
`)
	}
	b.WriteString(`
ignore:
  - rules: [` + finding.RuleMeshJobSidecar + `]
    workloads: ["CronJob/*/reports-nightly"]
    reason: the report job exits through the proxy's quit endpoint
`)
	return b.String()
}

func (p *plan) hasStage(stage string) bool {
	for _, e := range p.envs {
		if e.stage == stage {
			return true
		}
	}
	return false
}

// envsTSV lists each environment with the arguments of the helm or
// kustomize call that renders it the way meshgate does (same release,
// namespace, values, --set, Kubernetes and API versions), for the
// render-only baseline of scripts/bench.sh. Paths are relative to the
// repository root.
func (p *plan) envsTSV() string {
	var b strings.Builder
	b.WriteString("# name\tsource\targuments of `helm` or `kustomize` (run from the repository root)\n")
	for _, e := range p.envs {
		args := []string{e.name}
		if !e.helm {
			args = append(args, "kustomize", "build", e.overlay)
			b.WriteString(strings.Join(args, "\t") + "\n")
			continue
		}
		kube := e.kubeVersion()
		if kube == "" {
			kube = config.DefaultKubeVersion
		}
		args = append(args, "helm", "template", e.release, chartDir,
			"--namespace", e.namespace, "--kube-version", kube, "--include-crds",
			"-f", e.valuesFile, "--set", "global.cluster="+e.cluster)
		for _, api := range e.apiVersions() {
			args = append(args, "--api-versions", api)
		}
		b.WriteString(strings.Join(args, "\t") + "\n")
	}
	return b.String()
}
