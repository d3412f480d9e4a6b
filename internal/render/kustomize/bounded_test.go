package kustomize

import (
	"context"
	"testing"

	"github.com/meshgate/meshgate/internal/render"
)

// A panic in the Helm SDK runs in bounded's goroutine, where only bounded
// can recover it: it becomes an internal render error, not a crash.
func TestBoundedRecoversPanic(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := bounded(ctx, render.Result{Path: "c"}, func() render.Result { panic("boom") })
	want := render.Error{Message: "internal error while building the kustomization: boom; this is a bug in meshgate, please report it", Internal: true}
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
	res := bounded(ctx, render.Result{}, func() render.Result {
		close(started)
		<-release
		return render.Result{}
	})
	want := render.Error{Message: "rendering did not finish: context canceled"}
	if res.Err == nil || *res.Err != want {
		t.Errorf("error = %+v, want %+v", res.Err, want)
	}
}
