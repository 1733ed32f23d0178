package cli

import (
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"

	"example.org/bst/internal/bsterr"
)

// startCPUProfile writes a CPU profile to path until the returned function
// is called (BST_CPUPROFILE=file, for performance work).
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, bsterr.App(bsterr.InvalidData, "cannot write CPU profile %s: %v", path, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, bsterr.App(bsterr.InvalidData, "cannot start CPU profile: %v", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeMemProfile writes an allocation profile to path (BST_MEMPROFILE).
func writeMemProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	// The profile holds what was allocated up to the last collection:
	// collect now so that it covers the whole run.
	runtime.GC()
	_ = pprof.Lookup("allocs").WriteTo(f, 0)
}

// startTrace writes an execution trace to path until the returned function
// is called (BST_TRACE=file; view it with `go tool trace file`).
func startTrace(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, bsterr.App(bsterr.InvalidData, "cannot write execution trace %s: %v", path, err)
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, bsterr.App(bsterr.InvalidData, "cannot start execution trace: %v", err)
	}
	return func() { trace.Stop(); f.Close() }, nil
}
