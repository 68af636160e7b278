package app

import (
	"slices"
	"time"

	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/status"
)

// heartbeatEvery is how old the heartbeat on disk may get before a snapshot
// that changes nothing else is written anyway. The supervisor publishes at
// least once a second (its sweep), so the heartbeat on disk is never much
// older than a second, while a flood of events that change nothing (a worker
// repeating READY=1 on NOTIFY_SOCKET) writes the file at most twice a second.
const heartbeatEvery = 500 * time.Millisecond

// sameState reports whether a and b say the same about the master and its
// workers, apart from the heartbeat and the resource use (which change on
// every snapshot).
func sameState(a, b *status.File) bool {
	return a.State == b.State && a.WorkersWanted == b.WorkersWanted && a.Totals == b.Totals &&
		slices.EqualFunc(a.Workers, b.Workers, func(x, y status.Worker) bool {
			x.RSS, y.RSS = 0, 0
			return x == y
		})
}

// addUsage fills in f's resource figures: the master's, and the resident
// memory of each worker's process tree (what --max-memory limits), read at
// most rssFresh ago.
func (w *statusWriter) addUsage(f *status.File) {
	f.Master = w.usage.get()
	w.pids = w.pids[:0]
	for _, wk := range f.Workers {
		w.pids = append(w.pids, wk.Pid)
	}
	w.rss = w.procs.treeRSS(w.pids, rssFresh, w.rss)
	for i, rss := range w.rss {
		f.Workers[i].RSS = rss
	}
}

// usageCache is the master's own resource use, read at most once per
// rssFresh: the status file may be written twice a second. Its zero value
// is ready; it is the status writer's alone.
type usageCache struct {
	r  procfs.Reader
	u  status.Usage
	at time.Time
}

func (c *usageCache) get() status.Usage {
	if c.at.IsZero() || time.Since(c.at) >= rssFresh {
		c.u, c.at = status.MasterUsage(&c.r), time.Now()
	}
	return c.u
}
