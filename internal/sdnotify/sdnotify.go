// Package sdnotify is spark2's side of systemd's notify protocol towards its
// own supervisor. systemd (a unit of Type=notify, with WatchdogSec=) and
// podman (run --sdnotify=container) give the process they start a
// NOTIFY_SOCKET. spark2 says there when it can serve (READY=1: a worker is
// ready), when a rolling respawn runs (RELOADING=1) and when it is over
// (READY=1 again), when it stops (STOPPING=1) and what it is doing
// (STATUS=). When the supervisor's watchdog watches spark2 (WATCHDOG_USEC
// set, WATCHDOG_PID unset or spark2's pid), it sends WATCHDOG=1 at half
// the period while its loop runs. Workers never see these variables: they
// get spark2's own socket (package ready).
//
// A socket path is checked before use (see connect). A send never blocks:
// the socket is non-blocking, and a datagram that the supervisor's queue
// has no room for is dropped and counted.
package sdnotify

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The variables a supervisor sets for spark2 (systemd's names).
const (
	SocketVar      = "NOTIFY_SOCKET"
	WatchdogVar    = "WATCHDOG_USEC"
	WatchdogPIDVar = "WATCHDOG_PID"
)

// Parent is a connection to spark2's supervisor's NOTIFY_SOCKET, and what it
// was last told. Its methods are for one goroutine.
type Parent struct {
	fd   int
	Addr string
	// Watchdog is the supervisor's watchdog period for spark2, 0 when it
	// does not watch spark2.
	Watchdog time.Duration

	dropped  int
	ready    bool // READY=1 was sent, and no RELOADING=1 since
	reloads  int  // State.Reloads when last told
	stopping bool
	status   string
	pinged   time.Time // the last WATCHDOG=1
}

// Open connects to the NOTIFY_SOCKET that lookup gives (an absolute path, or
// @name in the abstract namespace), for the process pid. Without one it
// returns nil and no error. Connect before dropping privileges: the socket
// file may be writable by root only.
func Open(lookup func(string) (string, bool), pid int) (*Parent, error) {
	addr, _ := lookup(SocketVar)
	if addr == "" {
		return nil, nil
	}
	if !strings.HasPrefix(addr, "/") && !strings.HasPrefix(addr, "@") {
		return nil, fmt.Errorf("%s=%q is neither an absolute path nor an abstract address (@name); spark2 cannot tell its supervisor it is ready", SocketVar, addr)
	}
	watchdog, err := watchdogFor(lookup, pid)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open a socket for %s=%s: %w", SocketVar, addr, os.NewSyscallError("socket", err))
	}
	if err := connect(fd, addr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("connect to %s=%s: %w", SocketVar, addr, err)
	}
	return &Parent{fd: fd, Addr: addr, Watchdog: watchdog}, nil
}

// connect connects fd to addr. A path is opened first without following a
// link (O_PATH|O_NOFOLLOW) and must be a socket owned by root or by spark2's
// user: in a shared directory another user could have put a link or a
// socket of their own there, to hear spark2's state or to keep its
// supervisor from hearing it. The very file checked is connected to, as
// /proc/self/fd/N (or by its path where /proc is missing).
func connect(fd int, addr string) error {
	if strings.HasPrefix(addr, "@") {
		return os.NewSyscallError("connect", unix.Connect(fd, &unix.SockaddrUnix{Name: addr}))
	}
	path, err := unix.Open(addr, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("open", err)
	}
	defer unix.Close(path)
	var st unix.Stat_t
	if err := unix.Fstat(path, &st); err != nil {
		return os.NewSyscallError("fstat", err)
	}
	switch {
	case st.Mode&unix.S_IFMT == unix.S_IFLNK:
		return errors.New("it is a symbolic link; give the socket's own path")
	case st.Mode&unix.S_IFMT != unix.S_IFSOCK:
		return errors.New("it is not a socket")
	case st.Uid != 0 && int(st.Uid) != os.Getuid():
		return fmt.Errorf("the socket belongs to uid %d, neither root nor spark2's uid %d", st.Uid, os.Getuid())
	}
	err = unix.Connect(fd, &unix.SockaddrUnix{Name: "/proc/self/fd/" + strconv.Itoa(path)})
	if errors.Is(err, unix.ENOENT) { // no /proc
		err = unix.Connect(fd, &unix.SockaddrUnix{Name: addr})
	}
	return os.NewSyscallError("connect", err)
}

