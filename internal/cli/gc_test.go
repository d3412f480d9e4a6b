package cli

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if !TuneGC(getenv) {
		t.Fatal("TuneGC did not tune with GOGC unset")
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GC percent %d, want %d", got, gcPercent)
	}
	env["GOGC"] = "50"
	if TuneGC(getenv) {
		t.Error("TuneGC overrode GOGC=50")
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d after GOGC=50 was left to Go, want 100 unchanged", got)
	}
}
