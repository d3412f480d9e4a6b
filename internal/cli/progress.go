package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/report"
)

// liveProgress redraws one line per environment on a terminal: rendering,
// checking or done, with its workload count and duration.
type liveProgress struct {
	mu    sync.Mutex
	w     io.Writer
	names []string
	index map[string]int
	lines []string
	start map[string]time.Time
	drawn bool
}

func newLiveProgress(w io.Writer, envs []config.Environment) *liveProgress {
	p := &liveProgress{w: w, index: map[string]int{}, start: map[string]time.Time{}}
	for i, e := range envs {
		p.names = append(p.names, e.Name)
		p.index[e.Name] = i
		p.lines = append(p.lines, "waiting")
	}
	return p
}

// update is a runOptions.Progress: it records the state and redraws.
func (p *liveProgress) update(name, state string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i, ok := p.index[name]
	if !ok {
		return
	}
	if _, started := p.start[name]; !started {
		p.start[name] = time.Now()
	}
	p.lines[i] = fmt.Sprintf("%-9s %s", state, time.Since(p.start[name]).Round(time.Millisecond))
	p.draw()
}

// done replaces an environment's line with its outcome.
func (p *liveProgress) done(name string, workloads, findings int, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i, ok := p.index[name]; ok {
		p.lines[i] = fmt.Sprintf("%-9s %d workloads, %d findings, %s", "done", workloads, findings, d.Round(time.Millisecond))
		p.draw()
	}
}

func (p *liveProgress) draw() {
	if p.drawn {
		// Back to the first line of the block.
		fmt.Fprintf(p.w, "\x1b[%dA", len(p.lines))
	}
	for i, l := range p.lines {
		fmt.Fprintf(p.w, "\r\x1b[K  %-24s %s\n", p.names[i], l)
	}
	p.drawn = true
}

// timingSummary is the one line that ends a run on a terminal or in a
// workflow log.
func timingSummary(results []report.Environment, wall time.Duration) string {
	var workloads int
	var slowest report.Environment
	for _, r := range results {
		workloads += r.Workloads
		if r.DurationMs >= slowest.DurationMs {
			slowest = r
		}
	}
	s := fmt.Sprintf("meshgate: checked %d environment(s), %d workloads in %s", len(results), workloads, wall.Round(time.Millisecond))
	if len(results) > 1 {
		s += fmt.Sprintf(" (slowest: %s, %d ms)", slowest.Name, slowest.DurationMs)
	}
	return s
}
