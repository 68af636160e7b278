// Package sig says what the master does with each signal it receives, and
// subscribes to exactly those signals (never SIGCHLD, which belongs to the
// reaper, SIGURG, which the Go runtime uses for preemption, or SIGPROF, which
// it keeps for its profiler). README's Signals table says the same, row for
// row; TestEverySignal in internal/e2e checks both against the binary.
//
//	TERM, INT                 Stop: graceful shutdown
//	CONT, HUP                 Respawn: rolling replacement of every worker
//	TTIN, TTOU                ScaleUp, ScaleDown: one worker more, one fewer
//	USR1                      Reopen: reopen --accesslog, then forward to workers
//	QUIT, USR2, WINCH, ALRM,
//	VTALRM, IO, PWR, SYS,
//	RTMIN+1..RTMAX (35..64)   Forward: to every worker's process group
//	ILL, TRAP, ABRT, BUS,
//	FPE, SEGV, STKFLT         Forward: sent by kill(2) these are ordinary
//	                          signals (a real fault in spark2 still crashes it)
//	XCPU, XFSZ                Log: about spark2's own limits; a warning, not forwarded
//	TSTP                      Ignore: spark2 never stops on job control (STOP still pauses it)
//	PIPE                      not subscribed, ignored (see Notify): a reader of
//	                          spark2's output that goes away must not kill it
//	PROF, URG, CHLD           not subscribed: the Go runtime's and the reaper's
//	32, 33, 34 (RTMIN)        not subscribed, ignored: Go's runtime cannot hand
//	                          them to os/signal; 32 and 34 are set to SIG_IGN
//	                          (see Notify), 33 is the runtime's own
//	KILL, STOP                cannot be caught
package sig

import (
	"os"
	"os/signal"
	"runtime"
	"slices"
	"sync"
	"syscall"
)

// Action is what the master does with a signal.
type Action int

// The actions, one per row of the package doc's table.
const (
	Forward Action = iota
	Stop
	Respawn
	ScaleUp
	ScaleDown
	Reopen
	Ignore // TSTP, and every signal that is not subscribed
	Log    // a warning naming the signal, nothing else
)

var actions = map[syscall.Signal]Action{
	syscall.SIGTERM: Stop, syscall.SIGINT: Stop,
	syscall.SIGCONT: Respawn, syscall.SIGHUP: Respawn,
	syscall.SIGTTIN: ScaleUp, syscall.SIGTTOU: ScaleDown,
	syscall.SIGUSR1: Reopen,
	syscall.SIGTSTP: Ignore,
	syscall.SIGQUIT: Forward, syscall.SIGUSR2: Forward, syscall.SIGWINCH: Forward,
	syscall.SIGALRM: Forward, syscall.SIGVTALRM: Forward,
	syscall.SIGIO: Forward, syscall.SIGPWR: Forward, syscall.SIGSYS: Forward,
	// Sent by kill(2), as docker kill -s SEGV does, the Go runtime hands these
	// to signal.Notify instead of crashing (a fault inside spark2 still does).
	syscall.SIGILL: Forward, syscall.SIGTRAP: Forward, syscall.SIGABRT: Forward,
	syscall.SIGBUS: Forward, syscall.SIGFPE: Forward, syscall.SIGSEGV: Forward,
	syscall.SIGSTKFLT: Forward,
	syscall.SIGXCPU:   Log, syscall.SIGXFSZ: Log,
}

// Realtime signals, forwarded; systemd and some images use SIGRTMIN+3 (37) as
// their stop signal. 32, 33 and 34 (glibc's SIGRTMIN) are kept by Go's
// runtime from os/signal.
const (
	rtMin = 35
	rtMax = 64
)

// Of returns the action for s: the table's, Forward for the realtime
// signals, and Ignore for every signal not subscribed (it never reaches
// the master's loop).
func Of(s os.Signal) Action {
	ss, ok := s.(syscall.Signal)
	if !ok {
		return Ignore
	}
	if a, ok := actions[ss]; ok {
		return a
	}
	if ss >= rtMin && ss <= rtMax {
		return Forward
	}
	return Ignore
}

