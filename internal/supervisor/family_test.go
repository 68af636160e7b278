package supervisor

import (
	"syscall"
	"testing"
	"time"
)

// expectKills takes the next len(want) signals, CONT included, and fails
// unless they are want, in that order.
func (h *harness) expectKills(want ...kill) {
	h.t.Helper()
	for i, w := range want {
		if k := h.rawKilled(); k != w {
			h.t.Fatalf("signal %d: got %+v, want %+v (all wanted: %+v)", i, k, w, want)
		}
	}
}

// TestStopSignalThenContToGroupAndEscapees: a replaced worker's group and
// the descendant that left it get the stop signal, then CONT (a SIGSTOPped
// worker then acts on it); the CONT is not sent to the one still in the
// group twice.
func TestStopSignalThenContToGroupAndEscapees(t *testing.T) {
	opt := testOptions(1)
	opt.StopSignal = syscall.SIGQUIT
	h := newHarness(t, opt)
	old := h.started()
	h.until("ready", allReady)
	h.set(func(h *harness) {
		h.family[old.pid] = []ProcRef{{Pid: 600, InGroup: true}, {Pid: 601}}
	})
	h.signal(syscall.SIGHUP)
	h.started()
	h.expectKills(
		kill{-old.pid, syscall.SIGQUIT}, kill{601, syscall.SIGQUIT},
		kill{-old.pid, syscall.SIGCONT}, kill{601, syscall.SIGCONT},
	)
	h.noKill()
}

// TestReplacedWorkersFamilyKilledAfterLeaderReaped: the KILL deadline of a
// replaced worker survives its leader being reaped (issue 10 item 6).
func TestReplacedWorkersFamilyKilledAfterLeaderReaped(t *testing.T) {
	h := newHarness(t, testOptions(1))
	old := h.started()
	h.until("ready", allReady)
	h.set(func(h *harness) { h.family[old.pid] = []ProcRef{{Pid: 700, InGroup: true}, {Pid: 701}} })
	h.signal(syscall.SIGCONT)
	h.started()
	h.expectKills(kill{-old.pid, syscall.SIGTERM}, kill{701, syscall.SIGTERM}, kill{-old.pid, syscall.SIGCONT}, kill{701, syscall.SIGCONT})
	h.exit(old.pid, signaled(syscall.SIGTERM)) // the leader obeys; the rest does not
	h.advance(5*time.Second - time.Millisecond)
	h.noKill()
	h.advance(time.Millisecond)
	h.expectKills(kill{-old.pid, syscall.SIGKILL}, kill{701, syscall.SIGKILL})
	h.set(func(h *harness) { delete(h.family, old.pid) })
	h.advance(leftoverPoll)
	h.advance(time.Minute)
	h.noKill() // forgotten once gone
	h.noStart()
}

// TestSelfEndedWorkerLeftoversStopped: a worker that ends on its own leaves a
// server it started in the background (in its group) and one that setsid'd:
// both get TERM, then KILL at the stop timeout (issue 10 item 7).
func TestSelfEndedWorkerLeftoversStopped(t *testing.T) {
	h := newHarness(t, testOptions(1))
	p := h.started()
	h.until("ready", allReady)
	h.set(func(h *harness) { h.family[p.pid] = []ProcRef{{Pid: 800, InGroup: true}, {Pid: 801}} })
	h.exit(p.pid, exited(0))
	h.expectKills(kill{-p.pid, syscall.SIGTERM}, kill{801, syscall.SIGTERM}, kill{-p.pid, syscall.SIGCONT}, kill{801, syscall.SIGCONT})
	h.started() // respawned as usual
	h.set(func(h *harness) { h.family[p.pid] = []ProcRef{{Pid: 801}} })
	h.advance(5 * time.Second)
	// the group is empty by now (its id may be reused): no group signal
	h.expectKills(kill{801, syscall.SIGKILL})
	h.noKill()
}

// TestLeftoverThatStopsIsNotKilled: leftovers that obey TERM get no KILL.
func TestLeftoverThatStopsIsNotKilled(t *testing.T) {
	h := newHarness(t, testOptions(1))
	p := h.started()
	h.until("ready", allReady)
	h.set(func(h *harness) { h.family[p.pid] = []ProcRef{{Pid: 900, InGroup: true}} })
	h.exit(p.pid, exited(1))
	h.expectKills(kill{-p.pid, syscall.SIGTERM}, kill{-p.pid, syscall.SIGCONT})
	h.started()
	h.set(func(h *harness) { delete(h.family, p.pid) })
	h.advance(leftoverPoll)
	h.advance(10 * time.Second)
	h.noKill()
}

// TestFamilyMemberOfAnotherUserIsNotWaitedFor: EPERM for a family member is
// logged, and that process is dropped from the family (issue 10 item 8).
func TestFamilyMemberOfAnotherUserIsNotWaitedFor(t *testing.T) {
	h := newHarness(t, testOptions(1))
	p := h.started()
	h.until("ready", allReady)
	h.set(func(h *harness) {
		h.family[p.pid] = []ProcRef{{Pid: 951, InGroup: true}, {Pid: 950}}
		h.killErr[950] = syscall.EPERM
	})
	h.exit(p.pid, exited(0))
	h.expectKills(kill{-p.pid, syscall.SIGTERM}, kill{-p.pid, syscall.SIGCONT})
	h.started()
	h.set(func(h *harness) { h.family[p.pid] = []ProcRef{{Pid: 950}} }) // 951 obeyed
	h.advance(leftoverPoll)                                             // 950 still runs, but is not spark2's to wait for
	h.advance(10 * time.Second)
	h.noKill()
}

