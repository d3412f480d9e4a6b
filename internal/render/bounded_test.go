package render

import (
	"context"
	"testing"
)

// A panic in an SDK runs in Bounded's goroutine, where only Bounded
// can recover it: it becomes an internal render error, not a crash.
func TestBoundedRecoversPanic(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := Bounded(ctx, Result{Path: "c"}, "building the kustomization", func() Result { panic("boom") })
	want := Error{Message: "internal error while building the kustomization: boom; this is a bug in meshgate, please report it", Internal: true}
	if res.Err == nil || *res.Err != want || res.Path != "c" {
		t.Errorf("result = %+v, want error %+v", res, want)
	}
}

// A rendering that does not end is abandoned when the context ends.
func TestBoundedAbandonsOnContextEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	go func() {
		<-started
		cancel()
	}()
	res := Bounded(ctx, Result{}, "building the kustomization", func() Result {
		close(started)
		<-release
		return Result{}
	})
	want := Error{Message: "rendering did not finish: context canceled", Limit: true}
	if res.Err == nil || *res.Err != want {
		t.Errorf("error = %+v, want %+v", res.Err, want)
	}
}
