{{- define "helper.port" -}}
{{ .Values.server.port }}
{{- end -}}
