package sdnotify

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// supervisor is the receiving end of a NOTIFY_SOCKET, as systemd has it.
type supervisor struct {
	t    *testing.T
	fd   int
	addr string
}

func newSupervisor(t *testing.T) *supervisor {
	t.Helper()
	return supervisorAt(t, fmt.Sprintf("@spark2-sdnotify-test-%016x", rand.Uint64()))
}

// supervisorAt is a supervisor whose socket is bound at addr (a path, or
// @name).
func supervisorAt(t *testing.T, addr string) *supervisor {
	t.Helper()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: addr}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return &supervisor{t: t, fd: fd, addr: addr}
}

// next is the next datagram, "" when none comes within a second.
func (s *supervisor) next() string {
	s.t.Helper()
	tv := unix.Timeval{Sec: 1}
	unix.SetsockoptTimeval(s.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	b := make([]byte, 4096)
	n, _, err := unix.Recvfrom(s.fd, b, 0)
	if err != nil {
		return ""
	}
	return string(b[:n])
}

// open is a Parent for pid 42 connected to s, with the variables kv
// besides NOTIFY_SOCKET.
func (s *supervisor) open(t *testing.T, kv ...string) *Parent {
	t.Helper()
	p, err := Open(env(append([]string{SocketVar, s.addr}, kv...)...), 42)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func env(kv ...string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1], true
			}
		}
		return "", false
	}
}

func TestOpenWithoutNotifySocketIsNothing(t *testing.T) {
	p, err := Open(env(), 42)
	if p != nil || err != nil {
		t.Fatalf("Open = %v, %v; want nil, nil", p, err)
	}
}

func TestOpenRefusesWhatItCannotUse(t *testing.T) {
	sup := newSupervisor(t)
	for _, c := range []struct {
		env  []string
		want string
	}{
		{[]string{SocketVar, "run/notify"}, `NOTIFY_SOCKET="run/notify" is neither an absolute path nor an abstract address`},
		{[]string{SocketVar, "vsock:2:1234"}, `NOTIFY_SOCKET="vsock:2:1234" is neither`},
		{[]string{SocketVar, "/nonexistent/notify"}, "connect to NOTIFY_SOCKET=/nonexistent/notify"},
		{[]string{SocketVar, sup.addr, WatchdogVar, "ten"}, `WATCHDOG_USEC="ten" is not a watchdog period`},
		{[]string{SocketVar, sup.addr, WatchdogVar, "0"}, `WATCHDOG_USEC="0" is not a watchdog period`},
	} {
		p, err := Open(env(c.env...), 42)
		if p != nil || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q) = %v, %v; want an error with %q", c.env, p, err, c.want)
		}
	}
}

func TestWatchdogIsSpark2sOnlyForItsPid(t *testing.T) {
	sup := newSupervisor(t)
	for _, c := range []struct {
		pid  string
		want time.Duration
	}{{"", 3 * time.Second}, {"42", 3 * time.Second}, {"7", 0}} {
		p, err := Open(env(SocketVar, sup.addr, WatchdogVar, "3000000", WatchdogPIDVar, c.pid), 42)
		if err != nil {
			t.Fatal(err)
		}
		if p.Watchdog != c.want {
			t.Errorf("WATCHDOG_PID=%q for pid 42: watchdog %v, want %v", c.pid, p.Watchdog, c.want)
		}
		p.Close()
	}
}

