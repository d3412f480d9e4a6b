package gitops

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
)

// helm is the Helm section of a source's environment, with the flags Argo
// CD's repo server gives `helm template` (reposerver/repository/
// repository.go, helmTemplate; util/helm/cmd.go, template): the release
// name (default the Application's name), the namespace (helm.namespace,
// else destination.namespace), -f for each values file, then a values file
// of helm.values or helm.valuesObject, --set and --set-string for the
// parameters, --include-crds unless skipCrds.
func (a *app) helm(sr source, dir string) *config.Helm {
	hm := mapOf(sr.m, "helm")
	at := sr.path("helm")
	a.unknownFields(sr.m, sr.at, "repoURL", "path", "chart", "targetRevision", "ref", "name", "helm", "kubeVersion", "apiVersions")
	a.unknownFields(hm, at, "valueFiles", "ignoreMissingValueFiles", "values", "valuesObject", "parameters",
		"releaseName", "namespace", "skipCrds", "skipTests", "skipSchemaValidation", "version", "passCredentials", "kubeVersion", "apiVersions")
	h := &config.Helm{Chart: dir, Release: str(hm, "releaseName"), Namespace: str(hm, "namespace")}
	if h.Release == "" {
		h.Release = a.o.Name
	}
	if h.Namespace == "" {
		h.Namespace = a.ns
	}
	h.KubeVersion = firstString(str(sr.m, "kubeVersion"), str(hm, "kubeVersion"))
	for _, v := range append(listOf(sr.m, "apiVersions"), listOf(hm, "apiVersions")...) {
		if s, ok := v.(string); ok {
			h.APIVersions = append(h.APIVersions, s)
		}
	}
	h.Values = a.valueFiles(sr, dir, hm)
	if in, ok := a.inlineValues(hm, at); ok {
		h.Inline = []config.InlineValues{in}
	}
	h.Set, h.SetString = a.parameters(sr, hm)
	h.SkipCRDs, _ = hm["skipCrds"].(bool)
	return h
}

func firstString(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// inlineValues is helm.valuesObject, else helm.values, as the values file
// Argo CD writes of it (v1alpha1 ApplicationSourceHelm.ValuesYAML).
func (a *app) inlineValues(hm map[string]any, at []any) (config.InlineValues, bool) {
	field, text := "valuesObject", ""
	if obj, ok := hm["valuesObject"]; ok && obj != nil {
		text = toYAML(obj)
	} else {
		field, text = "values", str(hm, "values")
	}
	if strings.TrimSpace(text) == "" {
		return config.InlineValues{}, false
	}
	line := a.o.line(append(append([]any(nil), at...), field)...)
	if field == "valuesObject" || strings.Contains(str(hm, "values"), "\n") {
		// The document starts on the line after the key (a block).
		line++
	}
	return config.InlineValues{File: a.o.File, Line: line, YAML: text}, true
}

// parameters are helm.parameters as --set and, with forceString,
// --set-string values, with Argo CD's environment substituted and its
// escaping of commas (util/helm/cmd.go, cleanSetParameters).
func (a *app) parameters(sr source, hm map[string]any) (set, setString map[string]string) {
	for _, it := range listOf(hm, "parameters") {
		p, _ := it.(map[string]any)
		name := str(p, "name")
		if name == "" {
			continue
		}
		val := cleanSetParameter(a.envsubst(sr, scalarString(p["value"])))
		if force, _ := p["forceString"].(bool); force {
			if setString == nil {
				setString = map[string]string{}
			}
			setString[name] = val
			continue
		}
		if set == nil {
			set = map[string]string{}
		}
		set[name] = val
	}
	return set, setString
}

// scalarString is a YAML scalar as Argo CD's string field reads it.
func scalarString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	}
	return fmt.Sprint(v)
}

