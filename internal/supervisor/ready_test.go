package supervisor

import (
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/exitcode"
	"github.com/spark2/spark2/internal/ready"
)

func notifyOptions(workers int) Options {
	opt := testOptions(workers)
	opt.ReadyNotify = true
	opt.ReadyTimeout = 10 * time.Second
	return opt
}

func TestNotifyModeWaitsForReady(t *testing.T) {
	h := newHarness(t, notifyOptions(1))
	p := h.startedRunning()
	h.advance(5 * time.Second)
	if s := h.sup.Snapshot(); s.Slots[0].Worker.Ready {
		t.Fatal("ready without saying so")
	}
	h.mu.Lock()
	h.parents[999] = p.pid // a child of the worker speaks for it
	h.mu.Unlock()
	h.say(999, ready.Message{Ready: true})
	h.until("ready", allReady)
}

func TestNotifyFromAStrangerIsIgnored(t *testing.T) {
	h := newHarness(t, notifyOptions(1))
	h.startedRunning()
	h.say(4242, ready.Message{Ready: true})
	if s := h.sup.Snapshot(); s.Slots[0].Worker.Ready {
		t.Fatal("a process that is no worker's made a worker ready")
	}
}

func TestReadyDelay(t *testing.T) {
	opt := testOptions(1)
	opt.ReadyDelay = time.Second
	h := newHarness(t, opt)
	h.startedRunning()
	h.until("exec seen", func(s Snapshot) bool { return s.Slots[0].Worker.Running })
	h.advance(999 * time.Millisecond)
	if h.sup.Snapshot().Slots[0].Worker.Ready {
		t.Fatal("ready before the delay")
	}
	h.advance(time.Millisecond)
	h.until("ready after the delay", allReady)
}

func TestRolloutWaitsForReadinessThenStopsOld(t *testing.T) {
	h := newHarness(t, notifyOptions(1))
	old := h.startedRunning()
	h.say(old.pid, ready.Message{Ready: true})
	h.signal(syscall.SIGCONT)
	n := h.startedRunning()
	h.advance(5 * time.Second)
	h.noKill()
	h.say(n.pid, ready.Message{Ready: true})
	if k := h.killed(); k != (kill{-old.pid, syscall.SIGTERM}) {
		t.Fatalf("got %+v, want TERM to the old worker", k)
	}
}

func TestReplacementNotReadyInTimeKeepsOld(t *testing.T) {
	h := newHarness(t, notifyOptions(1))
	old := h.startedRunning()
	h.say(old.pid, ready.Message{Ready: true})
	h.signal(syscall.SIGHUP)
	n := h.startedRunning()
	h.until("replacement exec'd", func(s Snapshot) bool { return s.Slots[0].Replacement.Running })
	h.advance(10 * time.Second)
	if k := h.killed(); k != (kill{-n.pid, syscall.SIGTERM}) {
		t.Fatalf("got %+v, want TERM to the replacement", k)
	}
	s := h.until("rollout abandoned", func(s Snapshot) bool { return !s.Rolling })
	if s.Slots[0].Worker.Pid != old.pid || s.Counts.FailedReloads != 1 {
		t.Fatalf("state %+v, want the old worker kept and one failed reload", s)
	}
	h.exit(n.pid, signaled(syscall.SIGTERM))
	h.noStart()
}

func TestWorkerNotReadyInTimeIsACrash(t *testing.T) {
	h := newHarness(t, notifyOptions(1))
	p := h.startedRunning()
	h.until("exec seen", func(s Snapshot) bool { return s.Slots[0].Worker.Running })
	h.advance(10 * time.Second)
	if k := h.killed(); k != (kill{-p.pid, syscall.SIGTERM}) {
		t.Fatalf("got %+v, want TERM", k)
	}
	h.exit(p.pid, signaled(syscall.SIGTERM))
	if n := h.startedRunning(); n.slot != 0 {
		t.Fatalf("respawned slot %d", n.slot)
	}
}

func TestPermanentExitBeforeReadyStops(t *testing.T) {
	h := newHarness(t, notifyOptions(2))
	ps := h.startedN(2)
	h.until("exec seen", func(s Snapshot) bool { return s.Slots[1].Worker.Running })
	h.exit(ps[0].pid, exited(exitcode.Permanent))
	if k := h.killed(); k != (kill{-ps[1].pid, syscall.SIGTERM}) {
		t.Fatalf("got %+v, want TERM to the other worker", k)
	}
	h.exit(ps[1].pid, exited(exitcode.Permanent))
	if o := h.result(); o.Reason != Permanent || o.Code != exitcode.Permanent {
		t.Fatalf("outcome %+v, want Permanent 78", o)
	}
}

func TestPermanentExitAfterReadyIsACrash(t *testing.T) {
	h := newHarness(t, notifyOptions(1))
	p := h.startedRunning()
	h.say(p.pid, ready.Message{Ready: true})
	h.exit(p.pid, exited(exitcode.Permanent))
	h.startedRunning()
}

