package app

import (
	"bytes"
	"os"
	"strconv"
	"time"

	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/supervisor"
)

// memoryEvery is how often --max-memory samples the workers' memory.
const memoryEvery = time.Second

// pageSize converts /proc/<pid>/statm's pages to bytes.
var pageSize = uint64(os.Getpagesize())

// watchMemory samples, every memoryEvery and off the supervisor's loop, the
// resident memory of each worker's process tree and sends it to out for
// the supervisor to compare with --max-memory. A sample the loop has not
// taken yet is replaced, never queued. Without a limit (max 0) it does
// nothing. The returned function stops it.
func watchMemory(sup *supervisor.Supervisor, max uint64, out chan []supervisor.MemoryUse) (stop func()) {
	if max == 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(memoryEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			uses := sampleMemory(sup.Snapshot())
			select {
			case out <- uses:
			default:
				select {
				case <-out:
				default:
				}
				out <- uses
			}
		}
	}()
	return func() { close(done) }
}

// sampleMemory measures the serving worker of each slot of snap.
func sampleMemory(snap supervisor.Snapshot) []supervisor.MemoryUse {
	all, err := procfs.All()
	if err != nil {
		return nil
	}
	var uses []supervisor.MemoryUse
	for _, sl := range snap.Slots {
		if pid := sl.Worker.Pid; pid != 0 && sl.Worker.Ready {
			uses = append(uses, supervisor.MemoryUse{Pid: pid, RSS: treeRSS(all, pid)})
		}
	}
	return uses
}

// treeRSS is the resident memory of pid and its descendants in all, in
// bytes; processes that have gone count 0.
func treeRSS(all []procfs.Stat, pid int) uint64 {
	sum := rssOf(pid)
	for _, d := range procfs.Descendants(all, pid) {
		sum += rssOf(d.Pid)
	}
	return sum
}

// rssOf reads the resident pages of pid from /proc/<pid>/statm (cheaper
// than status), in bytes; 0 if it is gone.
func rssOf(pid int) uint64 {
	b, err := os.ReadFile(procfs.Root + "/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseUint(string(f[1]), 10, 64)
	return n * pageSize
}
