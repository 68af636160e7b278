package supervisor

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// Reason says why Run returned.
type Reason int

// The reasons Run returns.
const (
	Stopped      Reason = iota // a stop signal; every process ended within the stop timeout
	StopKilled                 // a stop signal; something had to be SIGKILLed at the stop timeout
	WorkersEnded               // RespawnNever or RespawnOnFailure, and every worker has ended
	Permanent                  // COMMAND cannot run (Code exitcode.NotFound, CannotExecute) or said so (exitcode.Permanent)
)

// Outcome is what Run returns.
type Outcome struct {
	Reason Reason
	Code   int       // WorkersEnded: the first failing worker's code, else 0; Permanent: 126, 127 or 78
	Signal os.Signal // Stopped, StopKilled: the signal that asked for the stop
}

// stopping is a shutdown in progress.
type stopping struct {
	outcome  Outcome
	deadline time.Time    // SIGKILL for whatever is left, then a last grace to reap
	pollAt   time.Time    // next look for leftover descendants; zero when not looking
	termed   bool         // leftovers outside the workers' groups got TERM
	killed   bool         // SIGKILL was needed (and reached something)
	foreign  map[int]bool // descendants spark2 may not signal (EPERM): not waited for
}

// pollEvery is how often a shutdown looks for leftover descendants once every
// worker has ended (their exits are not all the reaper's to report: some are
// grandchildren).
const pollEvery = 20 * time.Millisecond

// beginStop stops every worker (TERM to each process group) and arms the stop
// timeout; Run returns outcome once everything has ended.
func (s *Supervisor) beginStop(outcome Outcome) {
	if s.stop != nil {
		return
	}
	s.roll = nil
	s.renewing, s.renewals, s.rollWanted = nil, nil, ""
	for _, sl := range s.slots {
		sl.spawnAt = time.Time{}
	}
	s.stop = &stopping{outcome: outcome, deadline: s.os.Now().Add(s.opt.StopTimeout), foreign: map[int]bool{}}
	s.pending = nil
	s.requeue.at = time.Time{}
	for _, w := range s.workers {
		s.stopWorker(w)
	}
	s.checkEnd()
}

// fatal stops everything because the workers can never run.
func (s *Supervisor) fatal(code int) {
	s.beginStop(Outcome{Reason: Permanent, Code: code})
}

// checkEnd runs after a worker ended: it notices when a run is over, or, in a
// shutdown, when only leftovers remain.
func (s *Supervisor) checkEnd() {
	if len(s.workers) > 0 {
		return
	}
	if s.stop == nil {
		for _, sl := range s.slots {
			if !sl.spawnAt.IsZero() {
				return
			}
		}
		code := 0
		if s.firstFailure != nil {
			code = *s.firstFailure
		}
		s.log.Info("every worker has ended; exiting", "restart", s.opt.Respawn.String(), "code", code)
		s.beginStop(Outcome{Reason: WorkersEnded, Code: code})
		return
	}
	s.stop.pollAt = s.os.Now()
}

// onStopTimer drives a shutdown: the leftover check and the KILL deadline.
func (s *Supervisor) onStopTimer(now time.Time) {
	st := s.stop
	if !now.Before(st.deadline) {
		if st.killed {
			s.log.Error("processes survive SIGKILL; exiting anyway", "pids", s.leftOver())
			s.finish()
			return
		}
		s.killAll()
		st.deadline = now.Add(time.Second) // time for the kernel and the reaper
		st.pollAt = now
		return
	}
	if st.pollAt.IsZero() || now.Before(st.pollAt) || len(s.workers) > 0 {
		return
	}
	st.pollAt = time.Time{}
	left := s.leftOver()
	if len(left) == 0 {
		s.finish()
		return
	}
	if !st.termed {
		st.termed = true
		s.log.Info("workers have ended; stopping their leftover processes", "pids", left)
		s.killLeftovers(left, syscall.SIGTERM)
		if left = s.leftOver(); len(left) == 0 {
			s.finish()
			return
		}
	}
	st.pollAt = now.Add(pollEvery)
}

// leftOver returns the master's descendants that a stop waits for: all but
// those spark2 may not signal.
func (s *Supervisor) leftOver() []int {
	var left []int
	for _, pid := range s.os.Descendants() {
		if !s.stop.foreign[pid] {
			left = append(left, pid)
		}
	}
	return left
}

// killLeftovers sends sg to each of pids, and reports whether it reached any.
// A process spark2 may not signal (EPERM: another user's, say a root process
// that "docker exec" left behind after the privilege drop) is named in the
// log and not waited for.
func (s *Supervisor) killLeftovers(pids []int, sg syscall.Signal) bool {
	sent := false
	var denied []int
	for _, pid := range pids {
		err := s.os.Kill(pid, sg)
		switch {
		case err == nil:
			sent = true
		case errors.Is(err, syscall.EPERM):
			s.stop.foreign[pid] = true
			denied = append(denied, pid)
		}
	}
	if len(denied) > 0 {
		s.log.Warn("cannot signal processes that belong to another user (not spark2's workers); not waiting for them", "pids", denied, "signal", signalName(sg))
	}
	return sent
}

// killAll sends SIGKILL to every worker's process group and to every
// descendant of the master, wherever it has gone.
func (s *Supervisor) killAll() {
	left := s.leftOver()
	if len(s.workers) == 0 && len(left) == 0 {
		return
	}
	s.log.Warn("stop timeout reached; killing what is left", "stop_timeout", s.opt.StopTimeout, "workers", len(s.workers), "processes", left)
	for _, w := range s.workers {
		w.killAt = time.Time{}
		if s.signal(w, syscall.SIGKILL) {
			s.stop.killed = true
		}
	}
	if s.killLeftovers(left, syscall.SIGKILL) {
		s.stop.killed = true
	}
}

func (s *Supervisor) finish() {
	s.outcome = s.stop.outcome
	if s.stop.killed && s.outcome.Reason == Stopped {
		s.outcome.Reason = StopKilled
	}
	s.done = true
}
