package check

import "github.com/meshgate/meshgate/internal/finding"

// Example is a repository in miniature that shows a rule. `meshgate
// explain` and docs/rules print it, and a test in internal/cli checks it
// through the whole pipeline: a rule's Failing example gives exactly its
// Example finding, its Passing example no finding at all.
type Example struct {
	// Config is .meshgate.yaml. Without an environments: list, the example
	// is checked as environment "prod": the chart holding a Chart.yaml in
	// Files (release namespace shop), else the YAML files of Files as
	// rendered manifests (namespace shop).
	Config string
	Files  []ExampleFile
}

// ExampleFile is one file of an Example, by repository path.
type ExampleFile struct {
	Path    string
	Content string
}

// A Passing example lists only what changes: its files replace those of
// the Failing example with the same path, and a non-empty Config replaces
// the Failing one.

// exampleCart is the Deployment shop/cart: meta is its pod template's
// metadata, container what its container sets beside name and image.
func exampleCart(meta, container string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    matchLabels: {app: cart}
  template:
    metadata:
` + meta + `    spec:
      containers:
        - name: server
          image: registry.example.com/cart:1.4.0
` + container
}

// exampleCartMeshed is pod template metadata that istio injects.
const exampleCartMeshed = `      labels:
        app: cart
        sidecar.istio.io/inject: "true"
`

// exampleProxyConfig is the proxy.istio.io/config annotation, with more
// lines of its YAML value.
func exampleProxyConfig(more string) string {
	return exampleCartMeshed + `      annotations:
        proxy.istio.io/config: |
          holdApplicationUntilProxyStarts: true
` + more
}

// exampleEnv is the container's env list.
func exampleEnv(vars string) string {
	return `          env:
            - name: LOG_LEVEL
              value: info
` + vars
}

// exampleCartDB reads key of Secret cart-db into DB_PASSWORD.
func exampleCartDB(key string) string {
	return exampleCart(exampleCartMeshed, `          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: cart-db, key: `+key+`}
`)
}

// exampleDBMigrate is the Job shop/db-migrate; meta is its pod template's
// metadata.
func exampleDBMigrate(meta string) ExampleFile {
	return ExampleFile{Path: "deploy/db-migrate.yaml", Content: `apiVersion: batch/v1
kind: Job
metadata:
  name: db-migrate
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: db-migrate}
` + meta + `    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: registry.example.com/cart-migrate:1.4.0
`}
}

// exampleJobKubeConfig: nodes older than Kubernetes 1.33, where istio's
// sidecars are classic unless a pod asks for native ones.
const exampleJobKubeConfig = `mesh:
  provider: istio
  kubernetesVersion: "1.31.0"
`

// exampleIgnoreConfig exempts the db-migrate Job from mesh-injection
// until the day given.
func exampleIgnoreConfig(until string) string {
	return `environments:
  - name: prod
    kustomize:
      path: deploy
    namespace: shop

ignore:
  - rules: [` + finding.RuleMeshInjection + `]
    workloads: ["Job/shop/db-migrate"]
    reason: migrations run before the mesh is up
    until: ` + until + "\n"
}

// exampleCartChart is the chart charts/cart, which needs image.tag.
func exampleCartChart() []ExampleFile {
	return []ExampleFile{
		{Path: "charts/cart/Chart.yaml", Content: `apiVersion: v2
name: cart
version: 1.4.0
`},
		{Path: "charts/cart/templates/deployment.yaml", Content: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    matchLabels: {app: cart}
  template:
    metadata:
      labels: {app: cart}
    spec:
      containers:
        - name: server
          image: "{{ .Values.image.repository }}:{{ required "image.tag is required" .Values.image.tag }}"
`},
		{Path: "charts/cart/values.yaml", Content: `image:
  repository: registry.example.com/cart
`},
	}
}

