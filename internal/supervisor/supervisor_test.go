package supervisor

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/launch"
)

func TestStartsOneWorkerPerSlot(t *testing.T) {
	h := newHarness(t, testOptions(3))
	ps := h.startedN(3)
	for i, p := range ps {
		if p.slot != i {
			t.Errorf("start %d went to slot %d", i, p.slot)
		}
	}
	h.until("all ready", allReady)
}

func TestDeadWorkerIsReplacedInItsSlotOthersUntouched(t *testing.T) {
	h := newHarness(t, testOptions(3))
	ps := h.startedN(3)
	h.until("all ready", allReady)
	h.advance(time.Minute) // a healthy uptime: respawn at once
	h.exit(ps[1].pid, signaled(syscall.SIGKILL))
	if p := h.started(); p.slot != 1 {
		t.Fatalf("replacement went to slot %d, want 1", p.slot)
	}
	h.noStart()
	s := h.sup.Snapshot()
	if s.Slots[0].Worker.Pid != ps[0].pid || s.Slots[2].Worker.Pid != ps[2].pid {
		t.Fatalf("other slots changed: %+v", s.Slots)
	}
	h.noKill()
}

func TestBurstOfDeathsRefillsEverySlot(t *testing.T) {
	h := newHarness(t, testOptions(3))
	ps := h.startedN(3)
	h.advance(time.Minute)
	for _, p := range ps {
		h.exit(p.pid, signaled(syscall.SIGKILL))
	}
	seen := map[int]bool{}
	for _, p := range h.startedN(3) {
		seen[p.slot] = true
	}
	if len(seen) != 3 {
		t.Fatalf("slots refilled: %v, want 0, 1 and 2", seen)
	}
	if s := h.sup.Snapshot(); s.Counts.Restarts != 3 || s.Counts.Spawned != 6 {
		t.Fatalf("counts %+v, want 3 restarts of 6 spawns", s.Counts)
	}
}

func TestCrashLoopBacksOffExponentially(t *testing.T) {
	h := newHarness(t, testOptions(1))
	p := h.started()
	// First quick death: at once. Then 100ms, 200ms, 400ms...
	h.until("ready", allReady)
	h.exit(p.pid, exited(1))
	p = h.started()
	for _, d := range []time.Duration{100, 200, 400, 800, 1600} {
		d *= time.Millisecond
		h.until("ready", allReady)
		h.exit(p.pid, exited(1))
		h.noStart()
		h.advance(d - time.Millisecond)
		h.noStart()
		h.advance(time.Millisecond)
		p = h.started()
	}
	if s := h.sup.Snapshot(); s.Slots[0].DeathsInARow != 6 {
		t.Fatalf("deaths in a row %d, want 6", s.Slots[0].DeathsInARow)
	}
}

func TestBackoffCapAndHealthyReset(t *testing.T) {
	b := DefaultBackoff
	if d := b.delay(40); d != b.Max {
		t.Fatalf("delay(40) = %v, want the cap %v", d, b.Max)
	}
	h := newHarness(t, testOptions(1))
	p := h.started()
	for i := 0; i < 3; i++ { // three quick deaths: backing off
		h.until("ready", allReady)
		h.exit(p.pid, exited(1))
		h.advance(time.Second)
		p = h.started()
	}
	h.until("ready", allReady)
	h.advance(b.Healthy)
	h.exit(p.pid, exited(1))
	h.started() // at once: it had a healthy uptime
	if s := h.sup.Snapshot(); s.Slots[0].DeathsInARow != 1 {
		t.Fatalf("deaths in a row %d after a healthy run, want 1", s.Slots[0].DeathsInARow)
	}
}

func TestRestartNoExitsWithFirstFailure(t *testing.T) {
	opt := testOptions(3)
	opt.Respawn = RespawnNever
	h := newHarness(t, opt)
	ps := h.startedN(3)
	h.until("all ready", allReady)
	h.exit(ps[0].pid, exited(0))
	h.exit(ps[1].pid, exited(7))
	h.exit(ps[2].pid, signaled(syscall.SIGKILL))
	o := h.result()
	if o.Reason != WorkersEnded || o.Code != 7 {
		t.Fatalf("outcome %+v, want WorkersEnded with code 7", o)
	}
	h.noStartAfterEnd()
}

