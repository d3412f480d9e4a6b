package gitops

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
)

// maxGitFiles bounds the files a git files generator reads.
const maxGitFiles = 1000

// git is the git generator over this repository (applicationset/
// generators/git.go): directories or files of the checkout, not of
// revision, which is not fetched.
func (a *appSet) git(gen map[string]any, at []any) ([]map[string]any, bool) {
	if repo := str(gen, "repoURL"); !a.s.Repo.Is(repo) {
		a.x.note(a.o, append(at, "repoURL"), "not expanded: the git generator reads another repository (%s), which is not fetched; if it is this one, list the URL in gitops.repoURLs", repo)
		return nil, false
	}
	prefix := str(gen, "pathParamPrefix")
	values := mapOf(gen, "values")
	var out []map[string]any
	if dirs := listOf(gen, "directories"); len(dirs) > 0 {
		for _, d := range a.directories(dirs) {
			out = append(out, a.pathParams(d, "", prefix))
		}
	} else if files := listOf(gen, "files"); len(files) > 0 {
		var ok bool
		if out, ok = a.files(files, prefix, at); !ok {
			return nil, false
		}
	} else {
		a.x.note(a.o, at, "not expanded: the git generator lists neither directories nor files")
		return nil, false
	}
	for _, p := range out {
		if err := a.templatedValues(values, p); err != nil {
			a.x.note(a.o, append(at, "values"), "not expanded: failed to append templated values: %v", err)
			return nil, false
		}
	}
	return out, true
}

// directories are the folders of the repository (hidden ones left out, as
// the repo server's GetGitDirectories does) that a path pattern includes
// and none excludes (filterApps; path.Match, so '*' stays in one segment).
func (a *appSet) directories(items []any) []string {
	var all []string
	walk(a.s.Root, ".", func(rel, name string) bool {
		if notHidden(rel, name) {
			all = append(all, rel)
			return true
		}
		return false
	}, func(string, string) bool { return true })
	var out []string
	for _, d := range all {
		include, exclude := false, false
		for _, it := range items {
			m, _ := it.(map[string]any)
			if ok, err := path.Match(str(m, "path"), d); err == nil && ok {
				if ex, _ := m["exclude"].(bool); ex {
					exclude = true
				} else {
					include = true
				}
			}
		}
		if include && !exclude {
			out = append(out, d)
		}
	}
	return out
}

// files are the parameter sets of the files the git files generator
// names: each YAML or JSON file's object, or each of its list, with the
// path parameters of the file's folder.
func (a *appSet) files(items []any, prefix string, at []any) ([]map[string]any, bool) {
	chosen := map[string]bool{}
	for _, exclude := range []bool{false, true} {
		for _, it := range items {
			m, _ := it.(map[string]any)
			if ex, _ := m["exclude"].(bool); ex != exclude {
				continue
			}
			for _, f := range lsFiles(a.s.Root, str(m, "path")) {
				chosen[f] = !exclude
			}
		}
	}
	var names []string
	for f, in := range chosen {
		if in {
			names = append(names, f)
		}
	}
	sort.Strings(names)
	if len(names) > maxGitFiles {
		a.x.note(a.o, at, "not expanded: the git files generator names more than %d files", maxGitFiles)
		return nil, false
	}
	var out []map[string]any
	for _, f := range names {
		data, err := config.ReadInRoot(a.s.Root, f, maxFileBytes)
		if err != nil {
			a.x.note(a.o, at, "not expanded: %s: %v", f, err)
			return nil, false
		}
		objs, err := fileObjects(data)
		if err != nil {
			a.x.note(a.o, at, "not expanded: unable to process file '%s': %v", f, err)
			return nil, false
		}
		for _, obj := range objs {
			out = append(out, a.fileParams(f, obj, prefix))
		}
	}
	return out, true
}

// fileObjects are the objects of a generator file: one object, or a list
// of them (generateParamsFromGitFile).
func fileObjects(data []byte) ([]map[string]any, error) {
	one := map[string]any{}
	if err := yamlUnmarshal(string(data), &one); err == nil {
		return []map[string]any{one}, nil
	}
	var many []map[string]any
	if err := yamlUnmarshal(string(data), &many); err != nil {
		return nil, fmt.Errorf("unable to parse file: %w", err)
	}
	return many, nil
}

