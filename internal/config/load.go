package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/suggest"
	"gopkg.in/yaml.v3"
)

// Load reads the config file (absolute, or relative to root) and validates
// it strictly. Every problem of the file is returned at once as a
// *ValidationError; a file that cannot be read is a plain error. On success
// paths are relative to root with forward slashes, defaults are applied,
// Root is root made absolute and File the config file relative to it.
func Load(root, file string) (*Config, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	abs := file
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(root, abs)
	}
	rel := relTo(root, abs)
	data, err := readConfigFile(root, abs, rel)
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", rel, err)
	}
	d := &decoder{root: root, dir: filepath.Dir(abs), file: rel}
	cfg := d.decode(data)
	if len(d.problems) > 0 {
		return nil, &ValidationError{Problems: sortProblems(d.problems)}
	}
	cfg.Root = root
	cfg.File = rel
	applyDefaults(cfg, root)
	return cfg, nil
}

// relTo is p relative to root with forward slashes; p itself when it is on
// another volume.
func relTo(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

// sortProblems orders problems by position and drops exact repeats, which
// an alias reached twice under the same path would cause.
func sortProblems(ps []Problem) []Problem {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Column < ps[j].Column
	})
	seen := map[Problem]bool{}
	out := ps[:0]
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntax records a YAML syntax error at the line yaml.v3 names.
func (d *decoder) syntax(err error) {
	msg := err.Error()
	p := Problem{File: d.file, Message: strings.TrimPrefix(msg, "yaml: ")}
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Message = m[2]
	}
	d.problems = append(d.problems, p)
}

func (d *decoder) decode(data []byte) *Config {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		d.syntax(err)
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		if len(next.Content) > 0 && !isNull(next.Content[0]) {
			d.add(next.Content[0], "", "a config file holds one YAML document; a second one starts here")
		}
	case !errors.Is(err, io.EOF):
		d.syntax(err)
	}
	var top *yaml.Node
	if len(doc.Content) > 0 {
		top = doc.Content[0]
	}
	if expandedSize(top, map[*yaml.Node]int{}) > maxNodes {
		d.add(top, "", "aliases expand to more than %d nodes, or an alias refers to a node that contains it", maxNodes)
		return nil
	}
	return d.config(top)
}

const noEnvironments = "no environments listed (list at least one, or delete the config file to let meshgate discover them)"

// envRef is an environments glob of ignore or rules, checked against the
// environment names once all are known.
type envRef struct {
	n       *yaml.Node
	field   string
	pattern string
}

func (d *decoder) config(n *yaml.Node) *Config {
	cfg := &Config{}
	if n != nil && resolve(n).Kind != yaml.MappingNode && !isNull(resolve(n)) {
		d.typeErr(resolve(n), "", "a map")
		return cfg
	}
	var envNode, gitopsNode *yaml.Node
	var refs []envRef
	for _, p := range d.fields(n, "", "environments", "mesh", "secrets", "rules", "ignore", "limits", "drift", "gitops") {
		switch p.name {
		case "environments":
			envNode = p.val
			cfg.Environments = d.environments(p.val, p.name)
		case "mesh":
			cfg.Mesh = d.mesh(p.val, p.name)
		case "secrets":
			cfg.Secrets = d.secrets(p.val, p.name)
		case "rules":
			cfg.Rules = d.rules(p.val, p.name, &refs)
		case "ignore":
			cfg.Ignore = d.ignores(p.val, p.name, &refs)
		case "limits":
			cfg.Limits = d.limits(p.val, p.name)
		case "drift":
			cfg.Drift = d.drift(p.val, p.name)
		case "gitops":
			gitopsNode = p.val
			cfg.GitOps = d.gitops(p.val, p.name)
		}
	}
	switch {
	case envNode == nil && gitopsNode != nil && cfg.GitOps.On():
		// The GitOps objects of the repository are its environments.
	case envNode == nil:
		at := n
		if at == nil {
			at = &yaml.Node{Line: 1, Column: 1}
		}
		d.add(at, "environments", "%s", noEnvironments)
	case isNull(resolve(envNode)) || (resolve(envNode).Kind == yaml.SequenceNode && len(resolve(envNode).Content) == 0):
		d.add(resolve(envNode), "environments", "%s", noEnvironments)
	}
	var names []string
	for _, e := range cfg.Environments {
		if e.Name != "" {
			names = append(names, e.Name)
		}
	}
	if len(names) > 0 || cfg.GitOps.On() {
		sort.Strings(names)
		for _, r := range refs {
			if slices.ContainsFunc(names, func(name string) bool { return Glob(r.pattern, name) }) {
				continue
			}
			p := Problem{File: d.file, Line: r.n.Line, Column: r.n.Column, Field: r.field, Message: fmt.Sprintf("%q matches no environment", r.pattern)}
			if cfg.GitOps.On() {
				// It may name an environment of a GitOps object: the
				// engine decides once those are known.
				cfg.Unmatched = append(cfg.Unmatched, p)
				continue
			}
			// A typo here silently turns a rule or an exemption off.
			d.add(r.n, r.field, "%q matches no environment (environments: %s)", r.pattern, strings.Join(names, ", "))
		}
	}
	return cfg
}

