package kustomize

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/types"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/meshgate/meshgate/internal/render"
)

// tree is what meshgate learns from the kustomizations of an overlay before
// krusty builds it.
type tree struct {
	// openAPI reports a kustomization that sets its own OpenAPI schema.
	openAPI bool
	// sources are the files generators read as data (absolute, cleaned):
	// not YAML to kustomize, so not checked as YAML.
	sources map[string]bool
	// redact holds secretGenerator literals and env-file values.
	redact []string
	// unusual reports a kustomization of the tree that inspect could not
	// read or parse, or one with a field that changes what an images entry
	// does or sees (vars, configurations, crds, buildMetadata): the overlay
	// then gets no images fast path (images.go).
	unusual bool
}

// inspect walks the kustomization at dir and the local kustomizations it
// includes. It refuses the first entry kustomize would fetch: a git
// repository (which krusty clones by running git) or an http(s) file; the
// first included folder outside the repository; and generator input that
// kustomize would quote in an error message (a literal that is not
// KEY=VALUE, an env file line that is not UTF-8), since it may be a
// credential. A kustomization that cannot be read or parsed is left to
// krusty, which reports it in its own words.
func inspect(p paths, dir string, maxBytes int64) (tree, *render.Error) {
	t := tree{sources: map[string]bool{}}
	seen := map[string]bool{}
	var walk func(dir string) *render.Error
	walk = func(dir string) *render.Error {
		if seen[dir] {
			return nil
		}
		seen[dir] = true
		file := kustomizationFile(dir)
		if file == "" || !p.Inside(file) {
			t.unusual = true
			return nil
		}
		data, err := readLimited(file, maxBytes)
		if err != nil {
			t.unusual = true
			return nil
		}
		var k types.Kustomization
		if err := sigsyaml.Unmarshal(data, &k); err != nil {
			t.unusual = true
			return nil
		}
		if len(k.OpenAPI) > 0 {
			t.openAPI = true
		}
		if len(k.Vars) > 0 || len(k.Configurations) > 0 || len(k.Crds) > 0 || len(k.BuildMetadata) > 0 {
			t.unusual = true
		}
		for _, e := range fetchedEntries(&k) {
			if isRemote(e.value) {
				return &render.Error{
					Message: fmt.Sprintf("%s entry %q is remote: meshgate does not fetch remote bases, resources or components", e.field, e.value),
					File:    p.Rel(file),
					Line:    scalarLine(data, e.raw),
				}
			}
		}
		if rerr := t.generators(p, dir, file, data, &k, maxBytes); rerr != nil {
			return rerr
		}
		for _, e := range includedDirs(&k) {
			sub := filepath.Join(dir, filepath.FromSlash(e.value))
			if filepath.IsAbs(e.value) {
				continue // krusty refuses an absolute root itself
			}
			if fi, err := os.Stat(sub); err != nil || !fi.IsDir() {
				continue
			}
			if !p.Inside(sub) {
				return &render.Error{
					Message: fmt.Sprintf("%s entry %q is outside the repository", e.field, e.value),
					File:    p.Rel(file),
					Line:    scalarLine(data, e.raw),
				}
			}
			if rerr := walk(filepath.Clean(sub)); rerr != nil {
				return rerr
			}
		}
		return nil
	}
	rerr := walk(filepath.Clean(dir))
	return t, rerr
}

// generators checks the configMapGenerator and secretGenerator entries of
// the kustomization file (data, parsed as k) in dir, records their data
// files and, for Secrets, the values to redact.
func (t *tree) generators(p paths, dir, file string, data []byte, k *types.Kustomization, maxBytes int64) *render.Error {
	check := func(kind string, g types.GeneratorArgs, secret bool) *render.Error {
		what := fmt.Sprintf("%s %q", kind, g.Name)
		for i, lit := range g.LiteralSources {
			key, value, ok := strings.Cut(lit, "=")
			if !ok || key == "" {
				return &render.Error{
					Message: fmt.Sprintf("%s: literals[%d] is not KEY=VALUE (the entry is not shown, as it may hold a credential)", what, i),
					File:    p.Rel(file),
					Line:    scalarLine(data, lit),
				}
			}
			if secret {
				t.redact = append(t.redact, lit, unquote(value))
			}
		}
		for _, f := range g.FileSources {
			if _, path, ok := strings.Cut(f, "="); ok {
				f = path
			}
			t.sources[filepath.Join(dir, filepath.FromSlash(f))] = true
		}
		envs := append(append([]string(nil), g.EnvSources...), g.EnvSource)
		for _, e := range envs {
			if e == "" {
				continue
			}
			abs := filepath.Join(dir, filepath.FromSlash(e))
			t.sources[abs] = true
			if !p.Inside(abs) {
				continue // krusty refuses it, naming it
			}
			text, err := readLimited(abs, maxBytes)
			if err != nil {
				continue
			}
			for n, line := range strings.Split(string(text), "\n") {
				if !utf8.ValidString(line) {
					return &render.Error{
						Message: fmt.Sprintf("%s: env file line %d is not valid UTF-8 (the line is not shown, as it may hold a credential)", what, n+1),
						File:    p.Rel(abs),
						Line:    n + 1,
					}
				}
				if _, value, ok := strings.Cut(strings.TrimSpace(line), "="); ok && secret {
					t.redact = append(t.redact, value)
				}
			}
		}
		return nil
	}
	for _, g := range k.ConfigMapGenerator {
		if rerr := check("configMapGenerator", g.GeneratorArgs, false); rerr != nil {
			return rerr
		}
	}
	for _, g := range k.SecretGenerator {
		if rerr := check("secretGenerator", g.GeneratorArgs, true); rerr != nil {
			return rerr
		}
	}
	return nil
}

