package ready

import (
	"net"
	"os"
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
	go s.Serve(out, Filter{})
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
	go func() { s.Serve(make(chan Message), Filter{}); close(done) }()
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
		"WATCHDOG_USEC=5000000":        {Pid: 7},
		"WATCHDOG=1\nWATCHDOG=trigger": {Pid: 7, Watchdog: true, Trigger: true},
	} {
		if got := parse(7, []byte(in)); got != want {
			t.Errorf("parse(%q) = %+v, want %+v", in, got, want)
		}
	}
}