// CheckUnmatched is the config's environment globs that match none of
// envs, the configured ones and those of GitOps objects, as a
// *ValidationError; nil when each matches one.
func (c *Config) CheckUnmatched(envs []Environment) error {
	names := make([]string, 0, len(envs))
	for _, e := range envs {
		names = append(names, e.Name)
	}
	sort.Strings(names)
	var ps []Problem
	for _, p := range c.Unmatched {
		pattern, _ := strconv.Unquote(strings.TrimSuffix(p.Message, " matches no environment"))
		if !slices.ContainsFunc(names, func(name string) bool { return Glob(pattern, name) }) {
			p.Message += " (environments: " + strings.Join(names, ", ") + ")"
			ps = append(ps, p)
		}
	}
	if ps == nil {
		return nil
	}
	return &ValidationError{Problems: ps}
}

func (d *decoder) environments(n *yaml.Node, field string) []Environment {
	items, _ := d.list(n, field)
	var envs []Environment
	first := map[string]int{}
	for i, item := range items {
		f := index(field, i)
		e, nameNode := d.environment(item, f)
		if e.Name != "" {
			if line, dup := first[e.Name]; dup {
				d.add(nameNode, f+".name", "duplicate environment name %q (first at line %d)", e.Name, line)
			} else {
				first[e.Name] = nameNode.Line
			}
		}
		envs = append(envs, e)
	}
	return envs
}

func (d *decoder) environment(n *yaml.Node, field string) (Environment, *yaml.Node) {
	n, ok := d.mapping(n, field)
	if !ok {
		return Environment{}, nil
	}
	e := Environment{Line: n.Line}
	var nameNode, nsNode *yaml.Node
	var sources []string
	for _, p := range d.fields(n, field, "name", "helm", "kustomize", "manifests", "namespace") {
		f := join(field, p.name)
		switch p.name {
		case "name":
			nameNode = resolve(p.val)
			e.Name, _ = d.nonEmpty(p.val, f)
		case "helm":
			e.Helm = d.helm(p.val, f)
		case "kustomize":
			e.Kustomize = d.kustomize(p.val, f)
		case "manifests":
			e.Manifests = d.manifests(p.val, f)
		case "namespace":
			nsNode = p.key
			e.Namespace, _ = d.namespace(p.val, f)
		}
		if p.name != "name" && p.name != "namespace" {
			sources = append(sources, p.name)
		}
	}
	if nameNode == nil {
		d.add(n, field+".name", "is required")
	}
	switch {
	case len(sources) == 0:
		d.add(n, field, "needs helm, kustomize or manifests")
	case len(sources) > 1:
		both := "both " + strings.Join(sources, " and ")
		if len(sources) > 2 {
			both = strings.Join(sources[:len(sources)-1], ", ") + " and " + sources[len(sources)-1]
		}
		d.add(n, field, "sets %s; an environment renders one of them", both)
	case e.Helm != nil && nsNode != nil:
		d.add(nsNode, field+".namespace", "applies to kustomize and manifests environments; a helm environment sets helm.namespace")
	}
	return e, nameNode
}