// watchdogFor is the watchdog period lookup sets for pid: 0 without
// WATCHDOG_USEC, or when WATCHDOG_PID names another process.
func watchdogFor(lookup func(string) (string, bool), pid int) (time.Duration, error) {
	usec, _ := lookup(WatchdogVar)
	if usec == "" {
		return 0, nil
	}
	if p, _ := lookup(WatchdogPIDVar); p != "" && p != strconv.Itoa(pid) {
		return 0, nil
	}
	n, err := strconv.ParseUint(usec, 10, 63)
	if err != nil || n == 0 || n > uint64(time.Duration(1<<62)/time.Microsecond) {
		return 0, fmt.Errorf("%s=%q is not a watchdog period in microseconds (a whole number above 0)", WatchdogVar, usec)
	}
	return time.Duration(n) * time.Microsecond, nil
}

// State is what spark2 tells its supervisor about itself.
type State struct {
	Name      string // the status file's word for the state: "running", "reloading", ...
	Ready     int    // workers ready
	Wanted    int    // workers wanted
	Reloading bool   // a rolling respawn runs
	Reloads   int    // rolling respawns started so far
	Stopping  bool   // spark2 is stopping, or has stopped
}

// Tell sends what changed since the last call: READY=1 once a worker is
// ready (again after a rolling respawn), RELOADING=1 for each rolling
// respawn started after READY=1, STOPPING=1 once, STATUS= when the state or
// the counts change, and WATCHDOG=1 when half the watchdog period has
// passed since the last one. A respawn that started and ended between two
// calls still gets its RELOADING=1, in a datagram of its own before the
// READY=1 (systemd acts on one of the two per datagram). A datagram that
// cannot be sent at once is dropped and counted (Dropped); the error is
// returned when it is not a full queue.
func (p *Parent) Tell(s State, now time.Time) error {
	var reload, msg []string
	switch {
	case s.Stopping:
		if !p.stopping {
			msg = append(msg, "STOPPING=1")
			p.stopping = true
		}
	default:
		if s.Reloads > p.reloads && p.ready {
			reload = []string{"RELOADING=1", "MONOTONIC_USEC=" + monotonicUsec()}
			p.ready = false
		}
		if !s.Reloading && s.Ready > 0 && !p.ready {
			msg = append(msg, "READY=1")
			p.ready = true
		}
	}
	p.reloads = s.Reloads
	if st := fmt.Sprintf("%s, %d of %d workers ready", s.Name, s.Ready, s.Wanted); st != p.status {
		msg = append(msg, "STATUS="+st)
		p.status = st
	}
	if p.Watchdog > 0 && now.Sub(p.pinged) >= p.Watchdog/2 {
		msg = append(msg, "WATCHDOG=1")
		p.pinged = now
	}
	return errors.Join(p.send(reload), p.send(msg))
}

// send sends the assignments msg as one datagram, if there are any.
func (p *Parent) send(msg []string) error {
	if len(msg) == 0 {
		return nil
	}
	err := unix.Sendto(p.fd, []byte(strings.Join(msg, "\n")+"\n"), unix.MSG_NOSIGNAL, nil)
	if err == nil {
		return nil
	}
	p.dropped++
	if errors.Is(err, unix.EAGAIN) {
		return nil
	}
	return fmt.Errorf("tell the supervisor on %s=%s: %w", SocketVar, p.Addr, os.NewSyscallError("sendto", err))
}

// Dropped is how many datagrams could not be sent.
func (p *Parent) Dropped() int { return p.dropped }

// Close closes the connection.
func (p *Parent) Close() error { return unix.Close(p.fd) }

// monotonicUsec is CLOCK_MONOTONIC in microseconds, which systemd wants
// beside RELOADING=1.
func monotonicUsec() string {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return strconv.FormatInt(ts.Nano()/1000, 10)
}
