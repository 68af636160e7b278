// Package supervisor is the master's brain: one goroutine that owns the table
// of worker slots and reacts to every event (a worker exited, a worker exec'd
// or failed to, a signal, a timer) by calling one method. Nothing else touches
// the table, so it needs no lock.
//
// Its window on processes and time is the OS struct: tests drive a
// Supervisor with fakes, the app wires in the real thing. Whatever starts a
// worker reports on it (exec'd, ready, pings) straight into the loop's
// channels through Reports: the supervisor runs no goroutine per worker.
//
// It speaks its own language: a respawn Policy, a State, a ReplaceReason.
// The app maps the configuration to them, and them to the status file.
package supervisor

import (
	"os"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/ready"
	"github.com/spark2/spark2/internal/reap"
)

// Proc is a worker process as the supervisor sees it.
type Proc struct {
	Pid       int
	StartTime uint64 // identifies the process with Pid; 0 if unknown
	// Ended reports whether this very process has ended (its pidfd is
	// readable), so that an exit status for a reused pid is not taken for
	// the worker's; nil: an exit status for Pid is the worker's.
	Ended   func() bool
	Release func() // frees what Ended uses, once the worker's exit is handled; nil for none
}

// Reports are how whatever starts a worker tells the loop what it learns of
// it afterwards, from any goroutine, by the worker's pid. A call waits until
// the loop takes it (Exec reports may wait in a buffer, so Start may call
// Exec itself); once Run has returned it returns at once and is dropped.
type Reports struct {
	// Exec: once per worker, nil once its COMMAND runs, or why it cannot
	// (a *launch.ExecError: not found, not executable).
	Exec func(pid int, err error)
	// Ready: the worker wrote to its ready fd.
	Ready func(pid int)
	// Ping: a later write to its ready fd, a watchdog keep-alive of a
	// worker that cannot send to NOTIFY_SOCKET (node apps). It never waits
	// for the loop (see KeepAlives).
	Ping func(pid int)
}

// OS is everything the supervisor does to the outside world.
type OS struct {
	// Start starts a worker for slot; it reports its exec, and its ready fd
	// if it has one, to report.
	Start       func(slot int, report Reports) (Proc, error)
	Kill        func(pid int, sig syscall.Signal) error // kill(2); a negative pid is a process group
	Alive       func(pid int, startTime uint64) bool    // is that process still running (not a zombie)?
	Descendants func() []int                            // descendants of the master not yet reaped
	Parent      func(pid int) int                       // parent of pid; 0 if unknown
	Now         func() time.Time                        // the clock
	// At is a one-shot timer that fires once the clock (Now) reaches t.
	// It takes a time, not a duration, so that a fake clock that moves
	// between the loop's Now and this call cannot push a deadline later.
	// The loop waits on the channel of its last call only, so At may reset
	// one timer and return the same channel every time.
	At func(t time.Time) <-chan time.Time
	// Family returns the live processes (not zombies) of the family of the
	// worker whose leader is leader: its process group (unless the leader's
	// pid now names another process), the descendants of leader while it
	// runs, and each process in known that still runs (matched by start
	// time) and its descendants, wherever they have gone. look says how
	// fresh a view of the processes will do. nil: only process groups are
	// signalled.
	Family func(leader ProcRef, known []ProcRef, look Lookup) []ProcRef
	// Kick makes the reaper look for ended children now; nil for none.
	Kick func()
	// Rand returns a random number from 0 to n-1 (the --max-lifetime
	// jitter); nil: math/rand/v2.
	Rand func(n int64) int64
}

// Options are the supervisor's settings.
type Options struct {
	Workers     int            // initial number of slots, >= 1
	Respawn     Policy         // which workers that ended on their own are respawned
	StopTimeout time.Duration  // stop-signal-to-KILL grace
	StopSignal  syscall.Signal // asks a worker to stop gracefully; 0: SIGTERM
	Backoff     Backoff        // crash-loop pacing
	SweepEvery  time.Duration  // liveness sweep period (a safety net for lost exit statuses)
	// Readiness: with ReadyNotify a worker is ready only when it says so
	// (NOTIFY_SOCKET or its ready fd); otherwise also ReadyDelay after its
	// COMMAND was exec'd (0: at once). One that is not ready within
	// ReadyTimeout is stopped: a failed replacement, or a crash.
	ReadyNotify  bool
	ReadyDelay   time.Duration
	ReadyTimeout time.Duration
	Reopen       func() error // called on SIGUSR1 before it is forwarded; nil for none
	// Publish receives a Snapshot after every event that may have changed
	// the state, and on every sweep (the heartbeat). It runs on the loop:
	// it must not block. nil for none.
	Publish func(Snapshot)
	Slots   SlotHooks // per-slot resources of the app; the zero value for none
	// Worker health (health.go); 0 turns each off. Watchdog: a ready
	// worker that sends no keep-alive for this long is hung. MaxLifetime: a
	// worker this old, less a random jitter of up to 10 %, is replaced,
	// readiness-gated. MaxMemory: a worker whose process tree's resident
	// memory (Events.Memory) is above this many bytes is replaced the same way.
	Watchdog    time.Duration
	MaxLifetime time.Duration
	MaxMemory   uint64
}

