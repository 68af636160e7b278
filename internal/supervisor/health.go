package supervisor

import (
	"math/rand/v2"
	"syscall"
	"time"
)

// Worker health: the watchdog (a ready worker that stops sending WATCHDOG=1
// is hung: SIGABRT to its family, KILL at the stop timeout, respawn with the
// usual back-off), and the readiness-gated replacements for --max-lifetime
// and --max-memory (renewals: start a new worker in the slot, wait until it
// is ready, then stop the old one with the stop signal; one slot at a time;
// a failed one leaves the old worker serving and is retried with back-off).

// ReplaceReason says why a slot's worker was replaced, in a word for logs;
// "" when it never was (or, for a worker, is not being replaced).
type ReplaceReason string

// The reasons for replacing a slot's worker.
const (
	ReasonCrashed  ReplaceReason = "crashed"  // it ended on its own (or was not ready in time)
	ReasonHung     ReplaceReason = "hung"     // the watchdog found it silent
	ReasonMemory   ReplaceReason = "memory"   // its process tree used more than MaxMemory
	ReasonLifetime ReplaceReason = "lifetime" // it reached MaxLifetime
	ReasonRespawn  ReplaceReason = "respawn"  // a rolling respawn (SIGCONT, SIGHUP, Events.Reload)
)

// Replacements count the replacements of workers by reason.
type Replacements struct {
	Crashed, Hung, Memory, Lifetime, Respawn int
}

func (r *Replacements) add(reason ReplaceReason) {
	switch reason {
	case ReasonCrashed:
		r.Crashed++
	case ReasonHung:
		r.Hung++
	case ReasonMemory:
		r.Memory++
	case ReasonLifetime:
		r.Lifetime++
	case ReasonRespawn:
		r.Respawn++
	}
}

// MemoryUse is one worker's resident memory, its whole process tree's.
type MemoryUse struct {
	Pid       int
	StartTime uint64 // with Pid, names the worker; 0: trust the pid
	RSS       uint64 // bytes
}

// renewal is the readiness-gated replacement in flight.
type renewal struct {
	slot   *slot
	reason ReplaceReason
}

// minRenewRetry is the shortest wait before a failed renewal is tried again.
const minRenewRetry = time.Second

// replaced records that sl's worker was replaced for reason.
func (s *Supervisor) replaced(sl *slot, reason ReplaceReason) {
	sl.lastReason = reason
	sl.replaced.add(reason)
	s.counts.Replaced.add(reason)
}

// watchOnReady starts the health clocks of w, now ready: the watchdog's
// deadline and the lifetime, less a random jitter of up to 10 %.
func (s *Supervisor) watchOnReady(w *worker) {
	now := s.os.Now()
	if d := s.watchdogOf(w); d > 0 {
		w.pingAt, w.hungAt = now, now.Add(d)
	}
	if s.opt.MaxLifetime > 0 {
		jitter := time.Duration(s.randN(int64(s.opt.MaxLifetime/10) + 1))
		w.expireAt = w.started.Add(s.opt.MaxLifetime - jitter)
	}
}

func (s *Supervisor) randN(n int64) int64 {
	if s.os.Rand != nil {
		return s.os.Rand(n)
	}
	return rand.Int64N(n)
}

// onWatchdog handles a keep-alive that came to the loop (a datagram with
// WATCHDOG=1 and more in it) or, with trigger, WATCHDOG=trigger, from the
// worker whose leader is pid: only the leader speaks for the worker, as
// WATCHDOG_PID says. Plain keep-alives take the KeepAlives way instead. It
// reports whether the state changed.
func (s *Supervisor) onWatchdog(pid int, trigger bool) bool {
	w := s.workers[pid]
	if w == nil || s.opt.Watchdog <= 0 {
		return false
	}
	now := s.os.Now()
	if !trigger {
		s.keptAlive(w, now)
		return false
	}
	if !w.ready || w.stopping {
		return false
	}
	w.log.Warn("worker asks to be treated as hung (WATCHDOG=trigger)")
	w.triggered, w.hungAt = true, now
	return false
}

// keptAlive records w's keep-alive sent at at: while w is ready, its
// watchdog deadline moves to at + its period. One older than the last is
// ignored (it was read late, after a newer one came the other way).
func (s *Supervisor) keptAlive(w *worker, at time.Time) {
	d := s.watchdogOf(w)
	if d <= 0 || !at.After(w.pingAt) {
		return
	}
	w.pingAt = at
	if w.ready && !w.stopping && !w.triggered {
		w.hungAt = at.Add(d)
	}
}

// watchdogOf is w's watchdog period: --watchdog, or the one it set with
// WATCHDOG_USEC; 0 is none.
func (s *Supervisor) watchdogOf(w *worker) time.Duration {
	if s.opt.Watchdog <= 0 {
		return 0
	}
	if w.ownPeriod {
		return w.period
	}
	return s.opt.Watchdog
}

// onWatchdogPeriod handles WATCHDOG_USEC from the worker whose leader is
// pid, as systemd does for a service: its watchdog period is d from now on
// (0 turns its watchdog off), and a ready worker's deadline starts again
// from now. Without --watchdog no worker is watched and it changes nothing.
// The period is that process's: its slot's next worker starts with
// --watchdog again.
func (s *Supervisor) onWatchdogPeriod(pid int, d time.Duration) {
	w := s.workers[pid]
	if w == nil || s.opt.Watchdog <= 0 {
		return
	}
	if was := s.watchdogOf(w); was != d || !w.ownPeriod { // said once per change: a worker may repeat it
		w.log.Info("worker sets its own watchdog period (WATCHDOG_USEC); 0s turns its watchdog off", "watchdog", d, "was", was)
	}
	w.period, w.ownPeriod = d, true
	if !w.ready || w.stopping || w.triggered {
		return // a worker not yet ready starts its clock when it is
	}
	now := s.os.Now()
	w.pingAt, w.hungAt = now, time.Time{}
	if d > 0 {
		w.hungAt = now.Add(d)
	}
}