func TestStatesAndPublish(t *testing.T) {
	published := make(chan Snapshot, 1000)
	opt := notifyOptions(2)
	opt.Publish = func(s Snapshot) { published <- s }
	h := newHarness(t, opt)
	ps := []fakeProc{h.startedRunning(), h.startedRunning()}
	if s := h.sup.Snapshot(); s.State != StateStarting {
		t.Fatalf("state %v before any worker is ready, want starting", s.State)
	}
	h.say(ps[0].pid, ready.Message{Ready: true})
	if s := h.sup.Snapshot(); s.State != StateDegraded {
		t.Fatalf("state %v with one of two ready, want degraded", s.State)
	}
	h.say(ps[1].pid, ready.Message{Ready: true})
	if s := h.sup.Snapshot(); s.State != StateRunning {
		t.Fatalf("state %v, want running", s.State)
	}
	h.signal(syscall.SIGCONT)
	if s := h.sup.Snapshot(); s.State != StateReloading {
		t.Fatalf("state %v during a rollout, want reloading", s.State)
	}
	if len(published) == 0 {
		t.Fatal("nothing was published")
	}
	h.signal(syscall.SIGTERM)
	if s := h.sup.Snapshot(); s.State != StateStopping {
		t.Fatalf("state %v, want stopping", s.State)
	}
}

func TestCrashLoopingState(t *testing.T) {
	h := newHarness(t, testOptions(1))
	p := h.startedRunning()
	for i := 0; i < 3; i++ {
		h.exit(p.pid, exited(1))
		h.advance(time.Second)
		p = h.startedRunning()
	}
	h.exit(p.pid, exited(1))
	if s := h.sup.Snapshot(); s.State != StateCrashLooping {
		t.Fatalf("state %v, want crash-looping", s.State)
	}
}

func TestReloadEventRespawnsAndSkipsBackoff(t *testing.T) {
	h := newHarness(t, testOptions(2))
	old := []fakeProc{h.startedRunning(), h.startedRunning()}
	h.until("ready", allReady)
	// Slot 1 is crash-looping, backing off.
	h.exit(old[1].pid, exited(1))
	p := h.startedRunning()
	h.exit(p.pid, exited(1))
	h.until("backing off", func(s Snapshot) bool { return !s.Slots[1].RespawnAt.IsZero() })
	select {
	case h.reload <- "app.js changed":
	case <-time.After(wait):
		t.Fatal("the supervisor did not take the reload")
	}
	if n := h.started(); n.slot != 0 {
		t.Fatalf("first replacement went to slot %d, want 0", n.slot)
	}
	if n := h.started(); n.slot != 1 { // no back-off wait: the code changed
		t.Fatalf("then slot %d, want 1", n.slot)
	}
}

// TestReadyBeforeTheExecReport: the worker's READY=1 and the launcher's exec
// report come on different goroutines; a busy machine delivers the first
// first. It must not be lost.
func TestReadyBeforeTheExecReport(t *testing.T) {
	h := newHarness(t, notifyOptions(1), holdExec)
	p := h.started()
	h.say(p.pid, ready.Message{Ready: true})
	if s := h.sup.Snapshot(); s.Slots[0].Worker.Ready {
		t.Fatal("ready before its exec was known")
	}
	h.execReport(p.pid, nil)
	h.until("ready once the exec report arrives", allReady)
}

// TestForwardSkipsStartingWorkers: a worker that is not ready yet has not
// installed its handlers; a forwarded USR1 would kill it.
func TestForwardSkipsStartingWorkers(t *testing.T) {
	h := newHarness(t, notifyOptions(2))
	ps := []fakeProc{h.startedRunning(), h.startedRunning()}
	h.say(ps[0].pid, ready.Message{Ready: true})
	h.signal(syscall.SIGUSR1)
	if k := h.killed(); k != (kill{-ps[0].pid, syscall.SIGUSR1}) {
		t.Fatalf("got %+v, want USR1 to the ready worker only", k)
	}
	h.noStart()
	h.noKill()
}

// TestReadyFD: a write to the ready fd makes a worker ready, even when it is
// reported before the exec (it can only come from COMMAND).
func TestReadyFD(t *testing.T) {
	h := newHarness(t, notifyOptions(1), holdExec)
	p := h.started()
	h.readyFD(p.pid)
	if s := h.sup.Snapshot(); s.Slots[0].Worker.Ready {
		t.Fatal("ready before the exec report")
	}
	h.execReport(p.pid, nil)
	h.until("ready once the exec report arrives", allReady)
}

// EXTEND_TIMEOUT_USEC moves a worker's --ready-timeout deadline to at least
// that long from now; one that would move it earlier changes nothing.
func TestExtendTimeoutMovesTheReadyDeadline(t *testing.T) {
	h := newHarness(t, notifyOptions(1))
	p := h.startedRunning()
	h.until("exec seen", func(s Snapshot) bool { return s.Slots[0].Worker.Running })
	h.advance(8 * time.Second)
	h.say(p.pid, ready.Message{Extend: 5 * time.Second}) // ready by 13 s instead of 10
	h.say(p.pid, ready.Message{Extend: time.Second})     // earlier: ignored
	h.advance(4 * time.Second)                           // 12 s
	h.noKill()
	h.advance(time.Second) // 13 s
	if k := h.killed(); k != (kill{-p.pid, syscall.SIGTERM}) {
		t.Fatalf("got %+v, want TERM at the extended deadline", k)
	}
}
