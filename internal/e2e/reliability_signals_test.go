package e2e

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/status"
)

// stormSignals are the signals of the storm: forwarded ones (QUIT, USR2,
// WINCH, ALRM, SIGRTMIN+3, which is queued, not merged, by the kernel),
// USR1 (reopen the access log, then forward), HUP and CONT (rolling
// respawn) and TSTP (ignored). TTIN and TTOU are left out: they change the
// number of workers, and the kernel merges pending signals, so the number
// spark2 would end with is unknowable.
var stormSignals = []syscall.Signal{syscall.SIGQUIT, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGALRM,
	syscall.Signal(37), syscall.SIGUSR1, syscall.SIGHUP, syscall.SIGCONT, syscall.SIGTSTP}

// TestReliabilitySignalStorm: 10 000 mixed signals within about a second
// (five such storms with SPARK2_SOAK=1). spark2 survives, settles back to a
// consistent state after each, and its fds, pipes and goroutines return to
// their baseline.
//
// Workers are the helper "catchall", ready (--ready notify) only once it
// catches every forwarded signal. A signal that reaches a worker before that
// (spark2 forwards to every worker's process group, starting ones included,
// and the storm's HUP and CONT keep starting replacements) may still kill
// it: the kernel's default action, or Go's for QUIT. That is a failed
// replacement or a crash, which spark2 must absorb; the test reports how many.
func TestReliabilitySignalStorm(t *testing.T) {
	env, path := statusEnv(t)
	accessLog := filepath.Join(t.TempDir(), "access.log") // USR1 reopens it: a real fd to leak or not
	m := run(t, plain, env, append([]string{"-n", "2", "--ready", "notify", "--accesslog", accessLog}, helper("catchall")...)...)
	base := m.settled(path, 2, 30*time.Second).Master
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 6))
	t.Logf("seed %d; master at rest: fds %d pipes %d goroutines %d threads %d rss %d KiB",
		seed, base.FDs, base.Pipes, base.Goroutine, base.Threads, base.RSS>>10)

	for round := 1; round <= shortOrSoak(1, 5); round++ {
		start := time.Now()
		sent := m.storm(rng, 10000)
		took := time.Since(start)
		if !m.alive() {
			t.Fatalf("spark2 died in storm %d (exit %d); stderr:\n%s", round, m.wait(), tail(m.Stderr(), 40))
		}
		f := m.settled(path, 2, time.Minute)
		settled := time.Since(start)
		u := m.usageBackTo(path, base)
		t.Logf("storm %d: 10000 signals in %v %v; settled after %v: spawned %d, failed reloads %d; master fds %d pipes %d goroutines %d threads %d rss %d KiB",
			round, took.Round(time.Millisecond), sent, settled.Round(time.Millisecond), f.Totals.Spawned, f.Totals.FailedReloads,
			u.FDs, u.Pipes, u.Goroutine, u.Threads, u.RSS>>10)
	}
	t.Logf("log: %d rolling respawns begun, %d merged into one in progress, %d workers ended on their own, %d job-control lines, %d reopens",
		m.logCount("rolling respawn of every worker"), m.logCount("another follows it"), m.logCount("worker exited"),
		m.logCount("ignoring job-control signal"), m.logCount("reopened the access log"))
	t.Logf("why the rolling respawns failed: %v", failedReloads(m.Stderr()))

	m.signal(syscall.SIGTERM)
	if code := m.wait(); code != 0 {
		t.Fatalf("exit code %d after the storm, want 0; stderr:\n%s", code, tail(m.Stderr(), 40))
	}
	b, _ := os.ReadFile(accessLog)
	caught := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "caught ") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			caught += n
		}
	}
	t.Logf("the last two workers caught %d forwarded signals", caught)
}

// storm sends count signals drawn from stormSignals to spark2 within about
// a second, 100 every 10 ms, and returns how many of each it sent.
func (m *master) storm(rng *rand.Rand, count int) map[string]int {
	m.t.Helper()
	sent := map[string]int{}
	start := time.Now()
	for i := 0; i < count; i++ {
		s := stormSignals[rng.IntN(len(stormSignals))]
		if err := syscall.Kill(m.pid, s); err != nil {
			m.t.Fatalf("signal %d of the storm (%v): %v; stderr:\n%s", i, s, err, tail(m.Stderr(), 40))
		}
		name := sigName(s)
		if name == "" {
			name = "SIGRTMIN+" + strconv.Itoa(int(s)-34)
		}
		sent[name]++
		if i%100 == 99 {
			time.Sleep(time.Until(start.Add(time.Duration(i+1) * time.Second / time.Duration(count))))
		}
	}
	return sent
}

