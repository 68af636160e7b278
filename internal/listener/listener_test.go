package listener

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestListenHoldsTheSocket(t *testing.T) {
	l, err := Listen("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// Nobody accepts, yet the kernel completes the handshake: the backlog.
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(l.Port))
	if err != nil {
		t.Fatalf("dial while nobody accepts: %v", err)
	}
	c.Close()
	if l.String() != "127.0.0.1:"+strconv.Itoa(l.Port) || l.URLHost() != "127.0.0.1" {
		t.Fatalf("String %q URLHost %q", l.String(), l.URLHost())
	}
}

func TestPortInUseNamesTheAddress(t *testing.T) {
	l, err := Listen("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = Listen("127.0.0.1", l.Port)
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("err %v, want EADDRINUSE", err)
	}
	want := "listen on 127.0.0.1:" + strconv.Itoa(l.Port) + ": address already in use: the port is in use"
	if !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("message %q, want it to start %q", err, want)
	}
}

func TestIPv6AndAllInterfaces(t *testing.T) {
	if l, err := Listen("::1", 0); err == nil {
		if l.URLHost() != "[::1]" {
			t.Errorf("URLHost %q", l.URLHost())
		}
		l.Close()
	}
	l, err := Listen("", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.URLHost() != "*" || !strings.HasPrefix(l.String(), "*:") {
		t.Fatalf("URLHost %q String %q", l.URLHost(), l.String())
	}
}

// TestSpawningLeavesTheSocketModeAlone: a worker sets O_NONBLOCK on the
// shared socket; spark2's later spawns (os.StartProcess calls Fd) must not
// clear it.
func TestSpawningLeavesTheSocketModeAlone(t *testing.T) {
	l, err := Listen("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	nonblock := func() bool {
		flags, err := unix.FcntlInt(l.File.Fd(), unix.F_GETFL, 0)
		if err != nil {
			t.Fatal(err)
		}
		return flags&unix.O_NONBLOCK != 0
	}
	if nonblock() {
		t.Fatal("the socket is handed out non-blocking; systemd's convention is blocking")
	}
	worker, err := unix.Dup(int(l.File.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(worker)
	unix.SetNonblock(worker, true) // what a Go or Node worker does
	for i := 0; i < 3; i++ {
		if !nonblock() {
			t.Fatal("Fd (called at every spawn) put the shared socket back into blocking mode")
		}
	}
}

// TestHostLiterals: -H takes an IP literal, bound without a resolver: an
// IPv4-mapped IPv6 address is the IPv4 address, an unknown zone is an
// error that names it, and a numeric zone is an interface index.
func TestHostLiterals(t *testing.T) {
	l, err := Listen("::ffff:127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(l.Port))
	if err != nil {
		t.Fatalf("dial the IPv4-mapped listener over IPv4: %v", err)
	}
	c.Close()
	if _, err := Listen("fe80::1%nosuchif0", 0); err == nil || !strings.Contains(err.Error(), "nosuchif0") {
		t.Fatalf("unknown zone: err %v, want one naming the interface", err)
	}
	if fam, sa, err := sockaddr("fe80::1%7", 80); err != nil || fam != unix.AF_INET6 || sa.(*unix.SockaddrInet6).ZoneId != 7 {
		t.Fatalf("numeric zone: %v %v %v", fam, sa, err)
	}
}

func TestZoneByName(t *testing.T) {
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	if i, err := interfaceIndex("lo"); err != nil || int(i) != lo.Index {
		t.Fatalf("interfaceIndex(lo) = %d, %v; want %d", i, err, lo.Index)
	}
}
