package supervisor

import (
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/ready"
)

func healthOptions(workers int) Options {
	o := testOptions(workers)
	o.Watchdog = time.Second
	return o
}

// TestWatchdogHungWorker: a ready worker that stops sending WATCHDOG=1 gets
// SIGABRT to its group once DURATION has passed since its last keep-alive,
// KILL at the stop timeout, and its slot is respawned; the reason is hung.
func TestWatchdogHungWorker(t *testing.T) {
	h := newHarness(t, healthOptions(1))
	w := h.startedRunning()
	h.until("ready", allReady)
	for range 3 { // keep-alives keep it alive
		h.advance(700 * time.Millisecond)
		h.say(w.pid, ready.Message{Watchdog: true})
	}
	h.noKill()
	h.advance(999 * time.Millisecond)
	h.noKill()
	h.advance(time.Millisecond)
	if k := h.killed(); k != (kill{-w.pid, syscall.SIGABRT}) {
		t.Fatalf("got %+v, want SIGABRT to the group", k)
	}
	h.noStart()
	h.advance(5 * time.Second) // --stop-timeout
	if k := h.killed(); k != (kill{-w.pid, syscall.SIGKILL}) {
		t.Fatalf("got %+v, want SIGKILL to the group", k)
	}
	h.exit(w.pid, signaled(syscall.SIGKILL))
	nw := h.startedRunning()
	s := h.until("respawned", allReady)
	sl := s.Slots[0]
	if sl.Worker.Pid != nw.pid || sl.LastReason != ReasonHung || sl.Replaced.Hung != 1 || s.Counts.Replaced.Hung != 1 || sl.DeathsInARow != 1 {
		t.Fatalf("slot %+v counts %+v", sl, s.Counts)
	}
}

// TestWatchdogOnlyFromTheWorkersPid: a keep-alive from a child of the worker
// does not count (WATCHDOG_PID is the worker's); WATCHDOG=trigger makes it
// hung at once.
func TestWatchdogOnlyFromTheWorkersPid(t *testing.T) {
	h := newHarness(t, healthOptions(1))
	w := h.startedRunning()
	h.until("ready", allReady)
	h.set(func(h *harness) { h.parents[9999] = w.pid })
	h.advance(600 * time.Millisecond)
	h.say(9999, ready.Message{Watchdog: true})
	h.advance(400 * time.Millisecond)
	if k := h.killed(); k != (kill{-w.pid, syscall.SIGABRT}) {
		t.Fatalf("got %+v, want SIGABRT", k)
	}

	h2 := newHarness(t, healthOptions(1))
	w2 := h2.startedRunning()
	h2.until("ready", allReady)
	h2.say(w2.pid, ready.Message{Trigger: true})
	h2.advance(time.Millisecond) // the timer armed for now fires
	if k := h2.killed(); k != (kill{-w2.pid, syscall.SIGABRT}) {
		t.Fatalf("trigger: got %+v, want SIGABRT", k)
	}
}

// TestKeepAlivesNotedOffTheLoop: keep-alives noted in Events.KeepAlives (the
// notify reader's plain WATCHDOG=1) keep a worker alive as a message to the
// loop does, counted from when they were sent; one older than the last
// changes nothing; and one after WATCHDOG=trigger does not undo it.
func TestKeepAlivesNotedOffTheLoop(t *testing.T) {
	h := newHarness(t, healthOptions(1))
	w := h.startedRunning()
	h.until("ready", allReady)
	for range 3 {
		h.advance(700 * time.Millisecond)
		h.keepAlive(w.pid, 0)
	}
	h.keepAlive(w.pid, 2*time.Second) // read late, after a newer one: no effect
	h.advance(999 * time.Millisecond)
	h.noKill()
	h.advance(time.Millisecond)
	if k := h.killed(); k != (kill{-w.pid, syscall.SIGABRT}) {
		t.Fatalf("got %+v, want SIGABRT to the group a second after the last keep-alive", k)
	}

	h2 := newHarness(t, healthOptions(1))
	w2 := h2.startedRunning()
	h2.until("ready", allReady)
	h2.say(w2.pid, ready.Message{Trigger: true})
	h2.keepAlive(w2.pid, 0)
	h2.advance(time.Millisecond)
	if k := h2.killed(); k != (kill{-w2.pid, syscall.SIGABRT}) {
		t.Fatalf("trigger then keep-alive: got %+v, want SIGABRT", k)
	}
}

// TestWatchdogStartsAtReady: a worker that is not ready yet is not watched.
func TestWatchdogStartsAtReady(t *testing.T) {
	o := healthOptions(1)
	o.ReadyNotify = true
	h := newHarness(t, o)
	w := h.startedRunning()
	h.advance(5 * time.Second)
	h.noKill()
	h.say(w.pid, ready.Message{Ready: true})
	h.advance(1500 * time.Millisecond)
	if k := h.killed(); k != (kill{-w.pid, syscall.SIGABRT}) {
		t.Fatalf("got %+v, want SIGABRT a watchdog period after ready", k)
	}
}

