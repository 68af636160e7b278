package listener

import (
	"errors"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// dialN opens n connections to port and returns them; the kernel completes
// each handshake into one socket's accept queue, which Queued counts.
func dialN(t *testing.T, port, n int) []net.Conn {
	t.Helper()
	var cs []net.Conn
	for range n {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		cs = append(cs, c)
	}
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	return cs
}

func queuedAll(g *Group) []int {
	var q []int
	for i := range g.Cap() {
		q = append(q, g.Queued(i))
	}
	return q
}

func TestGroupSpreadsOverOpenSlotsOnly(t *testing.T) {
	g, err := ListenGroup("127.0.0.1", 0, 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if g.SteerErr != nil {
		t.Fatalf("steering program refused: %v", g.SteerErr)
	}
	dialN(t, g.Port, 300)
	q := queuedAll(g)
	if q[0]+q[1]+q[2] != 300 || q[3] != 0 {
		t.Fatalf("queued per slot %v: want 300 over slots 0-2, none in the spare", q)
	}
	for i := range 3 {
		if q[i] < 50 { // expected 100 each; 50 is many deviations away
			t.Fatalf("queued per slot %v: slot %d got too few", q, i)
		}
	}
}

func TestGroupDrainRetireOpen(t *testing.T) {
	g, err := ListenGroup("127.0.0.1", 0, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	dialN(t, g.Port, 100)
	before := queuedAll(g)
	if before[1] == 0 {
		t.Fatalf("queued per slot %v: slot 1 got nothing", before)
	}
	g.Drain(1)
	dialN(t, g.Port, 100)
	after := queuedAll(g)
	if after[1] != before[1] || after[0] != before[0]+100 {
		t.Fatalf("after Drain(1): queued %v, before %v: want every new connection in slot 0", after, before)
	}
	queued, err := g.Retire(1)
	if err != nil || queued != before[1] {
		t.Fatalf("Retire(1) = %d, %v; want %d queued", queued, err, before[1])
	}
	if g.Queued(1) != 0 {
		t.Fatalf("slot 1 still has %d queued after Retire", g.Queued(1))
	}
	if err := g.Open(1); err != nil {
		t.Fatalf("Open(1) after Retire: %v", err)
	}
	dialN(t, g.Port, 50)
	if g.Queued(1) != 0 {
		t.Fatalf("reopened slot 1 gets connections before it serves: %v", queuedAll(g))
	}
	g.SetServing(1, true) // its new worker is ready
	dialN(t, g.Port, 100)
	if g.Queued(1) == 0 {
		t.Fatalf("reopened slot 1 gets no connections once it serves: %v", queuedAll(g))
	}
}

func TestGroupRetireIsUndoneByOpen(t *testing.T) {
	g, err := ListenGroup("127.0.0.1", 0, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	g.Drain(1)
	if err := g.Open(1); err != nil {
		t.Fatal(err)
	}
	g.SetServing(1, true)
	if _, err := g.Retire(1); err != nil {
		t.Fatal(err)
	}
	dialN(t, g.Port, 100)
	if g.Queued(1) == 0 {
		t.Fatalf("Retire after a reopen closed the slot: %v", queuedAll(g))
	}
}

func TestGroupCap(t *testing.T) {
	g, err := ListenGroup("", 0, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if g.Cap() != 2 || g.File(1) == nil || g.File(2) != nil {
		t.Fatalf("Cap %d File(1) %v File(2) %v", g.Cap(), g.File(1), g.File(2))
	}
	err = g.Open(2)
	if err == nil || !strings.Contains(err.Error(), "bound 2 before the privilege drop") {
		t.Fatalf("Open beyond the cap: %v", err)
	}
	if g.String() != "*:"+strconv.Itoa(g.Port) {
		t.Fatalf("String %q", g.String())
	}
	dialN(t, g.Port, 1) // all interfaces: IPv4 too
}

func TestGroupPortInUse(t *testing.T) {
	l, err := Listen("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = ListenGroup("127.0.0.1", l.Port, 1, 2)
	var le *Error
	if !errors.Is(err, syscall.EADDRINUSE) || !errors.As(err, &le) {
		t.Fatalf("err %v, want an *Error with EADDRINUSE", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(l.Port)) {
		t.Fatalf("message %q does not name the address", err)
	}
}

// TestGroupRoundRobin: as root (CI), the eBPF program spreads new
// connections over the open slots in turn, exactly; after Drain, over the
// slots left; after slots are retired and opened again (TTOU, TTIN), over
// all of them again.
func TestGroupRoundRobin(t *testing.T) {
	g := threeSlots(t, true)
	dialN(t, g.Port, 30)
	if q := queuedAll(g); !slices.Equal(q, []int{10, 10, 10, 0}) {
		t.Fatalf("queued per slot %v after 30 connections over 3 slots: want 10 10 10 0", q)
	}
	g.Drain(1)
	dialN(t, g.Port, 7)
	if q := queuedAll(g); !slices.Equal(q, []int{17, 10, 10, 0}) {
		t.Fatalf("queued per slot %v after Drain(1) and 7 more: want 17 10 10 0", q)
	}
	if _, err := g.Retire(2); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Retire(1); err != nil {
		t.Fatal(err)
	}
	for slot := 1; slot < 4; slot++ {
		if err := g.Open(slot); err != nil {
			t.Fatal(err)
		}
		g.SetServing(slot, true)
	}
	before := queuedAll(g)
	dialN(t, g.Port, 40)
	after := queuedAll(g)
	for i := range after {
		if d := after[i] - before[i]; d != 10 {
			t.Fatalf("queued per slot %v, before %v: after Open of slots 1-3, want 10 more in each of the 4", after, before)
		}
	}
}

// TestRoundRobinUnavailableFallsBackToRandom: where the program cannot be
// loaded (a container without CAP_BPF), the group picks a slot at random
// with the classic program, says why it does not go in turn, and Drain
// still steers new connections away from a draining slot.
func TestRoundRobinUnavailableFallsBackToRandom(t *testing.T) {
	refused := refuseRoundRobin(t)
	g, err := ListenGroup("127.0.0.1", 0, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if g.RoundRobin() || g.RoundRobinErr != refused || g.SteerErr != nil {
		t.Fatalf("RoundRobin() = %v, RoundRobinErr = %v, SteerErr = %v: want the random pick, and why", g.RoundRobin(), g.RoundRobinErr, g.SteerErr)
	}
	dialN(t, g.Port, 200)
	q := queuedAll(g)
	if q[0]+q[1] != 200 || q[0] < 50 || q[1] < 50 { // 100 each expected; 50 is many deviations away
		t.Fatalf("queued per slot %v: want 200 spread over both", q)
	}
	g.Drain(1)
	dialN(t, g.Port, 50)
	if after := queuedAll(g); after[0] != q[0]+50 || after[1] != q[1] {
		t.Fatalf("after Drain(1): queued %v, before %v: want every new connection in slot 0", after, q)
	}
}

// refuseRoundRobin makes the round-robin program fail to load until t ends,
// as in a container without CAP_BPF, and returns the error it fails with.
func refuseRoundRobin(t *testing.T) error {
	refused := errors.New("bpf: operation not permitted")
	attachRoundRobin = func(int, int, []int) (*roundRobin, error) { return nil, refused }
	t.Cleanup(func() { attachRoundRobin = newRoundRobin })
	return refused
}

// threeSlots returns a group of 3 open slots and a spare, closed when t
// ends: with the round-robin program (inTurn: as root, skipped otherwise)
// or with the random pick.
func threeSlots(t *testing.T, inTurn bool) *Group {
	t.Helper()
	if !inTurn {
		refuseRoundRobin(t)
	} else if os.Geteuid() != 0 {
		t.Skip("loading the round-robin program takes CAP_BPF: run as root (CI does)")
	}
	g, err := ListenGroup("127.0.0.1", 0, 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	if g.RoundRobin() != inTurn {
		t.Fatalf("RoundRobin() = %v, want %v: %v", g.RoundRobin(), inTurn, g.RoundRobinErr)
	}
	return g
}

// servingCases runs f with the random pick and with the round-robin program
// (as root), each on threeSlots.
func servingCases(t *testing.T, f func(t *testing.T, g *Group, inTurn bool)) {
	t.Run("random", func(t *testing.T) { f(t, threeSlots(t, false), false) })
	t.Run("in turn", func(t *testing.T) { f(t, threeSlots(t, true), true) })
}

// added returns how many connections each slot's queue gained from before
// to after.
func added(before, after []int) []int {
	d := make([]int, len(after))
	for i := range after {
		d[i] = after[i] - before[i]
	}
	return d
}

// TestGroupSkipsSlotsThatDoNotServe: a slot whose worker does not serve (it
// crashed and waits out its back-off) gets no new connections while another
// slot serves; once it serves again it gets its share. While no slot
// serves, every open slot gets connections, to wait in its queue.
func TestGroupSkipsSlotsThatDoNotServe(t *testing.T) {
	servingCases(t, func(t *testing.T, g *Group, inTurn bool) {
		g.SetServing(1, false)
		before := queuedAll(g)
		dialN(t, g.Port, 60)
		d := added(before, queuedAll(g))
		if d[1] != 0 || d[3] != 0 || d[0]+d[2] != 60 || d[0] < 15 || d[2] < 15 {
			t.Fatalf("with slot 1 not serving, 60 new connections went %v: want them over slots 0 and 2", d)
		}
		if inTurn && (d[0] != 30 || d[2] != 30) {
			t.Fatalf("with slot 1 not serving, 60 new connections went %v: want 30 and 30, in turn", d)
		}
		g.SetServing(1, true)
		before = queuedAll(g)
		dialN(t, g.Port, 60)
		d = added(before, queuedAll(g))
		if d[1] < 5 || d[3] != 0 || (inTurn && (d[0] != 20 || d[1] != 20 || d[2] != 20)) {
			t.Fatalf("with slot 1 serving again, 60 new connections went %v: want slot 1 to get its share", d)
		}
		for s := range 3 {
			g.SetServing(s, false)
		}
		before = queuedAll(g)
		dialN(t, g.Port, 60)
		d = added(before, queuedAll(g))
		if d[0] < 5 || d[1] < 5 || d[2] < 5 || d[3] != 0 {
			t.Fatalf("with no slot serving, 60 new connections went %v: want them over the 3 open slots", d)
		}
		g.SetServing(2, true)
		g.Drain(2)
		before = queuedAll(g)
		dialN(t, g.Port, 20)
		d = added(before, queuedAll(g))
		if d[2] != 0 || d[0]+d[1] != 20 {
			t.Fatalf("with slot 2 serving but drained, 20 new connections went %v: want them over slots 0 and 1", d)
		}
	})
}