func (d *decoder) helm(n *yaml.Node, field string) *Helm {
	h := &Helm{}
	n, ok := d.mapping(n, field)
	if !ok {
		return h
	}
	chart := false
	for _, p := range d.fields(n, field, "chart", "release", "namespace", "values", "set", "kubeVersion", "apiVersions", "includeHooks") {
		f := join(field, p.name)
		switch p.name {
		case "chart":
			chart = true
			if s, ok := d.nonEmpty(p.val, f); ok {
				h.Chart, _ = d.repoPath(resolve(p.val), f, s)
			}
		case "release":
			if s, ok := d.nonEmpty(p.val, f); ok {
				if len(s) > 53 || !releaseName.MatchString(s) {
					d.add(resolve(p.val), f, "invalid release name %q: use lowercase letters, digits, '-' and '.', at most 53 characters", s)
				} else {
					h.Release = s
				}
			}
		case "namespace":
			h.Namespace, _ = d.namespace(p.val, f)
		case "values":
			h.Values = d.stringList(p.val, f, d.repoPath)
		case "set":
			h.Set = d.set(p.val, f)
		case "kubeVersion":
			h.KubeVersion = d.kubeVersion(p.val, f)
		case "apiVersions":
			h.APIVersions = d.stringList(p.val, f, nil)
		case "includeHooks":
			if b, ok := d.boolean(p.val, f); ok {
				h.IncludeHooks = &b
			}
		}
	}
	if !chart {
		d.add(n, field+".chart", "is required")
	}
	return h
}

var (
	// Helm's release name rule (pkg/chartutil ValidateReleaseName).
	releaseName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	// A Kubernetes namespace is a DNS-1123 label.
	namespaceName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	// What helm's semver parsing of --kube-version accepts, including
	// vendor suffixes such as 1.30.2-eks-1234 or v1.29.1+k3s1.
	kubeVersion = regexp.MustCompile(`^v?[0-9]+\.[0-9]+(\.[0-9]+)?([-+][0-9A-Za-z.+-]+)?$`)
)

func (d *decoder) namespace(n *yaml.Node, field string) (string, bool) {
	s, ok := d.nonEmpty(n, field)
	if !ok {
		return "", false
	}
	if len(s) > 63 || !namespaceName.MatchString(s) {
		d.add(resolve(n), field, "invalid namespace %q: use lowercase letters, digits and '-', at most 63 characters", s)
		return "", false
	}
	return s, true
}

// set decodes helm.set: keys are --set paths, values any scalar in its
// written form (the renderer applies --set parsing to it).
func (d *decoder) set(n *yaml.Node, field string) map[string]string {
	ps, _ := d.pairs(n, field)
	if len(ps) == 0 {
		return nil
	}
	out := make(map[string]string, len(ps))
	for _, p := range ps {
		f := join(field, p.name)
		if p.name == "" {
			d.add(p.key, field, "keys must not be empty")
			continue
		}
		v := resolve(p.val)
		switch {
		case v.Kind != yaml.ScalarNode:
			d.add(v, f, "expected a string, number or boolean, got %s (set lists and maps in a values file)", kindName(v))
		case isNull(v):
			out[p.name] = "null"
		default:
			out[p.name] = v.Value
		}
	}
	return out
}