// TestHungAgainAndAgainIsCrashLooping: hangs count as quick deaths.
func TestHungAgainAndAgainIsCrashLooping(t *testing.T) {
	h := newHarness(t, healthOptions(1))
	for i := range 3 {
		w := h.startedRunning()
		h.until("ready", allReady)
		h.advance(time.Second)
		if k := h.killed(); k.sig != syscall.SIGABRT {
			t.Fatalf("round %d: got %+v", i, k)
		}
		h.exit(w.pid, signaled(syscall.SIGABRT))
		h.advance(200 * time.Millisecond) // the back-off (at most 200ms here), less than a watchdog period
	}
	s := h.until("three hangs", func(s Snapshot) bool { return s.Slots[0].Replaced.Hung == 3 })
	if s.Slots[0].DeathsInARow < 3 {
		t.Fatalf("deaths in a row %d, want 3", s.Slots[0].DeathsInARow)
	}
}

// TestMaxLifetimeReadinessGated: a worker past --max-lifetime is replaced:
// the new one starts, the old one gets TERM only once the new one is ready,
// one slot at a time.
func TestMaxLifetimeReadinessGated(t *testing.T) {
	o := testOptions(2)
	o.MaxLifetime = 10 * time.Second
	o.ReadyNotify = true
	h := newHarness(t, o)
	old := h.startedN(2)
	for _, p := range old {
		h.say(p.pid, ready.Message{Ready: true})
	}
	h.until("ready", allReady)
	h.advance(10 * time.Second)
	n1 := h.startedRunning()
	h.noStart() // one slot at a time
	h.noKill()  // the old one serves until the new one is ready
	h.say(n1.pid, ready.Message{Ready: true})
	if k := h.killed(); k != (kill{-old[n1.slot].pid, syscall.SIGTERM}) {
		t.Fatalf("got %+v, want TERM to the old worker of slot %d", k, n1.slot)
	}
	n2 := h.startedRunning()
	if n2.slot == n1.slot {
		t.Fatalf("slot %d replaced twice", n1.slot)
	}
	h.say(n2.pid, ready.Message{Ready: true})
	if k := h.killed(); k != (kill{-old[n2.slot].pid, syscall.SIGTERM}) {
		t.Fatalf("got %+v", k)
	}
	s := h.sup.Snapshot()
	for _, sl := range s.Slots {
		if sl.LastReason != ReasonLifetime || sl.Replaced.Lifetime != 1 || sl.DeathsInARow != 0 {
			t.Fatalf("slot %+v", sl)
		}
	}
	if s.Counts.Replaced.Lifetime != 2 || s.Rolling {
		t.Fatalf("counts %+v rolling %v", s.Counts, s.Rolling)
	}
}

// TestMaxMemoryFailedReplacementKeepsTheOld: a worker over --max-memory is
// replaced readiness-gated; a replacement that dies leaves the old one
// serving, and the replacement is tried again after a back-off.
func TestMaxMemoryFailedReplacementKeepsTheOld(t *testing.T) {
	o := testOptions(1)
	o.MaxMemory = 100 << 20
	o.ReadyNotify = true
	h := newHarness(t, o)
	w := h.startedRunning()
	h.say(w.pid, ready.Message{Ready: true})
	h.until("ready", allReady)
	h.memory <- []MemoryUse{{Pid: w.pid, RSS: 50 << 20}}
	h.noStart()
	h.memory <- []MemoryUse{{Pid: w.pid, RSS: 200 << 20}}
	r := h.startedRunning()
	h.memory <- []MemoryUse{{Pid: w.pid, RSS: 200 << 20}} // already being replaced
	h.noStart()
	h.exit(r.pid, exited(1))
	h.noKill() // the old one keeps serving
	s := h.sup.Snapshot()
	if s.Slots[0].Worker.Pid != w.pid || !s.Slots[0].Worker.Ready || s.Slots[0].Replaced.Memory != 0 {
		t.Fatalf("slot %+v", s.Slots[0])
	}
	h.advance(time.Second) // the retry
	r2 := h.startedRunning()
	h.say(r2.pid, ready.Message{Ready: true})
	if k := h.killed(); k != (kill{-w.pid, syscall.SIGTERM}) {
		t.Fatalf("got %+v", k)
	}
	s = h.sup.Snapshot()
	if sl := s.Slots[0]; sl.Worker.Pid != r2.pid || sl.LastReason != ReasonMemory || sl.Replaced.Memory != 1 || sl.DeathsInARow != 0 {
		t.Fatalf("slot %+v", sl)
	}
}

