package benchgen

import (
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/finding"
)

// The platform chart: one template per object kind, each ranging over the
// services of the values, with shared helpers and a subchart for what every
// namespace needs once. Written the way platform teams write them, so the
// renderer does the same work it does on real charts. The objects the
// kustomize base has too are written by dialect (objects.go).

const chartYAML = `apiVersion: v2
name: platform
description: Every service of the platform, one release per environment.
type: application
version: 1.0.0
appVersion: "2025.6"
kubeVersion: ">=1.27.0-0"
dependencies:
  - name: common
    version: 0.1.0
    condition: common.enabled
`

const helpersTPL = `{{/*
Chart label value.
*/}}
{{- define "platform.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The helpers below take (dict "root" $ "name" NAME "svc" SETTINGS), SETTINGS
being serviceDefaults merged under the service's own entry.
*/}}
{{- define "platform.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "platform.labels" -}}
{{ include "platform.selectorLabels" . }}
app.kubernetes.io/version: {{ .svc.image.tag | quote }}
app.kubernetes.io/part-of: platform
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "platform.chart" .root }}
environment: {{ .root.Values.global.environment }}
{{- end -}}

{{- define "platform.image" -}}
{{ .svc.image.repository }}:{{ .svc.image.tag }}
{{- end -}}

{{/*
Istio proxy settings; the request id header is what the platform requires.
*/}}
{{- define "platform.proxyConfig" -}}
{{- if .svc.proxyConfig -}}
{{ .svc.proxyConfig }}
{{- else -}}
proxyMetadata:
  ISTIO_META_REQUEST_ID: {{ .root.Values.mesh.requestIdHeader }}
holdApplicationUntilProxyStarts: true
{{- end -}}
{{- end -}}

{{- define "platform.podAnnotations" -}}
proxy.istio.io/config: {{ include "platform.proxyConfig" . | quote }}
sidecar.istio.io/proxyCPU: {{ .root.Values.mesh.proxyCPU | quote }}
checksum/config: {{ toYaml .svc.config | sha256sum }}
{{- with .svc.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "platform.env" -}}
- name: ENVIRONMENT
  value: {{ .root.Values.global.environment | quote }}
- name: CLUSTER
  value: {{ .root.Values.global.cluster | quote }}
{{- if not .svc.omitMeshEnv }}
- name: ISTIO_META_REQUEST_ID
  value: {{ .root.Values.mesh.requestIdHeader | quote }}
{{- end }}
{{- end -}}

{{- define "platform.pdbApiVersion" -}}
{{- if semverCompare ">=1.21-0" .Capabilities.KubeVersion.Version -}}
policy/v1
{{- else -}}
policy/v1beta1
{{- end -}}
{{- end -}}
`

// secretData is the chart's Secret for a service without an ExternalSecret:
// a value derived from the namespace, so that every release differs.
const secretData = `type: Opaque
data:
  {{- range $svc.secret.keys }}
  {{ . }}: {{ printf "%s/%s/%s" $.Release.Namespace $name . | sha256sum | trunc 24 | b64enc }}
  {{- end }}
`

const configMapData = `data:
  LOG_LEVEL: {{ $.Values.global.logLevel | quote }}
  REGION: {{ $.Values.global.region | quote }}
  {{- range $key, $value := $svc.config }}
  {{ $key }}: {{ $value | quote }}
  {{- end }}
`

// chartSecrets is the chart's secrets template: an ExternalSecret where the
// service asks for one and the cluster serves the API, else a Secret.
func chartSecrets() string {
	d := chartDialect
	return "{{- $eso := .Capabilities.APIVersions.Has \"external-secrets.io/v1\" }}\n" +
		perService(d.when("", "and $svc.secret.external $eso", false,
			"---\n"+d.externalSecret(),
			"---\n"+d.header("v1", "Secret", "{{ $name }}-credentials")+secretData))
}

