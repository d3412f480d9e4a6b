package manifest

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/render"
)

// helmFixture is the shop chart as `helm template rel charts/shop -n shop`
// renders it (testdata/helm/shop.rendered.yaml, made once with Helm
// v3.22.0), each document tagged with its "# Source:" template.
func helmFixture(t *testing.T) render.Result {
	t.Helper()
	raw, err := os.ReadFile("testdata/helm/shop.rendered.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := render.Result{Source: "helm", DefaultNamespace: "shop", Sources: map[string][]byte{}}
	for _, part := range strings.Split(string(raw), "---\n# Source: ") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		file, body, _ := strings.Cut(part, "\n")
		file = "charts/" + file
		if _, ok := res.Sources[file]; !ok {
			src, err := os.ReadFile("testdata/helm/" + strings.TrimPrefix(file, "charts/"))
			if err != nil {
				t.Fatal(err)
			}
			res.Sources[file] = src
		}
		res.Docs = append(res.Docs, render.Doc{YAML: []byte(body), File: file})
	}
	return res
}

func TestHelmLinesShopChart(t *testing.T) {
	set, err := BuildShared(helmFixture(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	objects := map[string]*Object{}
	var lines []string
	for _, o := range set.Objects {
		objects[o.ID()] = o
		lines = append(lines, o.ID()+" "+o.File+":"+strconv.Itoa(o.Line))
	}
	diff(t, "objects", lines, []string{
		"Deployment/shop/rel-shop charts/shop/templates/deployment.yaml:2",
		"Job/shop/migrate-schema charts/shop/templates/jobs.yaml:4",
		"Job/shop/migrate-data charts/shop/templates/jobs.yaml:4",
		"Job/shop/seed charts/shop/templates/jobs.yaml:23",
		"Ingress/shop/rel-shop charts/shop/templates/ingress.yaml:3",
	})

	d := objects["Deployment/shop/rel-shop"]
	pod := []any{"spec", "template", "spec"}
	c := join(pod, "containers")
	tests := []struct {
		name string
		obj  *Object
		path []any
		want int
	}{
		{"templated name", d, []any{"metadata", "name"}, 4},
		{"labels from an include map to the labels key", d, []any{"metadata", "labels", "app.kubernetes.io/name"}, 5},
		{"pod template labels, not the object's", d, []any{"spec", "template", "metadata", "labels", "app.kubernetes.io/name"}, 14},
		{"quoted literal annotation", d, []any{"spec", "template", "metadata", "annotations", "sidecar.istio.io/inject"}, 17},
		{"init container", d, join(pod, "initContainers", 0), 23},
		{"literal container", d, join(c, 0), 29},
		{"templated image", d, join(c, 0, "image"), 30},
		{"first range container", d, join(c, 1), 44},
		{"second range container maps to the same range line", d, join(c, 2), 44},
		{"flow sequence", d, join(c, 2, "args"), 46},
		{"flow sequence item maps to its key", d, join(c, 2, "args", 1), 46},
		{"env from toYaml maps to the env key", d, join(c, 0, "env", 1), 31},
		{"env of the range container", d, join(c, 2, "env", 0, "valueFrom", "secretKeyRef", "name"), 51},
		{"envFrom secretRef", d, join(c, 0, "envFrom", 0, "secretRef", "name"), 42},
		{"volume items", d, join(pod, "volumes", 0, "secret", "items", 0, "key"), 60},
		{"missing path maps to the nearest ancestor", d, join(c, 0, "resources", "limits"), 29},
		{"object root", d, nil, 2},
		{"Job from a range", objects["Job/shop/migrate-data"], []any{"spec", "template", "spec", "containers", 0, "env", 0, "valueFrom", "secretKeyRef", "key"}, 19},
		{"Job with a literal name after the range", objects["Job/shop/seed"], []any{"spec", "template", "spec", "containers", 0, "envFrom", 0, "secretRef", "name"}, 35},
		{"Job metadata.name", objects["Job/shop/seed"], []any{"metadata", "name"}, 25},
		{"Ingress hosts from toYaml map to the hosts key", objects["Ingress/shop/rel-shop"], []any{"spec", "tls", 0, "hosts", 0}, 10},
		{"Ingress backend port", objects["Ingress/shop/rel-shop"], []any{"spec", "rules", 0, "http", "paths", 0, "backend", "service", "port", "number"}, 23},
	}
	for _, tt := range tests {
		if got := tt.obj.LineOf(tt.path...); got != tt.want {
			t.Errorf("%s: %s LineOf(%v) = %d, want %d", tt.name, tt.obj.ID(), tt.path, got, tt.want)
		}
	}

	diff(t, "refs", viewRefs(set.Refs), []refView{
		{Object: "Deployment/shop/rel-shop", Container: "server", Where: "env DB_PASSWORD", Namespace: "shop", Name: "cart-db", Key: "password", Line: 35, KeyLine: 36},
		{Object: "Deployment/shop/rel-shop", Container: "server", Where: "envFrom", Namespace: "shop", Name: "rel-shop-env", Line: 42},
		{Object: "Deployment/shop/rel-shop", Container: "mailer", Where: "env QUEUE_TOKEN", Namespace: "shop", Name: "mailer-token", Key: "token", Optional: true, Line: 51, KeyLine: 52},
		{Object: "Deployment/shop/rel-shop", Container: "billing", Where: "env QUEUE_TOKEN", Namespace: "shop", Name: "billing-token", Key: "token", Optional: true, Line: 51, KeyLine: 52},
		{Object: "Deployment/shop/rel-shop", Where: "volume certs", Namespace: "shop", Name: "rel-shop-certs", Key: "tls.crt", Line: 58, KeyLine: 60},
		{Object: "Deployment/shop/rel-shop", Where: "imagePullSecrets", Namespace: "shop", Name: "regcred", Line: 21},
		{Object: "Job/shop/migrate-schema", Container: "migrate", Where: "env DB_URL", Namespace: "shop", Name: "cart-db", Key: "url", Line: 18, KeyLine: 19},
		{Object: "Job/shop/migrate-data", Container: "migrate", Where: "env DB_URL", Namespace: "shop", Name: "cart-db", Key: "url", Line: 18, KeyLine: 19},
		{Object: "Job/shop/seed", Container: "seed", Where: "envFrom", Namespace: "shop", Name: "seed-data", Line: 35},
		{Object: "Ingress/shop/rel-shop", Where: "Ingress tls", Namespace: "shop", Name: "shop-tls", Line: 12},
	})
}

func renderedNode(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

// Templates and their renderings for TestHelmLine.
const (
	twoContainers = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      containers:
        - name: api
          env:
            - name: TOKEN
              valueFrom:
                secretKeyRef:
                  name: {{ .Values.api.secret }}
                  key: token
        - name: worker
          env:
            - name: TOKEN
              valueFrom:
                secretKeyRef:
                  name: {{ .Values.worker.secret }}
                  key: token
`
	twoContainersRendered = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel
spec:
  template:
    spec:
      containers:
        - name: api
          env:
            - name: TOKEN
              valueFrom:
                secretKeyRef:
                  name: api-secret
                  key: token
        - name: worker
          env:
            - name: TOKEN
              valueFrom:
                secretKeyRef:
                  name: worker-secret
                  key: token
`
	metadataFirst = `metadata:
  name: "cart-db"   # quoted, with a comment
  labels:
{{ include "labels" . | indent 4 }}
kind: Secret
apiVersion: v1
stringData:
  {{- range $k, $v := .Values.env }}
  {{ $k }}: {{ $v | quote }}
  {{- end }}
`
	metadataFirstRendered = "metadata:\n  name: cart-db\n  labels:\n    app: shop\nkind: Secret\napiVersion: v1\nstringData:\n  A: \"\"\n  B: \"\"\n"
	hpaThenDeployment     = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
spec:
  scaleTargetRef:
    kind: Deployment
    name: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
`
	deploymentRendered    = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
	templatedKind         = "apiVersion: v1\nkind: {{ .Values.kind }}\nmetadata:\n  name: x\n"
	templatedKindRendered = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
)

func TestHelmLine(t *testing.T) {
	c := []any{"spec", "template", "spec", "containers"}
	tests := []struct {
		name     string
		template string
		rendered string
		path     []any
		want     int
	}{
		{"second container's env maps below the first container", twoContainers, twoContainersRendered, join(c, 1, "env", 0, "valueFrom", "secretKeyRef", "name"), 21},
		{"first container's env", twoContainers, twoContainersRendered, join(c, 0, "env", 0, "valueFrom", "secretKeyRef", "name"), 14},
		{"second container's env entry", twoContainers, twoContainersRendered, join(c, 1, "env", 0), 18},
		{"second container's key", twoContainers, twoContainersRendered, join(c, 1, "env", 0, "valueFrom", "secretKeyRef", "key"), 22},
		{"object root is the kind line", twoContainers, twoContainersRendered, nil, 2},
		{"metadata before the kind line", metadataFirst, metadataFirstRendered, []any{"metadata", "name"}, 2},
		{"included labels map to the labels key", metadataFirst, metadataFirstRendered, []any{"metadata", "labels", "app"}, 3},
		{"ranged keys map to the templated key line", metadataFirst, metadataFirstRendered, []any{"stringData", "B"}, 9},
		{"root of a document whose kind comes later", metadataFirst, metadataFirstRendered, nil, 5},
		{"a nested kind line is no anchor", hpaThenDeployment, deploymentRendered, nil, 9},
		{"fields of the second document", hpaThenDeployment, deploymentRendered, []any{"metadata", "name"}, 11},
		{"templated kind: fields still found", templatedKind, templatedKindRendered, []any{"metadata", "name"}, 4},
		{"templated kind: root falls back to 1", templatedKind, templatedKindRendered, nil, 1},
		{"empty template", "", templatedKindRendered, []any{"metadata"}, 1},
		{"path into nothing", twoContainers, twoContainersRendered, []any{"status", 3, "x"}, 2},
		{"unsupported path element", twoContainers, twoContainersRendered, []any{"spec", 1.5}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newHelmObject(parseTemplate([]byte(tt.template)), renderedNode(t, tt.rendered), 0).line(tt.path)
			if got != tt.want {
				t.Errorf("line(%v) = %d, want %d", tt.path, got, tt.want)
			}
		})
	}
	if got := newHelmObject(parseTemplate([]byte(twoContainers)), nil, 0).line([]any{"spec"}); got != 1 {
		t.Errorf("line with no rendered node = %d, want 1", got)
	}
}
