package check

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

const exampleCartHead = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    matchLabels: {app: cart}
  template:
    metadata:
`

var (
	exampleRenderErrorChart = []ExampleFile{
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

	exampleRenderError = Example{
		Config: `mesh:
  namespaces:
    shop: {istio-injection: enabled}
`,
		Files: exampleRenderErrorChart,
	}
	exampleRenderErrorFixed = Example{Files: []ExampleFile{
		{Path: "charts/cart/values.yaml", Content: `image:
  repository: registry.example.com/cart
  tag: "1.4.0"
`},
	}}

	exampleMeshInjection = Example{Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCartHead + `      labels: {app: cart}
      annotations:
        sidecar.istio.io/inject: "true"   # an annotation: the injector never sees it
    spec:
      containers:
        - name: server
          image: registry.example.com/cart:1.4.0
`}}}
	exampleMeshInjectionFixed = Example{Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCartHead + `      labels:
        app: cart
        sidecar.istio.io/inject: "true"   # a label on the pod template
    spec:
      containers:
        - name: server
          image: registry.example.com/cart:1.4.0
`}}}

	exampleMeshAnnotation = Example{
		Config: `mesh:
  require:
    annotations:
      proxy.istio.io/config: {hasKey: proxyMetadata.ISTIO_META_REQUEST_ID}
`,
		Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCartHead + `      labels:
        app: cart
        sidecar.istio.io/inject: "true"
      annotations:
        proxy.istio.io/config: |
          holdApplicationUntilProxyStarts: true
    spec:
      containers:
        - name: server
          image: registry.example.com/cart:1.4.0
`}},
	}
	exampleMeshAnnotationFixed = Example{Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCartHead + `      labels:
        app: cart
        sidecar.istio.io/inject: "true"
      annotations:
        proxy.istio.io/config: |
          holdApplicationUntilProxyStarts: true
          proxyMetadata:
            ISTIO_META_REQUEST_ID: x-request-id
    spec:
      containers:
        - name: server
          image: registry.example.com/cart:1.4.0
`}}}

	exampleMeshEnv = Example{
		Config: `mesh:
  require:
    env: [ISTIO_META_REQUEST_ID]
`,
		Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCartHead + `      labels:
        app: cart
        sidecar.istio.io/inject: "true"
    spec:
      containers:
        - name: server
          image: registry.example.com/cart:1.4.0
          env:
            - name: LOG_LEVEL
              value: info
`}},
	}
	exampleMeshEnvFixed = Example{Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCartHead + `      labels:
        app: cart
        sidecar.istio.io/inject: "true"
    spec:
      containers:
        - name: server
          image: registry.example.com/cart:1.4.0
          env:
            - name: LOG_LEVEL
              value: info
            - name: ISTIO_META_REQUEST_ID
              value: x-request-id
`}}}

	exampleCartWithDB = exampleCartHead + `      labels:
        app: cart
        sidecar.istio.io/inject: "true"
    spec:
      containers:
        - name: server
          image: registry.example.com/cart:1.4.0
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: cart-db, key: passwd}
`

	exampleSecretMissing = Example{Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCartHead + `      labels:
        app: cart
        sidecar.istio.io/inject: "true"
    spec:
      containers:
        - name: server
          image: registry.example.com/cart:1.4.0
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: cart-db, key: password}
`}}}
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
		{Path: "deploy/cart.yaml", Content: exampleCartWithDB},
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
	exampleSecretKeyMissingFixed = Example{Files: []ExampleFile{{Path: "deploy/cart.yaml", Content: exampleCartHead + `      labels:
        app: cart
        sidecar.istio.io/inject: "true"
    spec:
      containers:
        - name: server
          image: registry.example.com/cart:1.4.0
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: cart-db, key: password}
`}}}

	exampleNamespaceInjected = ExampleFile{Path: "deploy/namespace.yaml", Content: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
`}

	exampleJobHead = `apiVersion: batch/v1
kind: Job
metadata:
  name: db-migrate
  namespace: shop
spec:
  template:
    metadata:
`
	exampleJobTail = `    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: registry.example.com/cart-migrate:1.4.0
`

	exampleMeshJobSidecar = Example{Files: []ExampleFile{
		exampleNamespaceInjected,
		{Path: "deploy/db-migrate.yaml", Content: exampleJobHead + `      labels: {app: db-migrate}
` + exampleJobTail},
	}}
	exampleMeshJobSidecarFixed = Example{Files: []ExampleFile{
		{Path: "deploy/db-migrate.yaml", Content: exampleJobHead + `      labels: {app: db-migrate}
      annotations:
        sidecar.istio.io/nativeSidecar: "true"
` + exampleJobTail},
	}}

	exampleIgnoreExpired = Example{
		Config: `environments:
  - name: prod
    kustomize:
      path: deploy
    namespace: shop

ignore:
  - rules: [mesh-injection]
    workloads: ["Job/shop/db-migrate"]
    reason: migrations run before the mesh is up
    until: 2024-12-31
`,
		Files: []ExampleFile{
			{Path: "deploy/kustomization.yaml", Content: `resources:
  - db-migrate.yaml
`},
			{Path: "deploy/db-migrate.yaml", Content: exampleJobHead + `      labels: {app: db-migrate}
` + exampleJobTail},
		},
	}
	exampleIgnoreExpiredFixed = Example{Config: `environments:
  - name: prod
    kustomize:
      path: deploy
    namespace: shop

ignore:
  - rules: [mesh-injection]
    workloads: ["Job/shop/db-migrate"]
    reason: migrations run before the mesh is up
    until: 2099-12-31
`}
)
