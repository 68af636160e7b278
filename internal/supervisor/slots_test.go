package supervisor

import (
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// slotEvents records the slot hooks' calls as "add 0", "remove 2", "vacate 2".
func slotEvents(opt *Options, limit int) chan string {
	ev := make(chan string, 100)
	opt.Slots = SlotHooks{
		Add: func(slot int) error {
			if slot >= limit {
				ev <- fmt.Sprint("refuse ", slot)
				return errors.New("no socket left")
			}
			ev <- fmt.Sprint("add ", slot)
			return nil
		},
		Remove: func(slot int) { ev <- fmt.Sprint("remove ", slot) },
		Vacate: func(slot int) { ev <- fmt.Sprint("vacate ", slot) },
	}
	return ev
}

func expectEvents(t *testing.T, ev chan string, want ...string) {
	t.Helper()
	for _, w := range want {
		select {
		case got := <-ev:
			if got != w {
				t.Fatalf("slot hook %q, want %q", got, w)
			}
		case <-time.After(wait):
			t.Fatalf("no slot hook call, want %q", w)
		}
	}
	if len(ev) != 0 {
		t.Fatalf("unexpected slot hook call %q", <-ev)
	}
}

func TestSlotHooks(t *testing.T) {
	opt := testOptions(2)
	ev := slotEvents(&opt, 3)
	h := newHarness(t, opt)
	ps := h.startedN(2)
	h.signal(syscall.SIGTTIN)
	p2 := h.started()
	h.signal(syscall.SIGTTIN) // beyond the limit: refused, no start
	h.noStart()
	if n := len(h.sup.Snapshot().Slots); n != 3 {
		t.Fatalf("%d slots after a refused TTIN, want 3", n)
	}
	expectEvents(t, ev, "add 0", "add 1", "add 2", "refuse 3")

	h.signal(syscall.SIGTTOU)
	expectEvents(t, ev, "remove 2") // before the worker is told to stop
	if k := h.killed(); k != (kill{-p2.pid, syscall.SIGTERM}) {
		t.Fatalf("got %+v, want TERM to slot 2's worker", k)
	}
	h.exit(p2.pid, signaled(syscall.SIGTERM))
	expectEvents(t, ev, "vacate 2")

	// A slot added back before its old worker ended is not vacated.
	h.signal(syscall.SIGTTOU)
	h.killed()
	h.signal(syscall.SIGTTIN)
	if p := h.started(); p.slot != 1 {
		t.Fatalf("TTIN started slot %d, want 1", p.slot)
	}
	h.exit(ps[1].pid, signaled(syscall.SIGTERM))
	expectEvents(t, ev, "remove 1", "add 1")
}

func TestSlotHooksEmptySlotVacatesAtOnce(t *testing.T) {
	opt := testOptions(2)
	ev := slotEvents(&opt, 2)
	h := newHarness(t, opt)
	ps := h.startedN(2)
	h.exit(ps[1].pid, exited(1))       // respawned at once
	h.exit(h.started().pid, exited(1)) // then slot 1 waits out a back-off: no worker
	h.noStart()
	h.signal(syscall.SIGTTOU)
	expectEvents(t, ev, "add 0", "add 1", "remove 1", "vacate 1")
}

// TestSnapshotsShareSlotsUntilOneChanges: snapshots taken while no slot
// changes share one Slots slice and allocate nothing for it (an idle master
// publishes at least once a second); a change gives a new slice and leaves
// the one already published as it was.
func TestSnapshotsShareSlotsUntilOneChanges(t *testing.T) {
	s := &Supervisor{slots: []*slot{{id: 0}, {id: 1, cur: &worker{pid: 10, ready: true}}}}
	first := s.slotStates()
	if again := s.slotStates(); &again[0] != &first[0] {
		t.Fatal("no slot changed, yet a new Slots slice")
	}
	if n := testing.AllocsPerRun(100, func() { s.slotStates() }); n != 0 {
		t.Fatalf("slotStates with no change allocates %v times, want 0", n)
	}
	s.slots[1].restarts++
	s.slots[1].cur.ready = false
	changed := s.slotStates()
	if &changed[0] == &first[0] || changed[1].Restarts != 1 || changed[1].Worker.Ready {
		t.Fatalf("after a change: %+v; want a new slice with the change", changed)
	}
	if first[1].Restarts != 0 || !first[1].Worker.Ready {
		t.Fatalf("the published slice changed: %+v", first[1])
	}
	s.slots = append(s.slots, &slot{id: 2})
	if grown := s.slotStates(); len(grown) != 3 {
		t.Fatalf("after a slot was added: %d slots, want 3", len(grown))
	}
}
