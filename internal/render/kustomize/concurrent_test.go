package kustomize

import (
	"sync"
	"testing"
)

// Environments are rendered concurrently; builds must not interfere.
func TestBuildConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	paths := []string{"kustomize/overlays/staging", "kustomize/overlays/prod", "kustomize/base", "kustomize/overlays/origin-requested"}
	results := make([]int, len(paths)*2)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res := buildAt(t, testRoot(t), paths[i%len(paths)], "")
			if res.Err != nil {
				t.Errorf("%s: %v", paths[i%len(paths)], res.Err)
			}
			results[i] = len(res.Docs)
		}(i)
	}
	wg.Wait()
	want := []int{7, 5, 5, 5}
	for i, n := range results {
		if n != want[i%len(want)] {
			t.Errorf("%s: %d documents, want %d", paths[i%len(paths)], n, want[i%len(want)])
		}
	}
}