// repoPath resolves a path written relative to the config file's folder to
// one relative to the repository root.
func (d *decoder) repoPath(n *yaml.Node, field, s string) (string, bool) {
	switch {
	case strings.Contains(s, "://"):
		d.add(n, field, "must be a path in the repository, not a URL")
		return "", false
	case filepath.IsAbs(s) || strings.HasPrefix(s, "/"):
		d.add(n, field, "must be relative to the config file's folder, not absolute")
		return "", false
	}
	rel, err := filepath.Rel(d.root, filepath.Join(d.dir, filepath.FromSlash(s)))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		d.add(n, field, "path escapes the repository root")
		return "", false
	}
	return filepath.ToSlash(rel), true
}

func (d *decoder) kustomize(n *yaml.Node, field string) *Kustomize {
	k := &Kustomize{}
	n, ok := d.mapping(n, field)
	if !ok {
		return k
	}
	found := false
	for _, p := range d.fields(n, field, "path") {
		found = true
		f := join(field, p.name)
		if s, ok := d.nonEmpty(p.val, f); ok {
			k.Path, _ = d.repoPath(resolve(p.val), f, s)
		}
	}
	if !found {
		d.add(n, field+".path", "is required")
	}
	return k
}

func (d *decoder) mesh(n *yaml.Node, field string) Mesh {
	var m Mesh
	var version *yaml.Node
	for _, p := range d.fields(n, field, "provider", "namespaces", "require", "jobs", "injectByDefault", "version", "kubernetesVersion", "install", "optOut") {
		f := join(field, p.name)
		switch p.name {
		case "provider":
			m.Provider, _ = d.enum(p.val, f, Providers)
		case "namespaces":
			m.Namespaces = d.namespaces(p.val, f)
		case "require":
			m.Require = d.requirements(p.val, f)
		case "jobs":
			m.Jobs, _ = d.enum(p.val, f, JobPolicies)
		case "injectByDefault":
			m.InjectByDefault, _ = d.boolean(p.val, f)
		case "version":
			if s, ok := d.nonEmpty(p.val, f); ok {
				m.Version, version = s, resolve(p.val)
			}
		case "kubernetesVersion":
			m.KubernetesVersion = d.kubeVersion(p.val, f)
		case "install":
			m.Install = d.install(p.val, f)
		case "optOut":
			m.OptOut, _ = d.enum(p.val, f, OptOutSeverities)
		}
	}
	if version != nil {
		// After the loop: the provider may come after the version.
		if _, err := ParseMeshVersion(m.Provider, m.Version); err != nil {
			d.add(version, join(field, "version"), "%v", err)
			m.Version = ""
		}
	}
	return m
}

// kubeVersion decodes a Kubernetes version (helm.kubeVersion,
// mesh.kubernetesVersion).
func (d *decoder) kubeVersion(n *yaml.Node, field string) string {
	s, ok := d.nonEmpty(n, field)
	if !ok {
		return ""
	}
	if !kubeVersion.MatchString(s) {
		d.add(resolve(n), field, "invalid Kubernetes version %q: use MAJOR.MINOR.PATCH, e.g. %q", s, DefaultKubeVersion)
		return ""
	}
	return s
}

// install decodes mesh.install.
func (d *decoder) install(n *yaml.Node, field string) Install {
	var in Install
	for _, p := range d.fields(n, field, "autoInject", "nativeSidecars", "serviceAccountTokenProjection", "allowNamespaces", "denyNamespaces",
		"neverInjectSelector", "alwaysInjectSelector", "exceptionLabels", "controlPlaneNamespace") {
		f := join(field, p.name)
		switch p.name {
		case "autoInject":
			if b, ok := d.boolean(p.val, f); ok {
				in.AutoInject = &b
			}
		case "nativeSidecars":
			in.NativeSidecars = d.nativeSidecars(p.val, f)
		case "serviceAccountTokenProjection":
			if b, ok := d.boolean(p.val, f); ok {
				in.ServiceAccountTokenProjection = &b
			}
		case "allowNamespaces":
			in.AllowNamespaces = d.stringList(p.val, f, d.namespaceOrStar)
			if in.AllowNamespaces == nil {
				in.AllowNamespaces = []string{}
			}
		case "denyNamespaces":
			in.DenyNamespaces = d.stringList(p.val, f, d.namespaceOrStar)
			if in.DenyNamespaces == nil {
				in.DenyNamespaces = []string{}
			}
		default:
			d.installIstioKuma(p, f, &in)
		}
	}
	return in
}