// onHung stops w, whose watchdog deadline has passed: SIGABRT to its family
// (runtimes dump their stacks), KILL at the stop timeout; its end is then a
// failure, respawned with back-off (see ended).
func (s *Supervisor) onHung(w *worker, now time.Time) {
	w.hungAt = time.Time{}
	if !w.ready || w.stopping {
		return
	}
	why := "no WATCHDOG=1 within --watchdog"
	if w.triggered {
		why = "it sent WATCHDOG=trigger"
	}
	w.log.Error("worker is hung ("+why+"); sending SIGABRT to its process group, KILL after --stop-timeout, then respawning",
		"slot", w.slot, "pid", w.pid, "silent_for", now.Sub(w.pingAt).Round(time.Millisecond), "watchdog", s.watchdogOf(w), "stop_timeout", s.opt.StopTimeout)
	w.hung, w.stopping, w.ready, w.held = true, true, false, nil
	w.expireAt, w.renewAt = time.Time{}, time.Time{}
	w.killAt = now.Add(s.opt.StopTimeout)
	s.signalFamily(w, syscall.SIGABRT)
}

// onExpired: w has reached its --max-lifetime.
func (s *Supervisor) onExpired(w *worker, now time.Time) {
	w.expireAt = time.Time{}
	if sl := s.slotOf(w); sl != nil && sl.cur == w && w.ready && !w.stopping {
		w.log.Info("worker reached --max-lifetime; replacing it", "age", now.Sub(w.started).Round(time.Millisecond), "max_lifetime", s.opt.MaxLifetime)
		s.renew(w, ReasonLifetime)
	}
}

// onMemory takes the memory use of the workers, measured off the loop, and
// replaces each one above --max-memory. It reports whether the state changed.
func (s *Supervisor) onMemory(uses []MemoryUse) bool {
	changed := false
	for _, u := range uses {
		w := s.workers[u.Pid]
		if w == nil || u.StartTime != 0 && w.startTime != 0 && u.StartTime != w.startTime {
			continue
		}
		if s.opt.MaxMemory == 0 || u.RSS <= s.opt.MaxMemory || w.renew != "" || !w.ready || w.stopping {
			continue
		}
		if sl := s.slotOf(w); sl == nil || sl.cur != w {
			continue
		}
		w.log.Warn("worker uses more memory than --max-memory; replacing it", "rss_bytes", u.RSS, "max_memory_bytes", s.opt.MaxMemory)
		s.renew(w, ReasonMemory)
		changed = true
	}
	return changed
}

// renew queues a readiness-gated replacement of w, the worker of its slot,
// for reason; one already queued for it stays as it is.
func (s *Supervisor) renew(w *worker, reason ReplaceReason) {
	if w.renew != "" || w.stopping || s.stop != nil {
		return
	}
	w.renew = reason
	s.renewals = append(s.renewals, w)
	s.nextRenewal()
}

// nextRenewal starts the next queued renewal, unless one or a rolling
// respawn is in progress. A queued worker that no longer serves its slot is
// dropped: what replaced it is new.
func (s *Supervisor) nextRenewal() {
	for s.renewing == nil && s.roll == nil && s.stop == nil && len(s.renewals) > 0 {
		w := s.renewals[0]
		s.renewals = s.renewals[1:]
		sl := s.slotOf(w)
		if sl == nil || sl.cur != w || sl.next != nil || w.stopping || s.workers[w.pid] != w {
			continue
		}
		w.log.Info("starting the worker's replacement", "reason", w.renew)
		s.renewing = &renewal{slot: sl, reason: w.renew}
		s.spawn(sl, true)
	}
}

// renewalDone ends the renewal in flight; a rolling respawn asked for
// meanwhile runs now, else the next renewal.
func (s *Supervisor) renewalDone() {
	s.renewing = nil
	if why := s.rollWanted; why != "" {
		s.rollWanted = ""
		s.respawnAll(why)
	}
	s.nextRenewal()
}

// renewalFailed: the replacement for a renewal of sl failed (it could not
// start, died or was not ready in time). The old worker keeps serving; the
// renewal is tried again after a back-off.
func (s *Supervisor) renewalFailed(sl *slot, why string) {
	reason := s.renewing.reason
	if sl.next != nil {
		s.stopWorker(sl.next)
		sl.next = nil
	}
	if w := sl.cur; w != nil && !w.stopping {
		w.renewFails++
		delay := max(s.opt.Backoff.delay(w.renewFails+1), minRenewRetry)
		w.renewAt = s.os.Now().Add(delay)
		w.log.Error("replacing the worker failed; it keeps serving, and spark2 tries again", "reason", reason, "why", why, "retry_in", delay)
	} else if sl.cur == nil && s.stop == nil {
		s.scheduleRespawn(sl, 0)
	}
	s.renewalDone()
}

// onRenewRetry queues the renewal of w again after its back-off.
func (s *Supervisor) onRenewRetry(w *worker) {
	w.renewAt = time.Time{}
	if w.stopping || w.renew == "" {
		return
	}
	s.renewals = append(s.renewals, w)
	s.nextRenewal()
}

// healthTimers does what the health deadlines of w have brought due.
func (s *Supervisor) healthTimers(w *worker, now time.Time) {
	if due(w.hungAt, now) {
		s.onHung(w, now)
	}
	if due(w.expireAt, now) {
		s.onExpired(w, now)
	}
	if due(w.renewAt, now) {
		s.onRenewRetry(w)
	}
}
