package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRestartNoPropagatesExitCode(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		for _, want := range []int{0, 1, 7, 255} {
			m := run(t, md, nil, append([]string{"--restart", "no", "-n", "1"}, helper("exit", strconv.Itoa(want))...)...)
			if code := m.wait(); code != want {
				t.Errorf("worker exit %d: spark2 exited %d", want, code)
			}
		}
		m := run(t, md, nil, "--restart", "no", "/bin/sh", "-c", "kill -9 $$")
		if code := m.wait(); code != 137 {
			t.Errorf("worker killed by SIGKILL: spark2 exited %d, want 137", code)
		}
	})
}

func TestCommandThatCannotRun(t *testing.T) {
	dir := t.TempDir()
	noexec := filepath.Join(dir, "script.sh")
	os.WriteFile(noexec, []byte("#!/bin/sh\necho hi\n"), 0o644)
	cases := []struct {
		cmd  string
		code int
	}{
		{"definitely-not-a-command-spark2", 127},
		{filepath.Join(dir, "missing"), 127},
		{noexec, 126},
		{dir, 126},
	}
	bothModes(t, func(t *testing.T, md mode) {
		for _, c := range cases {
			start := time.Now()
			m := run(t, md, nil, "-n", "3", c.cmd)
			code := m.wait()
			if code != c.code {
				t.Errorf("%s: exit code %d, want %d; stderr:\n%s", c.cmd, code, c.code, m.Stderr())
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("%s: took %v, want at once", c.cmd, took)
			}
			if n := strings.Count(m.Stderr(), "cannot run the command"); n > 3 {
				t.Errorf("%s: %d attempts, want no respawn loop", c.cmd, n)
			}
		}
	})
}

func TestCrashLoopBacksOff(t *testing.T) {
	m := run(t, plain, nil, helper("exit", "1")...)
	time.Sleep(5 * time.Second) // the observation window itself
	// spark2's own CPU: /proc/<pid>/stat, not the exit's rusage, which
	// includes every worker it reaped.
	cpu := cpuTime(t, m.pid)
	spawns := strings.Count(m.Stderr(), "worker exited")
	if spawns > 10 || spawns < 3 {
		t.Fatalf("%d worker exits in 5 s, want 3..10 (backing off)", spawns)
	}
	if !strings.Contains(m.Stderr(), "crash-looping") {
		t.Fatalf("the log does not say crash-looping:\n%s", m.Stderr())
	}
	if cpu > time.Second {
		t.Fatalf("spark2 used %v of CPU in a 5 s crash loop", cpu)
	}
	m.signal(15)
	if code := m.wait(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}