func (h *harness) noStartAfterEnd() {
	h.t.Helper()
	if len(h.starts) != 0 {
		h.t.Fatalf("%d unexpected starts", len(h.starts))
	}
}

func TestRestartOnFailure(t *testing.T) {
	opt := testOptions(2)
	opt.Respawn = RespawnOnFailure
	h := newHarness(t, opt)
	ps := h.startedN(2)
	h.until("all ready", allReady)
	h.exit(ps[0].pid, exited(3))
	if p := h.started(); p.slot != 0 {
		t.Fatalf("respawned slot %d, want 0", p.slot)
	}
	h.exit(ps[1].pid, exited(0))
	h.noStart()
	if s := h.sup.Snapshot(); s.Slots[1].Worker.Pid != 0 {
		t.Fatalf("slot 1 refilled after exit 0: %+v", s.Slots[1])
	}
}

func TestSignalExitCodeIs128PlusN(t *testing.T) {
	if c := exitCode(signaled(syscall.SIGKILL)); c != 137 {
		t.Fatalf("exitCode(SIGKILL) = %d", c)
	}
	if c := exitCode(exited(255)); c != 255 {
		t.Fatalf("exitCode(exit 255) = %d", c)
	}
}

func TestCommandNotFoundStopsAtOnce(t *testing.T) {
	h := newHarness(t, testOptions(2), func(h *harness) {
		h.execErr = func(int) error { return &launch.ExecError{Code: 127, Msg: "exec nope: not found"} }
	})
	ps := h.startedN(2)
	h.exit(ps[0].pid, exited(127))
	if k := h.killed(); k.pid != -ps[1].pid || k.sig != syscall.SIGTERM {
		t.Fatalf("got %+v, want TERM to the other worker's group", k)
	}
	h.exit(ps[1].pid, exited(127))
	if o := h.result(); o.Reason != Permanent || o.Code != 127 {
		t.Fatalf("outcome %+v, want Permanent 127", o)
	}
	h.noStartAfterEnd()
}

// TestAStartThatCanNeverWorkStopsAtOnce: a start that fails with an
// *launch.ExecError (exec's E2BIG) before any worker ran stops spark2 with
// its code, as a failed exec does, instead of backing off forever; any
// other start error is retried.
func TestAStartThatCanNeverWorkStopsAtOnce(t *testing.T) {
	h := newHarness(t, testOptions(3), func(h *harness) {
		h.startErr = func(int) error { return &launch.ExecError{Code: 126, Msg: "cannot run: too long for exec (E2BIG)"} }
	})
	if o := h.result(); o.Reason != Permanent || o.Code != 126 {
		t.Fatalf("outcome %+v, want Permanent 126", o)
	}
	h.noStartAfterEnd()
}

func TestAStartErrorIsRetried(t *testing.T) {
	failing := true
	h := newHarness(t, testOptions(1), func(h *harness) {
		h.startErr = func(int) error {
			if failing {
				return syscall.EAGAIN
			}
			return nil
		}
	})
	h.until("backing off", func(s Snapshot) bool { return !s.Slots[0].RespawnAt.IsZero() })
	h.set(func(h *harness) { failing = false })
	h.advance(time.Second)
	h.started()
}

func TestExecFailureAfterARunIsACrashNotFatal(t *testing.T) {
	fail := false
	h := newHarness(t, testOptions(1), func(h *harness) {
		h.execErr = func(int) error {
			if fail {
				return &launch.ExecError{Code: 127, Msg: "gone"}
			}
			return nil
		}
	})
	p := h.started()
	h.until("ready", allReady)
	h.mu.Lock()
	fail = true
	h.mu.Unlock()
	h.exit(p.pid, exited(1))
	p = h.started()
	h.exit(p.pid, exited(127))
	h.until("backing off", func(s Snapshot) bool { return !s.Slots[0].RespawnAt.IsZero() })
	h.advance(time.Second)
	h.started() // still trying, backing off
}

