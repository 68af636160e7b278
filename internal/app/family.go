package app

import (
	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/supervisor"
)

// family is the supervisor's OS.Family: one walk of /proc finds the members
// of the worker's process group, the leader's descendants, and the
// descendants of each process seen before that still runs, setsid or not.
//
// The sweep's lookup (periodic), which only remembers the family, may use
// an older walk when walking is dear (see sweepAge); any other (a stop,
// what a worker left) gets a walk made in its loop turn (see
// supervisor.Lookup).
func (v *procView) family(leader supervisor.ProcRef, known []supervisor.ProcRef, look supervisor.Lookup) []supervisor.ProcRef {
	v.mu.Lock()
	defer v.mu.Unlock()
	var tab *procfs.Table
	var err error
	if look.Periodic {
		tab, err = v.sweepTable(look.Turn)
	} else {
		tab, err = v.turnTable(look.Turn)
	}
	if err != nil {
		return nil
	}
	seen := map[int]bool{leader.Pid: true}
	var out []supervisor.ProcRef
	var few [8]int // roots of a few processes stay on the stack, with or without -race
	roots := few[:0]
	add := func(st procfs.Stat) {
		if seen[st.Pid] {
			return
		}
		seen[st.Pid] = true
		roots = append(roots, st.Pid)
		if st.State != 'Z' {
			out = append(out, supervisor.ProcRef{Pid: st.Pid, StartTime: st.StartTime, InGroup: st.PGrp == leader.Pid})
		}
	}
	// A leader's pid that names another process means the group is empty:
	// the kernel keeps a group's id from reuse while it has members.
	if st, ok := tab.Get(leader.Pid); !ok || st.StartTime == leader.StartTime {
		if ok {
			roots = append(roots, leader.Pid)
		}
		for _, st := range tab.Procs {
			if st.PGrp == leader.Pid {
				add(st)
			}
		}
	}
	for _, k := range known {
		if st, ok := tab.Get(k.Pid); ok && st.StartTime == k.StartTime {
			add(st)
		}
	}
	for i := 0; i < len(roots); i++ { // roots grows as descendants are added
		for _, d := range tab.Descendants(roots[i]) {
			add(d)
		}
	}
	return out
}

// alive is the supervisor's OS.Alive: pid, started at startTime, exists
// and is not a zombie.
func alive(pid int, startTime uint64) bool {
	return procfs.Alive(pid, startTime)
}

// pidfdEnded makes the supervisor's Proc.Ended and Proc.Release of a
// worker from the pidfd that the clone which started it made (fd; -1: none,
// before Linux 5.2): the pidfd names that process only, so it tells the
// worker's own exit from that of a later process given the same pid.
// Without one both are nil and exits are matched by pid.
func pidfdEnded(fd int) (ended func() bool, release func()) {
	if fd < 0 {
		return nil, nil
	}
	ended = func() bool {
		p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(p, 0)
		return err != nil || n > 0 // in doubt, the exit is the worker's
	}
	return ended, func() { unix.Close(fd) }
}
