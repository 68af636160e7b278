package supervisor

import (
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/ready"
	"github.com/spark2/spark2/internal/reap"
)

// harness drives a Supervisor through a fake OS: the test plays the kernel
// (exits, signals), the clock (advance) and the launcher's reports. The
// loop's Publish tells it about every change, so that until waits for one
// instead of polling.
type harness struct {
	t       *testing.T
	sup     *Supervisor
	exits   chan reap.Exit
	signals chan os.Signal
	notify  chan ready.Message
	reload  chan string
	memory  chan []MemoryUse
	starts  chan fakeProc
	kills   chan kill
	outcome chan Outcome
	changed chan Snapshot // the newest snapshot the loop published, not yet seen by until

	mu       sync.Mutex
	now      time.Time
	timers   []fakeTimer
	nextPid  int
	execErr  func(slot int) error // the exec report of each start; nil: exec succeeds
	startErr func(slot int) error // what Start returns for each start; nil: it starts
	hold     bool                 // holdExec: the test sends each exec report (execReport)
	report   Reports              // the supervisor's reports, as Start got them
	dead     map[int]bool         // pids Alive reports gone
	desc     []int                // what Descendants returns
	parents  map[int]int          // what Parent returns
	family   map[int][]ProcRef    // what Family returns, by leader
	lookups  []Lookup             // each Family call's Lookup, in order
	killErr  map[int]error        // what Kill returns, by pid (a group: -pgid)
	running  map[int]bool         // pids whose Proc.Ended says they still run
	kicks    int                  // calls of Kick
	noted    *KeepAlives          // Events.KeepAlives
}

type fakeProc struct {
	slot, pid int
}

type kill struct {
	pid int
	sig syscall.Signal
}

type fakeTimer struct {
	at time.Time
	c  chan time.Time
}

func testOptions(workers int) Options {
	return Options{
		Workers: workers, Respawn: RespawnAlways, StopTimeout: 5 * time.Second,
		Backoff: DefaultBackoff, SweepEvery: time.Second, ReadyTimeout: 30 * time.Second,
	}
}

func newHarness(t *testing.T, opt Options, setup ...func(*harness)) *harness {
	t.Helper()
	h := &harness{
		t: t, exits: make(chan reap.Exit), signals: make(chan os.Signal), notify: make(chan ready.Message), reload: make(chan string), memory: make(chan []MemoryUse),
		starts: make(chan fakeProc, 1000), kills: make(chan kill, 1000), outcome: make(chan Outcome, 1), changed: make(chan Snapshot, 1),
		now: time.Unix(1_000_000, 0), nextPid: 100, dead: map[int]bool{}, parents: map[int]int{},
		family: map[int][]ProcRef{}, killErr: map[int]error{}, running: map[int]bool{}, noted: new(KeepAlives),
	}
	for _, f := range setup {
		f(h)
	}
	sys := OS{
		Start:       h.start,
		Kill:        h.kill,
		Alive:       func(pid int, _ uint64) bool { h.mu.Lock(); defer h.mu.Unlock(); return !h.dead[pid] },
		Descendants: func() []int { h.mu.Lock(); defer h.mu.Unlock(); return append([]int(nil), h.desc...) },
		Parent:      func(pid int) int { h.mu.Lock(); defer h.mu.Unlock(); return h.parents[pid] },
		Now:         func() time.Time { h.mu.Lock(); defer h.mu.Unlock(); return h.now },
		At:          h.at,
		Family: func(leader ProcRef, _ []ProcRef, look Lookup) []ProcRef {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.lookups = append(h.lookups, look)
			return append([]ProcRef(nil), h.family[leader.Pid]...)
		},
		Kick: func() { h.mu.Lock(); h.kicks++; h.mu.Unlock() },
		Rand: func(n int64) int64 { return 0 },
	}
	publish := opt.Publish
	opt.Publish = func(s Snapshot) {
		if publish != nil {
			publish(s)
		}
		h.published(s)
	}
	log := hclog.New(&hclog.LoggerOptions{Level: hclog.Debug, Output: newTestWriter(t)})
	h.sup = New(opt, sys, Events{Exits: h.exits, Signals: h.signals, Notify: h.notify, KeepAlives: h.noted, Reload: h.reload, Memory: h.memory}, log)
	go func() { h.outcome <- h.sup.Run() }()
	return h
}

