// Package listener binds the one listening socket that spark2 holds for its
// whole life and hands to every worker as fd 3. Because the master keeps it
// open, connections wait in the kernel's backlog while workers are replaced:
// none is refused during a respawn, a crash or a code reload.
package listener

import (
	"errors"
	"fmt"
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
// port 0: any free port) and listens with the system's largest backlog, as
// Go's net.Listen does. The socket is blocking, as systemd hands sockets
// out, and spark2 never touches its mode again: O_NONBLOCK belongs to the
// socket, which every worker shares, and a Go or Node worker sets it and
// relies on it. Its error is an *Error: one line that names the address and
// says what to do; errors.Is finds the cause (e.g. syscall.EADDRINUSE,
// syscall.EACCES).
func Listen(host string, port int) (*Listener, error) {
	f, fd, bound, err := bind(host, port, false)
	if err != nil {
		return nil, &Error{Addr: display(host, port), Err: err}
	}
	if err := unix.Listen(fd, maxBacklog()); err != nil {
		f.Close()
		return nil, &Error{Addr: display(host, bound), Err: os.NewSyscallError("listen", err)}
	}
	return &Listener{File: f, Host: host, Port: bound}, nil
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

// cause strips the system call's name ("bind: "), which Error says better.
func cause(err error) error {
	var sys *os.SyscallError
	if errors.As(err, &sys) {
		return sys.Err
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