// Events are the supervisor's inputs from the outside.
type Events struct {
	Exits   <-chan reap.Exit     // every reaped child, workers or not
	Signals <-chan os.Signal     // the master's signals (see package sig)
	Notify  <-chan ready.Message // NOTIFY_SOCKET datagrams; nil when there is no socket
	Reload  <-chan string        // a rolling respawn is asked for, with why (--watch); nil for none
	Memory  <-chan []MemoryUse   // the workers' memory use, measured off the loop; nil for none
	// KeepAlives are the plain WATCHDOG=1 keep-alives that the
	// NOTIFY_SOCKET reader noted instead of sending them on Notify; nil
	// for none. Reports.Ping notes into it too.
	KeepAlives *KeepAlives
}

// Supervisor runs the workers. Create it with New; call Run once.
type Supervisor struct {
	opt Options
	os  OS
	ev  Events
	log hclog.Logger

	slots      []*slot         // index = slot id
	workers    map[int]*worker // every started worker not yet ended, by pid
	execs      chan execResult // exec reports (Reports.Exec)
	readies    chan int        // pids that wrote to their ready fd (Reports.Ready)
	snaps      chan chan<- Snapshot
	finished   chan struct{}   // closed when Run returns
	final      Snapshot        // the state when Run returned
	roll       *rollout        // the rolling respawn in progress, nil when none
	stop       *stopping       // the shutdown in progress, nil while running
	pending    []*slot         // slots waiting for their first worker, one spawn per loop turn
	leftovers  map[int]*worker // ended workers whose family is still being stopped, by leader pid
	requeue    requeued        // a respawn asked for during a rollout that failed
	keepAlives *KeepAlives     // keep-alives noted off the loop (Events.KeepAlives, Reports.Ping)
	report     Reports         // what Start gets: sends to execs, readies and pings
	renewals   []*worker       // workers waiting for a readiness-gated replacement (health.go)
	renewing   *renewal        // the renewal in flight; nil when none
	rollWanted string          // a rolling respawn asked for during a renewal, with why; "" when none

	everRan      bool      // some worker's COMMAND was exec'd
	everReady    bool      // some worker was ready
	firstFailure *int      // code of the first worker that failed on its own
	outcome      Outcome   // what Run returns
	done         bool      // Run's loop ends
	timerAt      time.Time // when timerC fires; zero when disarmed
	timerC       <-chan time.Time
	turn         uint64    // the loop turn, counted from 1 (Lookup.Turn)
	sweepAt      time.Time // when the next liveness sweep is due (one timer serves it and every deadline)
	counts       Counts
	lastSlots    []SlotState // the last snapshot's (see slotStates)
}

// A Lookup says who asks for a worker's family (OS.Family) and so how fresh
// a view of the processes will do.
type Lookup struct {
	// Periodic marks the once-a-second sweep's lookup, which only
	// remembers the family: a somewhat older view will do.
	Periodic bool
	// Turn is the loop turn that asks (counted from 1). Any other lookup
	// than the sweep's (a stop, what a worker left) wants the processes as
	// they are in this turn: it may share a view with the lookups of the
	// same turn (a TERM stops every worker in one), never one from an
	// earlier turn, which misses what was forked since. 0: a view of its
	// own.
	Turn uint64
}

// Counts are running totals, for logs and the status file.
type Counts struct {
	Spawned       int // workers started
	Restarts      int // workers started to replace one that ended on its own
	Reloads       int // rolling respawns started (one that runs again when asked during it counts once)
	FailedReloads int // rolling respawns abandoned because a replacement failed
	Replaced      Replacements
}

// New returns a supervisor; nothing starts until Run.
func New(opt Options, sys OS, ev Events, log hclog.Logger) *Supervisor {
	s := &Supervisor{
		opt:        opt,
		os:         sys,
		ev:         ev,
		keepAlives: ev.KeepAlives,
		log:        log,
		workers:    make(map[int]*worker),
		leftovers:  make(map[int]*worker),
		execs:      make(chan execResult, 64),
		readies:    make(chan int),
		snaps:      make(chan chan<- Snapshot),
		finished:   make(chan struct{}),
	}
	if s.keepAlives == nil {
		s.keepAlives = new(KeepAlives)
	}
	s.report = Reports{
		Exec:  func(pid int, err error) { deliver(s, s.execs, execResult{pid: pid, err: err}) },
		Ready: func(pid int) { deliver(s, s.readies, pid) },
		Ping:  func(pid int) { s.keepAlives.Note(pid, s.os.Now()) },
	}
	return s
}

// deliver sends v to the loop on c, or drops it once Run has returned.
func deliver[T any](s *Supervisor, c chan<- T, v T) {
	select {
	case c <- v:
	case <-s.finished:
	}
}

