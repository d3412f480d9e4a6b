package kustomize

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/meshgate/meshgate/internal/config"

	"sigs.k8s.io/kustomize/api/types"

	"github.com/meshgate/meshgate/internal/kustomization"
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
	// kusts holds the kustomizations inspect read, by folder (absolute,
	// cleaned): the images fast path and the source index use them rather
	// than read them again.
	kusts map[string]*kustomization.Kustomization
	// overlay holds the edited text of the overlay's kustomization when a
	// GitOps object changes it (overlay.go), served instead of the disk's.
	overlay map[string][]byte
	// flux is the Flux build of the overlay (flux.go), nil for any other.
	flux *config.FluxBuild
	// patches are the patches a GitOps object writes into the overlay:
	// the fields they set are located in them (patches.go).
	patches []gitopsPatch
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
	return inspectDirs(p, []string{dir}, maxBytes)
}

// inspectDirs inspects the kustomizations at each of dirs, and what they
// include, as one tree.
func inspectDirs(p paths, dirs []string, maxBytes int64) (tree, *render.Error) {
	t := tree{sources: map[string]bool{}, kusts: map[string]*kustomization.Kustomization{}}
	fsys := disk{max: maxBytes}
	seen := map[string]bool{}
	var walk func(dir string) *render.Error
	walk = func(dir string) *render.Error {
		if seen[dir] {
			return nil
		}
		seen[dir] = true
		all := kustomization.FindAll(fsys, dir)
		if len(all) > 1 {
			// Refused before krusty runs: inspect would read one file and
			// krusty might build from another, unchecked for remote bases.
			return &render.Error{Message: fmt.Sprintf("%s holds more than one kustomization file (%s); kustomize refuses that: keep one", p.Rel(dir), strings.Join(baseNames(all), ", ")), File: p.Rel(all[0])}
		}
		file := kustomization.Find(fsys, dir)
		if file == "" || !p.Inside(file) {
			t.unusual = true
			return nil
		}
		k, err := kustomization.Read(fsys, file)
		if err != nil {
			t.unusual = true
			return nil
		}
		t.kusts[dir] = k
		t.note(k)
		if rerr := refuseRemote(p, k); rerr != nil {
			return rerr
		}
		if rerr := t.generators(p, dir, k, fsys); rerr != nil {
			return rerr
		}
		for _, e := range k.Entries() {
			if !e.Folder() {
				continue
			}
			if filepath.IsAbs(e.Value) {
				continue // krusty refuses an absolute root itself
			}
			sub := filepath.Join(dir, filepath.FromSlash(e.Value))
			if fi, err := os.Stat(sub); err != nil || !fi.IsDir() {
				continue
			}
			if !p.Inside(sub) {
				return &render.Error{
					Message: fmt.Sprintf("%s entry %q is outside the repository", e.Field, e.Value),
					File:    p.Rel(k.File),
					Line:    k.Line(e.Raw),
				}
			}
			if rerr := walk(filepath.Clean(sub)); rerr != nil {
				return rerr
			}
		}
		return nil
	}
	for _, dir := range dirs {
		if rerr := walk(filepath.Clean(dir)); rerr != nil {
			return t, rerr
		}
	}
	return t, nil
}

// note records what k's fields tell about the whole tree.
func (t *tree) note(k *kustomization.Kustomization) {
	if len(k.OpenAPI) > 0 {
		t.openAPI = true
	}
	//lint:ignore SA1019 kustomize still resolves vars, after the images.
	if len(k.Vars) > 0 || len(k.Configurations) > 0 || len(k.Crds) > 0 || len(k.BuildMetadata) > 0 {
		t.unusual = true
	}
}

// refuseRemote refuses the first entry of k that kustomize would fetch.
func refuseRemote(p paths, k *kustomization.Kustomization) *render.Error {
	for _, e := range k.Entries() {
		if isRemote(e.Value) {
			return &render.Error{
				Message: fmt.Sprintf("%s entry %q is remote: meshgate does not fetch remote bases, resources or components", e.Field, e.Value),
				File:    p.Rel(k.File),
				Line:    k.Line(e.Raw),
			}
		}
	}
	return nil
}

// isRemote is the reader's rule for an entry kustomize would fetch.
func isRemote(s string) bool { return kustomization.IsRemote(s) }

// generators checks the configMapGenerator and secretGenerator entries of
// k, the kustomization in dir, records their data files and, for Secrets,
// the values to redact.
func (t *tree) generators(p paths, dir string, k *kustomization.Kustomization, fsys disk) *render.Error {
	check := func(kind string, g types.GeneratorArgs, secret bool) *render.Error {
		what := fmt.Sprintf("%s %q", kind, g.Name)
		for i, lit := range g.LiteralSources {
			key, value, ok := strings.Cut(lit, "=")
			if !ok || key == "" {
				return &render.Error{
					Message: fmt.Sprintf("%s: literals[%d] is not KEY=VALUE (the entry is not shown, as it may hold a credential)", what, i),
					File:    p.Rel(k.File),
					Line:    k.Line(lit),
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
			if rerr := t.envFile(p, what, abs, fsys, secret); rerr != nil {
				return rerr
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

// envFile checks a generator's env file (abs) and, for a Secret, records
// its values to redact.
func (t *tree) envFile(p paths, what, abs string, fsys disk, secret bool) *render.Error {
	text, err := fsys.ReadFile(abs)
	if err != nil {
		return nil
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
	return nil
}

// unquote removes the quotes kustomize removes from a literal's value.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == s[len(s)-1] && (s[0] == '"' || s[0] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// baseNames are the last elements of paths.
func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, f := range paths {
		out[i] = filepath.Base(f)
	}
	return out
}