// installIstioKuma decodes the mesh.install settings only istio or kuma
// read: the injection selectors, the exception labels and the control
// plane's namespace.
func (d *decoder) installIstioKuma(p pair, f string, in *Install) {
	switch p.name {
	case "neverInjectSelector":
		in.NeverInjectSelector = mapItems(d, p.val, f, d.labelSelector)
	case "alwaysInjectSelector":
		in.AlwaysInjectSelector = mapItems(d, p.val, f, d.labelSelector)
	case "exceptionLabels":
		in.ExceptionLabels = d.labels(p.val, f, true)
	case "controlPlaneNamespace":
		in.ControlPlaneNamespace, _ = d.namespace(p.val, f)
	}
}

// nativeSidecars decodes true, false or "auto".
func (d *decoder) nativeSidecars(n *yaml.Node, field string) string {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		b, _ := d.boolean(n, field)
		return strconv.FormatBool(b)
	}
	if !isString(n) || n.Value != NativeAuto {
		d.add(n, field, "invalid value %q (valid: true, false, auto)", n.Value)
		return ""
	}
	return NativeAuto
}

// namespaceOrStar checks one namespace name of an allow or deny list.
func (d *decoder) namespaceOrStar(n *yaml.Node, field, s string) (string, bool) {
	if s != "*" && (s == "" || len(s) > 63 || !namespaceName.MatchString(s)) {
		d.add(n, field, "invalid namespace %q: use lowercase letters, digits and '-', at most 63 characters, or \"*\"", s)
		return "", false
	}
	return s, true
}

func (d *decoder) namespaces(n *yaml.Node, field string) map[string]map[string]string {
	ps, _ := d.pairs(n, field)
	if len(ps) == 0 {
		return nil
	}
	out := make(map[string]map[string]string, len(ps))
	for _, p := range ps {
		f := join(field, p.name)
		if p.name == "" || len(p.name) > 63 || !namespaceName.MatchString(p.name) {
			d.add(p.key, f, "invalid namespace %q: use lowercase letters, digits and '-', at most 63 characters", p.name)
			continue
		}
		labels := d.stringMap(p.val, f)
		if labels == nil {
			labels = map[string]string{}
		}
		out[p.name] = labels
	}
	return out
}

func (d *decoder) requirements(n *yaml.Node, field string) Requirements {
	var r Requirements
	for _, p := range d.fields(n, field, "annotations", "labels", "env") {
		f := join(field, p.name)
		switch p.name {
		case "annotations":
			r.Annotations = d.matchers(p.val, f)
		case "labels":
			r.Labels = d.matchers(p.val, f)
		case "env":
			r.Env = d.stringList(p.val, f, nil)
		}
	}
	return r
}

func (d *decoder) matchers(n *yaml.Node, field string) map[string]Matcher {
	return decodeMap(d, n, field, d.matcher)
}

var matcherKinds = []string{"present", "equals", "matches", "hasKey"}

