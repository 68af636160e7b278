package supervisor

import (
	"errors"
	"slices"
	"syscall"
	"time"
)

// A worker's family is its process group and every descendant of its leader,
// also those that left the group (setsid, setpgid). Stopping a worker stops
// its family; a worker whose leader has ended (on its own or when stopped)
// leaves behind what is left of its family, which spark2 stops too, TERM and
// then KILL at the stop timeout (systemd's KillMode=control-group), so that no
// process outlives its slot.

// ProcRef names one process: with its start time, a pid names it for ever.
type ProcRef struct {
	Pid       int
	StartTime uint64
	InGroup   bool // in the worker's process group: a signal to the group reaches it
}

// leftoverPoll is how often spark2 looks whether what a worker left is gone.
const leftoverPoll = 100 * time.Millisecond

// killGrace is how long processes get to die after SIGKILL before spark2 stops
// waiting for them.
const killGrace = time.Second

// stopSignal is the signal that asks a worker to stop gracefully.
func (s *Supervisor) stopSignal() syscall.Signal {
	if s.opt.StopSignal == 0 {
		return syscall.SIGTERM
	}
	return s.opt.StopSignal
}

// family returns the live members of w's family besides its leader, leaving
// out the processes spark2 may not signal, and remembers them: once the leader
// is gone, those that left its group can only be found from there. periodic:
// the sweep's lookup (see Lookup).
func (s *Supervisor) family(w *worker, periodic bool) []ProcRef {
	if s.os.Family == nil {
		return nil
	}
	var fam []ProcRef
	for _, m := range s.os.Family(ProcRef{Pid: w.pid, StartTime: w.startTime}, w.family, Lookup{Periodic: periodic, Turn: s.turn}) {
		if m.Pid != w.pid && !w.foreign[m.Pid] {
			fam = append(fam, m)
		}
	}
	w.family = fam
	return fam
}

// signalFamily sends sg to w's process group and to every member of its
// family that left the group; a stop signal other than KILL is followed by
// CONT, so that a stopped (SIGSTOP) process can act on it. It reports whether
// any process got sg.
func (s *Supervisor) signalFamily(w *worker, sg syscall.Signal) bool {
	fam := s.family(w, false)
	// Once the leader has been reaped, its pid, the group's id, may be
	// reused as soon as no process is left in the group: a group signal
	// then only while the group has members.
	group := s.workers[w.pid] == w || slices.ContainsFunc(fam, func(m ProcRef) bool { return m.InGroup })
	sent := group && s.signal(w, sg)
	for _, m := range fam {
		if !m.InGroup && s.signalMember(w, m.Pid, sg) {
			sent = true
		}
	}
	if sg != syscall.SIGKILL && sg != syscall.SIGCONT {
		if group {
			s.signal(w, syscall.SIGCONT)
		}
		for _, m := range fam {
			if !m.InGroup && !w.foreign[m.Pid] {
				s.os.Kill(m.Pid, syscall.SIGCONT)
			}
		}
	}
	return sent
}

// signalMember sends sg to pid, a member of w's family outside its group.
// One that spark2 may not signal (EPERM: it belongs to another user) is logged
// and no longer waited for.
func (s *Supervisor) signalMember(w *worker, pid int, sg syscall.Signal) bool {
	err := s.os.Kill(pid, sg)
	switch {
	case err == nil:
		return true
	case errors.Is(err, syscall.EPERM):
		if w.foreign == nil {
			w.foreign = map[int]bool{}
		}
		w.foreign[pid] = true
		w.log.Warn("cannot signal a process of the worker's family: it belongs to another user; not waiting for it",
			"process", pid, "signal", signalName(sg), "error", err)
	case !errors.Is(err, syscall.ESRCH):
		w.log.Warn("cannot signal a process of the worker's family", "process", pid, "signal", signalName(sg), "error", err)
	}
	return false
}

// leaderEnded runs when w's leader has been reaped: what is left of its family
// is stopped, or, for a worker being stopped, kept to its KILL deadline.
func (s *Supervisor) leaderEnded(w *worker) {
	fam := s.family(w, false)
	if len(fam) == 0 {
		return
	}
	now := s.os.Now()
	s.leftovers[w.pid] = w
	w.pollAt = now.Add(leftoverPoll)
	if w.stopping {
		w.log.Debug("worker stopped; waiting for the rest of its process family", "pids", pids(fam))
		if w.killAt.IsZero() {
			w.giveUpAt = now.Add(killGrace) // KILL was sent already
		}
		return
	}
	w.log.Warn("worker ended but left processes behind; stopping them", "pids", pids(fam), "signal", "SIGTERM", "stop_timeout", s.opt.StopTimeout)
	w.killAt = now.Add(s.opt.StopTimeout)
	s.signalFamily(w, syscall.SIGTERM)
}

// onLeftoverTimer drives the families whose leader has ended: KILL at the
// stop timeout, and forgetting them once they are gone.
func (s *Supervisor) onLeftoverTimer(w *worker, now time.Time) {
	if due(w.killAt, now) {
		w.killAt = time.Time{}
		w.giveUpAt = now.Add(killGrace)
		left := s.family(w, false)
		if len(left) > 0 {
			w.log.Warn("processes the worker left did not stop in time; killing them", "pids", pids(left), "stop_timeout", s.opt.StopTimeout)
			s.signalFamily(w, syscall.SIGKILL)
		}
	}
	if !due(w.pollAt, now) {
		return
	}
	left := s.family(w, false)
	switch {
	case len(left) == 0:
		w.log.Debug("the processes the worker left have ended")
		delete(s.leftovers, w.pid)
	case due(w.giveUpAt, now):
		w.log.Error("processes the worker left survive SIGKILL; no longer waiting for them", "pids", pids(left))
		delete(s.leftovers, w.pid)
	default:
		w.pollAt = now.Add(leftoverPoll)
	}
}

func pids(fam []ProcRef) []int {
	out := make([]int, len(fam))
	for i, m := range fam {
		out[i] = m.Pid
	}
	return out
}
