package supervisor

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/ready"
)

// TestSignalsToAStartingWorkerAreHeldThenDelivered: forwarded signals are
// held, each once however often it came, until the worker is ready (issue 9
// item 4).
func TestSignalsToAStartingWorkerAreHeldThenDelivered(t *testing.T) {
	h := newHarness(t, notifyOptions(1))
	p := h.startedRunning()
	h.signal(syscall.SIGUSR2)
	h.signal(syscall.SIGQUIT)
	h.signal(syscall.SIGUSR2)
	h.noKill()
	h.say(p.pid, ready.Message{Ready: true})
	h.expectKills(kill{-p.pid, syscall.SIGUSR2}, kill{-p.pid, syscall.SIGQUIT})
	h.noKill()
}

// TestHeldSignalsOfAWorkerStoppedBeforeReadyAreDropped: a worker stopped
// while starting does not get the signals held for it.
func TestHeldSignalsOfAWorkerStoppedBeforeReadyAreDropped(t *testing.T) {
	h := newHarness(t, notifyOptions(1))
	p := h.startedRunning()
	h.signal(syscall.SIGUSR2)
	h.signal(syscall.SIGTERM)
	h.expectKills(kill{-p.pid, syscall.SIGTERM}, kill{-p.pid, syscall.SIGCONT})
	h.say(p.pid, ready.Message{Ready: true})
	h.noKill()
}

// TestRespawnQueuedDuringAFailedRolloutStillRuns: with --watch, a fix saved
// while broken code is starting is deployed after the failure, with the
// back-off (issue 10 item 10).
func TestRespawnQueuedDuringAFailedRolloutStillRuns(t *testing.T) {
	fail := false
	h := newHarness(t, testOptions(1), func(h *harness) {
		h.execErr = func(int) error {
			if fail {
				return errors.New("boom")
			}
			return nil
		}
	})
	old := h.started()
	h.until("ready", allReady)
	h.set(func(*harness) { fail = true })
	h.reloadEvent("broken.js changed")
	broken := h.started()
	h.reloadEvent("fixed.js changed") // while the broken one starts
	h.set(func(*harness) { fail = false })
	h.exit(broken.pid, exited(1))
	h.until("rollout abandoned", func(s Snapshot) bool { return !s.Rolling && s.Counts.FailedReloads == 1 })
	h.noStart() // not at once: the back-off of a crash
	h.advance(DefaultBackoff.Base)
	fixed := h.started()
	h.until("fixed one took over", func(s Snapshot) bool { return s.Slots[0].Worker.Pid == fixed.pid && !s.Rolling })
	if k := h.killed(); k != (kill{-old.pid, syscall.SIGTERM}) {
		t.Fatalf("got %+v, want the old worker stopped", k)
	}
}

// TestSignalsAreHandledBetweenSpawns: start-up spawns one worker per loop
// turn, so a TERM right at the start stops spark2 before all 50 are spawned
// (issue 10 item 16).
func TestSignalsAreHandledBetweenSpawns(t *testing.T) {
	h := newHarness(t, testOptions(50))
	h.signal(syscall.SIGTERM)
	n := len(h.starts)
	for range n {
		p := <-h.starts
		h.exit(p.pid, signaled(syscall.SIGTERM))
	}
	if o := h.result(); o.Reason != Stopped {
		t.Fatalf("outcome %+v", o)
	}
	if n >= 50 {
		t.Fatalf("all %d workers were spawned before the TERM was handled", n)
	}
	if len(h.starts) != 0 {
		t.Fatal("a worker was spawned after the TERM")
	}
}

func (h *harness) reloadEvent(why string) {
	h.t.Helper()
	select {
	case h.reload <- why:
	case <-time.After(wait):
		h.t.Fatal("the supervisor did not take the reload")
	}
	h.sup.Snapshot()
}

// TestTermBeforeStartStopsWithNothingSpawned: a TERM that came while spark2
// was starting (reading its config file) stops it before any worker runs.
func TestTermBeforeStartStopsWithNothingSpawned(t *testing.T) {
	h := newHarness(t, testOptions(3), func(h *harness) {
		h.signals = make(chan os.Signal, 1)
		h.signals <- syscall.SIGTERM
	})
	if o := h.result(); o.Reason != Stopped || o.Signal != syscall.SIGTERM {
		t.Fatalf("outcome %+v, want Stopped by SIGTERM", o)
	}
	if len(h.starts) != 0 {
		t.Fatalf("%d workers were spawned", len(h.starts))
	}
}