// cleanSetParameter escapes the commas of a --set value that is not a
// list ({a,b}), so that helm takes the value whole (util/helm/cmd.go,
// cleanSetParameters).
func cleanSetParameter(v string) string {
	if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == ',' && (i == 0 || v[i-1] != '\\') {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// valueFiles resolves helm.valueFiles as Argo CD does
// (reposerver/repository/repository.go, getResolvedValueFiles): relative
// to the source's folder, or to the repository root when they start with
// "/"; "$ref/..." in the repository of the source with that ref; globs
// expanded in name order, a file also listed explicitly taking its
// explicit place; each once. A missing file is left out with
// ignoreMissingValueFiles, else kept for rendering to report.
func (a *app) valueFiles(sr source, dir string, hm map[string]any) []string {
	ignoreMissing, _ := hm["ignoreMissingValueFiles"].(bool)
	raw := listOf(hm, "valueFiles")
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	resolved := make([]string, len(raw))
	explicit := map[string]bool{}
	for i, it := range raw {
		resolved[i] = a.valueFile(sr, dir, scalarString(it), []any{"helm", "valueFiles", i})
		if resolved[i] != "" && !isGlob(resolved[i]) {
			explicit[resolved[i]] = true
		}
	}
	for i, p := range resolved {
		switch {
		case p == "":
		case isGlob(p):
			matches := globFiles(a.s.Root, p)
			if len(matches) == 0 && !ignoreMissing {
				a.x.note(a.o, sr.path("helm", "valueFiles", i), "values file glob %q matches no file: Argo CD fails to render it", scalarString(raw[i]))
			}
			for _, m := range matches {
				if !explicit[m] {
					add(m)
				}
			}
		case ignoreMissing && !exists(a.s.Root, p):
		default:
			add(p)
		}
	}
	return out
}

// valueFile resolves one values file entry; "" with a note when it is not
// in this repository.
func (a *app) valueFile(sr source, dir, raw string, at []any) string {
	p, base := raw, dir
	if ref, rest, ok := strings.Cut(raw, "/"); ok && strings.HasPrefix(ref, "$") {
		if repo, known := a.refs[ref]; known {
			if !a.s.Repo.Is(repo) {
				a.x.note(a.o, sr.path(at...), "values file %s is in another repository (%s), which is not fetched: rendered without it", raw, repo)
				return ""
			}
			p, base = "/"+rest, "."
		}
	}
	p = a.envsubst(sr, p)
	if strings.Contains(p, "://") {
		a.x.note(a.o, sr.path(at...), "values file %s is not fetched: rendered without it", p)
		return ""
	}
	resolved, err := repoPath(base, p)
	if err == nil && resolved == "." {
		err = fmt.Errorf("%q is the repository root", raw)
	}
	if err != nil {
		a.x.note(a.o, sr.path(at...), "values file %v: rendered without it", err)
		return ""
	}
	return resolved
}

func isGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// kustomize is the kustomize section of a source's environment: the
// kustomization at dir with the edits Argo CD's repo server makes with
// `kustomize edit` before `kustomize build` (util/kustomize/kustomize.go,
// Build): namePrefix, nameSuffix, images, commonLabels,
// commonAnnotations, namespace, then patches appended.
func (a *app) kustomize(sr source, dir string) *config.Kustomize {
	km := mapOf(sr.m, "kustomize")
	at := sr.path("kustomize")
	a.unknownFields(sr.m, sr.at, "repoURL", "path", "targetRevision", "ref", "name", "kustomize", "kubeVersion", "apiVersions")
	a.unknownFields(km, at, "namePrefix", "nameSuffix", "images", "commonLabels", "commonAnnotations", "namespace", "patches",
		"forceCommonLabels", "forceCommonAnnotations", "labelWithoutSelector", "commonAnnotationsEnvsubst", "version", "kubeVersion", "apiVersions")
	k := &config.Kustomize{Path: dir}
	if len(km) == 0 {
		return k
	}
	o := &config.Overlay{
		NamePrefix: str(km, "namePrefix"),
		NameSuffix: str(km, "nameSuffix"),
		Namespace:  str(km, "namespace"),
	}
	o.ForceCommonLabels, _ = km["forceCommonLabels"].(bool)
	o.ForceCommonAnnotations, _ = km["forceCommonAnnotations"].(bool)
	o.LabelsWithoutSelector, _ = km["labelWithoutSelector"].(bool)
	for i, it := range listOf(km, "images") {
		img, err := parseArgoImage(a.envsubst(sr, scalarString(it)))
		if err != nil {
			a.x.note(a.o, append(append([]any(nil), at...), "images", i), "image %q is not applied: %v", scalarString(it), err)
			continue
		}
		o.Images = append(o.Images, img)
	}
	o.CommonLabels = a.stringMap(sr, km, "commonLabels", true)
	envsubstAnnotations, _ := km["commonAnnotationsEnvsubst"].(bool)
	o.CommonAnnotations = a.stringMap(sr, km, "commonAnnotations", envsubstAnnotations)
	for i, it := range listOf(km, "patches") {
		if p, ok := a.patch(it, append(append([]any(nil), at...), "patches", i)); ok {
			o.Patches = append(o.Patches, p)
		}
	}
	k.Overlay = o
	return k
}

// stringMap is km[key] as strings, substituted when subst is set.
func (a *app) stringMap(sr source, km map[string]any, key string, subst bool) map[string]string {
	m := mapOf(km, key)
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := scalarString(m[k])
		if subst {
			v = a.envsubst(sr, v)
		}
		out[k] = v
	}
	return out
}

// patch is one kustomize.patches entry: an inline patch (a patch in a
// file, path, is read by kustomize relative to the kustomization).
func (a *app) patch(it any, at []any) (config.Patch, bool) {
	m, _ := it.(map[string]any)
	if m == nil {
		return config.Patch{}, false
	}
	p := config.Patch{Patch: str(m, "patch"), File: a.o.File, Line: a.o.line(at...)}
	if path := str(m, "path"); path != "" {
		if p.Patch != "" {
			a.x.note(a.o, at, "patch sets both patch and path: kustomize refuses it")
		}
		p.Path = path
	}
	if t := mapOf(m, "target"); t != nil {
		p.Target = &config.PatchTarget{
			Group: str(t, "group"), Version: str(t, "version"), Kind: str(t, "kind"),
			Name: str(t, "name"), Namespace: str(t, "namespace"),
			LabelSelector: str(t, "labelSelector"), AnnotationSelector: str(t, "annotationSelector"),
		}
	}
	if opts := mapOf(m, "options"); opts != nil {
		p.Options = map[string]bool{}
		for k, v := range opts {
			if b, ok := v.(bool); ok {
				p.Options[k] = b
			}
		}
	}
	return p, true
}

// parseArgoImage parses a kustomize.images entry the way `kustomize edit
// set image` parses its arguments (kustomize/commands/edit/set/
// setimage.go, parse): NAME=NEWNAME[:TAG|@DIGEST], NAME:TAG, NAME@DIGEST.
func parseArgoImage(arg string) (config.Image, error) {
	if name, over, ok := strings.Cut(arg, "="); ok && !strings.Contains(over, "=") {
		n, tag, digest, err := parseImageOverwrite(over, true)
		return config.Image{Name: name, NewName: n, NewTag: tag, Digest: digest}, err
	}
	n, tag, digest, err := parseImageOverwrite(arg, false)
	return config.Image{Name: n, NewTag: tag, Digest: digest}, err
}

func parseImageOverwrite(arg string, overwriteName bool) (name, tag, digest string, err error) {
	if d := strings.Split(arg, "@"); len(d) > 1 {
		return d[0], "", d[1], nil
	}
	if i := strings.LastIndex(arg, ":"); i >= 0 && imageTag(arg[i+1:]) {
		return arg[:i], arg[i+1:], "", nil
	}
	if arg != "" && overwriteName {
		return arg, "", "", nil
	}
	return "", "", "", fmt.Errorf("invalid format of image, use NAME=NEWNAME:TAG, NAME=NEWNAME@DIGEST, NAME=NEWNAME, NAME:TAG or NAME@DIGEST")
}

// imageTag matches what `kustomize edit set image` takes for a tag:
// letters, digits, '.', '_' and '-', or "*".
func imageTag(s string) bool {
	if s == "*" {
		return true
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