// TestRespawnDuringRenewalFollowsIt: a rolling respawn asked for while a
// renewal runs starts once it is done, and its replacements say respawn.
func TestRespawnDuringRenewalFollowsIt(t *testing.T) {
	o := testOptions(1)
	o.MaxMemory = 1
	o.ReadyNotify = true
	h := newHarness(t, o)
	w := h.startedRunning()
	h.say(w.pid, ready.Message{Ready: true})
	h.until("ready", allReady)
	h.memory <- []MemoryUse{{Pid: w.pid, RSS: 2}}
	r := h.startedRunning()
	h.signal(syscall.SIGHUP)
	h.noStart()
	h.say(r.pid, ready.Message{Ready: true})
	r2 := h.startedRunning()
	h.say(r2.pid, ready.Message{Ready: true})
	s := h.until("respawned", func(s Snapshot) bool { return s.Slots[0].Worker.Pid == r2.pid && !s.Rolling })
	if sl := s.Slots[0]; sl.LastReason != ReasonRespawn || sl.Replaced.Memory != 1 || sl.Replaced.Respawn != 1 {
		t.Fatalf("slot %+v", sl)
	}
}

// TestWatchdogPingsOnTheReadyFD: writes to the ready fd after the first are
// keep-alives (node apps), as WATCHDOG=1 is.
func TestWatchdogPingsOnTheReadyFD(t *testing.T) {
	opt := healthOptions(1)
	opt.ReadyNotify = true
	h := newHarness(t, opt)
	w := h.startedRunning()
	h.readyFD(w.pid)
	if !allReady(h.sup.Snapshot()) {
		t.Fatal("not ready after a write to the ready fd")
	}
	for range 3 {
		h.advance(700 * time.Millisecond)
		h.pingFD(w.pid)
	}
	h.noKill()
	h.advance(time.Second)
	if k := h.killed(); k != (kill{-w.pid, syscall.SIGABRT}) {
		t.Fatalf("got %+v, want SIGABRT to the group once the pings stop", k)
	}
}

// TestWorkerSetsItsOwnWatchdogPeriod: WATCHDOG_USEC from a ready worker
// gives it that period from now on (its deadline starts again); 0 turns
// its watchdog off; one from a child of the worker changes nothing; one
// sent before ready applies once ready; the slot's next worker has
// --watchdog again.
func TestWorkerSetsItsOwnWatchdogPeriod(t *testing.T) {
	h := newHarness(t, healthOptions(1))
	w := h.startedRunning()
	h.until("ready", allReady)
	h.advance(900 * time.Millisecond)
	h.say(w.pid, ready.Message{Period: 3 * time.Second, NewPeriod: true}) // hung at 3.9 s unless kept alive
	h.set(func(h *harness) { h.parents[9999] = w.pid })
	h.say(9999, ready.Message{Period: 100 * time.Millisecond, NewPeriod: true}) // not the worker's pid: ignored
	h.advance(2999 * time.Millisecond)
	h.noKill()
	h.say(w.pid, ready.Message{Watchdog: true}) // at 3.899 s: hung at 6.899 s
	h.advance(2999 * time.Millisecond)
	h.noKill()
	h.advance(time.Millisecond)
	if k := h.killed(); k != (kill{-w.pid, syscall.SIGABRT}) {
		t.Fatalf("got %+v, want SIGABRT once its own period has passed", k)
	}

	opt := notifyOptions(1)
	opt.Watchdog = time.Second
	h2 := newHarness(t, opt)
	w2 := h2.startedRunning()
	h2.say(w2.pid, ready.Message{NewPeriod: true}) // off, said before READY=1
	h2.advance(time.Second)
	h2.say(w2.pid, ready.Message{Ready: true})
	h2.until("ready", allReady)
	h2.advance(time.Minute)
	h2.noKill()
	h2.say(w2.pid, ready.Message{Watchdog: true}) // a keep-alive with no watchdog changes nothing
	h2.advance(time.Minute)
	h2.noKill()
	h2.say(w2.pid, ready.Message{Trigger: true}) // WATCHDOG=trigger still works, as under systemd
	h2.advance(time.Millisecond)
	if k := h2.killed(); k != (kill{-w2.pid, syscall.SIGABRT}) {
		t.Fatalf("trigger with the watchdog off: got %+v, want SIGABRT", k)
	}
	h2.advance(5 * time.Second)
	if k := h2.killed(); k != (kill{-w2.pid, syscall.SIGKILL}) {
		t.Fatalf("got %+v, want SIGKILL at the stop timeout", k)
	}
	h2.exit(w2.pid, signaled(syscall.SIGKILL))
	h2.advance(time.Second) // the back-off after a hung worker
	next := h2.startedRunning()
	h2.say(next.pid, ready.Message{Ready: true})
	h2.until("the next worker ready", allReady)
	h2.advance(time.Second) // --watchdog again: hung after 1 s
	if k := h2.killed(); k != (kill{-next.pid, syscall.SIGABRT}) {
		t.Fatalf("the slot's next worker: got %+v, want SIGABRT after --watchdog", k)
	}
}
