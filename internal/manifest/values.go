package manifest

import (
	"encoding/json"
	"sort"
	"strconv"
)

// Accessors over decoded bodies. Rendered objects are untrusted: every
// accessor tolerates absent fields, nulls and values of the wrong type.

// mapAt is the map at path below m, nil when absent or not a map.
func mapAt(m map[string]any, path ...string) map[string]any {
	cur := m
	for _, k := range path {
		next, ok := cur[k].(map[string]any)
		if !ok {
			return nil
		}
		cur = next
	}
	return cur
}

// listAt is the list at path below m, nil when absent or not a list.
func listAt(m map[string]any, path ...string) []any {
	if len(path) == 0 {
		return nil
	}
	parent := mapAt(m, path[:len(path)-1]...)
	l, _ := parent[path[len(path)-1]].([]any)
	return l
}

// stringAt is the string at path below m, "" when absent or not a string.
func stringAt(m map[string]any, path ...string) string {
	if len(path) == 0 {
		return ""
	}
	parent := mapAt(m, path[:len(path)-1]...)
	s, _ := parent[path[len(path)-1]].(string)
	return s
}

// boolAt reports the bool at path and whether it is set as a bool.
func boolAt(m map[string]any, path ...string) (value, ok bool) {
	if len(path) == 0 {
		return false, false
	}
	parent := mapAt(m, path[:len(path)-1]...)
	b, ok := parent[path[len(path)-1]].(bool)
	return b, ok
}

// stringify renders a scalar the way it reads in YAML; collections become
// JSON. Labels and annotations must be strings, but a rendered chart may
// leave a number or bool unquoted.
func stringify(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// stringMap is the map at path with every value stringified, nil when absent.
func stringMap(m map[string]any, path ...string) map[string]string {
	src := mapAt(m, path...)
	if src == nil {
		return nil
	}
	out := make(map[string]string, len(src))
	for k, v := range src {
		out[k] = stringify(v)
	}
	return out
}

// sortedKeys are the keys of the maps, merged and sorted.
func sortedKeys(ms ...map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// uniqueSorted sorts and deduplicates ss in place.
func uniqueSorted(ss []string) []string {
	sort.Strings(ss)
	out := ss[:0]
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// join makes a fresh path from a prefix and more elements, so that paths
// handed out never share a backing array.
func join(prefix []any, more ...any) []any {
	out := make([]any, 0, len(prefix)+len(more))
	out = append(out, prefix...)
	return append(out, more...)
}

// group is the API group of an apiVersion ("" for the core group).
func group(apiVersion string) string {
	for i := 0; i < len(apiVersion); i++ {
		if apiVersion[i] == '/' {
			return apiVersion[:i]
		}
	}
	return ""
}
