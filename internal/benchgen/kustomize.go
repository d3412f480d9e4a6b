package benchgen

import (
	"fmt"
	"strings"
)

// The kustomize half: a base with one folder per service (resources plus
// generated ConfigMap and Secret), components for the mesh, high
// availability and debugging, and one overlay per environment with images,
// replicas, patches and a generator of its own.

func (p *plan) writeKustomize(files map[string]string) {
	var b strings.Builder
	b.WriteString(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
labels:
  - pairs:
      app.kubernetes.io/part-of: platform
      app.kubernetes.io/managed-by: kustomize
    includeTemplates: true
secretGenerator:
  - name: registry-credentials
    type: kubernetes.io/dockerconfigjson
    files:
      - .dockerconfigjson=registry.json
resources:
  - jobs/reports-nightly.yaml
`)
	for _, s := range p.services {
		fmt.Fprintf(&b, "  - services/%s\n", s.name)
	}
	files[baseDir+"/kustomization.yaml"] = b.String()
	files[baseDir+"/registry.json"] = `{"auths":{"registry":{"auth":"` + secretValue("registry") + `"}}}` + "\n"
	files[baseDir+"/jobs/reports-nightly.yaml"] = reportsCronJob
	for _, s := range p.services {
		writeBaseService(files, s)
	}

	c := compsDir + "/"
	files[c+"mesh/kustomization.yaml"] = meshComponent
	files[c+"mesh/pod-mesh.yaml"] = meshPatch("apps/v1", "Deployment", true, "template")
	files[c+"mesh/cronjob-mesh.yaml"] = meshPatch("batch/v1", "CronJob", false, "jobTemplate", "spec", "template")
	files[c+"ha/kustomization.yaml"] = haComponent
	b.Reset()
	b.WriteString("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nconfigMapGenerator:\n")
	for _, s := range p.services {
		fmt.Fprintf(&b, "  - name: %s-config\n    behavior: merge\n    literals:\n      - LOG_LEVEL=debug\n", s.name)
	}
	files[c+"debug/kustomization.yaml"] = b.String()

	for _, e := range p.envs {
		if e.helm || e.dupOf != nil {
			continue
		}
		p.writeOverlay(files, e)
	}
}

func writeBaseService(files map[string]string, s service) {
	dir := baseDir + "/services/" + s.name + "/"
	resources := []string{"workload.yaml", "service.yaml", "serviceaccount.yaml", "hpa.yaml", "pdb.yaml"}
	if s.external {
		resources = append(resources, "externalsecret.yaml")
	}
	var b strings.Builder
	b.WriteString("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")
	for _, r := range resources {
		fmt.Fprintf(&b, "  - %s\n", r)
	}
	fmt.Fprintf(&b, "configMapGenerator:\n  - name: %s-config\n    envs:\n      - config.env\n", s.name)
	if !s.external {
		fmt.Fprintf(&b, "secretGenerator:\n  - name: %s-credentials\n    literals:\n", s.name)
		for _, k := range s.keys {
			fmt.Fprintf(&b, "      - %s=%s\n", k, secretValue(s.name, k))
		}
	}
	files[dir+"kustomization.yaml"] = b.String()

	b.Reset()
	b.WriteString("LOG_LEVEL=info\n")
	for _, kv := range s.config {
		fmt.Fprintf(&b, "%s=%s\n", kv[0], kv[1])
	}
	files[dir+"config.env"] = b.String()
	d := dialect{s: s}
	files[dir+"workload.yaml"] = d.workload()
	files[dir+"service.yaml"] = d.service()
	files[dir+"serviceaccount.yaml"] = d.serviceAccount()
	files[dir+"hpa.yaml"] = d.hpa()
	files[dir+"pdb.yaml"] = d.pdb()
	if s.external {
		files[dir+"externalsecret.yaml"] = d.externalSecret()
	}
}

// reportsCronJob is meshed without native sidecars; the config exempts it
// from mesh-job-sidecar with a reason.
const reportsCronJob = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: reports-nightly
  labels:
    app.kubernetes.io/name: reports-nightly
spec:
  schedule: "15 2 * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 1
      template:
        metadata:
          labels:
            app.kubernetes.io/name: reports-nightly
        spec:
          restartPolicy: OnFailure
          imagePullSecrets:
            - name: registry-credentials
          containers:
            - name: app
              image: platform/reports-nightly:2.3.0
              args: [generate, --since=24h]
              env:
                - name: REPORTS_TOKEN
                  valueFrom:
                    secretKeyRef:
                      name: vault-reports
                      key: token
              envFrom:
                - configMapRef:
                    name: cluster-info
`

const meshComponent = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
# The proxy settings and request id the platform requires on every pod.
patches:
  - path: pod-mesh.yaml
    target:
      group: apps
      kind: Deployment
  - path: pod-mesh.yaml
    target:
      group: apps
      kind: StatefulSet
  - path: cronjob-mesh.yaml
    target:
      group: batch
      kind: CronJob
`

// meshPodTemplate is what the mesh component patches into a pod template;
// %s is where the Deployments' and StatefulSets' proxy config holds the
// application until the proxy starts (the CronJob's does not).
const meshPodTemplate = `metadata:
  annotations:
    proxy.istio.io/config: |
      proxyMetadata:
        ISTIO_META_REQUEST_ID: x-request-id
%s    sidecar.istio.io/proxyCPU: 100m
spec:
  containers:
    - name: app
      env:
        - name: ISTIO_META_REQUEST_ID
          value: x-request-id
`

// meshPatch is a patch of the pod template found under spec at path.
func meshPatch(apiVersion, kind string, hold bool, path ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: %s\nkind: %s\nmetadata:\n  name: any\nspec:\n", apiVersion, kind)
	indent := "  "
	for _, key := range path {
		b.WriteString(indent + key + ":\n")
		indent += "  "
	}
	holdLine := ""
	if hold {
		holdLine = "      holdApplicationUntilProxyStarts: true\n"
	}
	for _, line := range strings.SplitAfter(fmt.Sprintf(meshPodTemplate, holdLine), "\n") {
		if line != "" {
			b.WriteString(indent + line)
		}
	}
	return b.String()
}

const haComponent = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
# Staging and prod keep two pods through voluntary disruptions.
patches:
  - target:
      kind: PodDisruptionBudget
    patch: |-
      - op: replace
        path: /spec/minAvailable
        value: 2
  - target:
      kind: HorizontalPodAutoscaler
    patch: |-
      - op: replace
        path: /spec/minReplicas
        value: 3
`

func (p *plan) writeOverlay(files map[string]string, e *env) {
	r := p.rand(e)
	dir := e.overlay + "/"
	files[dir+"namespace.yaml"] = fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    istio-injection: enabled\n", e.namespace)

	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: %s
resources:
  - namespace.yaml
  - ../../base
components:
  - ../../components/mesh
`, e.namespace)
	if e.stage == "dev" {
		b.WriteString("  - ../../components/debug\n")
	} else if e.stage == "staging" || e.stage == "prod" {
		b.WriteString("  - ../../components/ha\n")
	}
	fmt.Fprintf(&b, `labels:
  - pairs:
      environment: %s
      region: %s
configMapGenerator:
  - name: cluster-info
    literals:
      - CLUSTER=%s
      - REGION=%s
      - ENVIRONMENT=%s
`, e.stage, e.region, e.cluster, e.region, e.stage)

	// Image tags the way CD tooling writes them (kustomize edit set image);
	// replicas and resources in one multi-document patch.
	var images, resources strings.Builder
	for _, s := range p.services {
		n, _, _ := s.replicas(e, r)
		fmt.Fprintf(&images, "  - name: platform/%s\n    newTag: %q\n", s.name, s.tag(e, r))
		cpu, mem := s.cpu(e, r), s.memory(e, r)
		fmt.Fprintf(&resources, `---
apiVersion: apps/v1
kind: %s
metadata:
  name: %s
spec:
  replicas: %d
  template:
    spec:
      containers:
        - name: app
          resources:
            requests:
              cpu: %s
              memory: %s
            limits:
              memory: %s
`, s.kind, s.name, n, cpu, mem, mem)
	}
	b.WriteString("images:\n" + images.String())
	b.WriteString("patches:\n  - path: resources.yaml\n")
	for _, s := range p.services {
		if gap := kustomizeGap(e, s); gap != "" {
			fmt.Fprintf(&b, "  - target:\n      kind: %s\n      name: %s\n    patch: |-\n", s.kind, s.name)
			for _, line := range strings.Split(strings.TrimSuffix(gap, "\n"), "\n") {
				b.WriteString("      " + line + "\n")
			}
		}
	}
	files[dir+"kustomization.yaml"] = b.String()
	files[dir+"resources.yaml"] = strings.TrimPrefix(resources.String(), "---\n")
}

// kustomizeGap is the strategic-merge patch that opens the deliberate gap of
// service s in environment e, if any (the same gaps as helmGap).
func kustomizeGap(e *env, s service) string {
	head := fmt.Sprintf("apiVersion: apps/v1\nkind: %s\nmetadata:\n  name: %s\nspec:\n  template:\n", s.kind, s.name)
	switch {
	case e.stage == "dev" && s.index == gapInjectOff:
		return head + "    metadata:\n      labels:\n        sidecar.istio.io/inject: \"false\"\n"
	case e.stage == "dev" && s.index == gapMeshEnv:
		return head + "    spec:\n      containers:\n        - name: app\n          env:\n            - name: ISTIO_META_REQUEST_ID\n              $patch: delete\n"
	case e.stage == "qa" && s.index == gapSecretKey:
		return head + "    spec:\n      containers:\n        - name: app\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  key: password-v2\n"
	case e.stage == "qa" && s.index == gapSecretGone:
		return head + fmt.Sprintf("    spec:\n      containers:\n        - name: app\n          volumeMounts:\n            - name: legacy-token\n              mountPath: /var/run/secrets/legacy-token\n              readOnly: true\n      volumes:\n        - name: legacy-token\n          secret:\n            secretName: %s-legacy-token\n", s.name)
	case e.stage == "qa" && s.index == gapProxyConf:
		return head + "    metadata:\n      annotations:\n        proxy.istio.io/config: |\n          holdApplicationUntilProxyStarts: true\n"
	}
	return ""
}
