package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/report"
)

func TestLiveProgress(t *testing.T) {
	var buf bytes.Buffer
	p := newLiveProgress(&buf, []config.Environment{{Name: "prod"}, {Name: "staging"}})
	p.done("staging", 4, 1, 152*time.Millisecond)
	p.done("prod", 6, 0, 1200*time.Millisecond)
	p.update("unknown", "rendering") // not an environment of this run: ignored
	want := "\r\x1b[K  prod                     waiting\n" +
		"\r\x1b[K  staging                  done      4 workloads, 1 findings, 152ms\n" +
		"\x1b[2A" +
		"\r\x1b[K  prod                     done      6 workloads, 0 findings, 1.2s\n" +
		"\r\x1b[K  staging                  done      4 workloads, 1 findings, 152ms\n"
	if got := buf.String(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestTimingSummary(t *testing.T) {
	results := []report.Environment{
		{Name: "prod", Workloads: 6, DurationMs: 40},
		{Name: "staging", Workloads: 4, DurationMs: 90},
	}
	want := "meshgate: checked 2 environment(s), 10 workloads in 120ms (slowest: staging, 90 ms)"
	if got := timingSummary(results, 120*time.Millisecond); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