// failedReloads counts the reasons of the failed rolling respawns in a log.
func failedReloads(log string) map[string]int {
	why := map[string]int{}
	for _, l := range strings.Split(log, "\n") {
		if _, after, ok := strings.Cut(l, "rolling respawn failed"); ok {
			if _, w, ok := strings.Cut(after, `why="`); ok {
				w, _, _ = strings.Cut(w, `"`)
				why[w]++
			}
		}
	}
	return why
}

// usageTolerance is how far the master's fds, pipes and goroutines may stay
// above their baseline once settled. The status file measures them at one
// instant, which may catch a transient one: go-reaper's goroutine per reaped
// status, the read end of a worker's exec report pipe and its goroutine for
// the few milliseconds after a respawn the sweep saw. A leak grows with the
// storm (thousands of signals, dozens of respawns), far past 2.
const usageTolerance = 2

// usageBackTo waits until the master's usage in the status file is back
// within usageTolerance of base, and returns it.
func (m *master) usageBackTo(path string, base status.Usage) status.Usage {
	m.t.Helper()
	var u status.Usage
	ok := func() bool {
		f, err := status.Read(path)
		if err != nil {
			return false
		}
		u = f.Master
		return u.FDs <= base.FDs+usageTolerance && u.Pipes <= base.Pipes+usageTolerance &&
			u.Goroutine <= base.Goroutine+usageTolerance
	}
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			m.t.Fatalf("the master's usage did not return to its baseline: before %+v, after %+v", base, u)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return u
}

// TestReliabilityStoppedMaster: the master SIGSTOPped, then resumed. The
// probes see the stale heartbeat while it is stopped, and are healthy after;
// the workers keep serving meanwhile (they accept on the shared socket
// themselves), and no request of a keep-alive load is refused across the
// stop, in keep-alive or new-connection mode. Resuming means SIGCONT, which is also spark2's "rolling respawn"
// signal (README, Signals): the kernel cannot tell "resume" from "respawn",
// so every worker is replaced once spark2 runs again. The test relies on it.
func TestReliabilityStoppedMaster(t *testing.T) {
	env, path := statusEnv(t) // --stale-after 1s
	m := run(t, plain, env, append([]string{"-n", "2", "-p", "0", "--ready", "notify"}, helper("http", "notify")...)...)
	old, port := m.readyHTTP(2)
	m.settled(path, 2, 20*time.Second)
	ls := startLoads(t, "http://127.0.0.1:"+port+"/", 5, 5*time.Minute)
	within(t, 30*time.Second, "load flowing", func() bool { return ls.ok() > 100 })

	m.signal(syscall.SIGSTOP)
	stopped := time.Now()
	var live, ready string
	within(t, 30*time.Second, "both probes fail on the stale heartbeat", func() bool {
		var cl, cr int
		cl, live = probe(t, env, status.Live)
		cr, ready = probe(t, env, status.Ready)
		return cl == status.Unhealthy && cr == status.Unhealthy && strings.Contains(live, "hung") && strings.Contains(ready, "hung")
	})
	t.Logf("stopped: live %q; ready %q", live, ready)
	okAtStop := ls.ok()
	time.Sleep(shortOrSoak(2*time.Second, 30*time.Second)) // the window: the master stays stopped
	served := ls.ok() - okAtStop
	if served == 0 {
		t.Fatal("no request was answered while the master was stopped: the workers should serve on their own")
	}

	m.signal(syscall.SIGCONT)
	t.Logf("master stopped %v; %d requests answered meanwhile", time.Since(stopped).Round(time.Millisecond), served)
	fresh, _ := m.readyHTTP(2)
	for slot, pid := range fresh {
		if pid == old[slot] {
			t.Fatalf("slot %d kept worker %d: SIGCONT should replace it", slot, pid)
		}
	}
	m.settled(path, 2, 20*time.Second)
	for _, kind := range []string{status.Live, status.Ready} {
		if code, out := probe(t, env, kind); code != status.Healthy {
			t.Fatalf("--probe %s after the resume: %d %q", kind, code, out)
		}
	}
	ls.finishClean()
}