// matcher decodes a value matcher: a plain string (equals) or a map with
// exactly one of present, equals, matches, hasKey.
func (d *decoder) matcher(n *yaml.Node, field string) (Matcher, bool) {
	n = resolve(n)
	if isString(n) {
		s := n.Value
		return Matcher{Equals: &s}, true
	}
	if n.Kind != yaml.MappingNode {
		d.typeErr(n, field, "a string or a map")
		return Matcher{}, false
	}
	var m Matcher
	var given []string
	ok := true
	for _, p := range d.fields(n, field, matcherKinds...) {
		f := join(field, p.name)
		given = append(given, p.name)
		v := resolve(p.val)
		switch p.name {
		case "present":
			b, good := d.boolean(v, f)
			if good && !b {
				d.add(v, f, "must be true: present: false requires nothing (remove the requirement)")
				good = false
			}
			m.Present, ok = b, ok && good
		case "equals":
			s, good := d.str(v, f)
			m.Equals, ok = &s, ok && good
		case "matches":
			s, good := d.nonEmpty(v, f)
			if good {
				re, err := regexp.Compile(s)
				if err != nil {
					d.add(v, f, "invalid regular expression %q: %s", s, regexpErr(err))
					good = false
				}
				m.Matches, m.Regexp = s, re
			}
			ok = ok && good
		case "hasKey":
			s, good := d.nonEmpty(v, f)
			if good && slices.Contains(strings.Split(s, "."), "") {
				d.add(v, f, "invalid key path %q: empty segment", s)
				good = false
			}
			m.HasKey, ok = s, ok && good
		}
	}
	switch {
	case len(given) == 0:
		d.add(n, field, "needs one of present, equals, matches, hasKey")
		return m, false
	case len(given) > 1:
		d.add(n, field, "set exactly one of present, equals, matches, hasKey (got %s)", strings.Join(given, ", "))
		return m, false
	}
	return m, ok
}

func regexpErr(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return string(se.Code)
	}
	return err.Error()
}

func (d *decoder) secrets(n *yaml.Node, field string) Secrets {
	var s Secrets
	for _, p := range d.fields(n, field, "external", "checkKeys") {
		f := join(field, p.name)
		switch p.name {
		case "external":
			s.External = d.stringList(p.val, f, d.globShape(0, 1, "NAME or NAMESPACE/NAME", "regcred"))
		case "checkKeys":
			if b, ok := d.boolean(p.val, f); ok {
				s.CheckKeys = &b
			}
		}
	}
	return s
}

// glob validates a glob pattern.
func (d *decoder) glob(n *yaml.Node, field, s string) (string, bool) {
	if !validGlob(s) {
		d.add(n, field, "invalid glob %q: unclosed [ or trailing \\", s)
		return "", false
	}
	return s, true
}

// globShape validates a glob of '/'-separated parts with between lo and hi
// slashes: '*' never matches a '/', so a glob of another shape would
// silently match nothing.
func (d *decoder) globShape(lo, hi int, shape, example string) func(*yaml.Node, string, string) (string, bool) {
	return func(n *yaml.Node, field, s string) (string, bool) {
		s, ok := d.glob(n, field, s)
		if !ok {
			return "", false
		}
		if c := strings.Count(s, "/"); c < lo || c > hi {
			d.add(n, field, "%q must be %s, e.g. %q", s, shape, example)
			return "", false
		}
		return s, true
	}
}

func (d *decoder) rules(n *yaml.Node, field string, refs *[]envRef) []Rule {
	first := map[string]int{} // rule name → line
	return mapItems(d, n, field, func(item *yaml.Node, f string) Rule {
		r := Rule{Line: item.Line}
		var nameNode, reqNode *yaml.Node
		reqBroken := false
		for _, p := range d.fields(item, f, "name", "match", "require", "severity") {
			pf := join(f, p.name)
			switch p.name {
			case "name":
				nameNode = resolve(p.val)
				r.Name, _ = d.nonEmpty(p.val, pf)
			case "match":
				r.Match = d.match(p.val, pf, refs)
			case "require":
				reqNode = resolve(p.val)
				before := len(d.problems)
				r.Require = d.requirements(p.val, pf)
				reqBroken = len(d.problems) > before
			case "severity":
				r.Severity, _ = d.enum(p.val, pf, finding.Severities)
			}
		}
		switch {
		case nameNode == nil:
			d.add(item, f+".name", "is required")
		case r.Name != "":
			if line, dup := first[r.Name]; dup {
				d.add(nameNode, f+".name", "duplicate rule name %q (first at line %d)", r.Name, line)
			} else {
				first[r.Name] = nameNode.Line
			}
		}
		switch {
		case reqNode == nil:
			d.add(item, f+".require", "is required")
		case len(r.Require.Annotations) == 0 && len(r.Require.Labels) == 0 && len(r.Require.Env) == 0 && !reqBroken:
			d.add(reqNode, f+".require", "requires nothing: set annotations, labels or env")
		}
		return r
	})
}