func TestGracefulStop(t *testing.T) {
	h := newHarness(t, testOptions(3))
	ps := h.startedN(3)
	h.until("all ready", allReady)
	h.signal(syscall.SIGTERM)
	termed := map[int]bool{}
	for range ps {
		k := h.killed()
		if k.sig != syscall.SIGTERM {
			t.Fatalf("got %v, want SIGTERM", k.sig)
		}
		termed[-k.pid] = true
	}
	for _, p := range ps {
		if !termed[p.pid] {
			t.Fatalf("worker %d's group got no TERM", p.pid)
		}
		h.exit(p.pid, signaled(syscall.SIGTERM))
	}
	if o := h.result(); o.Reason != Stopped || o.Signal != syscall.SIGTERM {
		t.Fatalf("outcome %+v, want Stopped by SIGTERM", o)
	}
	h.noStartAfterEnd()
}

func TestStopKillsAtTimeoutIncludingLeftovers(t *testing.T) {
	h := newHarness(t, testOptions(1), func(h *harness) { h.desc = []int{555} })
	p := h.started()
	h.signal(syscall.SIGINT)
	h.killed()                // TERM
	h.signal(syscall.SIGTERM) // a second stop signal changes nothing
	h.advance(5*time.Second - time.Millisecond)
	h.noStart()
	h.noKill()
	h.advance(time.Millisecond)
	got := map[kill]bool{h.killed(): true, h.killed(): true}
	if !got[kill{-p.pid, syscall.SIGKILL}] || !got[kill{555, syscall.SIGKILL}] {
		t.Fatalf("kills %v, want KILL to the group and to the leftover 555", got)
	}
	h.mu.Lock()
	h.desc = nil
	h.mu.Unlock()
	h.exit(p.pid, signaled(syscall.SIGKILL))
	if o := h.result(); o.Reason != StopKilled {
		t.Fatalf("outcome %+v, want StopKilled", o)
	}
}

func TestStopTermsLeftoversOutsideTheGroups(t *testing.T) {
	h := newHarness(t, testOptions(1), func(h *harness) { h.desc = []int{777} })
	p := h.started()
	h.signal(syscall.SIGTERM)
	h.killed()
	h.exit(p.pid, signaled(syscall.SIGTERM))
	h.advance(pollEvery)
	if k := h.killed(); k != (kill{777, syscall.SIGTERM}) {
		t.Fatalf("got %+v, want TERM to leftover 777", k)
	}
	h.mu.Lock()
	h.desc = nil
	h.mu.Unlock()
	h.sup.Snapshot() // the loop has armed its next poll since the TERM: advance fires it
	h.advance(pollEvery)
	if o := h.result(); o.Reason != Stopped {
		t.Fatalf("outcome %+v, want Stopped", o)
	}
}

func TestRollingRespawnReplacesEachSlotInTurn(t *testing.T) {
	h := newHarness(t, testOptions(3))
	old := h.startedN(3)
	h.until("all ready", allReady)
	h.signal(syscall.SIGCONT)
	for i := 0; i < 3; i++ {
		n := h.started()
		if n.slot != i {
			t.Fatalf("replacement %d went to slot %d", i, n.slot)
		}
		if k := h.killed(); k != (kill{-old[i].pid, syscall.SIGTERM}) {
			t.Fatalf("got %+v, want TERM to old worker %d", k, old[i].pid)
		}
	}
	s := h.until("rollout done", func(s Snapshot) bool { return !s.Rolling })
	for i, sl := range s.Slots {
		if sl.Worker.Pid == old[i].pid || !sl.Worker.Ready {
			t.Fatalf("slot %d not replaced: %+v", i, sl)
		}
	}
	if s.Counts.Reloads != 1 {
		t.Fatalf("Counts.Reloads = %d after one rolling respawn, want 1", s.Counts.Reloads)
	}
	for _, o := range old {
		h.exit(o.pid, signaled(syscall.SIGTERM))
	}
	h.noStart() // stopped old workers are not respawned
}

