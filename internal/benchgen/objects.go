package benchgen

import (
	"fmt"
	"strconv"
	"strings"
)

// The objects every service has in both sources (workload, Service,
// ServiceAccount, HorizontalPodAutoscaler, PodDisruptionBudget,
// ExternalSecret) are written from one text in two dialects, so the chart
// and the kustomize base cannot drift apart: the chart's, with template
// actions resolved per release, and the base's, with one service's values
// resolved now.

// dialect writes a service's objects for the chart (chart set) or for the
// kustomize base (the values of s).
type dialect struct {
	chart bool
	s     service
}

// chartDialect writes the chart's per-service templates.
var chartDialect = dialect{chart: true}

// pick is the chart's template action or the base's value.
func (d dialect) pick(action, value string) string {
	if d.chart {
		return action
	}
	return value
}

func (d dialect) name() string { return d.pick("{{ $name }}", d.s.name) }

func (d dialect) kind() string { return d.pick("{{ $svc.kind }}", d.s.kind) }

// header is an object's apiVersion, kind and metadata: the chart places it
// in the release namespace with the chart's labels, the base leaves the
// namespace to the overlay and labels it with the service name only.
func (d dialect) header(apiVersion, kind, name string) string {
	h := fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n", apiVersion, kind, name)
	if d.chart {
		return h + "  namespace: {{ $.Release.Namespace }}\n  labels:\n    {{- include \"platform.labels\" $ctx | nindent 4 }}\n"
	}
	return h + "  labels:\n    app.kubernetes.io/name: " + d.s.name + "\n"
}

// selectorLabels are the labels that select the service's pods, as lines
// at the given indentation.
func (d dialect) selectorLabels(indent string) string {
	if d.chart {
		return fmt.Sprintf("%s{{- include \"platform.selectorLabels\" $ctx | nindent %d }}\n", indent, len(indent))
	}
	return indent + "app.kubernetes.io/name: " + d.s.name + "\n"
}

// when writes then where a condition holds, else otherwise: in the chart a
// template if on test, its actions at the given indentation; in the base
// whichever on selects.
func (d dialect) when(indent, test string, on bool, then, otherwise string) string {
	if !d.chart {
		if on {
			return then
		}
		return otherwise
	}
	out := indent + "{{- if " + test + " }}\n" + then
	if otherwise != "" {
		out += indent + "{{- else }}\n" + otherwise
	}
	return out + indent + "{{- end }}\n"
}

// each writes item once an element: in the chart a template range over
// list, the element being {{ . }}; in the base once for each of values.
func (d dialect) each(indent, list string, values []string, item func(string) string) string {
	if d.chart {
		return indent + "{{- range " + list + " }}\n" + item("{{ . }}") + indent + "{{- end }}\n"
	}
	var b strings.Builder
	for _, v := range values {
		b.WriteString(item(v))
	}
	return b.String()
}

func (d dialect) service() string {
	return d.header("v1", "Service", d.name()) + "spec:\n  type: ClusterIP\n  selector:\n" + d.selectorLabels("    ") +
		"  ports:\n    - name: http\n      port: 80\n      targetPort: http\n"
}

func (d dialect) serviceAccount() string {
	return d.header("v1", "ServiceAccount", d.name()) + "automountServiceAccountToken: true\n"
}

// hpa scales the workload between the chart's autoscaling values, or 1 and
// 3 replicas in the base.
func (d dialect) hpa() string {
	return d.header("autoscaling/v2", "HorizontalPodAutoscaler", d.name()) + fmt.Sprintf(`spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: %s
    name: %s
  minReplicas: %s
  maxReplicas: %s
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: %s
`, d.kind(), d.name(), d.pick("{{ $svc.autoscaling.minReplicas }}", "1"),
		d.pick("{{ $svc.autoscaling.maxReplicas }}", "3"), d.pick("{{ $svc.autoscaling.targetCPU }}", "75"))
}

// pdb: the chart picks the policy API the cluster serves.
func (d dialect) pdb() string {
	apiVersion := d.pick(`{{ include "platform.pdbApiVersion" $ }}`, "policy/v1")
	return d.header(apiVersion, "PodDisruptionBudget", d.name()) +
		fmt.Sprintf("spec:\n  minAvailable: %s\n  selector:\n    matchLabels:\n", d.pick("{{ $svc.pdb.minAvailable }}", "1")) +
		d.selectorLabels("      ")
}

// externalSecret syncs the service's credentials from Vault, under the
// environment's path in the chart and a platform-wide one in the base.
func (d dialect) externalSecret() string {
	name := d.name()
	remote := d.pick("{{ $.Values.global.environment }}/{{ $name }}", "platform/"+d.s.name)
	return d.header("external-secrets.io/v1", "ExternalSecret", name+"-credentials") + fmt.Sprintf(`spec:
  refreshInterval: 1h
  secretStoreRef:
    kind: ClusterSecretStore
    name: vault
  target:
    name: %s-credentials
    creationPolicy: Owner
  data:
`, name) + d.each("    ", "$svc.secret.keys", d.s.keys, func(k string) string {
		return fmt.Sprintf("    - secretKey: %s\n      remoteRef:\n        key: %s\n        property: %s\n", k, remote, k)
	})
}

// isStatefulSet is the chart's test for the service's kind.
const isStatefulSet = `eq $svc.kind "StatefulSet"`

