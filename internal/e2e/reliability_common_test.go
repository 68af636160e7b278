// The reliability suite (issue 6, item 2): what spark2 survives. Each
// TestReliability... test runs in a short form by default, so that
// `go test ./...` (and .ci/run) keeps the whole suite under about 90 s. With
// SPARK2_SOAK=1 in the environment every test runs the full
// durations instead: a one-minute crash loop (10 s), five signal storms
// (one), the master stopped for 30 s (2 s), 30 s windows (2-3 s) with the
// status directory full and read-only and with nobody reading stdout, 20
// rolling respawns with kills (5), and the fork test as PID 1 as well:
//
//	SPARK2_SOAK=1 go test -run Reliability -timeout 30m ./internal/e2e/
//
// (cleanEnv keeps SPARK2_SOAK away from the spark2 under test.) The status
// directory test mounts a tmpfs and skips, saying why, when not run as root;
// CI runs as root. The tests synchronise on handshakes and polled conditions
// with deadlines; the only sleeps are observation windows ("over N seconds")
// and the pacing of the signal storm.

package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/status"
)

// soak reports whether SPARK2_SOAK=1 asks for the long form of the suite.
func soak() bool { return os.Getenv("SPARK2_SOAK") == "1" }

// shortOrSoak returns short, or long when SPARK2_SOAK=1.
func shortOrSoak[T any](short, long T) T {
	if soak() {
		return long
	}
	return short
}

// within is eventually with a deadline of the caller's choosing, polling
// every 20 ms: some conditions run a probe (a process) each time.
func within(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not true within %v: %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settled waits (up to d) until the master is at rest with n slots, and
// returns the status file that shows it: state running, workers_wanted ==
// len(workers) == n, every slot has a ready worker that is alive and no
// replacement, and the processes below spark2 are exactly those n workers
// (no leftover, no zombie). Only for plain mode: it compares pids.
func (m *master) settled(path string, n int, d time.Duration) *status.File {
	m.t.Helper()
	var last *status.File
	var why string
	deadline := time.Now().Add(d)
	for {
		last, why = m.atRest(path, n)
		if why == "" {
			return last
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("spark2 did not settle within %v: %s\nstatus: %+v\nstderr (tail):\n%s", d, why, last, tail(m.Stderr(), 40))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// atRest checks settled's conditions once; why says what does not hold yet.
func (m *master) atRest(path string, n int) (*status.File, string) {
	f, err := status.Read(path)
	switch {
	case err != nil:
		return nil, err.Error()
	case f.State != status.Running:
		return f, "state " + f.State
	case f.WorkersWanted != n || len(f.Workers) != n:
		return f, fmt.Sprintf("workers_wanted %d, %d workers, want %d", f.WorkersWanted, len(f.Workers), n)
	case time.Since(f.Heartbeat) > 3*time.Second:
		return f, "stale heartbeat"
	}
	want := map[int]bool{}
	for _, w := range f.Workers {
		if !w.Ready || w.Pid == 0 || w.Replacement != 0 {
			return f, fmt.Sprintf("slot %d: %+v", w.Slot, w)
		}
		want[w.Pid] = true
	}
	below := m.descendants()
	if len(below) != n {
		return f, fmt.Sprintf("%d processes below spark2, want %d", len(below), n)
	}
	for _, p := range below {
		if !want[p.Pid] || p.State == 'Z' {
			return f, fmt.Sprintf("process %d (state %c) is no worker of the status file", p.Pid, p.State)
		}
	}
	return f, ""
}

// cpuTime is the CPU time pid has used (utime + stime of /proc/<pid>/stat,
// fields 14 and 15, in clock ticks of 1/100 s: USER_HZ is 100 on Linux).
// Its children's time is not included.
func cpuTime(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("read the CPU time of %d: %v", pid, err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, _ := strconv.ParseUint(f[11], 10, 64)
	stime, _ := strconv.ParseUint(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// alive reports whether m's spark2 still runs.
func (m *master) alive() bool {
	select {
	case <-m.done:
		return false
	default:
		return syscall.Kill(m.pid, 0) == nil
	}
}

// logCount counts the lines of spark2's stderr that contain s.
func (m *master) logCount(s string) int { return strings.Count(m.Stderr(), s) }

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// probe runs `spark2 --probe kind` with env and returns its exit code and line.
func probe(t *testing.T, env []string, kind string) (int, string) {
	t.Helper()
	code, out := control(t, env, "--probe", kind)
	return code, strings.TrimSpace(out)
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
