package e2e

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestKillWaitsByTheMastersStopTimeout is issue 10 item 15: the status file
// records the master's --stop-timeout, and --kill waits by it (plus a
// margin), whatever the caller's --stop-timeout.
func TestKillWaitsByTheMastersStopTimeout(t *testing.T) {
	env, path := statusEnv(t)
	m := run(t, plain, env, append([]string{"--no-listen", "--stop-timeout", "4s"}, helper("serve", "ignore-term")...)...)
	m.readyWorkers(1)
	waitReady(t, path, 1)
	if f := readStatus(t, path); f.StopTimeoutMS != 4000 {
		t.Fatalf("stop_timeout_ms %d in the status file, want 4000", f.StopTimeoutMS)
	}
	code, out := control(t, env, "--kill", "--stop-timeout", "1s")
	if code != 0 || !strings.Contains(out, "has stopped") {
		t.Fatalf("--kill --stop-timeout 1s of a master with 4s: exit %d, %q; want 0", code, out)
	}
	if code := m.wait(); code != 137 {
		t.Fatalf("the master exited %d, want 137 (its worker ignores TERM)", code)
	}
}

// TestKillFromInsideTheMastersNamespace is issue 10 item 14: spark2 --kill
// run in the PID namespace whose PID 1 is the master (docker exec, kubectl
// exec) cannot outlive it: it says the stop was requested and exits 0 once
// the status file says stopping, before the kernel ends it with PID 1.
func TestKillFromInsideTheMastersNamespace(t *testing.T) {
	needRoot(t)
	env, path := statusEnv(t)
	m := run(t, pid1, env, append([]string{"--no-listen", "--stop-timeout", "3s"}, helper("serve", "ignore-term")...)...)
	m.readyWorkers(1)
	waitReady(t, path, 1)
	c := exec.Command("nsenter", "-t", strconv.Itoa(m.pid), "-p", "-m", spark2Bin, "--kill")
	c.Env = append(cleanEnv(), env...)
	out, _ := c.CombinedOutput()
	if code := c.ProcessState.ExitCode(); code != 0 || !strings.Contains(string(out), "stop requested") || !strings.Contains(string(out), "is stopping") {
		t.Fatalf("--kill inside the namespace: exit %d (%s), %q; want 0 and the stop requested", code, c.ProcessState, out)
	}
	m.wait()
}