// unquote removes the quotes kustomize removes from a literal's value.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == s[len(s)-1] && (s[0] == '"' || s[0] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// kustomizationFile is the kustomization file in dir ("" when none), in
// kustomize's order of preference.
func kustomizationFile(dir string) string {
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		f := filepath.Join(dir, n)
		if fi, err := os.Stat(f); err == nil && !fi.IsDir() {
			return f
		}
	}
	return ""
}

// entry is a path of a kustomization: value as kustomize loads it, raw as
// written ("key=path" for a generator file).
type entry struct{ field, value, raw string }

// fetchedEntries lists every path of k that kustomize loads and could
// therefore fetch.
func fetchedEntries(k *types.Kustomization) []entry {
	var out []entry
	add := func(field string, values ...string) {
		for _, v := range values {
			if v != "" {
				out = append(out, entry{field, v, v})
			}
		}
	}
	add("resources", k.Resources...)
	add("bases", k.Bases...)
	add("components", k.Components...)
	add("crds", k.Crds...)
	add("configurations", k.Configurations...)
	add("generators", k.Generators...)
	add("transformers", k.Transformers...)
	add("validators", k.Validators...)
	for _, ps := range k.PatchesStrategicMerge {
		add("patchesStrategicMerge", string(ps))
	}
	for _, pt := range k.Patches {
		add("patches", pt.Path)
	}
	for _, pt := range k.PatchesJson6902 {
		add("patchesJson6902", pt.Path)
	}
	for _, r := range k.Replacements {
		add("replacements", r.Path)
	}
	add("openapi", k.OpenAPI["path"])
	kv := func(field string, src types.KvPairSources) {
		for _, f := range src.FileSources {
			// [{key}=]{path}
			if _, v, ok := strings.Cut(f, "="); ok {
				out = append(out, entry{field, v, f})
				continue
			}
			add(field, f)
		}
		add(field, src.EnvSources...)
		add(field, src.EnvSource)
	}
	for _, g := range k.ConfigMapGenerator {
		kv("configMapGenerator", g.KvPairSources)
	}
	for _, g := range k.SecretGenerator {
		kv("secretGenerator", g.KvPairSources)
	}
	return out
}

// includedDirs lists the entries of k that may be kustomization folders.
func includedDirs(k *types.Kustomization) []entry {
	var out []entry
	for _, e := range fetchedEntries(k) {
		switch e.field {
		case "resources", "bases", "components", "generators", "transformers", "validators":
			out = append(out, e)
		}
	}
	return out
}

var (
	schemeRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*://`)
	userRe   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)
)

// isRemote reports an entry that kustomize treats as a git repository or
// an http(s) file rather than a local path: any URL scheme (https, http,
// ssh, file, ...), the "git::" prefix, "github.com/" or "github.com:"
// without a scheme, and scp-like "user@host:path".
func isRemote(s string) bool {
	s = strings.TrimSpace(s)
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "git::") ||
		schemeRe.MatchString(s) ||
		strings.HasPrefix(l, "github.com/") || strings.HasPrefix(l, "github.com:") ||
		userRe.MatchString(s)
}

// scalarLine is the line of the first scalar equal to value in a YAML
// document, or 0.
func scalarLine(data []byte, value string) int {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil {
		return 0
	}
	var find func(n *yaml.Node) int
	find = func(n *yaml.Node) int {
		if n.Kind == yaml.ScalarNode && n.Value == value {
			return n.Line
		}
		for _, c := range n.Content {
			if l := find(c); l > 0 {
				return l
			}
		}
		return 0
	}
	return find(&doc)
}
