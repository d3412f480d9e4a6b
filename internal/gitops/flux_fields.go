package gitops

import "fmt"

// Reading the generic bodies of Flux objects (maps decoded from YAML).

// sub is m[key] when it is a mapping, else nil.
func sub(m map[string]any, key string) map[string]any {
	s, _ := m[key].(map[string]any)
	return s
}

// typeName names the YAML type of v for messages.
func typeName(v any) string {
	switch v.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a number"
}

// readList is m[key] as a list of mappings; field names it in messages.
func readList(m map[string]any, key, field string) ([]map[string]any, error) {
	return readItems[map[string]any](m, key, field)
}

// readStrings is m[key] as a list of strings.
func readStrings(m map[string]any, key, field string) ([]string, error) {
	return readItems[string](m, key, field)
}

// readItems is m[key] as a list of T.
func readItems[T any](m map[string]any, key, field string) ([]T, error) {
	raw, ok := m[key]
	if !ok || raw == nil {
		return nil, nil
	}
	l, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a list, got %s", field, typeName(raw))
	}
	out := make([]T, 0, len(l))
	var zero T
	for i, it := range l {
		e, ok := it.(T)
		if !ok {
			return nil, fmt.Errorf("%s[%d]: want %s, got %s", field, i, typeName(any(zero)), typeName(it))
		}
		out = append(out, e)
	}
	return out, nil
}
