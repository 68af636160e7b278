package status

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// MasterUsage measures the calling process: open fds and pipes, resident and
// virtual memory, and the Go heap (the seed's heapTotal and heapUsed).
func MasterUsage() Usage {
	var u Usage
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		u.FDs = len(ents)
		for _, e := range ents {
			if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(target, "pipe:") {
				u.Pipes++
			}
		}
	}
	u.RSS = statusBytes("self", "VmRSS")
	u.VSize = statusBytes("self", "VmSize")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	u.HeapTotal, u.HeapUsed = ms.HeapSys, ms.HeapAlloc
	u.Threads = int(statusNumber("self", "Threads"))
	u.Goroutine = runtime.NumGoroutine()
	return u
}

// RSS returns the resident memory of pid, 0 if unknown.
func RSS(pid int) uint64 { return statusBytes(strconv.Itoa(pid), "VmRSS") }

// statusBytes reads a "kB" field of /proc/<pid>/status, in bytes.
func statusBytes(pid, field string) uint64 { return statusNumber(pid, field) * 1024 }

// statusNumber reads the number of a field of /proc/<pid>/status; 0 if unknown.
func statusNumber(pid, field string) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%s/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte(field+":")); ok {
			if f := bytes.Fields(v); len(f) > 0 {
				n, _ := strconv.ParseUint(string(f[0]), 10, 64)
				return n
			}
		}
	}
	return 0
}
