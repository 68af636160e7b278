package e2e

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/procfs"
)

// forkCount is how many children the worker forks: 2000, fewer if
// RLIMIT_NPROC (ulimit -u) leaves less room for a non-root user.
func forkCount(t *testing.T) int {
	n := 2000
	var rl unix.Rlimit // root is not held to RLIMIT_NPROC
	if os.Getuid() != 0 && unix.Getrlimit(unix.RLIMIT_NPROC, &rl) == nil && rl.Cur < uint64(4*n) {
		n = int(rl.Cur / 4)
		t.Logf("ulimit -u is %d: forking %d children", rl.Cur, n)
	}
	return n
}

// forkers is how many subshells of the worker fork the children, in
// parallel: a tree of processes, and a faster start on a busy machine.
const forkers = 20

// TestReliabilityWorkerForksThousands: a worker forks 2000 `sleep`s (20
// subshells of its process group, 100 each). TERM to spark2 stops
// everything, leaves no zombie and no process, and spark2 exits as
// documented: 0 when every process ended on TERM within the stop timeout
// (plain run: the sleeps obey TERM), 137 when the stop needed SIGKILL (as
// PID 1: the worker and its sleeps ignore TERM). The short form runs the
// plain case only.
func TestReliabilityWorkerForksThousands(t *testing.T) {
	n := forkCount(t) / forkers * forkers
	bothModes(t, func(t *testing.T, md mode) {
		if md == pid1 && !soak() {
			t.Skip("SPARK2_SOAK=1 runs it: thousands of forks are slow on a busy machine, and TestStopTimeoutKillsWorkerAndGrandchild covers the KILL path as PID 1")
		}
		ignore, stopTimeout, want := "", "20s", 0
		if md == pid1 {
			// Ignored dispositions survive fork and exec: the sleeps ignore TERM too.
			ignore, stopTimeout, want = "trap '' TERM; ", "1s", 137
		}
		script := ignore + `i=0; while [ $i -lt ` + strconv.Itoa(forkers) + ` ]; do
  (j=0; while [ $j -lt ` + strconv.Itoa(n/forkers) + ` ]; do sleep 300 & j=$((j+1)); done; echo "forked $j"; wait) &
  i=$((i+1))
done
wait`
		var procs []procfs.Stat
		if md == plain {
			adoptLeftovers(t, &procs)
		}
		m := run(t, md, nil, "--stop-timeout", stopTimeout, "--ready", "100ms", "/bin/sh", "-c", script)
		start := time.Now()
		within(t, 2*time.Minute, "the worker has forked", func() bool { return countLines(m, "forked ") == forkers })
		procs = m.descendants()
		t.Logf("%d processes below spark2 after %v", len(procs), time.Since(start).Round(time.Millisecond))
		if len(procs) < n+forkers+1 || m.zombies() != 0 {
			t.Fatalf("%d processes below spark2, %d zombies; want %d, none", len(procs), m.zombies(), n+forkers+1)
		}
		start = time.Now()
		m.signal(syscall.SIGTERM)
		code := m.wait()
		took := time.Since(start)
		left := map[string]int{} // state -> count
		for _, p := range procs {
			if st, err := procfs.ReadStat(p.Pid); err == nil && st.StartTime == p.StartTime {
				left[string(st.State)]++
			}
		}
		t.Logf("TERM: exit %d after %v, processes left by state %v of %d", code, took.Round(time.Millisecond), left, len(procs))
		if code != want || len(left) != 0 {
			t.Fatalf("exit code %d (want %d), processes left by state %v (Z: zombies spark2 did not reap); stderr:\n%s", code, want, left, tail(m.Stderr(), 20))
		}
	})
}

// adoptLeftovers makes this test process a child subreaper until the test
// ends: what spark2 (a plain process) leaves behind when it exits, running or
// a zombie, becomes this process's child, where exists still sees it,
// rather than init's, which would reap a zombie at once. Cleanup kills and
// reaps such children of procs, then clears the flag. As PID 1, spark2's
// exit ends its whole namespace: nothing to adopt.
func adoptLeftovers(t *testing.T, procs *[]procfs.Stat) {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatalf("become a child subreaper: %v", err)
	}
	t.Cleanup(func() {
		unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
		for _, p := range *procs {
			if st, err := procfs.ReadStat(p.Pid); err == nil && st.StartTime == p.StartTime && st.PPid == os.Getpid() {
				syscall.Kill(p.Pid, syscall.SIGKILL)
				syscall.Wait4(p.Pid, nil, 0, nil)
			}
		}
	})
}

// countLines counts the lines of spark2's stdout so far that start with prefix.
func countLines(m *master, prefix string) int {
	n := 0
	for _, l := range m.Stdout() {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}
