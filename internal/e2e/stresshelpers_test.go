package e2e

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/coreos/go-systemd/v22/daemon"
)

// catchSignals lists every signal the helper "catchall" catches: all that
// spark2 forwards (QUIT, USR1, USR2, WINCH, ALRM, VTALRM, IO, PWR,
// SYS, RTMIN..RTMAX) and the stop signals.
func catchSignals() []os.Signal {
	sigs := []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGALRM, syscall.SIGVTALRM,
		syscall.SIGPROF, syscall.SIGIO, syscall.SIGPWR, syscall.SIGSYS}
	for s := 34; s <= 64; s++ {
		sigs = append(sigs, syscall.Signal(s))
	}
	return sigs
}

// catchAll is the helper "catchall": a worker that survives any storm of
// forwarded signals. It catches every signal spark2 forwards, says ready on
// NOTIFY_SOCKET only once its handlers are in place (so, with --ready
// notify, a worker counts as ready only when a signal can no longer kill
// it), prints "ready slot=S pid=P", counts what it receives and, on TERM or
// INT, prints "caught N slot=S pid=P" and exits 0.
func catchAll() int {
	c := make(chan os.Signal, 1024)
	signal.Notify(c, catchSignals()...)
	daemon.SdNotify(false, daemon.SdNotifyReady)
	fmt.Printf("ready slot=%s pid=%d\n", slotID(), os.Getpid())
	n := 0
	for s := range c {
		if s == syscall.SIGTERM || s == syscall.SIGINT {
			break
		}
		n++
	}
	fmt.Printf("caught %d slot=%s pid=%d\n", n, slotID(), os.Getpid())
	return 0
}
