package kustomization

//lint:file-ignore SA1019 kustomize still loads bases, patchesStrategicMerge and patchesJson6902, so the reader must see them.

import (
	"regexp"
	"strings"

	"sigs.k8s.io/kustomize/api/types"
)

// Entry is one path a kustomization names: Field is the field as kustomize
// spells it, Value the path kustomize loads (relative to the
// kustomization's folder, or remote), Raw the entry as written: "key=path"
// for a generator file, else Value.
type Entry struct{ Field, Value, Raw string }

// Entries lists every path of k that kustomize loads, and could therefore
// fetch, in this order: resources, bases, components, crds,
// configurations, generators, transformers, validators,
// patchesStrategicMerge, patches, patchesJson6902, replacements, openapi,
// then the files and env files of configMapGenerator and secretGenerator.
// Empty entries are left out. An inline patch (patchesStrategicMerge text
// holding a newline) is listed like a path; Local leaves it out.
func (k *Kustomization) Entries() []Entry {
	var out []Entry
	add := func(field string, values ...string) {
		for _, v := range values {
			if v != "" {
				out = append(out, Entry{field, v, v})
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
				out = append(out, Entry{field, v, f})
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

// Local lists the Entries that name a local path: neither remote
// (IsRemote) nor an inline patch.
func (k *Kustomization) Local() []Entry {
	var out []Entry
	for _, e := range k.Entries() {
		if !IsRemote(e.Value) && !strings.Contains(e.Value, "\n") {
			out = append(out, e)
		}
	}
	return out
}

// Folder reports an entry that may name a kustomization folder rather than
// a file: resources, bases, components, generators, transformers and
// validators.
func (e Entry) Folder() bool {
	switch e.Field {
	case "resources", "bases", "components", "generators", "transformers", "validators":
		return true
	}
	return false
}

// Base reports an entry whose objects the kustomization builds on:
// resources, bases and components (a folder among them is a kustomization
// it includes).
func (e Entry) Base() bool {
	switch e.Field {
	case "resources", "bases", "components":
		return true
	}
	return false
}

var (
	schemeRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*://`)
	userRe   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)
)

// IsRemote reports an entry that kustomize treats as a git repository or
// an http(s) file rather than a local path: any URL scheme (https, http,
// ssh, file, ...), the "git::" prefix, "github.com/" or "github.com:"
// without a scheme, and scp-like "user@host:path".
func IsRemote(s string) bool {
	s = strings.TrimSpace(s)
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "git::") ||
		schemeRe.MatchString(s) ||
		strings.HasPrefix(l, "github.com/") || strings.HasPrefix(l, "github.com:") ||
		userRe.MatchString(s)
}