const migrateTPL = `{{- if .Values.migrations.enabled }}
{{- $ctx := dict "root" $ "name" "db-migrate" "svc" .Values.migrations }}
apiVersion: batch/v1
kind: Job
metadata:
  name: db-migrate
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "platform.labels" $ctx | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-5"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: 2
  ttlSecondsAfterFinished: 600
  template:
    metadata:
      labels:
        {{- include "platform.selectorLabels" $ctx | nindent 8 }}
      annotations:
        {{- include "platform.podAnnotations" $ctx | nindent 8 }}
        sidecar.istio.io/nativeSidecar: "true"
    spec:
      restartPolicy: Never
      imagePullSecrets:
        - name: {{ .Values.global.imagePullSecret }}
      containers:
        - name: migrate
          image: {{ include "platform.image" $ctx }}
          args: [migrate, up]
          env:
            {{- include "platform.env" $ctx | nindent 12 }}
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: vault-migrations
                  key: url
{{- end }}
`

const notesTXT = `{{ len .Values.services }} services deployed to {{ .Release.Namespace }} ({{ .Values.global.environment }}, {{ .Values.global.region }}).
`

// The subchart: what every namespace needs once.

const commonChartYAML = `apiVersion: v2
name: common
description: Namespace-wide objects every platform namespace needs.
type: application
version: 0.1.0
`

const commonValuesYAML = `networkPolicy:
  enabled: true
peerAuthentication:
  mode: STRICT
registry:
  server: registry
`

const commonHelpersTPL = `{{- define "common.labels" -}}
app.kubernetes.io/part-of: platform
app.kubernetes.io/component: common
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
`

const commonRegistryTPL = `apiVersion: v1
kind: Secret
metadata:
  name: {{ .Values.global.imagePullSecret }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: {{ printf "{\"auths\":{%q:{\"auth\":%q}}}" .Values.registry.server (printf "%s:%s" .Release.Namespace "pull" | b64enc) | b64enc }}
`

const commonNetpolTPL = `{{- if .Values.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-same-namespace
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
spec:
  podSelector: {}
  ingress:
    - from:
        - podSelector: {}
{{- end }}
`

const commonPeerAuthTPL = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
spec:
  mtls:
    mode: {{ .Values.peerAuthentication.mode }}
`

func (p *plan) writeChart(files map[string]string) {
	t := chartDir + "/templates/"
	files[chartDir+"/Chart.yaml"] = chartYAML
	files[chartDir+"/.helmignore"] = "*.tgz\n.git/\n"
	files[chartDir+"/values.yaml"] = p.chartValues()
	files[t+"_helpers.tpl"] = helpersTPL
	d := chartDialect
	for file, obj := range map[string]string{
		"workloads.yaml":      d.workload(),
		"service.yaml":        d.service(),
		"serviceaccount.yaml": d.serviceAccount(),
		"configmap.yaml":      d.header("v1", "ConfigMap", "{{ $name }}-config") + configMapData,
		"hpa.yaml":            d.hpa(),
		"pdb.yaml":            d.pdb(),
	} {
		files[t+file] = perService("---\n" + obj)
	}
	files[t+"secrets.yaml"] = chartSecrets()
	files[t+"migrate-job.yaml"] = migrateTPL
	files[t+"NOTES.txt"] = notesTXT
	c := chartDir + "/charts/common/"
	files[c+"Chart.yaml"] = commonChartYAML
	files[c+"values.yaml"] = commonValuesYAML
	files[c+"templates/_helpers.tpl"] = commonHelpersTPL
	files[c+"templates/registry-secret.yaml"] = commonRegistryTPL
	files[c+"templates/networkpolicy.yaml"] = commonNetpolTPL
	files[c+"templates/peerauthentication.yaml"] = commonPeerAuthTPL
}

// chartValues is the chart's values.yaml: the service catalog with the
// defaults every environment starts from.
func (p *plan) chartValues() string {
	var b strings.Builder
	b.WriteString(`# Defaults of the platform chart; each environment overrides them in
# envs/<environment>.yaml.
global:
  environment: ""
  region: ""
  cluster: ""
  logLevel: info
  imagePullSecret: registry-credentials

mesh:
  requestIdHeader: x-request-id
  proxyCPU: 100m

common:
  enabled: true

migrations:
  enabled: true
  image:
    repository: platform/migrations
    tag: "1.0.0"
  config: {}
  podAnnotations: {}

# Merged under every entry of services.
serviceDefaults:
  kind: Deployment
  port: 8080
  replicas: 1
  dbPasswordKey: password
  omitMeshEnv: false
  proxyConfig: ""
  podLabels: {}
  podAnnotations: {}
  extraSecretVolumes: []
  vaultTLS: false
  storage: 10Gi
  secret:
    external: false
    keys: [password, username]
  autoscaling:
    minReplicas: 1
    maxReplicas: 3
    targetCPU: 75
  pdb:
    minAvailable: 1
  resources:
    requests:
      cpu: 50m
      memory: 128Mi
    limits:
      memory: 256Mi
  config: {}

