package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/status"
)

// control runs a spark2 control command (--status, --probe, --respawn,
// --kill) and returns its exit code and output.
func control(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	c := exec.Command(spark2Bin, args...)
	c.Env = append(cleanEnv(), env...)
	out, _ := c.CombinedOutput()
	return c.ProcessState.ExitCode(), string(out)
}

// statusEnv gives a master and its control commands one status file.
func statusEnv(t *testing.T) (env []string, path string) {
	path = filepath.Join(t.TempDir(), "run", "status.json")
	return []string{"SPARK2_STATUS_FILE=" + path, "SPARK2_STALE_AFTER=1s"}, path
}

// waitReady waits until the status file at path shows n ready workers.
func waitReady(t *testing.T, path string, n int) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d ready workers in the status file", n), func() bool {
		f, err := status.Read(path)
		return err == nil && f.ReadyWorkers() == n
	})
}

func readStatus(t *testing.T, path string) *status.File {
	t.Helper()
	f, err := status.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestStatusCountsSpawnsDeathsAndRespawns(t *testing.T) {
	env, path := statusEnv(t)
	m := run(t, plain, env, append([]string{"-n", "2"}, helper("serve")...)...)
	first := m.readyWorkers(2)
	eventually(t, "two ready workers in the status file", func() bool {
		f, err := status.Read(path)
		return err == nil && f.ReadyWorkers() == 2
	})
	syscall.Kill(first[0], syscall.SIGKILL)
	m.readyWorkers(1)
	m.signal(syscall.SIGCONT)
	m.readyWorkers(2)
	eventually(t, "the respawn in the status file", func() bool {
		f, err := status.Read(path)
		return err == nil && f.Totals.Spawned == 5 && f.State == status.Running && f.ReadyWorkers() == 2
	})
	f := readStatus(t, path)
	if f.Totals.Restarts != 1 || f.Workers[0].Restarts != 1 || f.Workers[0].LastExit != "killed by SIGKILL" {
		t.Fatalf("status %+v, want one restart of slot 0 after SIGKILL", f)
	}
	code, out := control(t, env, "--status")
	for _, want := range []string{"Showing status for spark2 process at: " + strconv.Itoa(m.pid), "Current children: 2", "Total # of spawned children: 5"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("--status exit %d lacks %q:\n%s", code, want, out)
		}
	}
	code, out = control(t, env, "--status", "--json")
	var parsed status.File
	if code != 0 || json.Unmarshal([]byte(out), &parsed) != nil || parsed.Pid != m.pid {
		t.Fatalf("--status --json: exit %d, %q", code, out)
	}
}

func TestProbes(t *testing.T) {
	env, path := statusEnv(t)
	if code, out := control(t, env, "--status", "--exit-code"); code != status.NotRunning {
		t.Fatalf("with no status file: exit %d (%s), want %d", code, out, status.NotRunning)
	}
	m := run(t, plain, env, append([]string{"-n", "2", "--ready", "notify"}, helper("http", "notify")...)...)
	m.readyHTTP(2)
	eventually(t, "ready probe passes", func() bool { c, _ := control(t, env, "--status", "--exit-code"); return c == 0 })
	if code, out := control(t, env, "--probe", "live"); code != 0 {
		t.Fatalf("live probe: %d %s", code, out)
	}
	// Liveness stays fine through a rolling respawn.
	m.signal(syscall.SIGHUP)
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		if code, out := control(t, env, "--probe", "live"); code != 0 {
			t.Fatalf("live probe failed during a rolling respawn: %d %s", code, out)
		}
		if f, _ := status.Read(path); f != nil && f.State == status.Running && f.Totals.Spawned == 4 {
			break
		}
	}
	// A hung master: the heartbeat goes stale.
	m.signal(syscall.SIGSTOP)
	eventually(t, "the probe sees the stale heartbeat", func() bool {
		c, out := control(t, env, "--probe", "live")
		return c == status.Unhealthy && strings.Contains(out, "hung")
	})
	m.signal(syscall.SIGCONT) // resumes it (and respawns the workers)
	eventually(t, "healthy again", func() bool { c, _ := control(t, env, "--probe", "ready"); return c == 0 })
	// SIGKILL: the master is gone, its file remains, and its workers get
	// the parent death signal.
	before, err := status.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	m.signal(syscall.SIGKILL)
	m.wait()
	for _, w := range before.Workers {
		eventually(t, fmt.Sprintf("worker %d ended with its master", w.Pid), func() bool {
			st, err := procfs.ReadStat(w.Pid)
			return err != nil || st.State == 'Z'
		})
	}
	if code, out := control(t, env, "--status", "--exit-code"); code != status.NotRunning || !strings.Contains(out, "gone") {
		t.Fatalf("after SIGKILL: exit %d, %q", code, out)
	}
}

