package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/status"
)

// documentedBackoff is the wait before the spawn that follows the k-th quick
// death in a row, as the README says: at once the first time, then 100 ms,
// 200 ms, 400 ms... up to 10 s.
func documentedBackoff(k int) time.Duration {
	if k <= 1 {
		return 0
	}
	return min(100*time.Millisecond<<(k-2), 10*time.Second)
}

// TestReliabilityCrashLoop: a worker that exits 1 at once, for 10 s (a
// minute with SPARK2_SOAK=1). spark2's own CPU stays under 5% of the window,
// its spawns follow the documented back-off, the status file says
// crash-looping, and both probes fail.
func TestReliabilityCrashLoop(t *testing.T) {
	env, path := statusEnv(t)
	window := shortOrSoak(10*time.Second, time.Minute)
	m := run(t, plain, env, append([]string{"-v"}, helper("exit", "1")...)...) // -v: "worker spawned" lines
	cpu0, start := cpuTime(t, m.pid), time.Now()

	within(t, 30*time.Second, "the status file says crash-looping", func() bool {
		f, err := status.Read(path)
		return err == nil && f.State == status.CrashLooping
	})
	f := readStatus(t, path)
	if w := f.Workers[0]; w.Ready || w.Deaths < 3 || w.LastExit != "exited 1" {
		t.Fatalf("crash-looping slot: %+v, want not ready, 3+ deaths in a row, last exit \"exited 1\"", w)
	}
	if code, out := probe(t, env, status.Live); code != status.Unhealthy || !strings.Contains(out, "crash-looping") {
		t.Fatalf("--probe live: %d %q, want 1 (crash-looping)", code, out)
	}
	if code, out := probe(t, env, status.Ready); code != status.Unhealthy || !strings.Contains(out, "no worker is ready") {
		t.Fatalf("--probe ready: %d %q, want 1 (no worker ready)", code, out)
	}

	time.Sleep(time.Until(start.Add(window))) // the observation window
	cpu, elapsed := cpuTime(t, m.pid)-cpu0, time.Since(start)
	f = readStatus(t, path)
	spawns := m.spawnTimes()
	t.Logf("%v of crash loop: spark2 used %v of CPU (%.2f%%); %d spawns, status %s, %d restarts, probes still failing: live %v",
		elapsed.Round(time.Millisecond), cpu, 100*cpu.Seconds()/elapsed.Seconds(), len(spawns), f.State, f.Totals.Restarts,
		func() bool { c, _ := probe(t, env, status.Live); return c == status.Unhealthy }())
	if cpu > elapsed/20 {
		t.Errorf("spark2 used %v of CPU in a %v crash loop, want under 5%%", cpu, elapsed.Round(time.Millisecond))
	}
	if f.State != status.CrashLooping || f.Totals.Spawned != len(spawns) {
		t.Errorf("status after the window: state %s, spawned %d; the log shows %d spawns", f.State, f.Totals.Spawned, len(spawns))
	}
	checkBackoff(t, spawns, window)

	m.signal(syscall.SIGTERM)
	if code := m.wait(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}

// checkBackoff checks that each gap between two spawns is the documented
// back-off plus the life of the worker that died (at most lifeSlack on a
// busy machine), and that the spawns fit the window no faster than the
// back-off allows.
func checkBackoff(t *testing.T, spawns []time.Time, window time.Duration) {
	t.Helper()
	const lifeSlack = 3 * time.Second
	var gaps []string
	for k := 1; k < len(spawns); k++ {
		gap, want := spawns[k].Sub(spawns[k-1]), documentedBackoff(k)
		gaps = append(gaps, gap.Round(10*time.Millisecond).String())
		if gap < want-5*time.Millisecond || gap > want+lifeSlack {
			t.Errorf("spawn %d came %v after spawn %d, want the back-off %v (+ the worker's short life)", k+1, gap, k, want)
		}
	}
	t.Logf("gaps between spawns: %s", strings.Join(gaps, " "))
	most := 1 // spawns the back-off allows in the window with workers that die at once
	for sum := time.Duration(0); ; most++ {
		if sum += documentedBackoff(most); sum > window {
			break
		}
	}
	if len(spawns) > most || len(spawns) < most-2 {
		t.Errorf("%d spawns in %v, want %d (or up to 2 fewer on a slow machine)", len(spawns), window, most)
	}
}

// spawnTimes returns when spark2 (run with -v) spawned each worker, from the
// timestamps of its "worker spawned" log lines.
func (m *master) spawnTimes() []time.Time {
	m.t.Helper()
	var at []time.Time
	for _, l := range strings.Split(m.Stderr(), "\n") {
		if !strings.Contains(l, "worker spawned") {
			continue
		}
		stamp, _, _ := strings.Cut(l, " ")
		ts, err := time.Parse("2006-01-02T15:04:05.000Z07:00", stamp)
		if err != nil {
			m.t.Fatalf("no timestamp on %q: %v", l, err)
		}
		at = append(at, ts)
	}
	return at
}
