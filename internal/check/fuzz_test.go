package check

import (
	"strings"
	"testing"
)

// FuzzHasKey parses arbitrary annotation values (Istio's
// proxy.istio.io/config is YAML, others are JSON) for arbitrary key paths.
// No input may panic; the answer is "" (the key is there) or the rest of a
// message, which quotes at most the start of the value.
func FuzzHasKey(f *testing.F) {
	f.Add("proxyMetadata:\n  ISTIO_META_REQUEST_ID: on\n", "proxyMetadata.ISTIO_META_REQUEST_ID")
	f.Add(`{"tracing": [{"zipkin": {"address": "z:9411"}}]}`, "tracing.0.zipkin")
	f.Add("{proxyMetadata: [ISTIO_META_REQUEST_ID: 1}", "proxyMetadata.ISTIO_META_REQUEST_ID")
	f.Add("a: &a [*a]", "a.0.0")
	f.Add("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "c.1.0.1")
	f.Add("", "a")
	f.Add("- 1\n- 2\n", "1")
	f.Add("? [a]\n: b\n", "[a]")
	f.Fuzz(func(t *testing.T, value, keyPath string) {
		if keyPath == "" || strings.Contains(keyPath, "..") || strings.HasPrefix(keyPath, ".") || strings.HasSuffix(keyPath, ".") {
			return // config refuses such paths
		}
		why := meshHasKey(value, keyPath)
		if why != "" && !strings.HasPrefix(why, "=") && !strings.HasPrefix(why, " has no key ") {
			t.Fatalf("meshHasKey(%q, %q) = %q", value, keyPath, why)
		}
		if len(value) > 200 && strings.Contains(why, value) {
			t.Fatalf("the message quotes the whole %d-byte value", len(value))
		}
	})
}
