{{/* Pod template metadata every meshed service shares. */}}
{{- define "orders.podMeta" -}}
labels:
  app.kubernetes.io/name: {{ .name }}
  app.kubernetes.io/part-of: orders
  sidecar.istio.io/inject: "true"
annotations:
  sidecar.istio.io/proxyCPU: {{ .root.Values.mesh.proxyCPU | quote }}
  proxy.istio.io/config: |
    {{- toYaml .root.Values.mesh.proxyConfig | nindent 4 }}
{{- end }}

{{/* The request-id env var tracing needs in the app container. */}}
{{- define "orders.meshEnv" -}}
- name: ISTIO_META_REQUEST_ID
  value: x-request-id
{{- end }}