func TestRollingRespawnKeepsOldWorkersWhenReplacementFails(t *testing.T) {
	fail := false
	h := newHarness(t, testOptions(2), func(h *harness) {
		h.execErr = func(int) error {
			if fail {
				return errors.New("boom")
			}
			return nil
		}
	})
	old := h.startedN(2)
	h.until("all ready", allReady)
	h.mu.Lock()
	fail = true
	h.mu.Unlock()
	h.signal(syscall.SIGHUP)
	n := h.started()
	h.exit(n.pid, exited(1))
	s := h.until("rollout abandoned", func(s Snapshot) bool { return !s.Rolling })
	if s.Counts.FailedReloads != 1 || s.Slots[0].Worker.Pid != old[0].pid || s.Slots[1].Worker.Pid != old[1].pid {
		t.Fatalf("state %+v, want both old workers kept and one failed reload", s)
	}
	h.noStart()
	h.noKill()
}

func TestSecondRespawnDuringRolloutRunsAgain(t *testing.T) {
	h := newHarness(t, testOptions(1))
	h.started()
	h.until("ready", allReady)
	h.mu.Lock()
	h.execErr = func(int) error { return nil }
	h.mu.Unlock()
	h.signal(syscall.SIGCONT)
	h.signal(syscall.SIGCONT)
	h.started()
	h.started()
	h.until("rollouts done", func(s Snapshot) bool { return !s.Rolling })
}

func TestScaleUpAndDown(t *testing.T) {
	h := newHarness(t, testOptions(2))
	ps := h.startedN(2)
	h.signal(syscall.SIGTTIN)
	if p := h.started(); p.slot != 2 {
		t.Fatalf("new worker in slot %d, want 2", p.slot)
	}
	h.signal(syscall.SIGTTOU)
	h.killed() // the slot-2 worker is stopped
	h.signal(syscall.SIGTTOU)
	if k := h.killed(); k != (kill{-ps[1].pid, syscall.SIGTERM}) {
		t.Fatalf("got %+v, want TERM to slot 1's worker", k)
	}
	h.signal(syscall.SIGTTOU) // never below one
	if s := h.sup.Snapshot(); len(s.Slots) != 1 {
		t.Fatalf("slots %d, want one", len(s.Slots))
	}
	h.noKill()
}

func TestForwardedSignalsAndReopen(t *testing.T) {
	reopened := make(chan bool, 1)
	opt := testOptions(2)
	opt.Reopen = func() error { reopened <- true; return nil }
	h := newHarness(t, opt)
	h.startedN(2)
	h.until("ready", allReady) // only ready workers get forwarded signals
	for _, s := range []syscall.Signal{syscall.SIGUSR2, syscall.SIGQUIT, syscall.SIGWINCH, syscall.SIGUSR1} {
		h.signal(s)
		for i := 0; i < 2; i++ {
			if k := h.killed(); k.sig != s || k.pid >= 0 {
				t.Fatalf("got %+v, want %v to a process group", k, s)
			}
		}
	}
	select {
	case <-reopened:
	default:
		t.Fatal("USR1 did not reopen the access log")
	}
	h.signal(syscall.SIGTSTP)
	h.noStart()
	h.noKill()
}

func TestLostExitStatusIsFoundBySweep(t *testing.T) {
	h := newHarness(t, testOptions(1))
	p := h.started()
	h.until("ready", allReady)
	h.mu.Lock()
	h.dead[p.pid] = true
	h.mu.Unlock()
	h.advance(time.Second) // first sweep: suspect
	h.noStart()
	h.advance(time.Second) // second sweep: gone
	if n := h.started(); n.slot != 0 {
		t.Fatalf("refilled slot %d, want 0", n.slot)
	}
}
