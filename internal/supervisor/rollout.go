package supervisor

import "time"

// rollout is a rolling respawn in progress: slot by slot, a replacement is
// started and, once it is ready, the old worker is stopped. Only one slot is
// in flight at a time, so at most one extra worker runs.
type rollout struct {
	slot  int  // the slot being replaced; -1 before the first
	again bool // another respawn was asked for meanwhile: run once more when done
}

// respawnAll starts a rolling respawn of every worker, or, when one is
// running, makes it run once more when it is done (the workers it already
// replaced may predate what the new request is for).
func (s *Supervisor) respawnAll(why string) {
	if s.stop != nil {
		return
	}
	if !s.requeue.at.IsZero() {
		s.log.Info("a respawn is already queued after the failed one; it will run then", "why", why, "in", s.requeue.at.Sub(s.os.Now()).Round(time.Millisecond))
		return
	}
	if s.renewing != nil {
		s.log.Info("a worker is being replaced; the rolling respawn follows", "why", why, "reason", s.renewing.reason)
		s.rollWanted = why
		return
	}
	if s.roll != nil {
		if !s.roll.again { // said once per rollout: a signal storm must not flood the log
			s.log.Info("rolling respawn in progress; another follows it", "why", why)
		}
		s.roll.again = true
		return
	}
	s.log.Info("rolling respawn of every worker", "why", why, "workers", len(s.slots))
	s.counts.Reloads++
	s.roll = &rollout{slot: -1}
	s.rollNext()
}

// rollNext moves the rollout to the next slot that has a worker to replace.
func (s *Supervisor) rollNext() {
	for s.roll != nil {
		s.roll.slot++
		if s.roll.slot >= len(s.slots) {
			if s.roll.again {
				s.roll = &rollout{slot: -1}
				continue
			}
			s.roll = nil
			s.requeue.failures = 0
			s.log.Info("rolling respawn done")
			s.nextRenewal()
			return
		}
		sl := s.slots[s.roll.slot]
		if sl.cur == nil {
			if !sl.spawnAt.IsZero() { // backing off: a respawn asked for does not wait
				sl.spawnAt, sl.failures = s.os.Now(), 0
			}
			continue
		}
		s.spawn(sl, true)
		return // wait for onReady (or a failure, which ends the rollout)
	}
}

// onReady is called once w can serve. A replacement takes over its slot and the
// worker it replaces is stopped.
func (s *Supervisor) onReady(w *worker) {
	w.ready, w.readyAt, w.readyBy = true, time.Time{}, time.Time{}
	s.everReady = true
	s.deliverHeld(w)
	s.watchOnReady(w)
	w.log.Debug("worker is ready", "after", s.os.Now().Sub(w.started).Round(time.Millisecond))
	sl := s.slotOf(w)
	if sl == nil || sl.next != w {
		return
	}
	old := sl.cur
	sl.cur, sl.next = w, nil
	renewed := s.renewing != nil && s.renewing.slot == sl
	reason := ReasonRespawn
	if renewed {
		reason = s.renewing.reason
	}
	s.replaced(sl, reason)
	if old != nil {
		old.log.Info("worker replaced; stopping it", "reason", reason, "by", w.pid)
		s.stopWorker(old)
	}
	switch {
	case renewed:
		s.renewalDone()
	case s.roll != nil && s.roll.slot == sl.id:
		s.rollNext()
	}
}

// rolloutFailed abandons the rollout: the old workers keep serving.
func (s *Supervisor) rolloutFailed(sl *slot, why string) {
	if s.renewing != nil && s.renewing.slot == sl {
		s.renewalFailed(sl, why)
		return
	}
	s.counts.FailedReloads++
	s.log.Error("rolling respawn failed; the old workers keep serving", "slot", sl.id, "why", why)
	if s.roll != nil && s.roll.again && s.stop == nil {
		s.requeueAfterFailure()
	}
	s.roll = nil
	if sl.next != nil {
		s.stopWorker(sl.next)
		sl.next = nil
	}
	if sl.cur == nil && s.stop == nil {
		s.scheduleRespawn(sl, 0)
	}
	s.nextRenewal()
}

// requeued is a respawn asked for while a rollout ran that then failed: it
// still runs, after the back-off of a crash (the failed rollouts in a row
// counting as the deaths), so that a fix saved while broken code was starting
// is deployed.
type requeued struct {
	at       time.Time // when it runs; zero when none is queued
	failures int       // rollouts in a row that failed with a respawn queued
}

func (s *Supervisor) requeueAfterFailure() {
	s.requeue.failures++
	delay := max(s.opt.Backoff.delay(s.requeue.failures+1), time.Millisecond)
	s.requeue.at = s.os.Now().Add(delay)
	s.log.Info("a respawn was asked for during the failed one; it runs after a back-off", "in", delay)
}

// onRequeue runs the queued respawn.
func (s *Supervisor) onRequeue() {
	s.requeue.at = time.Time{}
	s.respawnAll("queued during a rolling respawn that failed")
}