func (d *decoder) match(n *yaml.Node, field string, refs *[]envRef) Match {
	var m Match
	for _, p := range d.fields(n, field, "environments", "kinds", "namespaces", "names", "labels") {
		f := join(field, p.name)
		switch p.name {
		case "environments":
			m.Environments = d.stringList(p.val, f, d.envGlob(refs))
		case "kinds":
			m.Kinds = d.stringList(p.val, f, d.glob)
		case "namespaces":
			m.Namespaces = d.stringList(p.val, f, d.glob)
		case "names":
			m.Names = d.stringList(p.val, f, d.glob)
		case "labels":
			m.Labels = d.stringMap(p.val, f)
		}
	}
	return m
}

// envGlob validates an environments glob and keeps it to check against the
// environment names.
func (d *decoder) envGlob(refs *[]envRef) func(*yaml.Node, string, string) (string, bool) {
	return func(n *yaml.Node, field, s string) (string, bool) {
		s, ok := d.glob(n, field, s)
		if ok {
			*refs = append(*refs, envRef{n: n, field: field, pattern: s})
		}
		return s, ok
	}
}

func (d *decoder) ignores(n *yaml.Node, field string, refs *[]envRef) []Ignore {
	return mapItems(d, n, field, func(item *yaml.Node, f string) Ignore {
		ig := Ignore{Line: item.Line}
		before := len(d.problems)
		for _, p := range d.fields(item, f, "rules", "workloads", "environments", "reason", "until") {
			pf := join(f, p.name)
			switch p.name {
			case "rules":
				ig.Rules = d.stringList(p.val, pf, d.ruleID)
			case "workloads":
				ig.Workloads = d.stringList(p.val, pf, d.globShape(2, 2, "Kind/namespace/name", "Job/*/db-migrate"))
			case "environments":
				ig.Environments = d.stringList(p.val, pf, d.envGlob(refs))
			case "reason":
				// A missing reason is an ignore-expired finding, not a
				// config error: the exemption still names what it covers.
				ig.Reason, _ = d.str(p.val, pf)
			case "until":
				if s, ok := d.nonEmpty(p.val, pf); ok {
					if _, err := time.Parse(time.DateOnly, s); err != nil {
						d.add(resolve(p.val), pf, "invalid date %q: use YYYY-MM-DD", s)
					} else {
						ig.Until = s
					}
				}
			}
		}
		if len(ig.Rules) == 0 && len(ig.Workloads) == 0 && len(ig.Environments) == 0 && len(d.problems) == before {
			d.add(item, f, "needs rules, workloads or environments: an exemption of everything is not allowed")
		}
		return ig
	})
}

func (d *decoder) ruleID(n *yaml.Node, field, s string) (string, bool) {
	if slices.Contains(finding.RuleIDs, s) {
		return s, true
	}
	if near := suggest.Closest(s, finding.RuleIDs); near != "" {
		d.add(n, field, "unknown rule %q (did you mean %q?)", s, near)
	} else {
		d.add(n, field, "unknown rule %q (valid: %s)", s, strings.Join(finding.RuleIDs, ", "))
	}
	return "", false
}