// A master's life as its supervisor hears it: READY=1 once a worker is
// ready, RELOADING=1 and READY=1 around a rolling respawn (also one that
// began and ended between two calls), STOPPING=1 once, STATUS= on each
// change, WATCHDOG=1 at half the period.
func TestTellsWhatChanged(t *testing.T) {
	sup := newSupervisor(t)
	p := sup.open(t, WatchdogVar, "2000000")
	t0 := time.Now()
	const reloading = "RELOADING=1\nMONOTONIC_USEC=\n" // MONOTONIC_USEC's value is cut
	steps := []struct {
		s     State
		after time.Duration
		want  []string // the datagrams
	}{
		{State{Name: "starting", Wanted: 2}, 0, []string{"STATUS=starting, 0 of 2 workers ready\nWATCHDOG=1\n"}},
		{State{Name: "starting", Wanted: 2}, 500 * time.Millisecond, nil},
		{State{Name: "starting", Ready: 1, Wanted: 2}, 600 * time.Millisecond, []string{"READY=1\nSTATUS=starting, 1 of 2 workers ready\n"}},
		{State{Name: "running", Ready: 2, Wanted: 2}, 1100 * time.Millisecond, []string{"STATUS=running, 2 of 2 workers ready\nWATCHDOG=1\n"}},
		{State{Name: "reloading", Ready: 2, Wanted: 2, Reloading: true, Reloads: 1}, 1200 * time.Millisecond,
			[]string{reloading, "STATUS=reloading, 2 of 2 workers ready\n"}},
		{State{Name: "reloading", Ready: 1, Wanted: 2, Reloading: true, Reloads: 1}, 1300 * time.Millisecond, []string{"STATUS=reloading, 1 of 2 workers ready\n"}},
		{State{Name: "running", Ready: 2, Wanted: 2, Reloads: 1}, 1400 * time.Millisecond, []string{"READY=1\nSTATUS=running, 2 of 2 workers ready\n"}},
		// A whole rolling respawn between two snapshots told.
		{State{Name: "running", Ready: 2, Wanted: 2, Reloads: 2}, 1500 * time.Millisecond, []string{reloading, "READY=1\n"}},
		{State{Name: "running", Ready: 2, Wanted: 2, Reloads: 2}, 2200 * time.Millisecond, []string{"WATCHDOG=1\n"}},
		{State{Name: "stopping", Ready: 2, Wanted: 2, Reloads: 2, Stopping: true}, 2300 * time.Millisecond, []string{"STOPPING=1\nSTATUS=stopping, 2 of 2 workers ready\n"}},
		{State{Name: "stopped", Wanted: 2, Stopping: true}, 2400 * time.Millisecond, []string{"STATUS=stopped, 0 of 2 workers ready\n"}},
	}
	for i, st := range steps {
		if err := p.Tell(st.s, t0.Add(st.after)); err != nil {
			t.Fatal(err)
		}
		var got []string
		for range st.want {
			d := sup.next()
			if k, v, ok := strings.Cut(d, "MONOTONIC_USEC="); ok {
				usec, rest, _ := strings.Cut(v, "\n")
				if usec == "" || strings.Trim(usec, "0123456789") != "" {
					t.Fatalf("step %d: MONOTONIC_USEC=%q", i, usec)
				}
				d = k + "MONOTONIC_USEC=\n" + rest
			}
			got = append(got, d)
		}
		if !slices.Equal(got, st.want) {
			t.Fatalf("step %d (%+v): the supervisor got %q, want %q", i, st.s, got, st.want)
		}
	}
	if extra := sup.next(); extra != "" {
		t.Fatalf("an extra datagram: %q", extra)
	}
}

// A supervisor that does not read: Tell neither blocks nor fails, it drops
// and counts.
func TestTellDropsWhenTheSupervisorDoesNotRead(t *testing.T) {
	sup := newSupervisor(t)
	p := sup.open(t)
	const n = 5000 // far more than a unix datagram queue holds (net.unix.max_dgram_qlen, 512 by default)
	for i := range n {
		if err := p.Tell(State{Name: "running", Ready: i % 3, Wanted: 3}, time.Now()); err != nil {
			t.Fatalf("Tell %d: %v", i, err)
		}
	}
	if p.Dropped() == 0 || p.Dropped() >= n {
		t.Fatalf("dropped %d of %d datagrams; want some, not all", p.Dropped(), n)
	}
	if got := sup.next(); got != "STATUS=running, 0 of 3 workers ready\n" {
		t.Fatalf("the first datagram queued is %q", got)
	}
}

// A supervisor that is gone: the error names the socket.
func TestTellSaysWhenTheSupervisorIsGone(t *testing.T) {
	sup := newSupervisor(t)
	p := sup.open(t)
	unix.Close(sup.fd)
	err := p.Tell(State{Name: "running", Ready: 1, Wanted: 1}, time.Now())
	if err == nil || !strings.Contains(err.Error(), "NOTIFY_SOCKET="+sup.addr) {
		t.Fatalf("Tell to a closed socket: %v", err)
	}
	if p.Dropped() != 1 {
		t.Fatalf("dropped %d, want 1", p.Dropped())
	}
}

// A socket at a path (systemd's /run/systemd/notify) is used when it is a
// socket of root's or spark2's user, reached without following a link.
func TestOpenChecksASocketPath(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "notify")
	sup := supervisorAt(t, sock)
	p := sup.open(t)
	if err := p.Tell(State{Name: "running", Ready: 1, Wanted: 1}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := sup.next(); got != "READY=1\nSTATUS=running, 1 of 1 workers ready\n" {
		t.Fatalf("the supervisor got %q", got)
	}

	link := filepath.Join(dir, "link")
	if err := os.Symlink(sock, link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{link: "it is a symbolic link", file: "it is not a socket"}
	if os.Getuid() == 0 {
		other := supervisorAt(t, filepath.Join(dir, "other")).addr
		if err := os.Lchown(other, 12345, 12345); err != nil {
			t.Fatal(err)
		}
		cases[other] = "the socket belongs to uid 12345, neither root nor spark2's uid 0"
	}
	for path, want := range cases {
		p, err := Open(env(SocketVar, path), 42)
		if p != nil || err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("Open(%s) = %v, %v; want an error naming it with %q", path, p, err, want)
		}
	}
}