// workload is the service's Deployment or StatefulSet; in the base without
// the proxy settings, which the mesh component adds.
func (d dialect) workload() string {
	sts := d.s.kind == "StatefulSet"
	var b strings.Builder
	b.WriteString(d.header("apps/v1", d.kind(), d.name()))
	fmt.Fprintf(&b, "spec:\n  replicas: %s\n  revisionHistoryLimit: 5\n", d.pick("{{ $svc.replicas }}", "1"))
	b.WriteString(d.when("  ", isStatefulSet, sts,
		"  serviceName: "+d.name()+"\n  podManagementPolicy: Parallel\n",
		"  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 25%\n      maxUnavailable: 0\n"))
	b.WriteString("  selector:\n    matchLabels:\n" + d.selectorLabels("      "))
	b.WriteString("  template:\n    metadata:\n      labels:\n" + d.selectorLabels("        ") + d.podMetadata())
	b.WriteString(d.podSpec())
	b.WriteString(d.volumes())
	b.WriteString(d.when("  ", isStatefulSet, sts, fmt.Sprintf(`  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: %s
`, d.pick("{{ $svc.storage }}", d.s.storage)), ""))
	return b.String()
}

// podMetadata follows the pod's selector labels: the chart's extra labels
// and annotations from the values; in the base only the inline exemption
// of the service that opts out of the mesh.
func (d dialect) podMetadata() string {
	if d.chart {
		return `        app.kubernetes.io/part-of: platform
        {{- with $svc.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        {{- include "platform.podAnnotations" $ctx | nindent 8 }}
`
	}
	if d.s.index != inlineIgnored {
		return ""
	}
	return `        # Talks to the node-local agent over the host's loopback.
        sidecar.istio.io/inject: "false"
      annotations:
` + inlineIgnore("        ")
}

// podSpec is the pod's spec up to its volumes. The chart adds the mesh
// environment through a helper and sizes the pod from the values; the base
// reads the overlay's cluster-info and leaves sizes to the overlay's patch.
func (d dialect) podSpec() string {
	s := d.s
	image := d.pick(`{{ include "platform.image" $ctx }}`, fmt.Sprintf("platform/%s:1.%d.0", s.name, s.minor))
	env := d.pick("            {{- include \"platform.env\" $ctx | nindent 12 }}\n", "")
	envFrom := d.pick("", "            - configMapRef:\n                name: cluster-info\n")
	resources := d.pick("            {{- toYaml $svc.resources | nindent 12 }}\n",
		"            requests:\n              cpu: 50m\n              memory: 128Mi\n            limits:\n              memory: 256Mi\n")
	return fmt.Sprintf(`    spec:
      serviceAccountName: %[1]s
      imagePullSecrets:
        - name: %[2]s
      securityContext:
        runAsNonRoot: true
        fsGroup: 10001
      containers:
        - name: app
          image: %[3]s
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: %[4]s
          env:
%[5]s            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: %[1]s-credentials
                  key: %[6]s
            - name: DB_USER
              valueFrom:
                secretKeyRef:
                  name: %[1]s-credentials
                  key: username
            - name: POD_NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
          envFrom:
            - configMapRef:
                name: %[1]s-config
%[7]s          readinessProbe:
            httpGet:
              path: /healthz/ready
              port: http
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /healthz/live
              port: http
            initialDelaySeconds: 10
          resources:
%[8]s`, d.name(), d.pick("{{ $.Values.global.imagePullSecret }}", "registry-credentials"), image,
		d.pick("{{ $svc.port }}", strconv.Itoa(s.port)), env, d.pick("{{ $svc.dbPasswordKey }}", "password"), envFrom, resources)
}

// volumes are the container's mounts and the pod's volumes: credentials,
// the Vault TLS Secret where the service has one, the chart's extra Secret
// volumes (the base has none) and a StatefulSet's data.
func (d dialect) volumes() string {
	name, tls, sts := d.name(), d.s.vaultTLS, d.s.kind == "StatefulSet"
	var b strings.Builder
	b.WriteString("          volumeMounts:\n            - name: credentials\n              mountPath: /var/run/secrets/app\n              readOnly: true\n")
	b.WriteString(d.when("            ", "$svc.vaultTLS", tls,
		"            - name: tls\n              mountPath: /var/run/secrets/tls\n              readOnly: true\n", ""))
	b.WriteString(d.each("            ", "$svc.extraSecretVolumes", nil, func(v string) string {
		return "            - name: " + v + "\n              mountPath: /var/run/secrets/" + v + "\n              readOnly: true\n"
	}))
	b.WriteString(d.when("            ", isStatefulSet, sts, "            - name: data\n              mountPath: /var/lib/app\n", ""))
	fmt.Fprintf(&b, "      volumes:\n        - name: credentials\n          secret:\n            secretName: %s-credentials\n"+
		"            items:\n              - key: username\n                path: username\n", name)
	b.WriteString(d.when("        ", "$svc.vaultTLS", tls,
		"        - name: tls\n          secret:\n            secretName: vault-"+name+"-tls\n", ""))
	b.WriteString(d.each("        ", "$svc.extraSecretVolumes", nil, func(v string) string {
		return "        - name: " + v + "\n          secret:\n            secretName: " + v + "\n"
	}))
	return b.String()
}

// perService wraps a chart template's objects in the range over the
// services, with the merged settings and helper context each needs.
func perService(body string) string {
	return "{{- range $name, $raw := .Values.services }}\n" +
		"{{- $svc := mergeOverwrite (deepCopy $.Values.serviceDefaults) $raw }}\n" +
		"{{- $ctx := dict \"root\" $ \"name\" $name \"svc\" $svc }}\n" + body + "{{- end }}\n"
}
