package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// Tune turns proportional collection off under a limit, and the limit
// grows to twice a live heap that outgrew it; the user's settings stay.
func TestTune(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))

	debug.SetGCPercent(100)
	debug.SetMemoryLimit(1 << 40)
	Tune(1<<30, true, true)
	if p, l := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1); p != 100 || l != 1<<40 {
		t.Errorf("with GOGC and GOMEMLIMIT set: GOGC %d, limit %d; want both unchanged", p, l)
	}
	debug.SetGCPercent(100)

	const limit = 16 << 20
	Tune(limit, false, false)
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("GOGC = %d after Tune, want off (-1)", p)
	}
	if l := debug.SetMemoryLimit(-1); l != limit {
		t.Errorf("limit = %d after Tune, want %d", l, limit)
	}
	live := make([][]byte, 0, 64)
	for i := 0; i < 48; i++ {
		live = append(live, make([]byte, 1<<20))
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		if debug.SetMemoryLimit(-1) >= 2*48<<20 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if l := debug.SetMemoryLimit(-1); l < 2*48<<20 {
		t.Errorf("limit = %d MB with 48 MB live, want at least twice that", l>>20)
	}
	runtime.KeepAlive(live)
}