// Handled lists every signal the master subscribes to.
func Handled() []os.Signal {
	out := make([]os.Signal, 0, len(actions)+rtMax-rtMin+1)
	for s := range actions {
		out = append(out, s)
	}
	for s := rtMin; s <= rtMax; s++ {
		out = append(out, syscall.Signal(s))
	}
	return out
}

// earlySignals are the handled signals that would end or pause spark2 if
// they came before it subscribed to them: Go's runtime exits on TERM, INT
// and HUP and crashes on QUIT, ABRT and the fault signals; the kernel stops
// a process on TSTP, TTIN and TTOU. CONT joins them: unsubscribed it would
// do nothing, and the respawn it asks for (docker kill -s CONT) would be
// lost. Every other handled signal (USR1, USR2, WINCH, ALRM, VTALRM, IO,
// PWR, XCPU, XFSZ and the realtime ones) is dropped by Go's runtime until
// it is subscribed to. TERM and INT come first.
var earlySignals = []os.Signal{
	syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGCONT,
	syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGTSTP, syscall.SIGQUIT,
	syscall.SIGILL, syscall.SIGTRAP, syscall.SIGABRT, syscall.SIGBUS,
	syscall.SIGFPE, syscall.SIGSEGV, syscall.SIGSTKFLT, syscall.SIGSYS,
}

// late is Handled without earlySignals.
func late() []os.Signal {
	var out []os.Signal
	for _, s := range Handled() {
		if !slices.Contains(earlySignals, s) {
			out = append(out, s)
		}
	}
	return out
}

// subscribing counts the subscriptions under way.
var subscribing sync.WaitGroup

// Notify starts subscribing c to every signal in Handled, and returns a
// function that waits until the early ones are subscribed to; Subscribed
// waits for all. The channel should be buffered: signals that arrive while
// it is full are dropped by os/signal.
//
// It also sets signals 32 and 34, which Go's runtime leaves at their
// default action (the process ends), to be ignored, and SIGPIPE: a reader
// of spark2's output that goes away must not kill it (forwarding counts
// the lines it drops instead; workers get SIGPIPE back at its default, see
// launch).
//
// Each signal costs a round trip to the Go runtime's signal-mask thread
// (20–100 µs on a 2-core machine): all 55 at once took 2–5 ms of spark2's
// start. So a goroutine subscribes, the early signals (TERM first) before
// the others, while the caller goes on (spark2 parses its command line and
// env vars meanwhile). The caller must call the wait before anything that
// may block or act: a TERM that comes while it is blocked (opening a config
// file that is a FIFO, say) before TERM is subscribed would end it. With one P
// (GOMAXPROCS 1, a container limited to one CPU) the goroutine would run
// only once the caller blocks, so Notify subscribes the early signals
// itself and the wait it returns has nothing to wait for. A late signal
// that comes in the first milliseconds, before its subscription, is
// dropped; none of them ends or pauses spark2.
func Notify(c chan<- os.Signal) (early func()) {
	subscribeEarly := func() {
		signal.Notify(c, earlySignals...)
		ignoreUncatchable()
		// Before the late subscriptions: os/signal holds one lock for a
		// whole call, so an Ignore after them waited for all 39 (0.5 ms of
		// spark2's start on a busy 2-core machine, up to 1.5 ms).
		signal.Ignore(syscall.SIGPIPE)
	}
	subscribing.Add(1)
	if runtime.GOMAXPROCS(0) == 1 {
		subscribeEarly()
		go func() {
			defer subscribing.Done()
			signal.Notify(c, late()...)
		}()
		return func() {}
	}
	var earlyDone sync.WaitGroup
	earlyDone.Add(1)
	go func() {
		defer subscribing.Done()
		subscribeEarly()
		earlyDone.Done()
		signal.Notify(c, late()...)
	}()
	return earlyDone.Wait
}

// Subscribed waits until every signal of each Notify so far is subscribed.
func Subscribed() { subscribing.Wait() }

// Unsubscribe unsubscribes c (signal.Stop), once Notify's late subscriptions are
// done: none is made after it.
func Unsubscribe(c chan<- os.Signal) {
	Subscribed()
	signal.Stop(c)
}
