// Package listener binds the one listening socket that spark2 holds for its
// whole life and hands to every worker as fd 3. Because the master keeps it
// open, connections wait in the kernel's backlog while workers are replaced:
// none is refused during a respawn, a crash or a code reload.
package listener

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Listener is the bound socket.
type Listener struct {
	File *os.File // the socket, in blocking mode; passed to workers, closed by Close
	Host string   // the -H value it was bound with; "" means all interfaces
	Port int      // the bound port (the kernel's choice after Listen with port 0)
}

// Listen binds host:port for TCP ("" host: every interface, IPv6 and IPv4;
// port 0: any free port). Its error is an *Error: one line that names the
// address and says what to do; errors.Is finds the cause (e.g.
// syscall.EADDRINUSE, syscall.EACCES).
func Listen(host string, port int) (*Listener, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, &Error{Addr: display(host, port), Err: err}
	}
	defer l.Close() // File is a dup; the Go listener itself is not needed
	f, err := handOver(l.(*net.TCPListener))
	if err != nil {
		return nil, &Error{Addr: display(host, port), Err: err}
	}
	return &Listener{File: f, Host: host, Port: l.Addr().(*net.TCPAddr).Port}, nil
}

// handOver returns a copy of l's socket for workers, in blocking mode (as
// systemd hands sockets out), whose mode spark2 never touches again.
//
// O_NONBLOCK belongs to the socket, which every worker shares: a Go or Node
// worker sets it and relies on it. net.TCPListener.File gives an *os.File
// that puts the socket back into blocking mode each time its Fd method is
// called, and os.StartProcess calls it at every spawn: a running Go worker's
// accept would then block in the kernel, and its listener's Close would no
// longer wake it, so it could never stop gracefully. A file made by
// os.NewFile from a blocking descriptor leaves the mode alone.
func handOver(l *net.TCPListener) (*os.File, error) {
	f, err := l.File()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0) // Fd: blocking, once
	if err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	return os.NewFile(uintptr(fd), "spark2-listener"), nil
}

// Close closes the socket: new connections are refused from then on.
func (l *Listener) Close() error { return l.File.Close() }

// URLHost is the host part for logs and banners: "*" for all interfaces,
// IPv6 literals in brackets.
func (l *Listener) URLHost() string { return urlHost(l.Host) }

// String is the bound address as logs show it, e.g. "*:3000" or "[::1]:8080".
func (l *Listener) String() string { return display(l.Host, l.Port) }

// Error is a failure to bind.
type Error struct {
	Addr string // as String shows it
	Err  error
}

func (e *Error) Error() string {
	hint := ""
	switch {
	case errors.Is(e.Err, syscall.EADDRINUSE):
		hint = ": the port is in use; stop what holds it or choose another with -p/--port"
	case errors.Is(e.Err, syscall.EACCES):
		hint = ": ports below 1024 need root or CAP_NET_BIND_SERVICE; start spark2 as root (it drops to -u/-g after binding) or use a higher port"
	case errors.Is(e.Err, syscall.EADDRNOTAVAIL):
		hint = ": no interface has that address; check -H/--host"
	}
	return fmt.Sprintf("listen on %s: %v%s", e.Addr, cause(e.Err), hint)
}

func (e *Error) Unwrap() error { return e.Err }

// cause strips net.OpError's "listen tcp ADDR:" prefix, which Error says better.
func cause(err error) error {
	var sys *os.SyscallError
	if errors.As(err, &sys) {
		return sys.Err
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Err
	}
	return err
}

func urlHost(host string) string {
	switch {
	case host == "":
		return "*"
	case strings.Contains(host, ":"):
		return "[" + host + "]"
	}
	return host
}

func display(host string, port int) string { return urlHost(host) + ":" + strconv.Itoa(port) }
