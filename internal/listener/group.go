package listener

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Group is the socket set of --balance reuseport: one TCP socket per worker
// slot, all bound to the same address with SO_REUSEPORT, so that the kernel
// spreads new connections over the slots instead of letting whichever worker
// wakes first take them all. Slot i's socket is its workers' fd 3 for the
// master's whole life: a respawned or replaced worker of slot i accepts
// what queued while its slot had none.
//
// Every socket is bound at once by ListenGroup, before the privilege drop:
// the kernel lets a socket join a reuseport group only if it was created by
// the same user as the group's, so none could be added after the drop. The
// first sockets listen; the spare ones are bound but do not listen, so they
// get no connections until Open makes a slot of them (TTIN). The number of
// sockets is therefore the cap on slots.
//
// Which listening socket a new connection goes to is chosen among the open
// slots that serve (SetServing) by a program attached to the group: in turn
// by an eBPF program where the kernel lets spark2 load one (roundrobin.go),
// else at random by a classic BPF program (SO_ATTACH_REUSEPORT_CBPF). Drain and Open change the
// open slots: that is how a slot being retired (TTOU) stops getting new
// connections while its worker still serves, and Retire takes it out of the
// group. If neither program can be attached the kernel's own choice, a hash
// of the connection's addresses, applies to every listening socket.
//
// A Group is not safe for concurrent use: the supervisor's loop owns it.
type Group struct {
	Host string // the -H value it was bound with; "" means all interfaces
	Port int    // the bound port

	socks []*groupSocket // index = slot
	live  int            // slots [0, live) get new connections
	// SteerErr is why the steering program could not be attached (nil once
	// it is); without it a draining slot still gets new connections.
	SteerErr error
	// RoundRobinErr is why new connections are not spread in turn (nil
	// when they are): the eBPF program could not be loaded or attached.
	RoundRobinErr error

	rr   *roundRobin // the round-robin program's map; nil without (see RoundRobinErr)
	down []bool      // by slot: its workers do not serve (SetServing)
}

type groupSocket struct {
	file      *os.File // blocking, close-on-exec; handed to the slot's workers
	fd        int
	listening bool
}

// ListenGroup binds total sockets to host:port with SO_REUSEPORT ("" host:
// every interface, IPv6 and IPv4; port 0: a free port, the same for all) and
// makes the first listening of them listen; 1 <= listening <= total. Its
// error is an *Error, as Listen's.
func ListenGroup(host string, port, listening, total int) (*Group, error) {
	if listening < 1 || total < listening {
		return nil, fmt.Errorf("listen group: %d listening of %d sockets", listening, total)
	}
	g := &Group{Host: host, Port: port, down: make([]bool, total)}
	fail := func(err error) (*Group, error) {
		g.Close()
		return nil, &Error{Addr: display(host, g.Port), Err: err}
	}
	for i := range total {
		s, bound, err := bindReuseport(host, g.Port)
		if err != nil {
			return fail(err)
		}
		g.socks = append(g.socks, s)
		g.Port = bound
		if i < listening {
			if err := s.listen(); err != nil {
				return fail(err)
			}
		}
	}
	g.steer(listening)
	return g, nil
}

// Cap is the number of sockets, the most slots the group can serve.
func (g *Group) Cap() int { return len(g.socks) }

// File returns slot's socket, to be its workers' fd 3; nil if slot is
// beyond Cap.
func (g *Group) File(slot int) *os.File {
	if slot < 0 || slot >= len(g.socks) {
		return nil
	}
	return g.socks[slot].file
}

// Open makes slot, and with it every slot below, get new connections: its
// socket listens (again) if it did not. The slot does not serve until
// SetServing says so (while no slot serves, all get new connections). An
// error (slot beyond Cap, or listen(2) failed) leaves the group as it was.
func (g *Group) Open(slot int) error {
	if slot < 0 || slot >= len(g.socks) {
		return fmt.Errorf("no socket for slot %d: --balance reuseport bound %d before the privilege drop", slot, len(g.socks))
	}
	if err := g.socks[slot].listen(); err != nil {
		return fmt.Errorf("listen on the socket of slot %d: %w", slot, err)
	}
	g.down[slot] = true // until SetServing: its worker has yet to start
	g.steer(slot + 1)
	return nil
}

// Drain stops new connections from going to slot and the slots above it;
// those already queued there stay until its worker accepts them or Retire.
func (g *Group) Drain(slot int) {
	if slot >= 1 && slot < g.live {
		g.steer(slot)
	}
}

// SetServing says whether slot has a worker that takes connections now
// (the caller decides what that means): new connections go only to slots
// that serve, as long as one does, so that a slot whose worker crashed and
// waits out its back-off does not hold a share of them in its queue
// meanwhile. A slot of ListenGroup serves until told otherwise; one that
// Open (re)opens does not serve until told.
func (g *Group) SetServing(slot int, serving bool) {
	if slot < 0 || slot >= len(g.down) || g.down[slot] == !serving {
		return
	}
	g.down[slot] = !serving
	g.steer(g.live)
}

// Retire makes slot's socket stop listening, unless Open has reopened it
// since Drain; it stays bound, a spare again. It returns how many
// connections were still queued in it: the kernel moves them to another
// socket of the group when net.ipv4.tcp_migrate_req is 1, else resets them.
func (g *Group) Retire(slot int) (queued int, err error) {
	if slot < g.live || slot >= len(g.socks) || !g.socks[slot].listening {
		return 0, nil
	}
	s := g.socks[slot]
	queued = s.queued()
	// shutdown(SHUT_RD) of a listening socket takes it out of the group
	// and back to the bound state, from which listen(2) works again.
	if err := unix.Shutdown(s.fd, unix.SHUT_RD); err != nil {
		return queued, os.NewSyscallError("shutdown", err)
	}
	s.listening = false
	return queued, nil
}