services:
`)
	for _, s := range p.services {
		b.WriteString(serviceValues(s))
	}
	return b.String()
}

// serviceValues is one entry of the chart's services.
func serviceValues(s service) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s:\n", s.name)
	if s.kind != "Deployment" {
		fmt.Fprintf(&b, "    kind: %s\n    storage: %s\n", s.kind, s.storage)
	}
	fmt.Fprintf(&b, "    port: %d\n", s.port)
	fmt.Fprintf(&b, "    image:\n      repository: platform/%s\n      tag: \"1.%d.0\"\n", s.name, s.minor)
	fmt.Fprintf(&b, "    secret:\n      external: %t\n      keys: [%s]\n", s.external, strings.Join(s.keys, ", "))
	if s.vaultTLS {
		b.WriteString("    vaultTLS: true\n")
	}
	if s.index == inlineIgnored {
		b.WriteString(`    # Talks to the node-local agent over the host's loopback.
    podLabels:
      sidecar.istio.io/inject: "false"
    podAnnotations:
` + inlineIgnore("      "))
	}
	b.WriteString("    config:\n")
	for _, kv := range s.config {
		fmt.Fprintf(&b, "      %s: %q\n", kv[0], kv[1])
	}
	return b.String()
}

// inlineIgnore exempts the inlineIgnored service from mesh-injection:
// its annotations, at indent.
func inlineIgnore(indent string) string {
	return indent + "meshgate.io/ignore: " + finding.RuleMeshInjection + "\n" +
		indent + "meshgate.io/ignore-reason: reaches the node-local agent, which the sidecar would intercept\n"
}

// helmValues is envs/<env>.yaml.
func (p *plan) helmValues(e *env) string {
	r := p.rand(e)
	var b strings.Builder
	fmt.Fprintf(&b, "# Values of environment %s.\nglobal:\n  environment: %s\n  region: %s\n", e.name, e.stage, e.region)
	if e.stage == "dev" {
		b.WriteString("  logLevel: debug\n")
	}
	fmt.Fprintf(&b, "\nmesh:\n  proxyCPU: %s\n\nservices:\n", map[bool]string{true: "50m", false: "200m"}[e.stage == "dev" || e.stage == "qa"])
	for _, s := range p.services {
		replicas, minR, maxR := s.replicas(e, r)
		fmt.Fprintf(&b, "  %s:\n", s.name)
		fmt.Fprintf(&b, "    image:\n      tag: %q\n", s.tag(e, r))
		fmt.Fprintf(&b, "    replicas: %d\n", replicas)
		fmt.Fprintf(&b, "    autoscaling:\n      minReplicas: %d\n      maxReplicas: %d\n", minR, maxR)
		if minR > 1 {
			fmt.Fprintf(&b, "    pdb:\n      minAvailable: %d\n", minR-1)
		}
		cpu, mem := s.cpu(e, r), s.memory(e, r)
		fmt.Fprintf(&b, "    resources:\n      requests:\n        cpu: %s\n        memory: %s\n      limits:\n        memory: %s\n", cpu, mem, mem)
		b.WriteString(helmGap(e, s))
	}
	return b.String()
}

// helmGap is the values override that opens the deliberate gap of service
// s in environment e, if any.
func helmGap(e *env, s service) string {
	switch {
	case e.stage == "dev" && s.index == gapInjectOff:
		return "    # Debugging without the proxy.\n    podLabels:\n      sidecar.istio.io/inject: \"false\"\n"
	case e.stage == "dev" && s.index == gapMeshEnv:
		return "    omitMeshEnv: true\n"
	case e.stage == "qa" && s.index == gapSecretKey:
		return "    dbPasswordKey: password-v2\n"
	case e.stage == "qa" && s.index == gapSecretGone:
		return "    extraSecretVolumes: [" + s.name + "-legacy-token]\n"
	case e.stage == "qa" && s.index == gapProxyConf:
		return "    proxyConfig: |\n      holdApplicationUntilProxyStarts: true\n"
	}
	return ""
}
