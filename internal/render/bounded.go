package render

import (
	"context"
	"fmt"
)

// Bounded runs fn, turning a panic into an internal error and giving up
// when ctx ends first: neither the Helm engine nor a krusty build can be
// interrupted, so a runaway one is abandoned rather than waited for (it
// runs on until it finishes or meshgate exits). what names the work in the
// panic's message ("rendering the chart").
func Bounded(ctx context.Context, base Result, what string, fn func() Result) Result {
	run := func() (res Result) {
		defer func() {
			if r := recover(); r != nil {
				res = base
				res.Err = &Error{Message: fmt.Sprintf("internal error while %s: %v; this is a bug in meshgate, please report it", what, r), Internal: true}
			}
		}()
		return fn()
	}
	if ctx.Done() == nil {
		return run()
	}
	if err := ctx.Err(); err != nil {
		base.Err = &Error{Message: fmt.Sprintf("rendering not started: %v", err)}
		return base
	}
	done := make(chan Result, 1)
	go func() { done <- run() }()
	select {
	case res := <-done:
		return res
	case <-ctx.Done():
		base.Err = &Error{Message: fmt.Sprintf("rendering did not finish: %v", ctx.Err()), Limit: true}
		return base
	}
}

// MiB writes a size in MiB, for the messages of the size limits.
func MiB(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
