package app

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/exitcode"
	"github.com/spark2/spark2/internal/status"
)

// findMaster reads the status file of the master that configuration c
// describes, trusting it only as far as that master's user (see
// status.ReadTrusted). It returns the file (nil when there is none or it is
// refused), and, when there is no master running, the exit code and one line
// that says so.
func findMaster(c config.Config) (*status.File, int, error) {
	uid, err := masterUID(c)
	if err != nil {
		return nil, exitcode.Usage, err
	}
	path, err := statusPath(c, uid)
	if err != nil {
		return nil, exitcode.Failure, err
	}
	f, err := status.ReadTrusted(path, uid)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, status.NotRunning, fmt.Errorf("no spark2 master is running here: no status file at %s (started with another -p, -C, -u or --status-file?)", path)
	case err != nil:
		return nil, status.Unknown, err
	case !f.Alive():
		return f, status.NotRunning, fmt.Errorf("no spark2 master is running here: the one of %s (pid %d) has %s", path, f.Pid, gone(f))
	}
	return f, 0, nil
}

func gone(f *status.File) string {
	if f.State == status.Stopped && f.ExitCode != nil {
		return fmt.Sprintf("stopped with exit code %d", *f.ExitCode)
	}
	return "gone, and its pid is free or another process's"
}

// openMaster is findMaster, then a pidfd on the master it finds (see
// status.OpenMaster), for the commands that signal it.
func openMaster(c config.Config) (*status.File, *status.Master, int, error) {
	f, code, err := findMaster(c)
	if err != nil {
		return f, nil, code, err
	}
	m, err := status.OpenMaster(f)
	switch {
	case errors.Is(err, status.ErrGone):
		return f, nil, status.NotRunning, fmt.Errorf("no spark2 master is running here: %v", err)
	case err != nil:
		return f, nil, exitcode.Failure, err
	}
	return f, m, 0, nil
}

// statusCommand is --status (and --probe): it reads the status file only.
func statusCommand(c config.Config, stdout, stderr io.Writer) int {
	f, code, err := findMaster(c)
	if f == nil || (err != nil && !c.StatusJSON) {
		fmt.Fprintf(stderr, "spark2: %v\n", err)
		return code
	}
	now := time.Now()
	kind := c.Probe
	if kind == "" {
		kind = status.Ready
	}
	verdict, why := status.Check(f, kind, now, c.StaleAfter)
	switch {
	case c.StatusJSON:
		stdout.Write(f.AppendJSON(nil))
	case c.Probe != "":
		fmt.Fprintln(stdout, why)
	default:
		status.Report(stdout, f, now)
		if c.ExitCode {
			fmt.Fprintln(stdout, why)
		}
	}
	if c.ExitCode {
		return verdict
	}
	return exitcode.OK
}

// respawnCommand is -R/--respawn: SIGCONT to the master.
func respawnCommand(c config.Config, stdout, stderr io.Writer) int {
	f, m, code, err := openMaster(c)
	if err != nil {
		fmt.Fprintf(stderr, "spark2: --respawn: %v\n", err)
		return code
	}
	defer m.Close()
	if err := m.Signal(unix.SIGCONT); err != nil {
		fmt.Fprintf(stderr, "spark2: --respawn: %v\n", err)
		return exitcode.Failure
	}
	fmt.Fprintf(stdout, "spark2: respawning the %d workers of the master (pid %d)\n", len(f.Workers), f.Pid)
	return exitcode.OK
}

// killCommand is --kill: SIGTERM to the master, then wait until it is gone
// (see stopMaster), or, when the master is PID 1 of this very PID
// namespace, until it says it is stopping: the kernel kills every other
// process of the namespace, this command included, when its PID 1 exits.
func killCommand(c config.Config, stdout, stderr io.Writer) int {
	f, m, code, err := openMaster(c)
	if err != nil {
		fmt.Fprintf(stderr, "spark2: --kill: %v\n", err)
		return code
	}
	defer m.Close()
	if f.Pid == 1 {
		return killOwnInit(c, f, m, stdout, stderr)
	}
	if err := stopMaster(f, m, stopWait(c, f)); err != nil {
		fmt.Fprintf(stderr, "spark2: --kill: %v\n", err)
		return exitcode.Failure
	}
	fmt.Fprintf(stdout, "spark2: the master (pid %d) has stopped\n", f.Pid)
	return exitcode.OK
}

// stopMargin is what --kill and --force wait beyond the master's stop
// timeout: its KILL of what is left, the forwarding of the workers' last
// output (drainTimeout) and its last status write.
const stopMargin = drainTimeout + 3*time.Second

// stopWait is how long --kill and --force wait for the master of f to stop:
// its own --stop-timeout as its status file records it (else, for a file
// of an older spark2, the caller's), plus stopMargin.
func stopWait(c config.Config, f *status.File) time.Duration {
	if f.StopTimeoutMS > 0 {
		return time.Duration(f.StopTimeoutMS)*time.Millisecond + stopMargin
	}
	return c.StopTimeout + stopMargin
}

// stopMaster sends SIGTERM to the master m of f and waits until it is gone,
// or timeout.
func stopMaster(f *status.File, m *status.Master, timeout time.Duration) error {
	if err := m.Signal(unix.SIGTERM); err != nil {
		return err
	}
	if !m.Exited(timeout) {
		return stillRunning(f, timeout)
	}
	return nil
}

// stillRunning is the error of a master (that of f) that has not stopped
// within timeout after SIGTERM.
func stillRunning(f *status.File, timeout time.Duration) error {
	return fmt.Errorf("the master (pid %d) is still running %s after SIGTERM, its stop timeout and a margin; see its log", f.Pid, timeout.Round(time.Millisecond))
}
