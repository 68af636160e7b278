package supervisor

import (
	"errors"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/exitcode"
	"github.com/spark2/spark2/internal/launch"
	"github.com/spark2/spark2/internal/ready"
	"github.com/spark2/spark2/internal/reap"
)

// slot is one of the N places a worker runs in; its id is the worker's
// SPARK2_WORKER_ID and stays the same across respawns.
type slot struct {
	id       int
	cur      *worker   // the worker serving this slot; nil while it is empty
	next     *worker   // its replacement during a rolling respawn, until ready
	failures int       // deaths in a row that came before a healthy uptime
	spawnAt  time.Time // a respawn waiting out its back-off; zero when none
	restarts int       // respawns after a worker ended on its own
	lastExit string    // how its last worker ended; "" if none has
	// lastReason is why its worker was last replaced (a Reason...
	// constant); "" if it never was. replaced counts them by reason.
	lastReason ReplaceReason
	replaced   Replacements
}

// worker is one started process.
type worker struct {
	slot      int
	pid       int
	startTime uint64
	started   time.Time
	log       hclog.Logger

	execDone bool                // the exec report arrived
	execErr  error               // COMMAND could not be exec'd
	ready    bool                // it said so, or its ready delay passed
	early    bool                // it said ready before its exec report arrived
	readyAt  time.Time           // when the ready delay makes it ready; zero when not due
	readyBy  time.Time           // when it must be ready (--ready-timeout); zero once it is
	extended bool                // readyBy was moved by its EXTEND_TIMEOUT_USEC
	notReady bool                // stopped for not being ready in time: its end is a failure
	exit     *syscall.WaitStatus // exit seen before the exec report
	stopping bool                // spark2 asked it to stop
	killAt   time.Time           // when a stopping worker gets SIGKILL; zero when not due
	missing  bool                // the last liveness sweep did not find it
	gone     func() bool         // Proc.Ended; nil: trust the pid
	release  func()              // Proc.Release; nil for none
	held     []syscall.Signal    // forwarded signals held until it is ready, each once

	// Health (health.go).
	pingAt     time.Time     // its last watchdog keep-alive (or when it became ready)
	hungAt     time.Time     // when it is hung unless it sends a keep-alive; zero when not watched
	triggered  bool          // it sent WATCHDOG=trigger
	period     time.Duration // its watchdog period, if it set one (WATCHDOG_USEC): 0 is none
	ownPeriod  bool          // it set one
	hung       bool          // stopped by the watchdog: its end is a failure
	expireAt   time.Time     // when it reaches --max-lifetime; zero when not due
	renew      ReplaceReason // the reason of its queued or running renewal; "" when none
	renewAt    time.Time     // when its failed renewal is tried again; zero when not due
	renewFails int           // its renewals that failed in a row

	// Its family (family.go): the members seen last, those spark2 may not
	// signal, and, once the leader has ended, when to look again and when to
	// stop waiting for the rest.
	family   []ProcRef
	foreign  map[int]bool
	pollAt   time.Time
	giveUpAt time.Time
}

type execResult struct {
	pid int
	err error
}

// addSlot adds a slot; its first worker starts on a later turn of the loop
// (one spawn per turn: signals and exits are handled between spawns). An
// error from the Add hook refuses the slot.
func (s *Supervisor) addSlot() error {
	if err := s.openSlot(); err != nil {
		return err
	}
	sl := &slot{id: len(s.slots)}
	s.slots = append(s.slots, sl)
	s.pending = append(s.pending, sl)
	return nil
}

// spawnPending starts the first worker of the oldest slot waiting for one.
func (s *Supervisor) spawnPending() {
	sl := s.pending[0]
	s.pending = s.pending[1:]
	if s.stop != nil || sl.cur != nil || sl.id >= len(s.slots) || s.slots[sl.id] != sl {
		return // stopping, or the slot was removed (TTOU) before its turn
	}
	s.spawn(sl, false)
}

// spawn starts a worker in sl: as its replacement when replacement is set,
// else as its current worker. A failed start counts as a quick death, but
// one that can never work (a *launch.ExecError: the command line and
// environment are too long for exec) before any worker ever ran stops
// spark2 with its code, as a failed exec does (see ended).
func (s *Supervisor) spawn(sl *slot, replacement bool) {
	p, err := s.os.Start(sl.id, s.report)
	if err != nil {
		var ee *launch.ExecError
		if !s.everRan && errors.As(err, &ee) {
			s.log.Error("cannot run the command", "error", err)
			s.fatal(ee.Code)
			return
		}
		s.log.Error("cannot start a worker", "slot", sl.id, "error", err)
		if replacement {
			s.rolloutFailed(sl, err.Error())
		} else {
			s.scheduleRespawn(sl, 0)
		}
		return
	}
	w := &worker{
		slot: sl.id, pid: p.Pid, startTime: p.StartTime, started: s.os.Now(),
		log:  s.log.Named("worker").With("slot", sl.id, "pid", p.Pid),
		gone: p.Ended, release: p.Release,
	}
	s.workers[p.Pid] = w
	if replacement {
		sl.next = w
	} else {
		sl.cur = w
	}
	s.counts.Spawned++
	w.log.Debug("worker spawned")
}

