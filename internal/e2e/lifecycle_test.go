package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestKilledWorkersAreReplaced(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		m := run(t, md, nil, append([]string{"-n", "3", "--"}, helper("serve")...)...)
		first := m.readyWorkers(3)

		// kill -9 one: it alone is replaced, in its slot.
		syscall.Kill(first[1], syscall.SIGKILL)
		again := m.readyWorkers(1)
		if again[1] == 0 || again[1] == first[1] {
			t.Fatalf("slot 1 not refilled with a new worker: %v", again)
		}
		for _, slot := range []int{0, 2} {
			if err := syscall.Kill(first[slot], 0); err != nil {
				t.Fatalf("worker of slot %d was disturbed: %v", slot, err)
			}
		}

		// kill -9 all three at once: three new ones.
		for _, pid := range []int{first[0], again[1], first[2]} {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		third := m.readyWorkers(3)
		for slot, pid := range third {
			if pid == first[slot] || pid == again[slot] {
				t.Fatalf("slot %d kept pid %d", slot, pid)
			}
		}
		m.signal(syscall.SIGTERM)
		if code := m.wait(); code != 0 {
			t.Fatalf("exit code %d after TERM, want 0; stderr:\n%s", code, m.Stderr())
		}
	})
}

func TestTermStopsEveryWorkerGracefully(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		m := run(t, md, nil, append([]string{"-n", "3"}, helper("serve")...)...)
		m.readyWorkers(3)
		m.signal(syscall.SIGTERM)
		termed := map[string]bool{}
		for len(termed) < 3 {
			termed[fields(m.line("got SIGTERM"))["slot"]] = true
		}
		if code := m.wait(); code != 0 {
			t.Fatalf("exit code %d, want 0", code)
		}
	})
}

func TestStopTimeoutKillsWorkerAndGrandchild(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		m := run(t, md, nil, append([]string{"--stop-timeout", "300ms"}, helper("family")...)...)
		m.readyWorkers(1) // the worker and its child both say ready (slot 0)
		m.line("ready ")
		procs := m.descendants()
		if len(procs) < 2 {
			t.Fatalf("want a worker and its child, got %+v", procs)
		}
		start := time.Now()
		m.signal(syscall.SIGTERM)
		code := m.wait()
		if code != 137 {
			t.Fatalf("exit code %d, want 137 (stop needed SIGKILL); stderr:\n%s", code, m.Stderr())
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("stop took %v with a 300ms stop timeout", took)
		}
		for _, p := range procs {
			if err := syscall.Kill(p.Pid, 0); err == nil {
				t.Fatalf("process %d survived the stop", p.Pid)
			}
		}
	})
}

func TestSecondTermDuringStopChangesNothing(t *testing.T) {
	m := run(t, plain, nil, append([]string{"--stop-timeout", "2s"}, helper("serve", "ignore-term")...)...)
	m.readyWorkers(1)
	m.signal(syscall.SIGTERM)
	m.line("got SIGTERM")
	m.signal(syscall.SIGTERM)
	m.signal(syscall.SIGINT)
	if code := m.wait(); code != 137 {
		t.Fatalf("exit code %d, want 137", code)
	}
	if !strings.Contains(m.Stderr(), "already stopping") {
		t.Fatalf("stderr does not mention the ignored second signal:\n%s", m.Stderr())
	}
}

func TestJobControlNeverStopsSpark2(t *testing.T) {
	env, path := statusEnv(t)
	m := run(t, plain, env, helper("serve")...)
	m.readyWorkers(1)
	waitReady(t, path, 1) // signals are forwarded to ready workers only
	m.signal(syscall.SIGTSTP)
	m.signal(syscall.SIGUSR2) // forwarded: proves spark2 still runs its loop
	m.line("got SIGUSR2")
	m.signal(syscall.SIGTERM)
	if code := m.wait(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}

func TestSignalsAreForwardedToEveryWorker(t *testing.T) {
	env, path := statusEnv(t)
	m := run(t, plain, env, append([]string{"-n", "2"}, helper("serve")...)...)
	m.readyWorkers(2)
	waitReady(t, path, 2) // signals are forwarded to ready workers only
	for _, s := range []syscall.Signal{syscall.SIGQUIT, syscall.SIGWINCH, syscall.SIGUSR2} {
		m.signal(s)
		name := sigName(s)
		seen := map[string]bool{}
		for len(seen) < 2 {
			seen[fields(m.line("got " + name))["slot"]] = true
		}
	}
}

func TestRollingRespawnOnContAndHup(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		m := run(t, md, nil, append([]string{"-n", "2"}, helper("serve")...)...)
		old := m.readyWorkers(2)
		for _, s := range []syscall.Signal{syscall.SIGCONT, syscall.SIGHUP} {
			m.signal(s)
			fresh := m.readyWorkers(2)
			for slot, pid := range fresh {
				if pid == old[slot] {
					t.Fatalf("%v: slot %d not replaced", s, slot)
				}
			}
			eventually(t, "old workers gone", func() bool {
				for _, pid := range old {
					if syscall.Kill(pid, 0) == nil && !isZombie(pid) {
						return false
					}
				}
				return true
			})
			old = fresh
		}
	})
}

func TestScaleWithTTINAndTTOU(t *testing.T) {
	m := run(t, plain, nil, append([]string{"-n", "1"}, helper("serve")...)...)
	m.readyWorkers(1)
	m.signal(syscall.SIGTTIN)
	added := m.readyWorkers(1)
	if _, ok := added[1]; !ok {
		t.Fatalf("TTIN started %v, want slot 1", added)
	}
	m.signal(syscall.SIGTTOU)
	if f := fields(m.line("got SIGTERM")); f["slot"] != "1" {
		t.Fatalf("TTOU stopped slot %s, want 1", f["slot"])
	}
}
