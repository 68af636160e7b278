package e2e

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// parentSocket is a NOTIFY_SOCKET as systemd or podman gives one: it
// returns its address and the channel of the datagrams it receives.
func parentSocket(t *testing.T) (string, <-chan string) {
	t.Helper()
	addr := fmt.Sprintf("@spark2-e2e-parent-%016x", rand.Uint64())
	// A net.UnixConn, not a raw fd: Close ends the reading goroutine for
	// good, where a raw fd's number could be reused by the next test's
	// socket while the goroutine still reads it.
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	msgs := make(chan string, 1000)
	go func() {
		b := make([]byte, 4096)
		for {
			n, _, err := conn.ReadFrom(b)
			if err != nil {
				close(msgs)
				return
			}
			msgs <- string(b[:n])
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return addr, msgs
}

// heard collects datagrams from msgs until one has a line want, and
// returns all of them.
func heard(t *testing.T, msgs <-chan string, want string) []string {
	t.Helper()
	var got []string
	timeout := time.After(20 * time.Second)
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				t.Fatalf("the socket was closed before %s; heard %q", want, got)
			}
			got = append(got, m)
			for _, l := range strings.Split(m, "\n") {
				if l == want {
					return got
				}
			}
		case <-timeout:
			t.Fatalf("no %s in 20 s; heard %q", want, got)
		}
	}
}

// spark2 under systemd (Type=notify, WatchdogSec=) or podman
// (--sdnotify=container) tells its supervisor when it can serve, reloads
// and stops, and feeds the watchdog; its workers never see the
// supervisor's variables.
func TestTellsItsOwnSupervisor(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		addr, msgs := parentSocket(t)
		var all []string                     // every datagram heard
		hear := func(want string) []string { // heard, keeping every datagram in all
			got := heard(t, msgs, want)
			all = append(all, got...)
			return got
		}
		m := run(t, md, []string{"NOTIFY_SOCKET=" + addr, "WATCHDOG_USEC=2000000"},
			append([]string{"-n", "2", "--no-listen", "--ready", "300ms"}, helper("serve")...)...)
		workers := m.readyWorkers(2)
		got := hear("READY=1")
		// The first says how spark2 is and feeds the watchdog at once.
		if first := got[0]; !strings.Contains(first, "STATUS=") || !strings.Contains(first, "WATCHDOG=1") {
			t.Fatalf("the first datagram is %q (of %q)", first, got)
		}
		for _, pid := range workers {
			environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
			if err != nil {
				t.Fatal(err)
			}
			for _, kv := range strings.Split(string(environ), "\x00") {
				if kv == "NOTIFY_SOCKET="+addr || strings.HasPrefix(kv, "WATCHDOG_USEC=") {
					t.Fatalf("worker %d has the supervisor's %s", pid, kv)
				}
			}
		}
		// Keep-alives go on while the loop runs (their cadence, half the
		// period, is sdnotify's TestTellsWhatChanged).
		hear("WATCHDOG=1")
		hear("WATCHDOG=1")
		m.signal(syscall.SIGCONT)
		hear("RELOADING=1")
		hear("READY=1")
		m.signal(syscall.SIGTERM)
		hear("STOPPING=1")
		if code := m.wait(); code != 0 {
			t.Fatalf("spark2 exited %d", code)
		}
		after := hear("STATUS=stopped, 0 of 2 workers ready")
		// README's table of what spark2 sends is what was heard.
		keys := map[string]bool{}
		for _, l := range strings.Split(strings.Join(all, ""), "\n") {
			if k, _, ok := strings.Cut(l, "="); ok {
				keys[k] = true
			}
		}
		for _, k := range readmeSends(t) {
			if !keys[k] {
				t.Errorf("README says spark2 sends %s=, its supervisor never heard it (heard %q)", k, all)
			}
		}
		for _, l := range strings.Split(strings.Join(after, ""), "\n") {
			if l == "READY=1" || l == "RELOADING=1" || l == "STOPPING=1" {
				t.Fatalf("%s after STOPPING=1: %q", l, after)
			}
		}
	})
}

// A NOTIFY_SOCKET spark2 cannot use is a warning, not a stop: it serves.
func TestUnusableNotifySocketIsAWarning(t *testing.T) {
	m := run(t, plain, []string{"NOTIFY_SOCKET=/nonexistent/notify"}, append([]string{"--no-listen"}, helper("serve")...)...)
	m.readyWorkers(1)
	if !strings.Contains(m.Stderr(), "cannot tell spark2's own supervisor (systemd, podman) when it is ready") ||
		!strings.Contains(m.Stderr(), "/nonexistent/notify") {
		t.Fatalf("no warning naming the socket; stderr:\n%s", m.Stderr())
	}
}

// readmeSends lists the variables that README's "Under systemd or podman"
// table says spark2 sends (its second column's `KEY=...`).
func readmeSends(t *testing.T) []string {
	t.Helper()
	var keys []string
	for _, row := range readmeTable(t, "Under systemd or podman") {
		for _, quoted := range regexp.MustCompile("`([A-Z_]+)=[^`]*`").FindAllStringSubmatch(row[1], -1) {
			keys = append(keys, quoted[1])
		}
	}
	if len(keys) < 6 {
		t.Fatalf("README's table names %d variables (%q): did its layout change?", len(keys), keys)
	}
	return keys
}

// A watchdog period spark2 cannot feed reliably (keep-alives about once a
// second) is a warning that names it.
func TestShortParentWatchdogIsAWarning(t *testing.T) {
	addr, msgs := parentSocket(t)
	m := run(t, plain, []string{"NOTIFY_SOCKET=" + addr, "WATCHDOG_USEC=1000000"}, append([]string{"--no-listen"}, helper("serve")...)...)
	m.readyWorkers(1)
	heard(t, msgs, "WATCHDOG=1")
	if !strings.Contains(m.Stderr(), "the supervisor's watchdog period for spark2 is short") || !strings.Contains(m.Stderr(), "watchdog=1s") {
		t.Fatalf("no warning naming the period; stderr:\n%s", m.Stderr())
	}
}

// A master whose workers end for good (--restart no) also tells its
// supervisor it stops.
func TestTellsStoppingWhenWorkersEndForGood(t *testing.T) {
	addr, msgs := parentSocket(t)
	m := run(t, plain, []string{"NOTIFY_SOCKET=" + addr}, append([]string{"--no-listen", "--restart", "no"}, helper("nap", "300ms")...)...)
	heard(t, msgs, "STOPPING=1")
	heard(t, msgs, "STATUS=stopped, 0 of 1 workers ready")
	if code := m.wait(); code != 0 {
		t.Fatalf("spark2 exited %d", code)
	}
}