func (s *Supervisor) onExec(r execResult) {
	w := s.workers[r.pid]
	if w == nil {
		return
	}
	w.execDone, w.execErr = true, r.err
	if r.err == nil {
		s.everRan = true
		now := s.os.Now()
		w.readyBy = now.Add(s.opt.ReadyTimeout)
		switch {
		case w.early: // its ready message overtook this report
			s.onReady(w)
		case s.opt.ReadyNotify:
		case s.opt.ReadyDelay <= 0:
			s.onReady(w)
		default:
			w.readyAt = now.Add(s.opt.ReadyDelay)
		}
	}
	if w.exit != nil {
		s.ended(w, *w.exit)
	}
}

// onExit handles a reaped process; it reports whether that was a worker.
func (s *Supervisor) onExit(e reap.Exit) bool {
	w := s.workers[e.Pid]
	if w == nil {
		return false // an orphan the reaper took care of
	}
	if w.gone != nil && !w.gone() {
		// The status is of an earlier process with this pid (an orphan
		// whose exit was still queued when the pid was reused): the worker's
		// pidfd says it runs.
		w.log.Warn("an exit status for the worker's pid, but the worker still runs: it was an earlier process's; ignoring it", "status", describe(e.Status))
		return false
	}
	if !w.execDone {
		w.exit = &e.Status // decide once we know whether COMMAND ran
		return true
	}
	s.ended(w, e.Status)
	return true
}

// onSaidReady: w wrote to its ready fd.
func (s *Supervisor) onSaidReady(pid int) {
	if w := s.workers[pid]; w != nil && !w.ready {
		w.log.Debug("worker says it is ready")
		s.saidReady(w)
	}
}

// saidReady makes w ready, or, when its exec report has not arrived yet
// (a NOTIFY_SOCKET message and the exec report come from different
// goroutines, in either order), once it does: only COMMAND can say ready,
// so the exec happened.
func (s *Supervisor) saidReady(w *worker) {
	if !w.execDone {
		w.early = true
		return
	}
	s.onReady(w)
}

// onNotify handles a NOTIFY_SOCKET datagram: READY=1 from a worker or any of
// its descendants (a shell script's systemd-notify, say), and
// EXTEND_TIMEOUT_USEC likewise; WATCHDOG=1, WATCHDOG=trigger and
// WATCHDOG_USEC from a worker's own pid only (its WATCHDOG_PID). It reports
// whether the state may have changed.
func (s *Supervisor) onNotify(m ready.Message) bool {
	changed := false
	if m.NewPeriod {
		s.onWatchdogPeriod(m.Pid, m.Period)
	}
	if m.Watchdog || m.Trigger {
		changed = s.onWatchdog(m.Pid, m.Trigger)
	}
	if m.Extend > 0 {
		s.onExtend(m.Pid, m.Extend)
	}
	if !m.Ready {
		return changed
	}
	w := s.workerOf(m.Pid)
	if w == nil {
		s.log.Debug("notify message from a process that is no worker's", "pid", m.Pid)
		return changed
	}
	if !w.ready {
		w.log.Debug("worker says it is ready", "from", m.Pid)
		s.saidReady(w)
		return true
	}
	return changed
}

// onExtend handles EXTEND_TIMEOUT_USEC from a worker (or any of its
// descendants) that is not ready yet: its --ready-timeout deadline moves to
// at least d from now, as systemd moves a service's start timeout. It may
// ask again before that runs out.
func (s *Supervisor) onExtend(pid int, d time.Duration) {
	w := s.workerOf(pid)
	if w == nil || w.ready || w.readyBy.IsZero() {
		return
	}
	if by := s.os.Now().Add(d); by.After(w.readyBy) {
		w.readyBy, w.extended = by, true
		w.log.Info("worker asks for more time to get ready (EXTEND_TIMEOUT_USEC)", "from", pid, "ready_by", by.Format(time.RFC3339Nano))
	}
}

// workerOf finds the worker pid belongs to, walking up its parents.
func (s *Supervisor) workerOf(pid int) *worker {
	for i := 0; i < 16 && pid > 1; i++ {
		if w := s.workers[pid]; w != nil {
			return w
		}
		pid = s.os.Parent(pid)
	}
	return nil
}

// onNotReadyInTime stops w, which is not ready within --ready-timeout.
func (s *Supervisor) onNotReadyInTime(w *worker) {
	w.readyBy = time.Time{}
	if w.ready || w.stopping {
		return
	}
	why := "not ready within " + s.opt.ReadyTimeout.String() + " (--ready-timeout)"
	if w.extended {
		why = "not ready by the time its EXTEND_TIMEOUT_USEC asked for"
	}
	if sl := s.slotOf(w); sl != nil && sl.next == w {
		s.rolloutFailed(sl, "the replacement was "+why)
		return
	}
	w.log.Error("worker is "+why+"; stopping it", "ready", readyMode(s.opt))
	w.notReady = true
	s.stopWorker(w)
}

