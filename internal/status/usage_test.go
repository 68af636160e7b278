package status

import (
	"runtime"
	"testing"

	"github.com/spark2/spark2/internal/procfs"
)

// BenchmarkMasterUsage is the master's read of its own usage, about once a
// second while it runs.
func BenchmarkMasterUsage(b *testing.B) {
	var r procfs.Reader
	b.ReportAllocs()
	for b.Loop() {
		MasterUsage(&r)
	}
}

// TestMasterUsageHeapIsMemStats: the heap figures read from runtime/metrics
// are MemStats' HeapSys and HeapAlloc (up to what this goroutine allocates
// in between).
func TestMasterUsageHeapIsMemStats(t *testing.T) {
	var r procfs.Reader
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	u := MasterUsage(&r)
	near := func(a, b uint64) bool { return max(a, b)-min(a, b) <= max(a, b)/4+256<<10 }
	if !near(u.HeapTotal, ms.HeapSys) || !near(u.HeapUsed, ms.HeapAlloc) || u.HeapUsed == 0 || u.HeapUsed > u.HeapTotal {
		t.Fatalf("heap total %d, used %d; MemStats says HeapSys %d, HeapAlloc %d", u.HeapTotal, u.HeapUsed, ms.HeapSys, ms.HeapAlloc)
	}
	if u.FDs < 3 || u.RSS == 0 || u.VSize < u.RSS || u.Threads < 1 || u.Goroutine < 1 {
		t.Fatalf("usage %+v", u)
	}
}
