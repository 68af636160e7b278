package status

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// ErrGone is wrapped by OpenMaster's error when the master a status file
// names no longer runs: its pid is free, a zombie, or another process's.
var ErrGone = errors.New("the master is gone")

// Master is a handle on the running master that a status file names, for
// the control commands: a pidfd, which keeps naming that very process even
// if it ends and its pid is reused, so a signal sent through it cannot reach
// another process.
type Master struct {
	Pid int
	fd  int // pidfd; -1 where the kernel has none (before Linux 5.3)
}

// OpenMaster opens a pidfd on f's master, then, while holding it, checks
// that the process is that master (alive, not a zombie, started when f
// says): a pid reused before the pidfd was opened fails that check, and one
// reused after it cannot matter. A file marked Stopped, or a pid that is
// not its master, gives an error wrapping ErrGone. Where the kernel has no
// pidfd_open (ENOSYS), the handle falls back to kill(2) after the same
// check; any other error names the pid.
func OpenMaster(f *File) (*Master, error) {
	fd, err := unix.PidfdOpen(f.Pid, 0)
	switch {
	case errors.Is(err, unix.ESRCH):
		return nil, fmt.Errorf("%w: pid %d is free", ErrGone, f.Pid)
	case errors.Is(err, unix.ENOSYS):
		fd = -1
	case err != nil:
		return nil, fmt.Errorf("open a pidfd on the master (pid %d): %w", f.Pid, err)
	}
	m := &Master{Pid: f.Pid, fd: fd}
	if !f.Alive() {
		m.Close()
		return nil, fmt.Errorf("%w: pid %d is not the master of the status file (it has stopped, or its pid is now another process's)", ErrGone, f.Pid)
	}
	return m, nil
}

// Signal sends sig to the master through its pidfd. An error names the pid.
func (m *Master) Signal(sig unix.Signal) error {
	var err error
	if m.fd < 0 {
		err = unix.Kill(m.Pid, sig)
	} else {
		err = unix.PidfdSendSignal(m.fd, sig, nil, 0)
	}
	if err != nil {
		return fmt.Errorf("signal the master (pid %d) with %s: %w", m.Pid, unix.SignalName(sig), err)
	}
	return nil
}

// Exited waits up to timeout for the master to end and reports whether it
// has (a zombie counts as ended). Without a pidfd it polls kill(pid, 0)
// every 10 ms.
func (m *Master) Exited(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if m.fd < 0 {
			if unix.Kill(m.Pid, 0) == unix.ESRCH {
				return true
			}
			if left <= 0 {
				return false
			}
			time.Sleep(min(left, 10*time.Millisecond))
			continue
		}
		fds := []unix.PollFd{{Fd: int32(m.fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(max(left, 0).Milliseconds()))
		switch {
		case err == unix.EINTR:
			continue
		case n > 0:
			return true
		case left <= 0 || err != nil:
			return false
		}
	}
}

// Close releases the pidfd.
func (m *Master) Close() {
	if m.fd >= 0 {
		unix.Close(m.fd)
		m.fd = -1
	}
}
