package e2e

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/exitcode"
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
			// Checked at setup: one line naming the command, before the
			// banner, and no worker started at all.
			stderr := m.Stderr()
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "spark2: exec "+c.cmd+": ") ||
				strings.Contains(stderr, "spark2 starting") {
				t.Errorf("%s: stderr %q, want one line \"spark2: exec %s: ...\" and no banner", c.cmd, stderr, c.cmd)
			}
		}
	})
}

// TestEnvironmentTooLongForExecIs126: each variable within Linux's limit,
// but all of them together (the environment spark2 was given and the
// config file's --set items) past what exec takes: every worker start
// would fail with E2BIG, so spark2 exits 126 at once, as a shell would,
// instead of backing off forever.
func TestEnvironmentTooLongForExecIs126(t *testing.T) {
	chunk := strings.Repeat("x", 120<<10)
	var env []string
	for i := 0; i < 12; i++ { // 1.4 MiB: spark2 itself still starts
		env = append(env, "SPARK2_TEST_BIG"+strconv.Itoa(i)+"="+chunk)
	}
	var set []string
	for i := 0; i < 7; i++ { // 840 KiB more, within the config file's 1 MiB
		set = append(set, strconv.Quote("SET_BIG"+strconv.Itoa(i)+"="+chunk))
	}
	conf := filepath.Join(t.TempDir(), "spark2.json")
	if err := os.WriteFile(conf, []byte(`{"set": [`+strings.Join(set, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	bothModes(t, func(t *testing.T, md mode) {
		start := time.Now()
		m := run(t, md, env, "-c", conf, "-n", "2", "--", "/bin/true")
		if code := m.wait(); code != exitcode.CannotExecute {
			t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitcode.CannotExecute, m.Stderr())
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("took %v, want at once", took)
		}
		if line := grepLines(m.Stderr(), "cannot run the command"); !strings.Contains(line, "E2BIG") || !strings.Contains(line, "/bin/true") {
			t.Errorf("no line naming the command and E2BIG; stderr:\n%s", m.Stderr())
		}
	})
}

// TestCleanExitUnderRestartNoIsInfo: a worker ending with 0 under --restart
// no is what the policy expects, logged at INFO; a failing one stays WARN.
func TestCleanExitUnderRestartNoIsInfo(t *testing.T) {
	for _, c := range []struct {
		cmd   string
		code  int
		level string
	}{{"true", 0, "[INFO]"}, {"false", 1, "[WARN]"}} {
		m := run(t, plain, nil, "--restart", "no", "/bin/sh", "-c", c.cmd)
		if code := m.wait(); code != c.code {
			t.Fatalf("%s: exit %d, want %d", c.cmd, code, c.code)
		}
		line := grepLines(m.Stderr(), "worker exited")
		if line == "" || strings.Contains(line, "\n") || !strings.Contains(line, c.level) {
			t.Errorf("%s: %q, want one %s \"worker exited\" line", c.cmd, line, c.level)
		}
	}
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

// exitScenarios makes the binary exit with each code of README's "Exit
// codes" table, keyed by the code (exitcode.SignalBase: a worker killed by a
// signal under --restart no); each returns spark2's exit code and stderr.
func exitScenarios(t *testing.T, md mode) map[int]func() (int, string) {
	t.Helper()
	dir := t.TempDir()
	runCode := func(args ...string) (int, string) {
		m := run(t, md, nil, args...)
		return m.wait(), m.Stderr()
	}
	stopped := func(args ...string) (int, string) {
		m := run(t, md, nil, args...)
		m.readyWorkers(1)
		m.signal(syscall.SIGTERM)
		return m.wait(), m.Stderr()
	}
	return map[int]func() (int, string){
		exitcode.OK: func() (int, string) { return stopped(helper("serve")...) },
		exitcode.StopKilled: func() (int, string) {
			return stopped(append([]string{"--stop-timeout", "1s"}, helper("serve", "ignore-term")...)...)
		},
		exitcode.SignalBase: func() (int, string) {
			code, stderr := runCode("--restart", "no", "/bin/sh", "-c", "kill -USR2 $$")
			return code - int(syscall.SIGUSR2), stderr
		},
		exitcode.NotFound:      func() (int, string) { return runCode(filepath.Join(dir, "missing")) },
		exitcode.CannotExecute: func() (int, string) { return runCode(dir) },
		exitcode.Permanent:     func() (int, string) { return runCode(append([]string{"-n", "2"}, helper("exit", "78")...)...) },
		exitcode.Usage:         func() (int, string) { return runCode("-n", "zero", "/bin/true") },
		exitcode.Failure: func() (int, string) {
			taken, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer taken.Close()
			return runCode(append([]string{"-H", "127.0.0.1", "-p", strconv.Itoa(taken.Addr().(*net.TCPAddr).Port)}, helper("serve")...)...)
		},
	}
}

// TestEveryReadmeExitCodeFromTheBinary (issue 13 item 2): every code in
// README's "Exit codes" table (parsed here) is what the binary exits with in
// that row's situation, as a plain process and as PID 1; a code in the table
// that no scenario here produces fails the test, as does a scenario for a
// code the table lacks. internal/exitcode's tests hold the table to the
// constants.
func TestEveryReadmeExitCodeFromTheBinary(t *testing.T) {
	codeWord := regexp.MustCompile(`\b(\d+)(\+N)?\b`)
	readme := map[int]string{}
	for _, row := range readmeTable(t, "Exit codes") {
		for _, m := range codeWord.FindAllStringSubmatch(row[1], -1) {
			n, _ := strconv.Atoi(m[1]) // 128+N: the scenario's key is SignalBase
			if _, dup := readme[n]; !dup {
				readme[n] = row[0]
			}
		}
	}
	bothModes(t, func(t *testing.T, md mode) {
		scenarios := exitScenarios(t, md)
		for code, situation := range readme {
			if scenarios[code] == nil {
				t.Errorf("README's exit code %d (%s): no scenario here produces it", code, situation)
			}
		}
		for code, produce := range scenarios {
			if _, ok := readme[code]; !ok {
				t.Errorf("exit code %d is not in README's Exit codes table", code)
				continue
			}
			if got, stderr := produce(); got != code {
				t.Errorf("%q: exit %d, want %d; stderr:\n%s", readme[code], got, code, tail(stderr, 10))
			}
		}
	})
}
