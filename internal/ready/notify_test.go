package ready

import (
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func TestReadyWithSenderPid(t *testing.T) {
	s, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := make(chan Message, 1)
	go s.Serve(out, Filter{}, nil)
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: s.Addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("STATUS=warming up\nREADY=1\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-out:
		if m.Pid != os.Getpid() || !m.Ready || m.Status != "warming up" {
			t.Fatalf("got %+v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no message")
	}
}

// TestALongerDatagramIsDroppedWhole: a message longer than the 4 KiB
// buffer is dropped, as systemd drops it, not read cut (its last line could
// carry a wrong value); the next one is heard. One of exactly 4 KiB is read.
func TestALongerDatagramIsDroppedWhole(t *testing.T) {
	s, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := make(chan Message, 4)
	go s.Serve(out, Filter{}, nil)
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: s.Addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pad := func(msg string, n int) []byte { return []byte(strings.Repeat("X=\n", (n-len(msg))/3) + msg) }
	long := pad("STATUS=long\nWATCHDOG_USEC=1234567", 4096+30) // cut at 4096: WATCHDOG_USEC=12…
	exact := pad("STATUS=exact\n", 4096)
	if len(exact) != 4096 || len(long) <= 4096 {
		t.Fatalf("test datagrams of %d and %d bytes", len(exact), len(long))
	}
	for _, d := range [][]byte{long, exact, []byte("STATUS=after\n")} {
		if _, err := c.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"exact", "after"} {
		select {
		case m := <-out:
			if m.Status != want || m.NewPeriod {
				t.Fatalf("got %+v, want the %q message (the longer one dropped whole)", m, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %q message", want)
		}
	}
}

func TestParse(t *testing.T) {
	if m := parse(7, []byte("READY=0")); m.Ready {
		t.Fatal("READY=0 is not ready")
	}
	if m := parse(7, []byte("WATCHDOG=1")); m.Ready || m.Pid != 7 {
		t.Fatalf("got %+v", m)
	}
}

// TestCloseEndsServe: Close wakes a Serve that waits for a datagram.
func TestCloseEndsServe(t *testing.T) {
	s, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.Serve(make(chan Message), Filter{}, nil); close(done) }()
	time.Sleep(10 * time.Millisecond) // let Serve block; it returns either way
	s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Serve still runs after Close")
	}
}

func TestParseWatchdog(t *testing.T) {
	for in, want := range map[string]Message{
		"WATCHDOG=1":                   {Pid: 7, Watchdog: true},
		"WATCHDOG=trigger":             {Pid: 7, Trigger: true},
		"READY=1\nWATCHDOG=1\n":        {Pid: 7, Ready: true, Watchdog: true},
		"WATCHDOG=0":                   {Pid: 7},
		"WATCHDOG=11":                  {Pid: 7},
		"WATCHDOG_USEC=5000000":        {Pid: 7, Period: 5 * time.Second, NewPeriod: true}, // not a keep-alive
		"WATCHDOG=1\nWATCHDOG=trigger": {Pid: 7, Watchdog: true, Trigger: true},
	} {
		if got := parse(7, []byte(in)); got != want {
			t.Errorf("parse(%q) = %+v, want %+v", in, got, want)
		}
	}
}

// TestKeepAlivesTakeTheirOwnWay: plain WATCHDOG=1 datagrams go to keepAlive,
// every one of them, also when more than one recvmmsg's worth waits in the
// socket before Serve starts; anything else (READY=1 with a WATCHDOG=1,
// WATCHDOG=trigger) goes on out, in order.
func TestKeepAlivesTakeTheirOwnWay(t *testing.T) {
	s, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: s.Addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	send := func(msg string) {
		t.Helper()
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	for range batch + 2 { // the kernel queues 10 (net.unix.max_dgram_qlen) and one more
		send("WATCHDOG=1")
	}
	out := make(chan Message, 4)
	pings := make(chan int, 64)
	go s.Serve(out, Filter{}, func(pid int) { pings <- pid })
	send("READY=1\nWATCHDOG=1")
	send("WATCHDOG=1")
	send("WATCHDOG=trigger")
	want := []Message{{Pid: os.Getpid(), Ready: true, Watchdog: true}, {Pid: os.Getpid(), Trigger: true}}
	for _, w := range want {
		select {
		case m := <-out:
			if m != w {
				t.Fatalf("got %+v on out, want %+v", m, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %+v on out", w)
		}
	}
	for i := range batch + 3 {
		select {
		case pid := <-pings:
			if pid != os.Getpid() {
				t.Fatalf("keep-alive from %d, want %d", pid, os.Getpid())
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%d keep-alives, want %d", i, batch+3)
		}
	}
	select {
	case m := <-out:
		t.Fatalf("a keep-alive went on out too: %+v", m)
	case pid := <-pings:
		t.Fatalf("one keep-alive too many, from %d", pid)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestParseExtendTimeout(t *testing.T) {
	for in, want := range map[string]Message{
		"EXTEND_TIMEOUT_USEC=5000000":            {Pid: 7, Extend: 5 * time.Second},
		"EXTEND_TIMEOUT_USEC=0":                  {Pid: 7},
		"EXTEND_TIMEOUT_USEC=-1":                 {Pid: 7},
		"EXTEND_TIMEOUT_USEC=5s":                 {Pid: 7},
		"EXTEND_TIMEOUT_USEC=86400000000":        {Pid: 7, Extend: 24 * time.Hour},
		"EXTEND_TIMEOUT_USEC=86400000001":        {Pid: 7}, // over a day: ignored
		"WATCHDOG=1\nEXTEND_TIMEOUT_USEC=250000": {Pid: 7, Watchdog: true, Extend: 250 * time.Millisecond},
	} {
		if got := parse(7, []byte(in)); got != want {
			t.Errorf("parse(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func TestParseWatchdogPeriod(t *testing.T) {
	for in, want := range map[string]Message{
		"WATCHDOG_USEC=3000000":            {Pid: 7, Period: 3 * time.Second, NewPeriod: true},
		"WATCHDOG_USEC=0":                  {Pid: 7, NewPeriod: true}, // turns the watchdog off
		"WATCHDOG_USEC=-1":                 {Pid: 7},
		"WATCHDOG_USEC=3s":                 {Pid: 7},
		"WATCHDOG_USEC=":                   {Pid: 7},
		"WATCHDOG_USEC=86400000001":        {Pid: 7}, // over a day: ignored
		"WATCHDOG=1\nWATCHDOG_USEC=250000": {Pid: 7, Watchdog: true, Period: 250 * time.Millisecond, NewPeriod: true},
	} {
		if got := parse(7, []byte(in)); got != want {
			t.Errorf("parse(%q) = %+v, want %+v", in, got, want)
		}
	}
}