// Run starts the workers and supervises them until spark2 must exit; the
// Outcome says why. It returns after a graceful or forced stop (TERM/INT), when
// COMMAND cannot be executed at all, or, with --restart no/on-failure, when
// every worker has ended.
func (s *Supervisor) Run() Outcome {
	s.turn = 1
	for i := 0; i < s.opt.Workers; i++ {
		if err := s.addSlot(); err != nil {
			s.log.Error("cannot add a worker slot; running with fewer", "slot", i, "error", err)
		}
	}
	s.pendingSignals()
	s.sweepAt = s.os.Now().Add(s.opt.SweepEvery)
	s.armTimer()
	for !s.done {
		publish := true
		s.turn++
		select {
		case e := <-s.ev.Exits:
			publish = s.onExit(e)
		case r := <-s.execs:
			s.onExec(r)
		case pid := <-s.readies:
			s.onSaidReady(pid)
		case m := <-s.ev.Notify:
			publish = s.onNotify(m)
		case uses := <-s.ev.Memory:
			publish = s.onMemory(uses)
		case why := <-s.ev.Reload:
			s.respawnAll(why)
		case sg := <-s.ev.Signals:
			s.onSignal(sg)
		case <-s.timerC:
			s.timerAt, s.timerC = time.Time{}, nil
			s.onTimer()
		case reply := <-s.snaps:
			reply <- s.snapshot()
		case <-s.spawnTurn():
			s.spawnPending()
		}
		s.armTimer()
		if publish && s.opt.Publish != nil {
			s.opt.Publish(s.snapshot())
		}
	}
	s.final = s.snapshot()
	close(s.finished)
	return s.outcome
}

// pendingSignals handles the signals that came while spark2 was starting (its
// config file read, a --force wait), before any worker is spawned: a TERM
// then stops spark2 with nothing started.
func (s *Supervisor) pendingSignals() {
	for {
		select {
		case sg := <-s.ev.Signals:
			s.onSignal(sg)
		default:
			return
		}
	}
}

// spawnTurn is ready when a slot waits for its first worker: a closed
// channel, so that the select takes it in turn with the other events.
func (s *Supervisor) spawnTurn() <-chan struct{} {
	if len(s.pending) == 0 {
		return nil
	}
	return closed
}

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// armTimer points the one timer at the earliest pending deadline. A timer
// armed for an earlier time is kept: it wakes the loop once for nothing
// (onTimer finds nothing due and the timer is armed again), which costs less
// than a new timer for each keep-alive that moves a watchdog deadline later.
func (s *Supervisor) armTimer() {
	at := s.nextDeadline()
	if at.Equal(s.timerAt) || !s.timerAt.IsZero() && (at.IsZero() || s.timerAt.Before(at)) {
		return
	}
	s.timerAt, s.timerC = at, nil
	if !at.IsZero() {
		s.timerC = s.os.At(at)
	}
}

func (s *Supervisor) nextDeadline() time.Time {
	var next time.Time
	earliest := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, sl := range s.slots {
		earliest(sl.spawnAt)
	}
	for _, w := range s.workers {
		earliest(w.killAt)
		earliest(w.readyAt)
		earliest(w.readyBy)
		earliest(w.hungAt)
		earliest(w.expireAt)
		earliest(w.renewAt)
	}
	for _, w := range s.leftovers {
		earliest(w.killAt)
		earliest(w.pollAt)
	}
	earliest(s.requeue.at)
	earliest(s.sweepAt)
	if s.stop != nil {
		earliest(s.stop.deadline)
		earliest(s.stop.pollAt)
	}
	return next
}

// onTimer does whatever has fallen due.
func (s *Supervisor) onTimer() {
	now := s.os.Now()
	s.takeKeepAlives() // before any watchdog deadline is judged
	if s.stop != nil {
		s.onStopTimer(now) // first: at the deadline, killAll covers every worker
	}
	for _, w := range s.workers {
		if due(w.killAt, now) {
			w.killAt = time.Time{}
			w.log.Warn("worker did not stop in time; killing its process group and descendants", "stop_timeout", s.opt.StopTimeout)
			s.signalFamily(w, syscall.SIGKILL)
		}
		if due(w.readyAt, now) {
			s.onReady(w)
		}
		if due(w.readyBy, now) {
			s.onNotReadyInTime(w)
		}
		s.healthTimers(w, now)
	}
	for _, w := range s.leftovers {
		s.onLeftoverTimer(w, now)
	}
	if due(s.requeue.at, now) {
		s.onRequeue()
	}
	for _, sl := range s.slots {
		if due(sl.spawnAt, now) {
			sl.spawnAt = time.Time{}
			s.spawn(sl, false)
		}
	}
	if due(s.sweepAt, now) {
		s.sweepAt = now.Add(s.opt.SweepEvery)
		s.onSweep()
	}
}

// due says whether deadline t (zero: none) has come at now.
func due(t, now time.Time) bool { return !t.IsZero() && !now.Before(t) }