// testWriter sends the supervisor's log to the test's, until the test ends:
// the supervisor's goroutine outlives it, and testing panics on a late Log.
type testWriter struct {
	t      *testing.T
	mu     *sync.Mutex
	closed *bool
}

func newTestWriter(t *testing.T) testWriter {
	w := testWriter{t: t, mu: &sync.Mutex{}, closed: new(bool)}
	t.Cleanup(func() { w.mu.Lock(); *w.closed = true; w.mu.Unlock() })
	return w
}

func (w testWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !*w.closed {
		w.t.Log(string(b[:len(b)-1]))
	}
	return len(b), nil
}

// kill records a signal; it reaches the process unless killErr says not.
func (h *harness) kill(pid int, sig syscall.Signal) error {
	h.mu.Lock()
	err := h.killErr[pid]
	h.mu.Unlock()
	if err != nil {
		return err
	}
	h.kills <- kill{pid, sig}
	return nil
}

// set changes the fake OS's state under its lock.
func (h *harness) set(f func(h *harness)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(h)
}

// start is the fake OS.Start: unless holdExec, it reports the exec itself,
// before it returns, as a launcher that is quick.
func (h *harness) start(slot int, report Reports) (Proc, error) {
	h.mu.Lock()
	h.nextPid++
	pid := h.nextPid
	var err error
	if h.startErr != nil {
		if serr := h.startErr(slot); serr != nil {
			h.mu.Unlock()
			return Proc{}, serr
		}
	}
	if h.execErr != nil {
		err = h.execErr(slot)
	}
	h.report = report
	hold := h.hold
	h.mu.Unlock()
	if !hold {
		report.Exec(pid, err)
	}
	h.starts <- fakeProc{slot: slot, pid: pid}
	ended := func() bool { h.mu.Lock(); defer h.mu.Unlock(); return !h.running[pid] }
	return Proc{Pid: pid, StartTime: 1, Ended: ended}, nil
}

// published is the harness's part of Options.Publish: it keeps the newest
// snapshot for until, and never blocks.
func (h *harness) published(s Snapshot) {
	select {
	case <-h.changed:
	default:
	}
	h.changed <- s
}

// at is the fake OS.At: a timer due at or before now fires at once; a
// later one when advance reaches it.
func (h *harness) at(t time.Time) <-chan time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := make(chan time.Time, 1)
	if !t.After(h.now) {
		c <- h.now
		return c
	}
	h.timers = append(h.timers, fakeTimer{at: t, c: c})
	return c
}

// holdExec makes every start's exec report wait for execReport.
func holdExec(h *harness) { h.hold = true }

// execReport delivers pid's exec report, as the launcher does.
func (h *harness) execReport(pid int, err error) {
	h.mu.Lock()
	r := h.report
	h.mu.Unlock()
	r.Exec(pid, err)
}

// readyFD reports that pid wrote to its ready fd, as the launcher does,
// and returns once the loop has handled it (the loop takes a Ready report
// unbuffered, and handles it before the next event, the snapshot).
func (h *harness) readyFD(pid int) {
	h.mu.Lock()
	r := h.report
	h.mu.Unlock()
	r.Ready(pid)
	h.sup.Snapshot()
}

// pingFD reports that pid wrote to its ready fd again, as the launcher does,
// and returns once the loop has handled it.
func (h *harness) pingFD(pid int) {
	h.mu.Lock()
	r := h.report
	h.mu.Unlock()
	r.Ping(pid)
	h.sup.Snapshot()
}

// keepAlive notes a keep-alive from pid sent ago before now in
// Events.KeepAlives, as the notify reader does, off the loop.
func (h *harness) keepAlive(pid int, ago time.Duration) {
	h.mu.Lock()
	at := h.now.Add(-ago)
	h.mu.Unlock()
	h.noted.Note(pid, at)
}

// advance moves the clock and fires every timer that falls due.
func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	kept := h.timers[:0]
	for _, tm := range h.timers {
		if !tm.at.After(h.now) {
			tm.c <- h.now
		} else {
			kept = append(kept, tm)
		}
	}
	h.timers = kept
	h.mu.Unlock()
}

const wait = 5 * time.Second

