package e2e

import (
	"math/rand/v2"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/loadgen"
	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/status"
)

// TestReliabilityKillsDuringRollouts: several rolling respawns (SIGHUP) of
// three HTTP workers under a keep-alive load, and in each, at random
// moments, kill -9 of the newest worker (mostly the replacement, starting or
// just ready) and of another one (mostly an old one, serving or being
// stopped). spark2 recovers to every slot ready, state running, no leftover
// process, and the load sees no refused connection. Requests in flight on a
// killed worker fail: that is the kill, not spark2; they are reported and
// bounded by the clients.
func TestReliabilityKillsDuringRollouts(t *testing.T) {
	const workers, clients = 3, 20
	env, path := statusEnv(t)
	m := run(t, plain, env, append([]string{"-n", "3", "-p", "0", "--ready", "notify"}, helper("http", "notify")...)...)
	_, port := m.readyHTTP(workers)
	m.settled(path, workers, 20*time.Second)
	l := startLoad(t, "http://127.0.0.1:"+port+"/", loadgen.KeepAlive, clients, 10*time.Minute)
	within(t, 30*time.Second, "load flowing", func() bool { return l.ok() > 200 })

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 9))
	rollouts, kills := shortOrSoak(5, 20), 0
	for i := 0; i < rollouts; i++ {
		m.signal(syscall.SIGHUP)
		for k := 0; k < 2; k++ {
			time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond) // a random moment of the rollout
			ws := m.workerProcs()
			if len(ws) == 0 {
				continue
			}
			victim := ws[len(ws)-1] // the newest
			if k == 1 {
				victim = ws[rng.IntN(len(ws))]
			}
			if syscall.Kill(victim.Pid, syscall.SIGKILL) == nil {
				kills++
			}
		}
		within(t, 30*time.Second, "the rollout over, done or failed", func() bool {
			f, err := status.Read(path)
			return err == nil && f.State != status.Reloading
		})
	}
	f := m.settled(path, workers, time.Minute)
	r := l.finish()
	t.Logf("seed %d: %d rollouts, %d kills; log: %d rollouts done, %d failed %v, %d workers ended on their own; status: spawned %d, restarts %d",
		seed, rollouts, kills, m.logCount("rolling respawn done"), m.logCount("rolling respawn failed"), failedReloads(m.Stderr()),
		m.logCount("worker exited"), f.Totals.Spawned, f.Totals.Restarts)
	if r.Refused() != 0 {
		t.Fatalf("%d connections refused: %q", r.Refused(), r.Errors)
	}
	if r.Failed > int64(kills*clients) {
		t.Fatalf("%d requests failed, more than the %d clients could have had in flight on the %d killed workers", r.Failed, clients, kills)
	}
	if r.OK == 0 {
		t.Fatal("no request answered")
	}
}

// workerProcs lists spark2's children (its workers: old ones being
// stopped, current ones, replacements), oldest first.
func (m *master) workerProcs() []procfs.Stat {
	var ws []procfs.Stat
	for _, p := range m.descendants() {
		if p.PPid == m.pid && p.State != 'Z' {
			ws = append(ws, p)
		}
	}
	sort.Slice(ws, func(i, j int) bool {
		return ws[i].StartTime < ws[j].StartTime || ws[i].StartTime == ws[j].StartTime && ws[i].Pid < ws[j].Pid
	})
	return ws
}
