package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// moduleRoot is the folder holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's folder")
		}
		dir = parent
	}
}

func schemaPath(t *testing.T) string {
	return filepath.Join(moduleRoot(t), "schema", "meshgate.schema.json")
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	// date and regex formats are part of the contract, as Load checks them.
	c.AssertFormat()
	if err := c.AddResource("meshgate.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("meshgate.schema.json")
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return sch
}

// yamlToJSON converts a YAML document the way a YAML 1.2 editor sees it:
// unquoted dates are strings, merge keys are expanded, a repeated key keeps
// its last value.
func yamlToJSON(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return nodeToJSON(doc.Content[0], 0)
}

func nodeToJSON(n *yaml.Node, depth int) (any, error) {
	if depth > 100 {
		return nil, errors.New("too deep (alias cycle?)")
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nodeToJSON(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			v, err := nodeToJSON(c, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		var merged []map[string]any
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := nodeToJSON(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			if n.Content[i].ShortTag() == "!!merge" {
				switch v := v.(type) {
				case map[string]any:
					merged = append(merged, v)
				case []any:
					for _, m := range v {
						if m, ok := m.(map[string]any); ok {
							merged = append(merged, m)
						}
					}
				}
				continue
			}
			out[n.Content[i].Value] = v
		}
		for _, m := range merged {
			for k, v := range m {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
		}
		return out, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		err := n.Decode(&b)
		return b, err
	case "!!int":
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if err != nil {
			return json.Number(n.Value), nil
		}
		return i, nil
	case "!!float":
		var f float64
		err := n.Decode(&f)
		return f, err
	}
	return n.Value, nil
}

func validateYAML(t *testing.T, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	v, err := yamlToJSON(data)
	if err != nil {
		t.Fatalf("convert YAML to JSON: %v", err)
	}
	return sch.Validate(v)
}

func TestSchemaFixtures(t *testing.T) {
	sch := compileSchema(t)
	success, _ := filepath.Glob(filepath.Join(loadRoot, "success.*.yaml"))
	nested, _ := filepath.Glob(filepath.Join(loadRoot, "*", "success.*.yaml"))
	for _, f := range append(success, nested...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := validateYAML(t, sch, data); err != nil {
			t.Errorf("%s: schema rejects a valid config:\n%v", f, err)
		}
	}
	for _, tc := range failureFixtures {
		if tc.schema == schemaNA {
			continue
		}
		data, err := os.ReadFile(filepath.Join(loadRoot, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		err = validateYAML(t, sch, data)
		switch {
		case tc.schema == schemaRejects && err == nil:
			t.Errorf("%s: schema accepts it", tc.file)
		case tc.schema == schemaAccepts && err != nil:
			t.Errorf("%s: schema rejects it, mark it schemaRejects:\n%v", tc.file, err)
		}
	}
}

// TestSchemaAgreesWithLoad checks one structural case at a time: valid by
// Load if and only if valid by the schema. semantic cases are problems only
// Load can see; the schema accepts them.
func TestSchemaAgreesWithLoad(t *testing.T) {
	const env = "environments: [{name: a, kustomize: {path: k}}]\n"
	const helm = "environments:\n  - name: a\n    helm:\n      chart: c\n"
	cases := []struct {
		name     string
		yaml     string
		valid    bool
		semantic bool
	}{
		{"minimal", env, true, false},
		{"empty file", "", false, false},
		{"no environments", "environments: []\n", false, false},
		{"null environments", "environments:\n", false, false},
		{"top-level list", "- a\n", false, false},
		{"unknown top-level field", env + "extra: 1\n", false, false},
		{"environment without name", "environments: [{kustomize: {path: k}}]\n", false, false},
		{"environment name empty", "environments: [{name: '', kustomize: {path: k}}]\n", false, false},
		{"environment name number", "environments: [{name: 1, kustomize: {path: k}}]\n", false, false},
		{"environment name unquoted date", "environments: [{name: 2027-01-01, kustomize: {path: k}}]\n", true, false},
		{"environment both sources", "environments: [{name: a, kustomize: {path: k}, helm: {chart: c}}]\n", false, false},
		{"environment no source", "environments: [{name: a}]\n", false, false},
		{"kustomize namespace", "environments: [{name: a, kustomize: {path: k}, namespace: shop}]\n", true, false},
		{"helm with env namespace", "environments: [{name: a, helm: {chart: c}, namespace: shop}]\n", false, false},
		{"bad namespace", "environments: [{name: a, kustomize: {path: k}, namespace: Shop}]\n", false, false},
		{"kustomize without path", "environments: [{name: a, kustomize: {}}]\n", false, false},
		{"kustomize null", "environments: [{name: a, kustomize: }]\n", false, false},
		{"manifests", "environments: [{name: a, manifests: {path: k}, namespace: shop}]\n", true, false},
		{"manifests all fields", "environments: [{name: a, manifests: {path: k, recursive: true, include: ['*.yaml', '{a,b}/*'], exclude: [x.json]}}]\n", true, false},
		{"manifests null lists", "environments: [{name: a, manifests: {path: k, include: , exclude: }}]\n", true, false},
		{"manifests without path", "environments: [{name: a, manifests: {recursive: true}}]\n", false, false},
		{"manifests recursive string", "environments: [{name: a, manifests: {path: k, recursive: 'yes'}}]\n", false, false},
		{"manifests include string", "environments: [{name: a, manifests: {path: k, include: '*.yaml'}}]\n", false, false},
		{"manifests unknown field", "environments: [{name: a, manifests: {path: k, recurse: true}}]\n", false, false},
		{"manifests and kustomize", "environments: [{name: a, manifests: {path: k}, kustomize: {path: k}}]\n", false, false},
		{"manifests bad glob", "environments: [{name: a, manifests: {path: k, exclude: ['[']}}]\n", false, true},
		{"helm without chart", "environments: [{name: a, helm: {release: r}}]\n", false, false},
		{"helm all fields", helm + "      release: shop.v2\n      namespace: shop\n      values: [v.yaml]\n      set: {a.b: x, n: 1, f: 1.5, b: true, z: null}\n      kubeVersion: v1.30.2-eks-1234\n      apiVersions: [monitoring.coreos.com/v1]\n      includeHooks: false\n", true, false},
		{"helm null lists", helm + "      values:\n      apiVersions:\n      set:\n", true, false},
		{"helm set list", helm + "      set: {a: [1]}\n", false, false},
		{"helm values string", helm + "      values: v.yaml\n", false, false},
		{"helm values empty item", helm + "      values: ['']\n", false, false},
		{"helm kubeVersion number", helm + "      kubeVersion: 1.31\n", false, false},
		{"helm kubeVersion word", helm + "      kubeVersion: latest\n", false, false},
		{"helm includeHooks yes", helm + "      includeHooks: yes\n", false, false},
		{"helm release uppercase", helm + "      release: Shop\n", false, false},
		{"helm release too long", helm + "      release: " + strings.Repeat("a", 54) + "\n", false, false},
		{"helm unknown field", helm + "      version: 1.0.0\n", false, false},
		{"chart absolute", "environments: [{name: a, helm: {chart: /charts/c}}]\n", false, false},
		{"chart URL", "environments: [{name: a, helm: {chart: 'oci://r/c'}}]\n", false, false},
		{"chart escapes root", "environments: [{name: a, helm: {chart: ../c}}]\n", false, true},
		{"duplicate environment names", "environments: [{name: a, kustomize: {path: k}}, {name: a, kustomize: {path: j}}]\n", false, true},
		{"duplicate key", env + "mesh: {provider: istio, provider: kuma}\n", false, true},
		{"mesh null", env + "mesh:\n", true, false},
		{"mesh list", env + "mesh: []\n", false, false},
		{"mesh all fields", env + "mesh: {provider: istio-ambient, namespaces: {shop: {istio.io/dataplane-mode: ambient}, empty: }, jobs: ignore, injectByDefault: true}\n", true, false},
		{"provider invalid", env + "mesh: {provider: istoi}\n", false, false},
		{"mesh version and install", env + "mesh: {provider: linkerd, version: edge-26.8.3, kubernetesVersion: 1.33.1, install: {autoInject: false, nativeSidecars: auto, serviceAccountTokenProjection: false, allowNamespaces: ['*', shop], denyNamespaces: []}, optOut: error}\n", true, false},
		{"mesh version stable", env + "mesh: {provider: linkerd, version: stable-2.14.10}\n", true, false},
		{"mesh version number", env + "mesh: {version: 1.28}\n", false, false},
		{"mesh version word", env + "mesh: {version: latest}\n", false, false},
		{"mesh version edge for istio", env + "mesh: {provider: istio, version: edge-26.8}\n", false, true},
		{"mesh version major for kuma", env + "mesh: {provider: kuma, version: '1.8'}\n", false, true},
		{"install null", env + "mesh: {install: }\n", true, false},
		{"install unknown field", env + "mesh: {install: {autoinject: true}}\n", false, false},
		{"install nativeSidecars word", env + "mesh: {install: {nativeSidecars: always}}\n", false, false},
		{"install autoInject string", env + "mesh: {install: {autoInject: enabled}}\n", false, false},
		{"install bad namespace", env + "mesh: {install: {denyNamespaces: [Kube]}}\n", false, false},
		{"optOut invalid", env + "mesh: {optOut: ignore}\n", false, false},
		{"kubernetesVersion word", env + "mesh: {kubernetesVersion: latest}\n", false, false},
		{"jobs invalid", env + "mesh: {jobs: fail}\n", false, false},
		{"injectByDefault string", env + "mesh: {injectByDefault: 'true'}\n", false, false},
		{"namespace fact number", env + "mesh: {namespaces: {shop: {kuma.io/sidecar-injection: 1}}}\n", false, false},
		{"namespace fact bad name", env + "mesh: {namespaces: {Shop: {a: b}}}\n", false, false},
		{"matcher string", env + "mesh: {require: {labels: {app: web}}}\n", true, false},
		{"matcher present", env + "mesh: {require: {labels: {app: {present: true}}}}\n", true, false},
		{"matcher present false", env + "mesh: {require: {labels: {app: {present: false}}}}\n", false, false},
		{"matcher equals", env + "mesh: {require: {labels: {app: {equals: ''}}}}\n", true, false},
		{"matcher equals number", env + "mesh: {require: {labels: {app: {equals: 1}}}}\n", false, false},
		{"matcher matches", env + "mesh: {require: {annotations: {a: {matches: '^[0-9]+m$'}}}}\n", true, false},
		{"matcher bad regex", env + "mesh: {require: {annotations: {a: {matches: '('}}}}\n", false, false},
		{"matcher hasKey", env + "mesh: {require: {annotations: {a: {hasKey: proxyMetadata.ID}}}}\n", true, false},
		{"matcher hasKey empty segment", env + "mesh: {require: {annotations: {a: {hasKey: a..b}}}}\n", false, false},
		{"matcher empty", env + "mesh: {require: {annotations: {a: {}}}}\n", false, false},
		{"matcher two kinds", env + "mesh: {require: {annotations: {a: {equals: x, matches: y}}}}\n", false, false},
		{"matcher unknown kind", env + "mesh: {require: {annotations: {a: {contains: x}}}}\n", false, false},
		{"matcher number", env + "mesh: {require: {annotations: {a: 3}}}\n", false, false},
		{"matcher null", env + "mesh: {require: {annotations: {a: }}}\n", false, false},
		{"require env", env + "mesh: {require: {env: [A, B]}}\n", true, false},
		{"require env string", env + "mesh: {require: {env: A}}\n", false, false},
		{"secrets", env + "secrets: {external: [vault-*, ns/regcred], checkKeys: false}\n", true, false},
		{"secrets external two slashes", env + "secrets: {external: [a/b/c]}\n", false, false},
		{"secrets bad glob", env + "secrets: {external: ['vault-[']}\n", false, true},
		{"secrets checkKeys string", env + "secrets: {checkKeys: 'no'}\n", false, false},
		{"rule", env + "rules: [{name: r, match: {environments: [a], kinds: [Deploy*], namespaces: [pay*], names: ['*'], labels: {tier: ''}}, require: {env: [A]}, severity: notice}]\n", true, false},
		{"rule without name", env + "rules: [{require: {env: [A]}}]\n", false, false},
		{"rule without require", env + "rules: [{name: r}]\n", false, false},
		{"rule require null", env + "rules: [{name: r, require: }]\n", false, false},
		{"rule require empty", env + "rules: [{name: r, require: {}}]\n", false, false},
		{"rule bad severity", env + "rules: [{name: r, require: {env: [A]}, severity: fatal}]\n", false, false},
		{"rule unknown environment", env + "gitops: {enabled: false}\nrules: [{name: r, match: {environments: [b]}, require: {env: [A]}}]\n", false, true},
		{"rule duplicate names", env + "rules: [{name: r, require: {env: [A]}}, {name: r, require: {env: [B]}}]\n", false, true},
		{"ignore", env + "ignore: [{rules: [mesh-env], workloads: ['Job/*/x'], environments: [a], reason: r, until: 2027-01-31}]\n", true, false},
		{"ignore without reason", env + "ignore: [{workloads: ['Job/*/x']}]\n", true, false},
		{"ignore only reason", env + "ignore: [{reason: r}]\n", false, false},
		{"ignore empty rules only", env + "ignore: [{rules: [], reason: r}]\n", false, false},
		{"ignore unknown rule", env + "ignore: [{rules: [mesh], reason: r}]\n", false, false},
		{"ignore workload shape", env + "ignore: [{workloads: [db-migrate]}]\n", false, false},
		{"ignore until quoted", env + "ignore: [{rules: [mesh-env], until: '2027-01-31'}]\n", true, false},
		{"ignore until bad month", env + "ignore: [{rules: [mesh-env], until: 2027-13-01}]\n", false, false},
		{"ignore until bad day", env + "ignore: [{rules: [mesh-env], until: 2027-02-30}]\n", false, false},
		{"ignore until number", env + "ignore: [{rules: [mesh-env], until: 20270131}]\n", false, false},
		{"ignore unknown field", env + "ignore: [{rules: [mesh-env], expires: 2027-01-31}]\n", false, false},
		{"ignore list of strings", env + "ignore: [mesh-env]\n", false, false},
		{"limits", env + "limits: {renderTimeout: 2m30s, maxRenderedBytes: 32MiB, maxObjects: 500}\n", true, false},
		{"limits null", env + "limits:\n", true, false},
		{"limits bytes number", env + "limits: {maxRenderedBytes: 1048576}\n", true, false},
		{"limits bytes Ki", env + "limits: {maxRenderedBytes: 512Ki}\n", true, false},
		{"limits bytes MB", env + "limits: {maxRenderedBytes: 64MB}\n", false, false},
		{"limits bytes zero", env + "limits: {maxRenderedBytes: 0}\n", false, false},
		{"limits bytes negative", env + "limits: {maxRenderedBytes: -1}\n", false, false},
		{"limits timeout number", env + "limits: {renderTimeout: 60}\n", false, false},
		{"limits timeout no unit", env + "limits: {renderTimeout: '60'}\n", false, false},
		{"limits timeout too short", env + "limits: {renderTimeout: 10ms}\n", false, true},
		{"limits objects zero", env + "limits: {maxObjects: 0}\n", false, false},
		{"limits objects string", env + "limits: {maxObjects: '10'}\n", false, false},
		{"limits unknown field", env + "limits: {timeout: 60s}\n", false, false},
	}
	sch := compileSchema(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, ".meshgate.yaml"), []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, loadErr := Load(dir, ".meshgate.yaml")
			if (loadErr == nil) != tc.valid {
				t.Errorf("Load valid = %v, want %v: %v", loadErr == nil, tc.valid, loadErr)
			}
			schemaErr := validateYAML(t, sch, []byte(tc.yaml))
			if want := tc.valid || tc.semantic; (schemaErr == nil) != want {
				t.Errorf("schema valid = %v, want %v: %v", schemaErr == nil, want, schemaErr)
			}
		})
	}
}

// TestSchemaRepoConfigs checks every .meshgate.yaml of the repository's
// testdata/ and docs/: valid for Load and the schema, except files under a
// folder named failure.* or failure-*, which Load must reject.
func TestSchemaRepoConfigs(t *testing.T) {
	root := moduleRoot(t)
	sch := compileSchema(t)
	for _, top := range []string{"testdata", "docs"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, de fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == filepath.Join(root, top) {
				return filepath.SkipDir
			}
			if err != nil || de.IsDir() || !isConfigName(de.Name()) {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, loadErr := Load(filepath.Dir(p), de.Name())
			if expectsFailure(rel) {
				if loadErr == nil {
					t.Errorf("%s: Load accepts a config its folder name says is broken", rel)
				}
				return nil
			}
			if loadErr != nil {
				t.Errorf("%s: Load: %v", rel, loadErr)
			}
			if err := validateYAML(t, sch, data); err != nil {
				t.Errorf("%s: schema: %v", rel, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func isConfigName(name string) bool {
	for _, n := range FileNames {
		if name == n {
			return true
		}
	}
	return false
}

func expectsFailure(rel string) bool {
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if strings.HasPrefix(part, "failure.") || strings.HasPrefix(part, "failure-") {
			return true
		}
	}
	return false
}

// TestSchemaLists keeps the schema's enums and defaults in step with the Go
// lists Load validates against.
func TestSchemaLists(t *testing.T) {
	data, err := os.ReadFile(schemaPath(t))
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	at := func(path ...string) any {
		var v any = s
		for _, p := range path {
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("schema has no %s", strings.Join(path, "."))
			}
			v = m[p]
		}
		return v
	}
	strs := func(v any) []string {
		var out []string
		for _, x := range v.([]any) {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"ignore rules", strs(at("$defs", "ignore", "properties", "rules", "items", "enum")), finding.RuleIDs},
		{"providers", strs(at("$defs", "mesh", "properties", "provider", "enum")), Providers},
		{"jobs", strs(at("$defs", "mesh", "properties", "jobs", "enum")), JobPolicies},
		{"severities", strs(at("$defs", "rule", "properties", "severity", "enum")), finding.Severities},
		{"provider default", at("$defs", "mesh", "properties", "provider", "default"), DefaultProvider},
		{"jobs default", at("$defs", "mesh", "properties", "jobs", "default"), DefaultJobs},
		{"severity default", at("$defs", "rule", "properties", "severity", "default"), DefaultSeverity},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: schema has %v, Go has %v", c.name, c.got, c.want)
		}
	}
}
