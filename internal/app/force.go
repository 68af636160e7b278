package app

import (
	"fmt"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/sig"
)

// forceOut stops the master that runs with configuration c, for --force: it
// sends it SIGTERM and waits until it has gone (stopWait). A stop signal
// (TERM, INT) that arrives on signals meanwhile cuts the wait short: forceOut
// says so on stderr and returns stopped, and the other master goes on
// stopping by itself; spark2 then stops before any worker starts (README,
// Signals). Other signals that arrive meanwhile are put back on signals, in
// their order, for the master this one becomes. It returns false, nil when
// there is no master to stop or it has stopped, and an error when that
// master cannot be signalled or is still running after the wait.
func forceOut(c config.Config, signals chan os.Signal, stderr io.Writer) (stopped bool, err error) {
	f, m, _, err := openMaster(c)
	if f == nil || err != nil {
		return false, nil // nothing to stop
	}
	fmt.Fprintf(stderr, "spark2: --force: stopping the running master (pid %d)\n", f.Pid)
	if err := m.Signal(unix.SIGTERM); err != nil {
		m.Close()
		return false, err
	}
	timeout := stopWait(c, f)
	exited := make(chan bool, 1)
	go func() {
		exited <- m.Exited(timeout)
		m.Close() // here, not before: the wait polls m's pidfd
	}()
	var held []os.Signal
	defer func() { putBack(signals, held) }()
	for {
		select {
		case ok := <-exited:
			if !ok {
				return false, stillRunning(f, timeout)
			}
			return false, nil
		case s := <-signals:
			if sig.Of(s) == sig.Stop {
				fmt.Fprintf(stderr, "spark2: --force: %s while waiting for the master (pid %d) to stop: stopping before any worker starts; that master goes on stopping\n", unix.SignalName(s.(syscall.Signal)), f.Pid)
				return true, nil
			}
			held = append(held, s)
		}
	}
}

// noOtherMaster refuses to start a master while another one runs with the
// same status file: both would write it, and the probes and control
// commands would read either one's. A fixed port makes the second fail to
// bind anyway; -p 0 and --no-listen did not, and two masters started in one
// directory shared the file. A status file whose master has gone (its pid
// and start time no longer match) is no obstacle, nor one that cannot be
// read or trusted: the master's own checks of its directory say why.
func noOtherMaster(c config.Config) error {
	f, m, _, err := openMaster(c)
	if err != nil || m == nil {
		return nil
	}
	m.Close()
	path := "its status file"
	if uid, err := masterUID(c); err == nil {
		if p, err := statusPath(c, uid); err == nil {
			path = p
		}
	}
	return fmt.Errorf("another master (pid %d) runs here with the same status file, %s: stop it (spark2 --kill), replace it (spark2 --force ...), or give this one its own --status-file", f.Pid, path)
}
