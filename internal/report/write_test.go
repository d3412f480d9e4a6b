package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	rep := Report{Tool: Tool{Name: "meshgate", Version: "test"}}
	rep.Finalize()
	var stdout bytes.Buffer
	if err := Write(&stdout, "", FormatJSON, rep, Options{}); err != nil || !strings.HasPrefix(stdout.String(), "{\n") {
		t.Fatalf("to the writer: %v, %q", err, stdout.String())
	}
	p := filepath.Join(t.TempDir(), "out", "nested", "r.json")
	var none bytes.Buffer
	if err := Write(&none, p, FormatJSON, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != stdout.String() || none.Len() != 0 {
		t.Errorf("file %q (%v), writer got %q", b, err, none.String())
	}
	if err := Write(&none, p, "xml", rep, Options{}); err == nil || !strings.Contains(err.Error(), `unknown format "xml"`) {
		t.Errorf("unknown format: %v", err)
	}
}
