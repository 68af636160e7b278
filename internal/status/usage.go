package status

import (
	"os"
	"runtime"

	"github.com/spark2/spark2/internal/procfs"
)

// MasterUsage measures the calling process with r: open fds and pipes,
// resident and virtual memory, and the Go heap (the seed's heapTotal and
// heapUsed). The master calls it about once a second, so it reads /proc
// with r's buffers and allocates nothing.
func MasterUsage(r *procfs.Reader) Usage {
	var u Usage
	self := os.Getpid()
	u.FDs, u.Pipes, _ = r.FDs(self)
	if st, err := r.Status(self); err == nil {
		u.RSS, u.VSize, u.Threads = st.RSS, st.VSize, st.Threads
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	u.HeapTotal, u.HeapUsed = ms.HeapSys, ms.HeapAlloc
	u.Goroutine = runtime.NumGoroutine()
	return u
}
