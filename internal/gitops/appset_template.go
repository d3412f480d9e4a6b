package gitops

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"sigs.k8s.io/yaml"
)

// substitute is v with the parameters substituted into every string and
// map key, as the ApplicationSet controller does (applicationset/utils/
// utils.go, deeplyReplace and Replace): Go templates with goTemplate,
// else {{name}} placeholders.
func (a *appSet) substitute(v any, params map[string]any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			nv, err := a.substitute(val, params)
			if err != nil {
				return nil, err
			}
			nk, err := a.replace(k, params)
			if err != nil {
				return nil, err
			}
			out[nk] = nv
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			nv, err := a.substitute(val, params)
			if err != nil {
				return nil, err
			}
			out[i] = nv
		}
		return out, nil
	case string:
		return a.replace(t, params)
	}
	return v, nil
}

// isTemplated is the controller's test for a string to replace in
// (isTemplatedRegex).
var isTemplated = regexp.MustCompile(".*{{.*}}.*")

// replace substitutes params into one string.
func (a *appSet) replace(s string, params map[string]any) (string, error) {
	if a.goTmpl {
		return goTemplate(s, params, a.opts)
	}
	if !isTemplated.MatchString(s) {
		return s, nil
	}
	return fastTemplate(s, params)
}

// fastTemplate replaces each {{ name }} whose parameter is a string, and
// leaves the others as written (fasttemplate's ExecuteFuncString with the
// controller's tag function).
func fastTemplate(s string, params map[string]any) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		rest := s[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			return "", fmt.Errorf("invalid template: cannot find end tag=%q in the template=%q starting from %q", "}}", s, rest)
		}
		tag := rest[:j]
		if v, ok := params[strings.TrimSpace(tag)].(string); ok && strings.TrimSpace(tag) != "" {
			b.WriteString(v)
		} else {
			b.WriteString("{{" + tag + "}}")
		}
		s = rest[j+2:]
	}
}

// templateFuncs are the functions of the controller's Go templates: sprig's
// generic ones without env, expandenv and getHostByName, with normalize,
// toYaml, fromYaml and fromYamlArray (applicationset/utils/utils.go, init).
// until, untilStep and repeat are left out too: a pull request could make
// them fill the memory.
var templateFuncs = func() template.FuncMap {
	f := sprig.GenericFuncMap()
	for _, name := range []string{"env", "expandenv", "getHostByName", "until", "untilStep", "repeat"} {
		delete(f, name)
	}
	f["normalize"] = sanitizeName
	f["toYaml"] = func(v any) (string, error) {
		b, err := yaml.Marshal(v)
		return strings.TrimSuffix(string(b), "\n"), err
	}
	f["fromYaml"] = func(s string) (map[string]any, error) {
		m := map[string]any{}
		return m, yaml.Unmarshal([]byte(s), &m)
	}
	f["fromYamlArray"] = func(s string) ([]any, error) {
		l := []any{}
		return l, yaml.Unmarshal([]byte(s), &l)
	}
	return template.FuncMap(f)
}()

// goTemplate executes s as a Go template over params.
func goTemplate(s string, params map[string]any, opts []string) (string, error) {
	t := template.New("base").Funcs(templateFuncs)
	for _, o := range opts {
		t = t.Option(o)
	}
	t, err := t.Parse(s)
	if err != nil {
		return "", fmt.Errorf("failed to parse template %s: %w", s, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, params); err != nil {
		return "", fmt.Errorf("failed to execute go template %s: %w", s, err)
	}
	return b.String(), nil
}

var invalidDNSNameChars = regexp.MustCompile("[^-a-z0-9.]")

// sanitizeName is the controller's normalize (applicationset/utils/
// template_functions.go, SanitizeName): lower case, other characters than
// [-a-z0-9.] made '-', at most 253 characters, no '-' or '.' at the ends.
func sanitizeName(name string) string {
	name = invalidDNSNameChars.ReplaceAllString(strings.ToLower(name), "-")
	if len(name) > 253 {
		name = name[:253]
	}
	return strings.Trim(name, "-.")
}

func yamlUnmarshal(s string, v any) error { return yaml.Unmarshal([]byte(s), v) }