func TestStatusFileNeverTornWhileWorkersFlap(t *testing.T) {
	env, path := statusEnv(t)
	run(t, plain, env, "-n", "4", "/bin/sh", "-c", "sleep 0.0$SPARK2_WORKER_ID")
	eventually(t, "a status file", func() bool { _, err := os.Stat(path); return err == nil })
	for i := 0; i < 3000; i++ {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := status.Parse(b, path); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
}

func TestPidReusedByAnotherProcess(t *testing.T) {
	env, path := statusEnv(t)
	os.MkdirAll(filepath.Dir(path), 0o755)
	// A status file whose pid is this test process: alive, but not that master.
	f := status.File{Format: status.Format, Pid: os.Getpid(), StartTime: 1, State: status.Running, Heartbeat: time.Now()}
	b, _ := json.Marshal(f)
	os.WriteFile(path, b, 0o644)
	for _, args := range [][]string{{"--status", "--exit-code"}, {"--respawn"}, {"--kill"}} {
		if code, out := control(t, env, args...); code != status.NotRunning || !strings.Contains(out, "no spark2 master is running") {
			t.Fatalf("%v: exit %d, %q; want not running", args, code, out)
		}
	}
}

func TestRespawnAndKillFromAnotherProcess(t *testing.T) {
	env, _ := statusEnv(t)
	m := run(t, plain, env, append([]string{"-n", "2", "-p", "0", "--ready", "fd"}, helper("http", "fd")...)...)
	old, port := m.readyHTTP(2)
	if code, out := control(t, env, "--respawn"); code != 0 {
		t.Fatalf("--respawn: %d %s", code, out)
	}
	fresh, _ := m.readyHTTP(2)
	for slot := range old {
		if fresh[slot] == old[slot] {
			t.Fatalf("slot %d not replaced", slot)
		}
	}
	if code, out := control(t, env, "--kill"); code != 0 {
		t.Fatalf("--kill: %d %s", code, out)
	}
	if code := m.wait(); code != 0 {
		t.Fatalf("master exit %d after --kill; stderr:\n%s", code, m.Stderr())
	}
	if code, out := control(t, env, "--respawn"); code != status.NotRunning {
		t.Fatalf("--respawn with no master: %d %s", code, out)
	}
	if _, err := get(httpClient(), "http://127.0.0.1:"+port+"/"); err == nil {
		t.Fatal("the port still answers after --kill")
	}
}

func TestForceReplacesARunningMaster(t *testing.T) {
	env, _ := statusEnv(t)
	first := run(t, plain, env, append([]string{"--no-listen"}, helper("serve")...)...)
	first.readyWorkers(1)
	second := run(t, plain, env, append([]string{"--no-listen", "--force"}, helper("serve")...)...)
	if code := first.wait(); code != 0 {
		t.Fatalf("the first master exited %d", code)
	}
	second.readyWorkers(1)
}

// TestASecondMasterWithTheSameStatusFileIsRefused: a master started where
// one runs already with the same status file (--no-listen, or -p 0: no port
// clash stops it) exits 1 with one line naming the other's pid, the file and
// the ways out, and the first goes on; once the first has gone, even killed
// with its status file left behind, a master starts there again.
func TestASecondMasterWithTheSameStatusFileIsRefused(t *testing.T) {
	env, path := statusEnv(t)
	first := run(t, plain, env, append([]string{"--no-listen"}, helper("serve")...)...)
	first.readyWorkers(1)
	for _, args := range [][]string{{"--no-listen"}, {"-p", "0", "-H", "127.0.0.1"}} {
		code, _, stderr := cli(t, t.TempDir(), env, append(args, "--", "/bin/sleep", "100")...)
		want := fmt.Sprintf("spark2: another master (pid %d) runs here with the same status file, %s: stop it (spark2 --kill), replace it (spark2 --force ...)", first.pid, path)
		if code != 1 || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
			t.Fatalf("%v: exit %d, stderr %q; want 1 and one line %q...", args, code, stderr, want)
		}
	}
	if f, err := status.Read(path); err != nil || f.Pid != first.pid || gone(first.pid) {
		t.Fatalf("the first master's status file after the refusals: %+v, %v; want it still the first's, running", f, err)
	}
	first.signal(syscall.SIGKILL)
	first.wait()
	again := run(t, plain, env, append([]string{"--no-listen"}, helper("serve")...)...)
	again.readyWorkers(1)
	eventually(t, "the new master's status file", func() bool {
		f, err := status.Read(path)
		return err == nil && f.Pid == again.pid
	})
}

