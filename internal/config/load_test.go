package config

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// schemaVerdict is what the JSON Schema says of a fixture that Load rejects.
type schemaVerdict int

const (
	// schemaRejects: a structural problem the schema catches too.
	schemaRejects schemaVerdict = iota
	// schemaAccepts: a problem only Load can see (duplicate keys, names that
	// refer to other entries, paths leaving the repository, ...).
	schemaAccepts
	// schemaNA: not YAML the schema can be applied to at all.
	schemaNA
)

var failureFixtures = []struct {
	file   string
	want   string
	schema schemaVerdict
}{
	{"failure.alias-cycle.yaml", `failure.alias-cycle.yaml:1:1: aliases expand to more than 1048576 nodes, or an alias refers to a node that contains it`, schemaNA},
	{"failure.bad-glob.yaml", `failure.bad-glob.yaml:5:14: secrets.external[0]: invalid glob "vault-[": unclosed [ or trailing \
failure.bad-glob.yaml:5:25: secrets.external[1]: "a/b/c" must be NAME or NAMESPACE/NAME, e.g. "regcred"
failure.bad-glob.yaml:8:21: rules[0].match.kinds[0]: invalid glob "Deploy[ment": unclosed [ or trailing \
failure.bad-glob.yaml:8:45: rules[0].match.names[0]: invalid glob "\\": unclosed [ or trailing \
failure.bad-glob.yaml:11:17: ignore[0].workloads[0]: "db-migrate" must be Kind/namespace/name, e.g. "Job/*/db-migrate"
failure.bad-glob.yaml:11:49: ignore[0].workloads[2]: invalid glob "Job/[x/y": unclosed [ or trailing \`, schemaRejects},
	{"failure.bad-regex.yaml", `failure.bad-regex.yaml:7:44: mesh.require.annotations["sidecar.istio.io/proxyCPU"].matches: invalid regular expression "^([0-9]+m$": missing closing )
failure.bad-regex.yaml:8:47: mesh.require.annotations["sidecar.istio.io/proxyMemory"].matches: invalid regular expression "(?=lookahead)": invalid or unsupported Perl syntax`, schemaRejects},
	{"failure.bad-until.yaml", `failure.bad-until.yaml:7:12: ignore[0].until: invalid date "2027-13-01": use YYYY-MM-DD
failure.bad-until.yaml:10:12: ignore[1].until: invalid date "next week": use YYYY-MM-DD
failure.bad-until.yaml:13:12: ignore[2].until: invalid date "2027-02-30": use YYYY-MM-DD
failure.bad-until.yaml:16:12: ignore[3].until: invalid date "2027-01-31T10:00:00Z": use YYYY-MM-DD`, schemaRejects},
	{"failure.drift.yaml", `failure.drift.yaml:5:13: drift.siblings: expected true or false, got a string
failure.drift.yaml:6:11: drift.quorum: invalid share 1.5: use a number above 0 and at most 1, e.g. 0.75
failure.drift.yaml:7:13: drift.minGroup: invalid number 0: use a whole number from 1 to 2147483647
failure.drift.yaml:8:9: drift.env[0]: invalid glob "ISTIO_[*": unclosed [ or trailing \
failure.drift.yaml:9:3: drift.ignor: unknown field (did you mean "ignore"?)`, schemaRejects},
	{"failure.duplicate-key.yaml", `failure.duplicate-key.yaml:3:5: environments[0].name: duplicate key (first at line 2)
failure.duplicate-key.yaml:11:7: mesh.require.labels.app: duplicate key (first at line 10)
failure.duplicate-key.yaml:12:1: mesh: duplicate key (first at line 6)`, schemaAccepts},
	{"failure.empty.yaml", `failure.empty.yaml:1:1: environments: no environments listed (list at least one, or delete the config file to let meshgate discover them)`, schemaRejects},
	{"failure.enum.yaml", `failure.enum.yaml:5:13: mesh.provider: invalid value "istoi" (valid: istio, istio-ambient, linkerd, consul, kuma, none)
failure.enum.yaml:6:9: mesh.jobs: invalid value "fail" (valid: require, warn, ignore)
failure.enum.yaml:10:15: rules[0].severity: invalid value "critical" (valid: error, warning, notice)`, schemaRejects},
	{"failure.mesh-install.yaml", `failure.mesh-install.yaml:5:12: mesh.version: invalid kuma version "edge-26.8": use e.g. "2.14"
failure.mesh-install.yaml:7:22: mesh.kubernetesVersion: invalid Kubernetes version "latest": use MAJOR.MINOR.PATCH, e.g. "1.34.0"
failure.mesh-install.yaml:9:21: mesh.install.nativeSidecars: invalid value "always" (valid: true, false, auto)
failure.mesh-install.yaml:10:17: mesh.install.autoInject: expected true or false, got a string
failure.mesh-install.yaml:11:22: mesh.install.denyNamespaces[0]: invalid namespace "Kube-System": use lowercase letters, digits and '-', at most 63 characters, or "*"
failure.mesh-install.yaml:12:11: mesh.optOut: invalid value "ignore" (valid: error, warning, notice)`, schemaRejects},
	{"failure.environments.yaml", `failure.environments.yaml:2:5: environments[0].name: is required
failure.environments.yaml:6:11: environments[2].name: duplicate environment name "prod" (first at line 4)
failure.environments.yaml:8:5: environments[3]: sets both helm and kustomize; an environment renders one of them
failure.environments.yaml:11:5: environments[4]: needs helm, kustomize or manifests
failure.environments.yaml:15:7: environments[5].helm.chart: is required
failure.environments.yaml:17:16: environments[6].kustomize.path: is required
failure.environments.yaml:20:5: environments[7].namespace: applies to kustomize and manifests environments; a helm environment sets helm.namespace
failure.environments.yaml:21:11: environments[8].name: must not be empty`, schemaRejects},
	{"failure.ignore-everything.yaml", `failure.ignore-everything.yaml:5:5: ignore[0]: needs rules, workloads or environments: an exemption of everything is not allowed
failure.ignore-everything.yaml:6:5: ignore[1]: needs rules, workloads or environments: an exemption of everything is not allowed`, schemaRejects},
	{"failure.invalid-names.yaml", `failure.invalid-names.yaml:5:16: environments[0].helm.release: invalid release name "Shop_App": use lowercase letters, digits, '-' and '.', at most 53 characters
failure.invalid-names.yaml:6:18: environments[0].helm.namespace: invalid namespace "Shop": use lowercase letters, digits and '-', at most 63 characters
failure.invalid-names.yaml:7:20: environments[0].helm.kubeVersion: invalid Kubernetes version "latest": use MAJOR.MINOR.PATCH, e.g. "1.34.0"
failure.invalid-names.yaml:10:5: mesh.namespaces.Payments: invalid namespace "Payments": use lowercase letters, digits and '-', at most 63 characters`, schemaRejects},
	{"failure.manifests.yaml", `failure.manifests.yaml:3:16: environments[0].manifests.path: is required
failure.manifests.yaml:7:18: environments[1].manifests.recursive: expected true or false, got a string
failure.manifests.yaml:8:27: environments[1].manifests.include[1]: invalid glob "[": unexpected end of input
failure.manifests.yaml:9:17: environments[1].manifests.exclude[0]: invalid glob "[z-a].yaml": hi character 'a' should be greater than lo 'z'
failure.manifests.yaml:10:7: environments[1].manifests.recurse: unknown field (did you mean "recursive"?)
failure.manifests.yaml:11:5: environments[2]: sets helm, kustomize and manifests; an environment renders one of them
failure.manifests.yaml:16:23: environments[3].manifests.path: must be a path in the repository, not a URL`, schemaRejects},
	{"failure.matcher.yaml", `failure.matcher.yaml:7:12: mesh.require.labels.app: needs one of present, equals, matches, hasKey
failure.matcher.yaml:8:13: mesh.require.labels.tier: set exactly one of present, equals, matches, hasKey (got equals, matches)
failure.matcher.yaml:9:26: mesh.require.labels.version.present: must be true: present: false requires nothing (remove the requirement)
failure.matcher.yaml:11:39: mesh.require.annotations["proxy.istio.io/config"].hasKey: invalid key path "proxyMetadata..ID": empty segment
failure.matcher.yaml:12:29: mesh.require.annotations.team.unknown: unknown field (valid: present, equals, matches, hasKey)`, schemaRejects},
	{"failure.mesh-install-selectors.yaml", `failure.mesh-install-selectors.yaml:8:9: mesh.install.neverInjectSelector[0]: an empty selector matches no pod (the injector skips it): give matchLabels or matchExpressions
failure.mesh-install-selectors.yaml:9:23: mesh.install.neverInjectSelector[1].matchLabels["bad key!"]: invalid label key "bad key!": use NAME or PREFIX/NAME, NAME at most 63 letters, digits, '-', '_' or '.'
failure.mesh-install-selectors.yaml:9:43: mesh.install.neverInjectSelector[1].matchLabels.app: invalid label value "no spaces": at most 63 letters, digits, '-', '_' or '.'
failure.mesh-install-selectors.yaml:11:34: mesh.install.neverInjectSelector[2].matchExpressions[0].operator: invalid value "in" (valid: In, NotIn, Exists, DoesNotExist)
failure.mesh-install-selectors.yaml:12:13: mesh.install.neverInjectSelector[2].matchExpressions[1].values: operator NotIn needs at least one value
failure.mesh-install-selectors.yaml:13:50: mesh.install.neverInjectSelector[2].matchExpressions[2].values: operator Exists takes no values
failure.mesh-install-selectors.yaml:14:13: mesh.install.neverInjectSelector[2].matchExpressions[3]: key is required
failure.mesh-install-selectors.yaml:15:27: mesh.install.alwaysInjectSelector: expected a list, got a map
failure.mesh-install-selectors.yaml:16:48: mesh.install.exceptionLabels["openshift.io/build.name"]: invalid label value "**": at most 63 letters, digits, '-', '_' or '.', or "*" for any value
failure.mesh-install-selectors.yaml:17:28: mesh.install.controlPlaneNamespace: invalid namespace "Kuma_System": use lowercase letters, digits and '-', at most 63 characters`, schemaRejects},
	{"failure.multi-document.yaml", `failure.multi-document.yaml:5:1: a config file holds one YAML document; a second one starts here`, schemaAccepts},
	{"failure.no-environments.yaml", `failure.no-environments.yaml:1:15: environments: no environments listed (list at least one, or delete the config file to let meshgate discover them)`, schemaRejects},
	{"failure.path-escapes.yaml", `failure.path-escapes.yaml:4:14: environments[0].helm.chart: path escapes the repository root
failure.path-escapes.yaml:5:16: environments[0].helm.values[0]: must be relative to the config file's folder, not absolute
failure.path-escapes.yaml:5:43: environments[0].helm.values[2]: path escapes the repository root
failure.path-escapes.yaml:8:14: environments[1].helm.chart: must be a path in the repository, not a URL
failure.path-escapes.yaml:10:23: environments[2].kustomize.path: path escapes the repository root`, schemaRejects},
	{"failure.rules.yaml", `failure.rules.yaml:5:5: rules[0].name: is required
failure.rules.yaml:8:14: rules[1].require: requires nothing: set annotations, labels or env
failure.rules.yaml:9:5: rules[2].require: is required
failure.rules.yaml:12:11: rules[4].name: duplicate rule name "dup" (first at line 10)
failure.rules.yaml:14:5: rules[5].name: is required
failure.rules.yaml:14:5: rules[5].require: is required`, schemaRejects},
	{"failure.syntax.yaml", `failure.syntax.yaml:2: did not find expected ',' or '}'`, schemaNA},
	{"failure.top-level-list.yaml", `failure.top-level-list.yaml:1:1: expected a map, got a list`, schemaRejects},
	{"failure.unknown-environment.yaml", `failure.unknown-environment.yaml:8:34: rules[0].match.environments[1]: "prd" matches no environment (environments: prod, staging)
failure.unknown-environment.yaml:11:20: ignore[0].environments[0]: "stagin" matches no environment (environments: prod, staging)`, schemaAccepts},
	{"failure.unknown-field.yaml", `failure.unknown-field.yaml:5:7: environments[0].helm.kubeversion: unknown field (did you mean "kubeVersion"?)
failure.unknown-field.yaml:6:7: environments[0].helm.releaseName: unknown field (valid: chart, release, namespace, values, set, kubeVersion, apiVersions, includeHooks)
failure.unknown-field.yaml:7:5: environments[0].kustomise: unknown field (did you mean "kustomize"?)
failure.unknown-field.yaml:12:5: mesh.require.annotation: unknown field (did you mean "annotations"?)
failure.unknown-field.yaml:14:1: reports: unknown field (valid: environments, mesh, secrets, rules, ignore, limits, drift, gitops)`, schemaRejects},
	{"failure.gitops.yaml", `failure.gitops.yaml:5:12: gitops.enabled: expected true or false, got a string
failure.gitops.yaml:6:14: gitops.repoURLs[0]: invalid repository URL "not a url": use https://HOST/OWNER/REPO or git@HOST:OWNER/REPO
failure.gitops.yaml:6:25: gitops.repoURLs[1]: invalid repository URL "acme": use https://HOST/OWNER/REPO or git@HOST:OWNER/REPO
failure.gitops.yaml:8:7: gitops.charts[0].path: is required
failure.gitops.yaml:9:52: gitops.charts[1].chart: must not be empty
failure.gitops.yaml:9:62: gitops.charts[1].path: path escapes the repository root
failure.gitops.yaml:9:74: gitops.charts[1].vesion: unknown field (did you mean "version"?)
failure.gitops.yaml:10:13: gitops.maxDepth: invalid depth 50: at most 20`, schemaRejects},
	{"failure.unknown-rule.yaml", `failure.unknown-rule.yaml:5:13: ignore[0].rules[0]: unknown rule "mesh-injektion" (did you mean "mesh-injection"?)
failure.unknown-rule.yaml:5:45: ignore[0].rules[2]: unknown rule "nonsense" (valid: render-error, render-warning, mesh-injection, mesh-annotation, mesh-env, secret-missing, secret-key-missing, mesh-job-sidecar, mesh-drift, ignore-expired, gitops-not-rendered)`, schemaRejects},
	{"failure.wrong-type.yaml", `failure.wrong-type.yaml:5:15: environments[0].helm.values: expected a list, got a string
failure.wrong-type.yaml:6:20: environments[0].helm.set.image: expected a string, number or boolean, got a map (set lists and maps in a values file)
failure.wrong-type.yaml:7:20: environments[0].helm.kubeVersion: expected a string, got a number (quote it: "1.31")
failure.wrong-type.yaml:8:21: environments[0].helm.includeHooks: expected true or false, got a string
failure.wrong-type.yaml:9:5: environments[1]: expected a map, got a string
failure.wrong-type.yaml:10:7: mesh: expected a map, got a list
failure.wrong-type.yaml:12:13: secrets.external: expected a list, got a string
failure.wrong-type.yaml:13:14: secrets.checkKeys: expected true or false, got a number
failure.wrong-type.yaml:18:18: rules[0].require.labels.version: expected a string or a map, got a number (quote it: "2")
failure.wrong-type.yaml:19:14: rules[0].require.labels.app: expected a string or a map, got null`, schemaRejects},
}

const loadRoot = "testdata/load"

func TestLoadFailures(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range failureFixtures {
		seen[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			cfg, err := Load(loadRoot, tc.file)
			if cfg != nil {
				t.Errorf("Load returned a config with the error")
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Load error = %v (%T), want a *ValidationError", err, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("Load error:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
	// Every failure fixture is in the table, so none goes untested.
	files, _ := filepath.Glob(filepath.Join(loadRoot, "failure.*.yaml"))
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("fixture %s has no expected result in failureFixtures", f)
		}
	}
}

func TestLoadProblemFields(t *testing.T) {
	_, err := Load(loadRoot, "failure.environments.yaml")
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Load error = %v, want a *ValidationError", err)
	}
	want := Problem{File: "failure.environments.yaml", Line: 6, Column: 11, Field: "environments[2].name", Message: `duplicate environment name "prod" (first at line 4)`}
	if ve.Problems[1] != want {
		t.Errorf("problem = %#v, want %#v", ve.Problems[1], want)
	}
}

func TestLoadUnreadable(t *testing.T) {
	_, err := Load(loadRoot, "missing.yaml")
	var ve *ValidationError
	if errors.As(err, &ve) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load error = %v, want a not-exist error that is no ValidationError", err)
	}
	if !strings.HasPrefix(err.Error(), "read config missing.yaml: ") {
		t.Errorf("Load error = %q, want it to name the file", err)
	}
}

func strp(s string) *string { return &s }

// checkRegexps verifies compiled matchers and clears them for DeepEqual.
func checkRegexps(t *testing.T, r *Requirements) {
	t.Helper()
	for _, ms := range []map[string]Matcher{r.Annotations, r.Labels} {
		for k, m := range ms {
			switch {
			case m.Matches == "" && m.Regexp != nil:
				t.Errorf("%s: Regexp set without matches", k)
			case m.Matches != "" && (m.Regexp == nil || m.Regexp.String() != m.Matches):
				t.Errorf("%s: Regexp = %v, want %q compiled", k, m.Regexp, m.Matches)
			}
			m.Regexp = nil
			ms[k] = m
		}
	}
}

func loadOK(t *testing.T, root, file string) *Config {
	t.Helper()
	cfg, err := Load(root, file)
	if err != nil {
		t.Fatalf("Load(%s): %v", file, err)
	}
	abs, _ := filepath.Abs(root)
	if cfg.Root != abs {
		t.Errorf("Root = %q, want %q", cfg.Root, abs)
	}
	if cfg.Discovered {
		t.Errorf("Discovered = true for a config file")
	}
	checkRegexps(t, &cfg.Mesh.Require)
	for i := range cfg.Rules {
		checkRegexps(t, &cfg.Rules[i].Require)
	}
	cfg.Root = ""
	return cfg
}

func TestLoadFull(t *testing.T) {
	got := loadOK(t, loadRoot, "success.full.yaml")
	want := &Config{
		File: "success.full.yaml",
		Environments: []Environment{
			{Name: "staging", Line: 2, Helm: &Helm{
				Chart: "charts/shop", Release: "shop", Namespace: "shop-staging",
				Values:      []string{"envs/staging.yaml"},
				Set:         map[string]string{"image.tag": "1.2.3", "replicas": "2", "debug": "true"},
				KubeVersion: "1.31.0", APIVersions: []string{"monitoring.coreos.com/v1"},
				IncludeHooks: ptr(false),
			}},
			{Name: "prod", Line: 12, Kustomize: &Kustomize{Path: "deploy/overlays/prod"}, Namespace: "shop"},
		},
		Mesh: Mesh{
			Provider:   ProviderLinkerd,
			Namespaces: map[string]map[string]string{"shop": {"linkerd.io/inject": "enabled"}},
			Require: Requirements{
				Annotations: map[string]Matcher{
					"proxy.istio.io/config": {HasKey: "proxyMetadata.ISTIO_META_REQUEST_ID"},
					"team":                  {Equals: strp("platform")},
				},
				Labels: map[string]Matcher{
					"app.kubernetes.io/name": {Present: true},
					"version":                {Equals: strp("v1")},
				},
				Env: []string{"ISTIO_META_REQUEST_ID"},
			},
			Jobs:              JobsRequire,
			InjectByDefault:   true,
			Version:           "edge-26.5",
			KubernetesVersion: "1.32.0",
			Install: Install{
				AutoInject: ptr(true), NativeSidecars: NativeFalse, ServiceAccountTokenProjection: ptr(false),
				AllowNamespaces: []string{"*"}, DenyNamespaces: []string{"kube-system"},
				NeverInjectSelector: []LabelSelector{{MatchLabels: map[string]string{"app": "legacy"}}},
				AlwaysInjectSelector: []LabelSelector{{MatchExpressions: []LabelSelectorRequirement{
					{Key: "tier", Operator: SelectorIn, Values: []string{"web"}}, {Key: "batch", Operator: SelectorDoesNotExist},
				}}},
				ExceptionLabels:       map[string]string{"openshift.io/build.name": "*", "team": "ops"},
				ControlPlaneNamespace: "kuma",
			},
			OptOut: OptOutError,
		},
		Secrets: Secrets{External: []string{"vault-*", "regcred", "kube-system/*"}, CheckKeys: ptr(false)},
		Rules: []Rule{{
			Name: "payments-request-id", Line: 50,
			Match: Match{
				Environments: []string{"prod"}, Kinds: []string{"Deployment"},
				Namespaces: []string{"pay*"}, Names: []string{"*"},
				Labels: map[string]string{"tier": "backend"},
			},
			Require: Requirements{
				Annotations: map[string]Matcher{"sidecar.istio.io/proxyCPU": {Matches: "^[0-9]+m$"}},
				Env:         []string{"ISTIO_META_REQUEST_ID"},
			},
			Severity: "warning",
		}},
		Ignore: []Ignore{{
			Rules: []string{"mesh-injection"}, Workloads: []string{"Job/*/db-migrate"},
			Environments: []string{"staging"}, Reason: "migrations run before the mesh is up",
			Until: "2027-01-31", Line: 59,
		}},
		Drift: Drift{
			Siblings: ptr(true), Environments: ptr(false), Commits: ptr(true),
			Quorum: 0.8, MinGroup: 4, Prefixes: []string{"mesh.example.com/"},
			Env: []string{"DD_*"}, Ignore: []string{"sidecar.istio.io/proxyCPU", "ISTIO_META_DNS_*"},
		},
		GitOps: GitOps{
			Enabled:  ptr(true),
			RepoURLs: []string{"https://git.example.com/platform/apps.git", "git@github.com:acme/apps"},
			Charts:   []ChartSource{{RepoURL: "https://charts.example.com", Chart: "podinfo", Version: "6.5.0", Path: "vendor/podinfo", Line: 79}},
			MaxDepth: 3,
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load:\n%s\nwant:\n%s", dump(got), dump(want))
	}
}

func TestLoadDefaults(t *testing.T) {
	got := loadOK(t, loadRoot, "success.minimal.yaml")
	want := &Config{
		File: "success.minimal.yaml",
		Environments: []Environment{
			{Name: "web", Line: 3, Helm: &Helm{
				Chart:        "charts/shop",
				Release:      "shop-app", // from charts/shop/Chart.yaml, not the folder
				Namespace:    "default",
				KubeVersion:  DefaultKubeVersion,
				IncludeHooks: ptr(true),
			}},
			{Name: "api", Line: 6, Kustomize: &Kustomize{Path: "deploy/api"}, Namespace: "default"},
			{Name: "bookinfo", Line: 9, Manifests: &Manifests{Path: "platform/kube"}, Namespace: "default"},
		},
		Mesh:    Mesh{Provider: "istio", Jobs: "warn", OptOut: OptOutNotice, ProviderDefaulted: true},
		Secrets: Secrets{CheckKeys: ptr(true)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load:\n%s\nwant:\n%s", dump(got), dump(want))
	}
	if ns := got.Environments[0].DefaultNamespace(); ns != "default" {
		t.Errorf("helm DefaultNamespace() = %q", ns)
	}
}

func TestLoadManifests(t *testing.T) {
	got := loadOK(t, loadRoot, "success.manifests.yaml")
	want := []Environment{
		{Name: "guestbook", Line: 3, Namespace: "guestbook", Manifests: &Manifests{
			Path: "apps/guestbook", Recursive: true,
			Include: []string{"*.yaml", "{config.json,env-usw2/*}"}, Exclude: []string{"**/test-*"},
		}},
		{Name: "nulls", Line: 10, Namespace: "default", Manifests: &Manifests{Path: "apps/other"}},
	}
	if !reflect.DeepEqual(got.Environments, want) {
		t.Errorf("Environments:\n%s\nwant:\n%s", dump(got.Environments), dump(want))
	}
	if src, p := got.Environments[0].Source(), got.Environments[0].Path(); src != SourceManifests || p != "apps/guestbook" {
		t.Errorf("Source(), Path() = %q, %q", src, p)
	}
}

// TestManifestsSelector: include and exclude as Argo CD's directory source
// matches them, against the path relative to the folder: '*' crosses '/',
// braces give alternatives, exclude wins.
func TestManifestsSelector(t *testing.T) {
	cases := []struct {
		name             string
		include, exclude []string
		rel              string
		want             bool
	}{
		{"no globs", nil, nil, "sub/a.yaml", true},
		{"star crosses slash", []string{"*.yaml"}, nil, "sub/a.yaml", true},
		{"include misses", []string{"*.json"}, nil, "a.yaml", false},
		{"braces", []string{"{config.json,env-usw2/*}"}, nil, "env-usw2/svc.yaml", true},
		{"braces miss", []string{"{config.json,env-usw2/*}"}, nil, "env-use1/svc.yaml", false},
		{"second include", []string{"*.json", "a.*"}, nil, "a.yaml", true},
		{"exclude", nil, []string{"**/test-*"}, "sub/test-a.yaml", false},
		{"exclude wins", []string{"*"}, []string{"secret.yaml"}, "secret.yaml", false},
		{"exclude other", nil, []string{"secret.yaml"}, "sub/secret.yaml", true},
		{"broken include matches nothing", []string{"["}, nil, "a.yaml", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sel := Manifests{Path: "x", Include: tc.include, Exclude: tc.exclude}.Selector()
			if got := sel(tc.rel); got != tc.want {
				t.Errorf("Selector()(%q) = %v, want %v", tc.rel, got, tc.want)
			}
		})
	}
}

func TestLoadRelativePaths(t *testing.T) {
	got := loadOK(t, loadRoot, "nested/success.relative-paths.yaml")
	want := []Environment{
		{Name: "staging", Line: 3, Helm: &Helm{
			Chart: "charts/shop", Release: "shop-app", Namespace: "default",
			Values:      []string{"nested/values/staging.yaml", "envs/common.yaml"},
			KubeVersion: DefaultKubeVersion, IncludeHooks: ptr(true),
		}},
		{Name: "prod", Line: 7, Kustomize: &Kustomize{Path: "nested/overlays/prod"}, Namespace: "default"},
		{Name: "here", Line: 10, Kustomize: &Kustomize{Path: "nested"}, Namespace: "default"},
	}
	if got.File != "nested/success.relative-paths.yaml" {
		t.Errorf("File = %q", got.File)
	}
	if !reflect.DeepEqual(got.Environments, want) {
		t.Errorf("Environments:\n%s\nwant:\n%s", dump(got.Environments), dump(want))
	}
	// The same file given by absolute path.
	abs, _ := filepath.Abs(filepath.Join(loadRoot, "nested/success.relative-paths.yaml"))
	again := loadOK(t, loadRoot, abs)
	if !reflect.DeepEqual(again, got) {
		t.Errorf("absolute file path loads differently:\n%s", dump(again))
	}
}

func TestLoadAnchorsAndNulls(t *testing.T) {
	got := loadOK(t, loadRoot, "success.anchors.yaml")
	helm := func(values string) *Helm {
		return &Helm{Chart: "charts/shop", Release: "shop-app", Namespace: "default", Values: []string{values},
			KubeVersion: DefaultKubeVersion, IncludeHooks: ptr(true)}
	}
	wantEnvs := []Environment{
		{Name: "staging", Line: 3, Helm: helm("envs/staging.yaml")},
		{Name: "prod", Line: 7, Helm: helm("envs/prod.yaml")},
	}
	if !reflect.DeepEqual(got.Environments, wantEnvs) {
		t.Errorf("Environments:\n%s\nwant:\n%s", dump(got.Environments), dump(wantEnvs))
	}
	present := map[string]Matcher{"app": {Present: true}}
	if want := (Requirements{Labels: present, Annotations: present}); !reflect.DeepEqual(got.Mesh.Require, want) {
		t.Errorf("Require = %s, want %s", dump(got.Mesh.Require), dump(want))
	}

	got = loadOK(t, loadRoot, "success.nulls.yaml")
	if got.Mesh.Provider != "istio" || got.Rules != nil || got.Ignore != nil || !got.Secrets.KeysChecked() {
		t.Errorf("null sections: %s", dump(got))
	}
}