func readyMode(o Options) string {
	if o.ReadyNotify {
		return "notify"
	}
	return o.ReadyDelay.String()
}

// onSweep is the safety net for exit statuses the reaper lost: a worker that is
// gone on two sweeps in a row ended with an unknown status.
func (s *Supervisor) onSweep() {
	for _, w := range s.workers {
		if !w.execDone || s.os.Alive(w.pid, w.startTime) {
			w.missing = false
			s.family(w, true) // remembered: those that leave its group are found from here once it has ended
			continue
		}
		if !w.missing {
			w.missing = true
			if s.os.Kick != nil {
				s.os.Kick() // a zombie the reaper missed (a SIGCHLD before it was up): make it look again
			}
			continue
		}
		w.log.Warn("worker is gone but its exit status never arrived; treating it as killed")
		s.ended(w, killedStatus)
	}
}

// killedStatus stands for an exit status that was lost: killed by SIGKILL.
const killedStatus = syscall.WaitStatus(syscall.SIGKILL)

// ended removes a worker that is gone and decides what follows.
func (s *Supervisor) ended(w *worker, st syscall.WaitStatus) {
	delete(s.workers, w.pid)
	defer s.vacated(w.slot)
	if w.release != nil {
		w.release()
	}
	s.leaderEnded(w)
	code := exitCode(st)
	uptime := s.os.Now().Sub(w.started)
	sl := s.slotOf(w)
	defer s.checkEnd()
	switch {
	case w.stopping && !w.notReady && !w.hung:
		w.log.Info("worker stopped", "status", describe(st), "uptime", uptime.Round(time.Millisecond))
		if sl != nil && sl.cur == w {
			sl.cur = nil
		}
		return
	case w.execErr != nil:
		w.log.Error("cannot run the command", "error", w.execErr)
		var ee *launch.ExecError
		if !s.everRan && errors.As(w.execErr, &ee) {
			s.fatal(ee.Code)
			return
		}
	case code == exitcode.Permanent && !s.everReady:
		w.log.Error("worker failed permanently (exit 78, EX_CONFIG) before any worker was ready; stopping", "uptime", uptime.Round(time.Millisecond))
		s.fatal(code)
		return
	case code == 0 && s.opt.Respawn != RespawnAlways:
		// Under RespawnNever or RespawnOnFailure, ending with 0 is what the policy expects.
		w.log.Info("worker exited", "status", describe(st), "uptime", uptime.Round(time.Millisecond))
	case w.hung:
		w.log.Warn("hung worker ended", "status", describe(st), "uptime", uptime.Round(time.Millisecond), "reason", ReasonHung)
	default:
		w.log.Warn("worker exited", "status", describe(st), "uptime", uptime.Round(time.Millisecond), "reason", ReasonCrashed)
	}
	if sl != nil && sl.next == w {
		sl.next = nil
		s.rolloutFailed(sl, "the replacement "+describe(st)+" before it was ready")
		return
	}
	if code != 0 && s.firstFailure == nil {
		s.firstFailure = &code
	}
	if sl == nil || sl.cur != w {
		return // its slot was removed (TTOU), or it had been replaced already
	}
	sl.cur, sl.lastExit = nil, describe(st)
	if s.stop == nil && sl.next == nil && respawns(s.opt.Respawn, code) {
		reason := ReasonCrashed
		if w.hung {
			// A hang is never a healthy end: only the time it answered
			// the watchdog counts as uptime for the back-off.
			reason, uptime = ReasonHung, w.pingAt.Sub(w.started)
		}
		s.replaced(sl, reason)
		s.scheduleRespawn(sl, uptime)
	}
}

// slotOf returns the slot w belongs to, or nil if that slot is gone.
func (s *Supervisor) slotOf(w *worker) *slot {
	if w.slot < len(s.slots) {
		return s.slots[w.slot]
	}
	return nil
}

// signal sends sig to w's process group and reports whether it got there; a
// group that is already gone is only worth a debug line, one spark2 may not
// signal (EPERM) a warning that says so.
func (s *Supervisor) signal(w *worker, sig syscall.Signal) bool {
	err := s.os.Kill(-w.pid, sig)
	switch {
	case err == nil:
		return true
	case errors.Is(err, syscall.ESRCH):
		w.log.Debug("process group already gone", "signal", signalName(sig))
	case errors.Is(err, syscall.EPERM):
		w.log.Warn("cannot signal the worker's process group: its processes belong to another user", "signal", signalName(sig), "error", err)
	default:
		w.log.Warn("cannot signal the worker's process group", "signal", signalName(sig), "error", err)
	}
	return false
}

// stopWorker asks w to stop (the stop signal, then CONT, to its group and to
// its descendants that left it) and arms its KILL deadline.
func (s *Supervisor) stopWorker(w *worker) {
	if w.stopping {
		return
	}
	w.stopping = true
	w.held = nil
	w.hungAt, w.expireAt, w.renewAt = time.Time{}, time.Time{}, time.Time{}
	w.killAt = s.os.Now().Add(s.opt.StopTimeout)
	s.signalFamily(w, s.stopSignal())
}
