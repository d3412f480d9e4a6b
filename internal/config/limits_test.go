package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestLoadLimits(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want Limits
		err  string
	}{
		{name: "defaults when absent", yaml: "", want: Limits{}},
		{name: "all set", yaml: "limits:\n  renderTimeout: 2m30s\n  maxRenderedBytes: 32MiB\n  maxObjects: 500\n",
			want: Limits{RenderTimeout: 150 * time.Second, MaxRenderedBytes: 32 << 20, MaxObjects: 500}},
		{name: "bytes as a number", yaml: "limits: {maxRenderedBytes: 1048576}\n", want: Limits{MaxRenderedBytes: 1 << 20}},
		{name: "bytes in KiB", yaml: "limits: {maxRenderedBytes: 512 KiB}\n", want: Limits{MaxRenderedBytes: 512 << 10}},
		{name: "bytes in Gi", yaml: "limits: {maxRenderedBytes: 1Gi}\n", want: Limits{MaxRenderedBytes: 1 << 30}},
		{name: "decimal unit", yaml: "limits: {maxRenderedBytes: 64MB}\n",
			err: `c.yaml:2:28: limits.maxRenderedBytes: invalid size "64MB": use a number of bytes or a number with KiB, MiB or GiB, e.g. "64MiB"`},
		{name: "zero bytes", yaml: "limits: {maxRenderedBytes: 0}\n",
			err: `c.yaml:2:28: limits.maxRenderedBytes: invalid size "0": use a number of bytes or a number with KiB, MiB or GiB, e.g. "64MiB"`},
		{name: "overflowing bytes", yaml: "limits: {maxRenderedBytes: 9999999999GiB}\n",
			err: `c.yaml:2:28: limits.maxRenderedBytes: invalid size "9999999999GiB": use a number of bytes or a number with KiB, MiB or GiB, e.g. "64MiB"`},
		{name: "bytes as a list", yaml: "limits: {maxRenderedBytes: [1]}\n",
			err: `c.yaml:2:28: limits.maxRenderedBytes: expected a size, got a list`},
		{name: "timeout without unit", yaml: "limits: {renderTimeout: 60}\n",
			err: `c.yaml:2:25: limits.renderTimeout: expected a duration such as "60s", got a number`},
		{name: "timeout too short", yaml: "limits: {renderTimeout: 500ms}\n",
			err: `c.yaml:2:25: limits.renderTimeout: invalid duration "500ms": use a Go duration of at least 1s, e.g. "60s" or "2m"`},
		{name: "objects zero", yaml: "limits: {maxObjects: 0}\n",
			err: `c.yaml:2:22: limits.maxObjects: invalid number 0: use a whole number from 1 to 2147483647`},
		{name: "objects as a string", yaml: "limits: {maxObjects: '10'}\n",
			err: `c.yaml:2:22: limits.maxObjects: expected a whole number, got a string`},
		{name: "unknown field", yaml: "limits: {timeout: 60s}\n",
			err: `c.yaml:2:10: limits.timeout: unknown field (valid: renderTimeout, maxRenderedBytes, maxObjects)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			text := "environments: [{name: a, kustomize: {path: k}}]\n" + tt.yaml
			if err := os.WriteFile(filepath.Join(dir, "c.yaml"), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(dir, "c.yaml")
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v\nwant %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Limits != tt.want {
				t.Errorf("Limits = %+v, want %+v", cfg.Limits, tt.want)
			}
		})
	}
}

func TestLimitsInForce(t *testing.T) {
	var zero Limits
	if zero.Timeout() != DefaultRenderTimeout || zero.RenderedBytes() != DefaultMaxRenderedBytes || zero.Objects() != DefaultMaxObjects {
		t.Errorf("zero limits = %v, %d, %d; want the defaults", zero.Timeout(), zero.RenderedBytes(), zero.Objects())
	}
	set := Limits{RenderTimeout: time.Second, MaxRenderedBytes: 10, MaxObjects: 3}
	if set.Timeout() != time.Second || set.RenderedBytes() != 10 || set.Objects() != 3 {
		t.Errorf("set limits = %v, %d, %d", set.Timeout(), set.RenderedBytes(), set.Objects())
	}
}

// TestSchemaLimitDefaults keeps the schema's documented defaults equal to
// the ones in force.
func TestSchemaLimitDefaults(t *testing.T) {
	data, err := os.ReadFile(schemaPath(t))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Defs struct {
			Limits struct {
				Properties struct {
					RenderTimeout    struct{ Default string }
					MaxRenderedBytes struct{ Default string }
					MaxObjects       struct{ Default int }
				}
			} `json:"limits"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	p := s.Defs.Limits.Properties
	if d, err := time.ParseDuration(p.RenderTimeout.Default); err != nil || d != DefaultRenderTimeout {
		t.Errorf("renderTimeout default %q, Go has %v", p.RenderTimeout.Default, DefaultRenderTimeout)
	}
	if p.MaxRenderedBytes.Default != "64MiB" || DefaultMaxRenderedBytes != 64<<20 {
		t.Errorf("maxRenderedBytes default %q, Go has %d", p.MaxRenderedBytes.Default, DefaultMaxRenderedBytes)
	}
	if p.MaxObjects.Default != DefaultMaxObjects {
		t.Errorf("maxObjects default %d, Go has %d", p.MaxObjects.Default, DefaultMaxObjects)
	}
}