// started waits for the next worker start.
func (h *harness) started() fakeProc {
	h.t.Helper()
	select {
	case p := <-h.starts:
		return p
	case <-time.After(wait):
		h.t.Fatal("no worker was started")
	}
	return fakeProc{}
}

// startedRunning waits for the next worker start and for the supervisor to
// know its COMMAND runs.
func (h *harness) startedRunning() fakeProc {
	h.t.Helper()
	p := h.started()
	h.until("worker running", func(s Snapshot) bool {
		for _, sl := range s.Slots {
			for _, w := range []WorkerState{sl.Worker, sl.Replacement} {
				if w.Pid == p.pid && w.Running {
					return true
				}
			}
		}
		return false
	})
	return p
}

// startedN waits for n starts and returns them.
func (h *harness) startedN(n int) []fakeProc {
	h.t.Helper()
	ps := make([]fakeProc, n)
	for i := range ps {
		ps[i] = h.started()
	}
	return ps
}

// noStart fails if a start is pending once the loop has handled everything sent.
func (h *harness) noStart() {
	h.t.Helper()
	h.sup.Snapshot() // a round trip through the loop
	select {
	case p := <-h.starts:
		h.t.Fatalf("unexpected start of slot %d (pid %d)", p.slot, p.pid)
	default:
	}
}

// killed returns the next signal sent, skipping the CONT that follows each
// stop signal (rawKilled sees those).
func (h *harness) killed() kill {
	h.t.Helper()
	for {
		if k := h.rawKilled(); k.sig != syscall.SIGCONT {
			return k
		}
	}
}

func (h *harness) rawKilled() kill {
	h.t.Helper()
	select {
	case k := <-h.kills:
		return k
	case <-time.After(wait):
		h.t.Fatal("nothing was signalled")
	}
	return kill{}
}

// noKill fails if a signal other than CONT is pending once the loop has
// handled everything sent.
func (h *harness) noKill() {
	h.t.Helper()
	h.sup.Snapshot()
	for {
		select {
		case k := <-h.kills:
			if k.sig != syscall.SIGCONT {
				h.t.Fatalf("unexpected signal %+v", k)
			}
		default:
			return
		}
	}
}

func (h *harness) exit(pid int, st syscall.WaitStatus) {
	h.t.Helper()
	select {
	case h.exits <- reap.Exit{Pid: pid, Status: st}:
	case <-time.After(wait):
		h.t.Fatal("the supervisor did not take the exit")
	}
	h.sup.Snapshot() // the exit has been handled and the timer armed
}

func (h *harness) signal(s syscall.Signal) {
	h.t.Helper()
	select {
	case h.signals <- s:
	case <-time.After(wait):
		h.t.Fatal("the supervisor did not take the signal")
	}
	h.sup.Snapshot() // the signal has been handled and the timer armed
}

// say sends a NOTIFY_SOCKET message from pid.
func (h *harness) say(pid int, m ready.Message) {
	h.t.Helper()
	m.Pid = pid
	select {
	case h.notify <- m:
	case <-time.After(wait):
		h.t.Fatal("the supervisor did not take the notify message")
	}
	h.sup.Snapshot()
}

func (h *harness) result() Outcome {
	h.t.Helper()
	select {
	case o := <-h.outcome:
		return o
	case <-time.After(wait):
		h.t.Fatal("Run did not return")
	}
	return Outcome{}
}

// until waits until cond holds: for the state now, or for one that the
// loop publishes after a later event (one published before is dropped
// first: it may be older than now).
func (h *harness) until(what string, cond func(Snapshot) bool) Snapshot {
	h.t.Helper()
	select {
	case <-h.changed:
	default:
	}
	deadline := time.After(wait)
	for s := h.sup.Snapshot(); ; {
		if cond(s) {
			return s
		}
		select {
		case s = <-h.changed:
		case <-deadline:
			h.t.Fatalf("timed out waiting until %s; state %+v", what, s)
		}
	}
}

func allReady(s Snapshot) bool {
	for _, sl := range s.Slots {
		if !sl.Worker.Ready {
			return false
		}
	}
	return true
}

func exited(code int) syscall.WaitStatus           { return syscall.WaitStatus(code << 8) }
func signaled(s syscall.Signal) syscall.WaitStatus { return syscall.WaitStatus(s) }
