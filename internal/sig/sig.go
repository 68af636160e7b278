// Package sig says what the master does with each signal it receives, and
// subscribes to exactly those signals (never SIGCHLD, which belongs to the
// reaper, and never SIGURG, which the Go runtime uses for preemption).
//
//	TERM, INT                 Stop: graceful shutdown
//	CONT, HUP                 Respawn: rolling replacement of every worker
//	TTIN, TTOU                ScaleUp, ScaleDown: one worker more, one fewer
//	USR1                      Reopen: reopen --accesslog, then forward to workers
//	TSTP                      Ignore: spark2 never stops on job control (STOP still pauses it)
//	QUIT, USR2, WINCH, ALRM,
//	VTALRM, PROF, IO, PWR,
//	SYS, RTMIN..RTMAX         Forward: to every worker's process group
package sig

import (
	"os"
	"os/signal"
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
	Ignore
)

var actions = map[syscall.Signal]Action{
	syscall.SIGTERM: Stop, syscall.SIGINT: Stop,
	syscall.SIGCONT: Respawn, syscall.SIGHUP: Respawn,
	syscall.SIGTTIN: ScaleUp, syscall.SIGTTOU: ScaleDown,
	syscall.SIGUSR1: Reopen,
	syscall.SIGTSTP: Ignore,
	syscall.SIGQUIT: Forward, syscall.SIGUSR2: Forward, syscall.SIGWINCH: Forward,
	syscall.SIGALRM: Forward, syscall.SIGVTALRM: Forward, syscall.SIGPROF: Forward,
	syscall.SIGIO: Forward, syscall.SIGPWR: Forward, syscall.SIGSYS: Forward,
}

// Realtime signals, forwarded; systemd and some images use SIGRTMIN+3 as their
// stop signal. 32 and 33 are reserved by the C library.
const (
	rtMin = 34
	rtMax = 64
)

// Of returns the action for s. Signals spark2 does not subscribe to are
// forwarded.
func Of(s os.Signal) Action {
	if ss, ok := s.(syscall.Signal); ok {
		if a, ok := actions[ss]; ok {
			return a
		}
	}
	return Forward
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

// Notify subscribes c to every signal in Handled. The channel should be
// buffered: signals that arrive while it is full are dropped by os/signal.
func Notify(c chan<- os.Signal) {
	signal.Notify(c, Handled()...)
}