// fileParams is one object of a generator file with its path parameters.
func (a *appSet) fileParams(file string, obj map[string]any, prefix string) map[string]any {
	dir := path.Dir(file)
	if a.goTmpl {
		p := map[string]any{}
		for k, v := range obj {
			p[k] = v
		}
		pp := map[string]any{
			"path": dir, "basename": path.Base(dir), "filename": path.Base(file),
			"basenameNormalized": sanitizeName(path.Base(dir)), "filenameNormalized": sanitizeName(path.Base(file)),
			"segments": stringsAny(strings.Split(dir, "/")),
		}
		setPathParams(p, prefix, pp)
		return p
	}
	p := map[string]any{}
	flatten(obj, "", p)
	for k, v := range a.pathParams(dir, path.Base(file), prefix) {
		p[k] = v
	}
	return p
}

// pathParams are the parameters of a folder (and, for a file, its name).
func (a *appSet) pathParams(dir, filename, prefix string) map[string]any {
	if a.goTmpl {
		pp := map[string]any{"path": dir, "basename": path.Base(dir), "basenameNormalized": sanitizeName(path.Base(dir)), "segments": stringsAny(strings.Split(dir, "/"))}
		p := map[string]any{}
		setPathParams(p, prefix, pp)
		return p
	}
	name := "path"
	if prefix != "" {
		name = prefix + ".path"
	}
	p := map[string]any{name: dir, name + ".basename": path.Base(dir), name + ".basenameNormalized": sanitizeName(path.Base(dir))}
	if filename != "" {
		p[name+".filename"] = filename
		p[name+".filenameNormalized"] = sanitizeName(filename)
	}
	for i, seg := range strings.Split(dir, "/") {
		if seg != "" {
			p[name+"["+strconv.Itoa(i)+"]"] = seg
		}
	}
	return p
}

func setPathParams(p map[string]any, prefix string, pp map[string]any) {
	if prefix != "" {
		p[prefix] = map[string]any{"path": pp}
	} else {
		p["path"] = pp
	}
}

func stringsAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// flatten writes obj's leaves as dotted keys with their values as text
// (jeremywohl/flatten DotStyle, then fmt %v, as the files generator does).
func flatten(v any, key string, out map[string]any) {
	join := func(k string) string {
		if key == "" {
			return k
		}
		return key + "." + k
	}
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 && key != "" {
			out[key] = "map[]"
		}
		for k, val := range t {
			flatten(val, join(k), out)
		}
	case []any:
		if len(t) == 0 && key != "" {
			out[key] = "[]"
		}
		for i, val := range t {
			flatten(val, join(strconv.Itoa(i)), out)
		}
	default:
		out[key] = fmt.Sprintf("%v", v)
	}
}

// templatedValues adds the generator's values, rendered with p, as
// values.K (appendTemplatedValues).
func (a *appSet) templatedValues(values map[string]any, p map[string]any) error {
	if len(values) == 0 {
		return nil
	}
	rendered := map[string]any{}
	for k, v := range values {
		s, err := a.replace(scalarString(v), p)
		if err != nil {
			return err
		}
		rendered[k] = s
	}
	if a.goTmpl {
		p["values"] = rendered
		return nil
	}
	for k, v := range rendered {
		p["values."+k] = v
	}
	return nil
}

// lsFiles are the repository's files a git files generator path names, as
// `git ls-files -- PATH` reads a pathspec (the repo server's default,
// util/git/client.go, LsFiles): '*' and '?' match across '/', and a path
// that names a folder names the files under it. Hidden folders are
// searched too, as git does; symbolic links are not followed.
func lsFiles(root, pattern string) []string {
	re := pathspec(pattern)
	dir := strings.TrimSuffix(pattern, "/") + "/"
	var out []string
	walk(root, ".", func(_, name string) bool { return name != ".git" }, func(rel, _ string) bool {
		if re.MatchString(rel) || strings.HasPrefix(rel, dir) {
			out = append(out, rel)
		}
		return true
	})
	return out
}

// pathspec is a git wildcard pathspec as a regular expression (fnmatch
// without FNM_PATHNAME).
func pathspec(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			if j := strings.IndexByte(p[i:], ']'); j > 1 {
				class := p[i+1 : i+j]
				if strings.HasPrefix(class, "!") {
					class = "^" + class[1:]
				}
				b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
				i += j
			} else {
				b.WriteString(`\[`)
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return regexp.MustCompile(`^$.`)
	}
	return re
}
