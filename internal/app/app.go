// Package app wires spark2 together: it parses the configuration, starts the
// reaper, the signal subscription, the output forwarding and the supervisor,
// and turns the supervisor's outcome into spark2's exit code.
package app

import (
	"fmt"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/exitcode"
	"github.com/spark2/spark2/internal/launch"
	"github.com/spark2/spark2/internal/sig"
)

// Main runs spark2 with args (without the program name) and returns its exit
// code; see exitcode.go. Usage errors are one line on stderr.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == launch.ChildArg {
		return launch.Child(args[1:])
	}
	// A master subscribes before anything else (reading a config file, from
	// a FIFO say, may take a while): as PID 1 a TERM with no handler would
	// make the Go runtime exit 2, the usage-error code. The configuration
	// is parsed while the subscription goes on; its early signals are in
	// before spark2 opens a config file (which may block: a FIFO) and
	// before it acts on it. A control command, -h or -V (the command
	// line alone says so) takes the shortest path: no subscription, no
	// logger, no reaper; parse, read, exit.
	var signals chan os.Signal
	subscribed := func() {}
	if !config.Control(args) {
		signals, subscribed = subscribe()
	}
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "spark2: find the working directory: %v\n", err)
		return exitcode.Failure
	}
	var res config.Result
	if signals == nil {
		res, err = config.ParseWaiting(args, os.LookupEnv, cwd, subscribed)
	} else {
		var stop syscall.Signal
		if res, stop, err = parseStoppable(args, cwd, signals, subscribed); stop != 0 {
			fmt.Fprintf(stderr, "spark2: %s while reading the configuration: stopping before any worker starts\n", unix.SignalName(stop))
			return exitcode.OK
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "spark2: %v\n", err)
		return exitcode.Usage
	}
	subscribed()
	switch {
	case res.Action == config.ActionRun && signals == nil:
		signals, subscribed = subscribe() // --kill --kill=no, say
		subscribed()
	case res.Action != config.ActionRun && signals != nil:
		if code, stopped := unsubscribe(signals); stopped {
			return code
		}
	}
	switch res.Action {
	case config.ActionHelp:
		fmt.Fprint(stdout, res.Help)
		return exitcode.OK
	case config.ActionVersion:
		fmt.Fprintf(stdout, "spark2 %s\n", config.Version)
		return exitcode.OK
	case config.ActionStatus:
		return statusCommand(res.Config, stdout, stderr)
	case config.ActionRespawn:
		return respawnCommand(res.Config, stdout, stderr)
	case config.ActionKill:
		return killCommand(res.Config, stdout, stderr)
	}
	return run(res.Config, signals, stdout, stderr)
}

// parseStoppable is config.ParseWaiting for a master, with a stop signal
// (TERM, INT) heard while it runs: a config file may keep the parse waiting
// for as long as its writer likes (a FIFO), and a stop must not wait for it.
// A stop that comes first is returned at once, as stop: nothing has started
// yet. Other signals that come meanwhile are put back on signals, for the
// master.
func parseStoppable(args []string, cwd string, signals chan os.Signal, subscribed func()) (res config.Result, stop syscall.Signal, err error) {
	type parsed struct {
		res config.Result
		err error
	}
	done := make(chan parsed, 1)
	go func() {
		r, e := config.ParseWaiting(args, os.LookupEnv, cwd, subscribed)
		done <- parsed{r, e}
	}()
	var held []os.Signal
	defer func() { putBack(signals, held) }()
	for {
		select {
		case p := <-done:
			return p.res, 0, p.err
		case got := <-signals:
			if ss, ok := got.(syscall.Signal); ok && sig.Of(got) == sig.Stop {
				return config.Result{}, ss, nil
			}
			held = append(held, got)
		}
	}
}

// putBack puts the signals that a wait held back on signals, in their
// order, for the master; one that does not fit is dropped, as os/signal
// drops a signal when the channel is full.
func putBack(signals chan os.Signal, held []os.Signal) {
	for _, s := range held {
		select {
		case signals <- s:
		default:
		}
	}
}

// signalBuffer is the size of the master's signal channel: signals that
// arrive while it is full are dropped by os/signal.
const signalBuffer = 128

// subscribe returns the master's signal channel, being subscribed to every
// signal it handles, and the wait for its early ones (see sig.Notify).
func subscribe() (chan os.Signal, func()) {
	signals := make(chan os.Signal, signalBuffer)
	return signals, sig.Notify(signals)
}

// unsubscribe gives the signals back to their default action, for the
// commands that are not a master. A stop signal (TERM, INT) that came while
// the command line was parsed ends the command as that signal would have:
// code 128+N, stopped true.
func unsubscribe(signals chan os.Signal) (code int, stopped bool) {
	sig.Unsubscribe(signals)
	for {
		select {
		case s := <-signals:
			if ss, ok := s.(syscall.Signal); ok && sig.Of(s) == sig.Stop {
				return exitcode.SignalBase + int(ss), true
			}
		default:
			return 0, false
		}
	}
}
