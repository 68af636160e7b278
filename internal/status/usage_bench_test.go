package status

import (
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