func TestStatusDirectoryNotWritable(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	env := []string{"SPARK2_STATUS_FILE=" + filepath.Join(dir, "file", "status.json")}
	m := run(t, plain, env, helper("serve")...)
	m.readyWorkers(1) // it still serves
	eventually(t, "a log line saying why there is no status file", func() bool { return strings.Contains(m.Stderr(), "no status file") })
}

// freePort returns a TCP port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func TestDefaultStatusFilesDoNotClobber(t *testing.T) {
	tmp := []string{"TMPDIR=" + t.TempDir()} // the default location's base
	p1, p2 := freePort(t), freePort(t)
	a := run(t, plain, tmp, append([]string{"-p", p1}, helper("serve")...)...)
	b := run(t, plain, tmp, append([]string{"-p", p2}, helper("serve")...)...)
	a.readyWorkers(1)
	b.readyWorkers(1)
	for port, m := range map[string]*master{p1: a, p2: b} {
		eventually(t, "the status of the master on "+port, func() bool {
			code, out := control(t, tmp, "-p", port, "--status", "--json")
			var f status.File
			return code == 0 && json.Unmarshal([]byte(out), &f) == nil && f.Pid == m.pid
		})
	}
}

func TestPidFile(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "spark2.pid")
	m := run(t, plain, nil, append([]string{"--pidfile", pidfile}, helper("serve")...)...)
	m.readyWorkers(1)
	if b, _ := os.ReadFile(pidfile); strings.TrimSpace(string(b)) != strconv.Itoa(m.pid) {
		t.Fatalf("pid file holds %q, want %d", b, m.pid)
	}
	m.signal(syscall.SIGTERM)
	m.wait()
	if _, err := os.Stat(pidfile); err == nil {
		t.Fatal("the pid file outlived the master")
	}
}

// TestTermDuringForceWaitStopsAtOnce (issue 10 leftover): a TERM to a
// `--force` master while it waits for the running master to stop cuts the
// wait short: it exits 0 at once, having started no worker, and the master it
// asked to stop goes on stopping by itself.
func TestTermDuringForceWaitStopsAtOnce(t *testing.T) {
	env, _ := statusEnv(t)
	first := run(t, plain, env, append([]string{"--no-listen", "--stop-timeout", "40s"}, helper("serve", "ignore-term")...)...)
	first.readyWorkers(1)
	second := run(t, plain, env, append([]string{"--no-listen", "--force"}, helper("serve")...)...)
	first.line("got SIGTERM") // the first one's worker ignores it: the wait is 40 s and more
	eventually(t, "the second master waiting", func() bool { return strings.Contains(second.Stderr(), "--force: stopping the running master") })
	start := time.Now()
	second.signal(syscall.SIGTERM)
	if code := second.wait(); code != 0 {
		t.Errorf("the --force master: exit %d after TERM, want 0; stderr:\n%s", code, second.Stderr())
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the --force master took %v to stop after TERM: it waited for the other one", took)
	}
	if out := second.Stdout(); len(out) != 0 || strings.Contains(second.Stderr(), "spark2 starting") {
		t.Errorf("the --force master started workers: stdout %q, stderr:\n%s", out, second.Stderr())
	}
	if !first.alive() {
		t.Errorf("the first master is gone already; want it still stopping (its worker ignores TERM)")
	}
}