// exampleService is a meshed Deployment shop/NAME in deploy/NAME.yaml
// whose container sets the request-id env var or not.
func exampleService(name string, requestID bool) ExampleFile {
	env := ""
	if requestID {
		env = `          env:
            - name: ISTIO_META_REQUEST_ID
              value: "true"
`
	}
	return ExampleFile{Path: "deploy/" + name + ".yaml", Content: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ` + name + `
  namespace: shop
spec:
  selector:
    matchLabels: {app: ` + name + `}
  template:
    metadata:
      labels:
        app: ` + name + `
        sidecar.istio.io/inject: "true"
    spec:
      containers:
        - name: server
          image: registry.example.com/` + name + `:1.4.0
` + env}
}

var (
	exampleRenderError = Example{
		Config: `mesh:
  namespaces:
    shop: {istio-injection: enabled}
`,
		Files: exampleCartChart(),
	}
	exampleRenderWarning = Example{
		Config: `environments:
  - name: prod
    helm:
      chart: charts/cart
      namespace: shop
      values: [charts/cart/values-prod.yaml]
mesh:
  namespaces:
    shop: {istio-injection: enabled}
`,
		Files: append(exampleCartChart(), ExampleFile{Path: "charts/cart/values-prod.yaml", Content: "image:\n  tag: \"1.4.0\"\n  tag: \"1.4.1\"\n"}),
	}
	exampleRenderWarningFixed = Example{Files: []ExampleFile{{Path: "charts/cart/values-prod.yaml", Content: "image:\n  tag: \"1.4.1\"\n"}}}
	exampleRenderErrorFixed   = Example{Files: []ExampleFile{
		{Path: "charts/cart/values.yaml", Content: `image:
  repository: registry.example.com/cart
  tag: "1.4.0"
`},
	}}

	exampleMeshInjection = Example{Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCart(`      labels: {app: cart}
      annotations:
        sidecar.istio.io/inject: "true"   # an annotation: the injector never sees it
`, "")}}}
	exampleMeshInjectionFixed = Example{Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCart(`      labels:
        app: cart
        sidecar.istio.io/inject: "true"   # a label on the pod template
`, "")}}}

	exampleMeshAnnotation = Example{
		Config: `mesh:
  require:
    annotations:
      proxy.istio.io/config: {hasKey: proxyMetadata.ISTIO_META_REQUEST_ID}
`,
		Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCart(exampleProxyConfig(""), "")}},
	}
	exampleMeshAnnotationFixed = Example{Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCart(exampleProxyConfig(`          proxyMetadata:
            ISTIO_META_REQUEST_ID: x-request-id
`), "")}}}

	exampleMeshEnv = Example{
		Config: `mesh:
  require:
    env: [ISTIO_META_REQUEST_ID]
`,
		Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCart(exampleCartMeshed, exampleEnv(""))}},
	}
	exampleMeshEnvFixed = Example{Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCart(exampleCartMeshed, exampleEnv(`            - name: ISTIO_META_REQUEST_ID
              value: x-request-id
`))}}}

	exampleSecretMissing      = Example{Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCartDB("password")}}}
	exampleSecretMissingFixed = Example{Files: []ExampleFile{{Path: "deploy/cart-db.yaml", Content: `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: cart-db
  namespace: shop
spec:
  secretStoreRef: {name: vault, kind: ClusterSecretStore}
  data:
    - secretKey: password
      remoteRef: {key: shop/cart-db, property: password}
`}}}

	exampleSecretKeyMissing = Example{Files: []ExampleFile{
		{Path: "deploy/cart.yaml", Content: exampleCartDB("passwd")},
		{Path: "deploy/cart-db.yaml", Content: `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: cart-db
  namespace: shop
spec:
  encryptedData:
    password: AgBy3i4OJSWK+PiTySYZZA==
    user: AgCx8e9KWr7c0zD6Gm1oTw==
`},
	}}
	exampleSecretKeyMissingFixed = Example{Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCartDB("password")}}}

	// Istio 1.30's nodes on Kubernetes 1.31 get classic sidecars.
	exampleMeshJobSidecar = Example{Config: exampleJobKubeConfig, Files: []ExampleFile{
		{Path: "deploy/namespace.yaml", Content: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
`},
		exampleDBMigrate(""),
	}}
	exampleMeshJobSidecarFixed = Example{Config: exampleJobKubeConfig, Files: []ExampleFile{exampleDBMigrate(`      annotations:
        sidecar.istio.io/nativeSidecar: "true"
`)}}

	exampleIgnoreExpired = Example{
		Config: exampleIgnoreConfig("2024-12-31"),
		Files: []ExampleFile{
			{Path: "deploy/kustomization.yaml", Content: `resources:
  - db-migrate.yaml
`},
			exampleDBMigrate(""),
		},
	}
	exampleIgnoreExpiredFixed = Example{Config: exampleIgnoreConfig("2099-12-31")}

	exampleGitOpsNotRendered = Example{Files: []ExampleFile{
		{Path: "deploy/kustomization.yaml", Content: `resources:
  - podinfo.yaml
`},
		{Path: "deploy/podinfo.yaml", Content: `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: shop
spec:
  url: https://stefanprodan.github.io/podinfo
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: shop
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      version: 6.5.0
      sourceRef: {kind: HelmRepository, name: podinfo}
`},
	}}
	exampleGitOpsNotRenderedFixed = Example{
		Config: `environments:
  - name: prod
    kustomize: {path: deploy}
    namespace: shop
gitops:
  charts:                       # the chart, vendored in the repository
    - repoURL: https://stefanprodan.github.io/podinfo
      chart: podinfo
      version: 6.5.0
      path: charts/podinfo
`,
		Files: []ExampleFile{
			{Path: "charts/podinfo/Chart.yaml", Content: `apiVersion: v2
name: podinfo
version: 6.5.0
`},
			{Path: "charts/podinfo/templates/configmap.yaml", Content: `apiVersion: v1
kind: ConfigMap
metadata:
  name: podinfo
data: {color: blue}
`},
		},
	}

	exampleMeshDrift = Example{Files: []ExampleFile{
		exampleService("cart", false),
		exampleService("catalog", true),
		exampleService("checkout", true),
		exampleService("search", true),
	}}
	exampleMeshDriftFixed = Example{Files: []ExampleFile{exampleService("cart", true)}}
)
