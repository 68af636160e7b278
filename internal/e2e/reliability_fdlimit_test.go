package e2e

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/status"
)

// TestReliabilityLowFdLimit: spark2 under RLIMIT_NOFILE 40 (prlimit, as
// `ulimit -n 40` would) asked for 12 workers, more than its fds can hold
// (each costs the master its stdout, stderr and ready pipes, and a start
// needs about a dozen more for a moment). spark2 does not crash, serves with the
// workers it could start, logs a clear error that names the limit, and is
// running again, every slot ready, once TTOU has brought the count down.
func TestReliabilityLowFdLimit(t *testing.T) {
	const limit, wanted = 40, 12
	env, path := statusEnv(t)
	prlimit := []string{"prlimit", "--nofile=" + strconv.Itoa(limit) + ":" + strconv.Itoa(limit), "--"}
	m := runVia(t, plain, prlimit, env, append([]string{"-n", strconv.Itoa(wanted), "-p", "0", "--ready", "notify"}, helper("http", "notify")...)...)
	var f *status.File
	within(t, 30*time.Second, "some workers ready, the others failing to start", func() bool {
		var err error
		f, err = status.Read(path)
		return err == nil && f.ReadyWorkers() > 0 && m.logCount("cannot start a worker") > 0 &&
			f.State == status.Degraded && f.ReadyWorkers()+failingSlots(f) == wanted
	})
	started := f.ReadyWorkers()
	errLine := grepLines(m.Stderr(), "cannot start a worker")
	errLine, _, _ = strings.Cut(errLine, "\n")
	t.Logf("with %d fds: %d of %d workers ready, master fds %d; the error: %s", limit, started, wanted, f.Master.FDs, errLine)
	if !strings.Contains(errLine, "too many open files") || !strings.Contains(errLine, "RLIMIT_NOFILE "+strconv.Itoa(limit)) {
		t.Errorf("the error does not say that the open file limit (%d) was reached: %s", limit, errLine)
	}
	port := strings.TrimPrefix(f.Listen, "*:")
	for i := 0; i < 20; i++ {
		if _, err := get(httpClient(), "http://127.0.0.1:"+port+"/"); err != nil {
			t.Fatalf("request %d to the workers that did start: %v", i, err)
		}
	}

	for i := 0; i < wanted && f.WorkersWanted > started; i++ {
		n := f.WorkersWanted
		m.signal(syscall.SIGTTOU)
		within(t, 30*time.Second, "TTOU takes a slot away", func() bool {
			f = readStatus(t, path)
			return f.WorkersWanted == n-1
		})
	}
	f = m.settled(path, started, 30*time.Second)
	failures := m.logCount("cannot start a worker")
	time.Sleep(shortOrSoak(2*time.Second, 20*time.Second)) // no new failure over this window
	if n := m.logCount("cannot start a worker"); n != failures {
		t.Errorf("%d more failed starts after TTOU brought the count down to %d", n-failures, started)
	}
	t.Logf("after %d TTOU: %s, %d workers ready, master fds %d; %d failed starts in all", wanted-started, f.State, f.ReadyWorkers(), f.Master.FDs, failures)
	if !m.alive() {
		t.Fatal("spark2 died")
	}
	m.signal(syscall.SIGTERM)
	if code := m.wait(); code != 0 {
		t.Fatalf("exit code %d, want 0; stderr:\n%s", code, tail(m.Stderr(), 20))
	}
}

// failingSlots counts the slots of f that have no worker and wait to respawn.
func failingSlots(f *status.File) int {
	n := 0
	for _, w := range f.Workers {
		if w.Pid == 0 && w.Deaths > 0 {
			n++
		}
	}
	return n
}
