package helm

import (
	"bytes"
	"encoding/json"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
)

// disableRemoteSchemaRefs keeps Helm's values.schema.json validation from
// reaching the network: Helm fetches any http(s) $ref (and resolves other
// non-fragment refs against the local filesystem root). Such references
// are dropped from the schemas of c and its subcharts, so those parts accept
// any value; a schema without them is left byte for byte as it is, and is
// validated exactly as `helm template` does.
func disableRemoteSchemaRefs(c *chart.Chart) {
	if len(c.Schema) > 0 {
		dec := json.NewDecoder(bytes.NewReader(c.Schema))
		dec.UseNumber()
		var doc interface{}
		if dec.Decode(&doc) == nil && dropExternalRefs(doc) {
			if b, err := json.Marshal(doc); err == nil {
				c.Schema = b
			}
		}
	}
	for _, d := range c.Dependencies() {
		disableRemoteSchemaRefs(d)
	}
}

// dropExternalRefs removes every $ref/$dynamicRef that is not a fragment of
// the same document and every $schema that is not a json-schema.org draft
// (an unknown meta-schema is fetched too). It reports whether it removed any.
func dropExternalRefs(v interface{}) bool {
	changed := false
	switch t := v.(type) {
	case map[string]interface{}:
		for _, k := range []string{"$ref", "$dynamicRef"} {
			if s, ok := t[k].(string); ok && !strings.HasPrefix(s, "#") {
				delete(t, k)
				changed = true
			}
		}
		if s, ok := t["$schema"].(string); ok && !isDraftMetaSchema(s) {
			delete(t, "$schema")
			changed = true
		}
		for _, child := range t {
			if dropExternalRefs(child) {
				changed = true
			}
		}
	case []interface{}:
		for _, child := range t {
			if dropExternalRefs(child) {
				changed = true
			}
		}
	}
	return changed
}

func isDraftMetaSchema(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "http://"), "https://")
	return strings.HasPrefix(s, "json-schema.org/")
}
