package supervisor

import (
	"os"
	"slices"
	"syscall"

	"github.com/spark2/spark2/internal/sig"
)

// onSignal acts on a signal to the master, as the table in package sig says.
func (s *Supervisor) onSignal(sg os.Signal) {
	ss, _ := sg.(syscall.Signal)
	name := signalName(ss)
	switch sig.Of(sg) {
	case sig.Stop:
		if s.stop != nil {
			s.log.Warn("already stopping; ignoring the signal", "signal", name)
			return
		}
		s.log.Info("stopping gracefully", "signal", name, "workers", len(s.workers), "stop_timeout", s.opt.StopTimeout)
		s.beginStop(Outcome{Reason: Stopped, Signal: sg})
	case sig.Respawn:
		s.respawnAll(name)
	case sig.ScaleUp:
		s.scaleUp()
	case sig.ScaleDown:
		s.scaleDown()
	case sig.Reopen:
		if s.opt.Reopen != nil {
			if err := s.opt.Reopen(); err != nil {
				s.log.Error("cannot reopen the access log", "error", err)
			} else {
				s.log.Info("reopened the access log")
			}
		}
		s.forward(ss)
	case sig.Ignore:
		s.log.Info("ignoring job-control signal: spark2 does not stop (SIGSTOP still pauses it)", "signal", name)
	case sig.Log:
		s.log.Warn("signal about spark2's own resource limits (RLIMIT_CPU, RLIMIT_FSIZE); not forwarded to workers", "signal", name)
	default:
		s.forward(ss)
	}
}

// forward sends sig to the process group of every worker that is ready (or
// being stopped). A worker still starting has not installed its handlers (a
// USR1 or QUIT meant for a running server would kill it, and with it a
// rolling respawn), so its signals are held, each signal once however often
// it came, and delivered when it is ready.
func (s *Supervisor) forward(sg syscall.Signal) {
	n, held := 0, 0
	for _, w := range s.workers {
		if w.ready || w.stopping {
			s.signal(w, sg)
			n++
			continue
		}
		held++
		if !slices.Contains(w.held, sg) {
			w.held = append(w.held, sg)
		}
	}
	s.log.Debug("forwarded signal", "signal", signalName(sg), "workers", n, "held_for_starting", held)
}

// deliverHeld sends w, now ready, the signals held for it.
func (s *Supervisor) deliverHeld(w *worker) {
	for _, sg := range w.held {
		w.log.Debug("delivering a signal held while the worker was starting", "signal", signalName(sg))
		s.signal(w, sg)
	}
	w.held = nil
}

func (s *Supervisor) scaleUp() {
	if s.stop != nil {
		return
	}
	if err := s.addSlot(); err != nil {
		s.log.Warn("cannot add a worker", "workers", len(s.slots), "error", err)
		return
	}
	s.log.Info("one worker more", "workers", len(s.slots))
}

// scaleDown removes the last slot and stops its workers; one slot always stays.
func (s *Supervisor) scaleDown() {
	if s.stop != nil {
		return
	}
	if len(s.slots) <= 1 {
		s.log.Warn("cannot scale below one worker; send TERM to stop spark2")
		return
	}
	sl := s.slots[len(s.slots)-1]
	s.slots = s.slots[:len(s.slots)-1]
	s.removed(sl)
	if s.renewing != nil && s.renewing.slot == sl {
		defer s.renewalDone()
	}
	for _, w := range []*worker{sl.cur, sl.next} {
		if w != nil {
			s.stopWorker(w)
		}
	}
	s.log.Info("one worker fewer", "workers", len(s.slots))
	if s.roll != nil && s.roll.slot >= sl.id {
		s.roll.slot = sl.id - 1
		s.rollNext()
	}
}
