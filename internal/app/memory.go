package app

import (
	"time"

	"github.com/spark2/spark2/internal/supervisor"
)

// memoryEvery is how often --max-memory samples the workers' memory.
const memoryEvery = time.Second

// watchMemory samples, every memoryEvery and off the supervisor's loop, the
// resident memory of each worker's process tree and sends it to out for
// the supervisor to compare with --max-memory. A sample the loop has not
// taken yet is replaced, never queued. Without a limit (max 0) it does
// nothing. The returned function stops it.
func watchMemory(sup *supervisor.Supervisor, procs *procView, max uint64, out chan []supervisor.MemoryUse) (stop func()) {
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
			uses := sampleMemory(sup.Snapshot(), procs)
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

// sampleMemory measures the serving worker of each slot of snap, reading
// the memory afresh (the process tree from the walk the sweep shares).
func sampleMemory(snap supervisor.Snapshot, procs *procView) []supervisor.MemoryUse {
	var pids []int
	for _, sl := range snap.Slots {
		if pid := sl.Worker.Pid; pid != 0 && sl.Worker.Ready {
			pids = append(pids, pid)
		}
	}
	if len(pids) == 0 {
		return nil
	}
	uses := make([]supervisor.MemoryUse, len(pids))
	for i, rss := range procs.treeRSS(pids, 0, nil) {
		uses[i] = supervisor.MemoryUse{Pid: pids[i], RSS: rss}
	}
	return uses
}
