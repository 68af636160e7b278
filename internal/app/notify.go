package app

import (
	"os"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/ready"
)

// notifyReportEvery is how often, at most, spark2 logs about NOTIFY_SOCKET
// datagrams it dropped.
const notifyReportEvery = 10 * time.Second

// notifyFilter is the NOTIFY_SOCKET filter: only a process below one of the
// master's children (a worker, or a process a worker started) is heard; the
// supervisor then checks that the child is a worker. Others, a sidecar or
// the host under --network host (pid 0: outside spark2's PID namespace),
// are dropped before the loop, and logged about at most every
// notifyReportEvery. A sender that the sweep's last walk of /proc shows
// below a child is heard without reading /proc again (the keep-alives of
// --watchdog come many times a second); any other is looked up afresh.
func notifyFilter(procs *procView, log hclog.Logger) ready.Filter {
	master := os.Getpid()
	return ready.Filter{
		Allow: func(pid int) bool {
			return belowChild(pid, master, procs.lastParent) || belowChild(pid, master, parent)
		},
		Report: func(n, pid int) {
			log.Warn("ignoring NOTIFY_SOCKET datagrams from a process that is no worker's (said at most every 10s)",
				"dropped", n, "pid", pid)
		},
		Every: notifyReportEvery,
	}
}

// belowChild reports whether pid is a child of master or below one,
// following parent (0: unknown or gone) at most 32 levels up.
func belowChild(pid, master int, parent func(int) int) bool {
	for i := 0; i < 32 && pid > 0 && pid != master; i++ {
		pp := parent(pid)
		if pp == master {
			return true
		}
		pid = pp
	}
	return false
}