// TestStopIgnoresProcessesItMayNotSignal: a root process left in the
// container (docker exec) makes the stop neither wait nor exit 137.
func TestStopIgnoresProcessesItMayNotSignal(t *testing.T) {
	h := newHarness(t, testOptions(1), func(h *harness) {
		h.desc = []int{4242}
		h.killErr[4242] = syscall.EPERM
	})
	p := h.started()
	h.until("ready", allReady)
	h.signal(syscall.SIGTERM)
	h.expectKills(kill{-p.pid, syscall.SIGTERM}, kill{-p.pid, syscall.SIGCONT})
	h.exit(p.pid, signaled(syscall.SIGTERM))
	h.advance(pollEvery)
	if o := h.result(); o.Reason != Stopped {
		t.Fatalf("outcome %+v, want Stopped (exit 0): the other user's process is not spark2's", o)
	}
}

// TestStopKilledOnlyForItsOwn: at the stop timeout a worker that ignores
// TERM is killed (StopKilled) even with a foreign process around.
func TestStopKilledOnlyForItsOwn(t *testing.T) {
	h := newHarness(t, testOptions(1), func(h *harness) {
		h.desc = []int{4242}
		h.killErr[4242] = syscall.EPERM
	})
	p := h.started()
	h.until("ready", allReady)
	h.signal(syscall.SIGTERM)
	h.killed() // TERM
	h.advance(5 * time.Second)
	if k := h.killed(); k != (kill{-p.pid, syscall.SIGKILL}) {
		t.Fatalf("got %+v, want KILL to the worker's group", k)
	}
	h.exit(p.pid, signaled(syscall.SIGKILL))
	h.advance(pollEvery)
	if o := h.result(); o.Reason != StopKilled {
		t.Fatalf("outcome %+v, want StopKilled", o)
	}
}

// TestExitOfAReusedPidIsNotTheWorkers: an exit status for a worker's pid
// while its pidfd says it runs is an earlier process's (issue 10 item 17).
func TestExitOfAReusedPidIsNotTheWorkers(t *testing.T) {
	h := newHarness(t, testOptions(1))
	p := h.started()
	h.until("ready", allReady)
	h.set(func(h *harness) { h.running[p.pid] = true })
	h.exit(p.pid, exited(3))
	h.noStart()
	if s := h.sup.Snapshot(); s.Slots[0].Worker.Pid != p.pid || s.Counts.Restarts != 0 {
		t.Fatalf("state %+v: the live worker was taken for dead", s)
	}
	h.set(func(h *harness) { h.running[p.pid] = false })
	h.exit(p.pid, exited(3))
	if n := h.started(); n.slot != 0 {
		t.Fatalf("respawn in slot %d", n.slot)
	}
}

// TestSweepKicksTheReaperForAZombie: a worker that is gone while its exit
// status has not come makes the reaper look again (issue 10 item 18).
func TestSweepKicksTheReaperForAZombie(t *testing.T) {
	h := newHarness(t, testOptions(1))
	p := h.startedRunning()
	h.set(func(h *harness) { h.dead[p.pid] = true })
	h.advance(time.Second)
	h.until("kicked", func(Snapshot) bool { h.mu.Lock(); defer h.mu.Unlock(); return h.kicks == 1 })
	h.exit(p.pid, exited(4)) // the real status arrives
	if n := h.started(); n.slot != 0 {
		t.Fatalf("respawn in slot %d", n.slot)
	}
	if s := h.sup.Snapshot(); s.Slots[0].LastExit != "exited 4" {
		t.Fatalf("last exit %q, want the real status", s.Slots[0].LastExit)
	}
}

// TestOnlyTheSweepsFamilyLookupIsPeriodic: the once-a-second sweep marks
// its family lookups periodic (an older view of the processes will do);
// a stop's lookups want the processes as they are, in a later loop turn
// than the sweep's, and the lookups of one stop share their turn.
func TestOnlyTheSweepsFamilyLookupIsPeriodic(t *testing.T) {
	h := newHarness(t, testOptions(2))
	h.startedRunning()
	lookups := func() []Lookup { h.mu.Lock(); defer h.mu.Unlock(); return append([]Lookup(nil), h.lookups...) }
	h.advance(time.Second)
	h.until("the sweep looked up the families", func(Snapshot) bool { return len(lookups()) >= 2 })
	swept := lookups()
	for i, l := range swept {
		if !l.Periodic || l.Turn == 0 || l.Turn != swept[0].Turn {
			t.Fatalf("lookup %d of the sweep is %+v: want periodic, in the sweep's turn %d", i, l, swept[0].Turn)
		}
	}
	h.signal(syscall.SIGTERM)
	h.until("the stop looked up the families", func(Snapshot) bool { return len(lookups()) >= len(swept)+2 })
	stop := lookups()[len(swept):]
	for i, l := range stop[:2] {
		if l.Periodic || l.Turn <= swept[0].Turn || l.Turn != stop[0].Turn {
			t.Fatalf("lookup %d of the stop is %+v: want not periodic, in one turn after the sweep's %d", i, l, swept[0].Turn)
		}
	}
}
