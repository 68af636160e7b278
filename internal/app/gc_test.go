package app

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestTuneGCUnlessGOGCIsSet(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	t.Setenv("GOGC", "") // restored when the test ends
	os.Unsetenv("GOGC")
	tuneGC()
	if got := debug.SetGCPercent(100); got != masterGCPercent {
		t.Fatalf("GOGC unset: GC percent %d, want %d", got, masterGCPercent)
	}
	t.Setenv("GOGC", "100")
	tuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GOGC=100 in the environment: GC percent %d, want it left at 100", got)
	}
}
