package status

import (
	"os"
	"runtime"
	"runtime/metrics"
	"sync"

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
	u.HeapTotal, u.HeapUsed = heap()
	u.Goroutine = runtime.NumGoroutine()
	return u
}

// heapSamples are the runtime/metrics that make up MemStats' HeapSys (all
// four) and HeapAlloc (the first). They are read instead of calling
// runtime.ReadMemStats, which stops the world and flushes every P's span
// cache: in a master's first second that flush was a sixth of all its page
// faults (new pages of the runtime's span sets), and it stopped the
// supervisor's loop while it ran.
var heapSamples = []metrics.Sample{
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/heap/unused:bytes"},
	{Name: "/memory/classes/heap/free:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
}

var heapMu sync.Mutex // guards heapSamples

// heap returns the heap's size (what it holds from the OS) and what its
// objects use.
func heap() (total, used uint64) {
	heapMu.Lock()
	defer heapMu.Unlock()
	metrics.Read(heapSamples)
	for _, s := range heapSamples {
		if s.Value.Kind() == metrics.KindUint64 {
			total += s.Value.Uint64()
		}
	}
	if s := heapSamples[0]; s.Value.Kind() == metrics.KindUint64 {
		used = s.Value.Uint64()
	}
	return total, used
}