// Queued returns how many connections wait in slot's accept queue.
func (g *Group) Queued(slot int) int {
	if slot < 0 || slot >= len(g.socks) {
		return 0
	}
	return g.socks[slot].queued()
}

// Close closes every socket: new connections are refused from then on.
func (g *Group) Close() error {
	if g.rr != nil {
		g.rr.close()
	}
	var errs []error
	for _, s := range g.socks {
		errs = append(errs, s.file.Close())
	}
	return errors.Join(errs...)
}

// URLHost is the host part for logs and banners, as Listener's.
func (g *Group) URLHost() string { return urlHost(g.Host) }

// String is the bound address as logs show it, e.g. "*:3000".
func (g *Group) String() string { return display(g.Host, g.Port) }

// bindReuseport creates a blocking, close-on-exec TCP socket with
// SO_REUSEADDR and SO_REUSEPORT and binds it; it returns the bound port.
func bindReuseport(host string, port int) (*groupSocket, int, error) {
	f, fd, bound, err := bind(host, port, true)
	if err != nil {
		return nil, 0, err
	}
	return &groupSocket{file: f, fd: fd}, bound, nil
}

// bind creates a blocking, close-on-exec TCP socket with SO_REUSEADDR (and
// SO_REUSEPORT when reuseport), binds it to host:port ("" host: every
// interface, IPv6 and IPv4, or IPv4 alone where there is no IPv6) and
// returns it with its descriptor and the bound port. It binds with system
// calls: the host is an IP literal (config checks it), so nothing needs
// net's resolver, which would add a quarter of a megabyte to spark2.
func bind(host string, port int, reuseport bool) (*os.File, int, int, error) {
	family, sa, err := sockaddr(host, port)
	if err != nil {
		return nil, 0, 0, err
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil && host == "" && family == unix.AF_INET6 {
		family, sa = unix.AF_INET, &unix.SockaddrInet4{Port: port} // no IPv6 here
		fd, err = unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	}
	if err != nil {
		return nil, 0, 0, os.NewSyscallError("socket", err)
	}
	f := os.NewFile(uintptr(fd), "spark2-listener")
	fail := func(call string, err error) (*os.File, int, int, error) {
		f.Close()
		return nil, 0, 0, os.NewSyscallError(call, err)
	}
	opts := []int{unix.SO_REUSEADDR}
	if reuseport {
		opts = append(opts, unix.SO_REUSEPORT)
	}
	for _, opt := range opts {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, opt, 1); err != nil {
			return fail("setsockopt", err)
		}
	}
	if family == unix.AF_INET6 && host == "" {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0); err != nil {
			return fail("setsockopt", err)
		}
	}
	if err := unix.Bind(fd, sa); err != nil {
		return fail("bind", err)
	}
	got, err := unix.Getsockname(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	switch a := got.(type) {
	case *unix.SockaddrInet4:
		port = a.Port
	case *unix.SockaddrInet6:
		port = a.Port
	}
	return f, fd, port, nil
}

// sockaddr turns -H's value (an IP literal, a zone allowed: a name or an
// index; "" for every interface) and a port into a socket address.
func sockaddr(host string, port int) (int, unix.Sockaddr, error) {
	if host == "" {
		return unix.AF_INET6, &unix.SockaddrInet6{Port: port}, nil
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return 0, nil, err
	}
	if a.Unmap().Is4() {
		return unix.AF_INET, &unix.SockaddrInet4{Port: port, Addr: a.Unmap().As4()}, nil
	}
	sa := &unix.SockaddrInet6{Port: port, Addr: a.As16()}
	if zone := a.Zone(); zone != "" {
		if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
			sa.ZoneId = uint32(n)
		} else if sa.ZoneId, err = interfaceIndex(zone); err != nil {
			return 0, nil, err
		}
	}
	return unix.AF_INET6, sa, nil
}

// interfaceIndex is the index of the network interface called name.
func interfaceIndex(name string) (uint32, error) {
	fail := func(err error) (uint32, error) {
		return 0, fmt.Errorf("find the interface %q of -H's zone: %w", name, err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return fail(err)
	}
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fail(err)
	}
	defer unix.Close(fd)
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		return fail(err)
	}
	return ifr.Uint32(), nil
}

// listen makes s listen with the system's largest backlog, as Go does.
func (s *groupSocket) listen() error {
	if s.listening {
		return nil
	}
	if err := unix.Listen(s.fd, maxBacklog()); err != nil {
		return os.NewSyscallError("listen", err)
	}
	s.listening = true
	return nil
}

// queued is the length of s's accept queue (TCP_INFO's unacked field
// means that for a listening socket); 0 when unknown or not listening.
func (s *groupSocket) queued() int {
	if !s.listening {
		return 0
	}
	info, err := unix.GetsockoptTCPInfo(s.fd, unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return 0
	}
	return int(info.Unacked)
}

// maxBacklog is net.core.somaxconn, or 4096 if it cannot be read.
func maxBacklog() int {
	b, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	if err == nil {
		if n, err := strconv.Atoi(string(trimNL(b))); err == nil && n > 0 {
			return n
		}
	}
	return 4096
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}
