package config

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// schemaFields walks the schema from its root through properties, items and
// $refs and returns every field path, written as the docs write them:
// environments[].helm.chart, mesh.require.annotations. Maps (additionalProperties)
// end a path; names holds the property names of every object anywhere in
// the schema, including the value matcher's.
func schemaFields(t *testing.T) (paths, names map[string]bool) {
	t.Helper()
	data, err := os.ReadFile(schemaPath(t))
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	defs, _ := root["$defs"].(map[string]any)
	resolve := func(n map[string]any) map[string]any {
		for depth := 0; depth < 10; depth++ {
			ref, ok := n["$ref"].(string)
			if !ok {
				return n
			}
			target, ok := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
			if !ok {
				t.Fatalf("schema: unresolvable $ref %q", ref)
			}
			n = target
		}
		return n
	}
	paths, names = map[string]bool{}, map[string]bool{}
	var walk func(n map[string]any, path string)
	walk = func(n map[string]any, path string) {
		n = resolve(n)
		if props, ok := n["properties"].(map[string]any); ok {
			for name, child := range props {
				p := name
				if path != "" {
					p = path + "." + name
				}
				paths[p] = true
				if c, ok := child.(map[string]any); ok {
					walk(c, p)
				}
			}
		}
		if items, ok := n["items"].(map[string]any); ok {
			walk(items, path+"[]")
		}
	}
	walk(root, "")
	var collect func(v any)
	collect = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if props, ok := v["properties"].(map[string]any); ok {
				for name := range props {
					names[name] = true
				}
			}
			for _, c := range v {
				collect(c)
			}
		case []any:
			for _, c := range v {
				collect(c)
			}
		}
	}
	collect(root)
	return paths, names
}

// codeSpans returns the text of every `code span` outside fenced blocks.
func codeSpans(t *testing.T, doc string) map[string]bool {
	t.Helper()
	spans := map[string]bool{}
	span := regexp.MustCompile("`([^`]+)`")
	fenced := false
	sc := bufio.NewScanner(strings.NewReader(doc))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		for _, m := range span.FindAllStringSubmatch(line, -1) {
			spans[m[1]] = true
		}
	}
	return spans
}

// TestConfigurationDocs keeps docs/configuration.md and the JSON Schema in
// step: every field path of the schema is named in the docs as a code span
// (`environments[].helm.chart`), every property name appears in one (the
// value matcher's `present`, `equals`, ...), and every field path the docs
// name exists in the schema.
func TestConfigurationDocs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(moduleRoot(t), "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	spans := codeSpans(t, string(data))
	paths, names := schemaFields(t)

	var missing []string
	for p := range paths {
		if !spans[p] {
			missing = append(missing, p)
		}
	}
	for name := range names {
		found := false
		for s := range spans {
			if s == name || strings.HasSuffix(s, "."+name) || strings.Contains(s, "{"+name+":") {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("docs/configuration.md does not document `%s`", m)
	}

	var sections []string
	for p := range paths {
		if !strings.ContainsAny(p, ".[") {
			sections = append(sections, regexp.QuoteMeta(p))
		}
	}
	sort.Strings(sections)
	top := regexp.MustCompile(`^(` + strings.Join(sections, "|") + `)(\[\])?(\.[A-Za-z]+(\[\])?)*$`)
	var stale []string
	for s := range spans {
		if top.MatchString(s) && !paths[s] {
			stale = append(stale, s)
		}
	}
	sort.Strings(stale)
	for _, s := range stale {
		t.Errorf("docs/configuration.md names `%s`, which the schema does not have", s)
	}
}

// TestDocsConfigExamples loads every whole config in the docs and the
// README: a ```yaml block whose first key is environments. Each must load
// and pass the schema, so that copied examples work.
func TestDocsConfigExamples(t *testing.T) {
	root := moduleRoot(t)
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join(root, "README.md"))
	sch := compileSchema(t)
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		for _, b := range yamlBlocks(string(data)) {
			if !strings.HasPrefix(b.text, "environments:") {
				continue
			}
			checked++
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, ".meshgate.yaml"), []byte(b.text), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(dir, ".meshgate.yaml"); err != nil {
				t.Errorf("%s:%d: the example does not load:\n%v", rel, b.line, err)
			}
			if err := validateYAML(t, sch, []byte(b.text)); err != nil {
				t.Errorf("%s:%d: the schema rejects the example:\n%v", rel, b.line, err)
			}
		}
	}
	if checked == 0 {
		t.Error("no config example found in docs/*.md or README.md")
	}
}

type mdBlock struct {
	line int // of the opening fence
	text string
}

// yamlBlocks returns the ```yaml blocks of a markdown document.
func yamlBlocks(doc string) []mdBlock {
	var out []mdBlock
	var cur *mdBlock
	for i, line := range strings.Split(doc, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && (trimmed == "```yaml" || trimmed == "```yml"):
			cur = &mdBlock{line: i + 1}
		case cur != nil && trimmed == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	return out
}
