package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/status"
)

// findMaster reads the status file of the master that configuration c
// describes. It returns the file (nil when there is none), and, when there is
// no master running, the exit code and one line that says so.
func findMaster(c config.Config) (*status.File, int, error) {
	path, err := statusPath(c)
	if err != nil {
		return nil, ExitUsage, err
	}
	f, err := status.Read(path)
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
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(f)
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
	return ExitOK
}

// respawnCommand is -R/--respawn: SIGCONT to the master.
func respawnCommand(c config.Config, stdout, stderr io.Writer) int {
	f, code, err := findMaster(c)
	if err != nil {
		fmt.Fprintf(stderr, "spark2: --respawn: %v\n", err)
		return code
	}
	if err := syscall.Kill(f.Pid, syscall.SIGCONT); err != nil {
		fmt.Fprintf(stderr, "spark2: --respawn: signal the master (pid %d): %v\n", f.Pid, err)
		return ExitFailure
	}
	fmt.Fprintf(stdout, "spark2: respawning the %d workers of the master (pid %d)\n", len(f.Workers), f.Pid)
	return ExitOK
}

// killCommand is --kill: SIGTERM to the master, then wait until it is gone.
func killCommand(c config.Config, stdout, stderr io.Writer) int {
	f, code, err := findMaster(c)
	if err != nil {
		fmt.Fprintf(stderr, "spark2: --kill: %v\n", err)
		return code
	}
	if err := stopMaster(f, c.StopTimeout+2*time.Second); err != nil {
		fmt.Fprintf(stderr, "spark2: --kill: %v\n", err)
		return ExitFailure
	}
	fmt.Fprintf(stdout, "spark2: the master (pid %d) has stopped\n", f.Pid)
	return ExitOK
}

// stopMaster sends SIGTERM to f's master and waits until it is gone, or
// timeout.
func stopMaster(f *status.File, timeout time.Duration) error {
	if err := syscall.Kill(f.Pid, syscall.SIGTERM); err != nil {
		return fmt.Errorf("signal the master (pid %d): %w", f.Pid, err)
	}
	deadline := time.Now().Add(timeout)
	for f.Alive() {
		if time.Now().After(deadline) {
			return fmt.Errorf("the master (pid %d) is still running %s after SIGTERM", f.Pid, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// forceOut stops a master that runs with configuration c, for --force.
func forceOut(c config.Config, stderr io.Writer) error {
	f, _, err := findMaster(c)
	if f == nil || err != nil {
		return nil // nothing to stop
	}
	fmt.Fprintf(stderr, "spark2: --force: stopping the running master (pid %d)\n", f.Pid)
	return stopMaster(f, c.StopTimeout+2*time.Second)
}

// writePidFile writes the seed's pid file; the returned func removes it.
func writePidFile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	if err := os.WriteFile(path, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644); err != nil {
		return nil, fmt.Errorf("write the pid file (--pidfile): %w", err)
	}
	return func() { os.Remove(path) }, nil
}
