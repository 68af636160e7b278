package launch

import (
	"os"
	"testing"
)

// benchmarkStart starts /bin/true b.N times, each to its end: exec stub or
// Go trampoline: this test binary in Child mode, or spark2 itself when
// SPARK2_BIN names a build of it (go build -o /tmp/spark2 . first).
func benchmarkStart(b *testing.B, viaStub bool) {
	self, _ := os.Executable()
	if bin := os.Getenv("SPARK2_BIN"); bin != "" {
		self = bin
	}
	if !viaStub {
		stubPath()
		disableStub()
		defer stub.disabled.Store(false)
	}
	spec := Spec{Self: self, Env: []string{"PATH=/bin", "LISTEN_FDS=1"}, Command: []string{"true"}}
	for b.Loop() {
		p, _, execErr, code := startAndWait(b, spec)
		if execErr != nil || code != 0 || p.ViaStub != viaStub {
			b.Fatalf("exec %v, code %d, via stub %v", execErr, code, p.ViaStub)
		}
	}
}

func BenchmarkStartViaStub(b *testing.B)       { benchmarkStart(b, true) }
func BenchmarkStartViaTrampoline(b *testing.B) { benchmarkStart(b, false) }
