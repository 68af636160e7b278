package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs spark2 to completion and returns its exit code, stdout and stderr.
func cli(t *testing.T, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	c := exec.Command(spark2Bin, args...)
	c.Dir = dir
	c.Env = append(cleanEnv(), env...)
	var out, errb strings.Builder
	c.Stdout, c.Stderr = &out, &errb
	c.Run()
	return c.ProcessState.ExitCode(), out.String(), errb.String()
}

// cleanEnv is the test's environment without any SPARK2_ or NODE_ENV setting.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		// A supervisor's variables (a test run under systemd) are not for
		// the spark2 under test: TestTellsItsOwnSupervisor sets its own.
		supervisor := strings.HasPrefix(kv, "NOTIFY_SOCKET=") || strings.HasPrefix(kv, "WATCHDOG_")
		if !strings.HasPrefix(kv, "SPARK2_") && !strings.HasPrefix(kv, "NODE_ENV=") && !strings.HasPrefix(kv, "NO_COLOR=") && !supervisor {
			env = append(env, kv)
		}
	}
	return env
}

func TestHelpAndVersion(t *testing.T) {
	for _, flag := range []string{"-h", "--help"} {
		code, out, _ := cli(t, t.TempDir(), nil, flag)
		if code != 0 {
			t.Fatalf("%s exited %d", flag, code)
		}
		for _, want := range []string{
			"--workers", "SPARK2_WORKERS", "--restart", "SPARK2_RESTART", "--stop-timeout", "SPARK2_STOP_TIMEOUT",
			"--accesslog", "SPARK2_ACCESSLOG", "--chdir", "SPARK2_CHDIR", "--config", "SPARK2_CONFIG",
			"--env", "SPARK2_ENV", "--mode", "--set", "SPARK2_SET", "--comment", "SPARK2_COMMENT",
			"--verbose", "SPARK2_VERBOSE", "--no-color", "SPARK2_NO_COLOR", "--log-format", "SPARK2_LOG_FORMAT",
			"--log-level", "SPARK2_LOG_LEVEL", "--version", "default: 1", "default: always", "default: development",
			"--balance", "SPARK2_BALANCE", "default: shared",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s output lacks %q", flag, want)
			}
		}
	}
	for _, flag := range []string{"-V", "--version"} {
		code, out, _ := cli(t, t.TempDir(), nil, flag)
		if code != 0 || !strings.HasPrefix(out, "spark2 ") {
			t.Fatalf("%s: exit %d, output %q", flag, code, out)
		}
	}
}

// TestBadInput: every invalid input exits 2 with one line that names the
// option, env var or config key, and starts no worker.
func TestBadInput(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "worker-ran")
	worker := []string{"/bin/sh", "-c", "touch " + marker}
	cases := []struct {
		name  string
		args  []string
		env   []string
		file  string // spark2.json in the working directory
		names string // what the message must name
	}{
		{"workers zero", []string{"-n", "0"}, nil, "", "workers"},
		{"workers negative", []string{"-n", "-3"}, nil, "", "workers"},
		{"workers word", []string{"-n", "many"}, nil, "", "workers"},
		{"workers huge", []string{"--workers", "100000"}, nil, "", "workers"},
		{"workers env empty", nil, []string{"SPARK2_WORKERS="}, "", "SPARK2_WORKERS"},
		{"workers env bad", nil, []string{"SPARK2_WORKERS=0"}, "", "SPARK2_WORKERS"},
		{"restart sometimes", []string{"--restart", "sometimes"}, nil, "", "restart"},
		{"restart env", nil, []string{"SPARK2_RESTART=maybe"}, "", "SPARK2_RESTART"},
		{"stop timeout zero", []string{"--stop-timeout", "0"}, nil, "", "stop-timeout"},
		{"stop timeout negative", []string{"--stop-timeout", "-1s"}, nil, "", "stop-timeout"},
		{"stop timeout word", []string{"--stop-timeout", "soon"}, nil, "", "stop-timeout"},
		{"log format", []string{"--log-format", "xml"}, nil, "", "log-format"},
		{"log level", []string{"--log-level", "loud"}, nil, "", "log-level"},
		{"log level env empty", nil, []string{"SPARK2_LOG_LEVEL="}, "", "SPARK2_LOG_LEVEL"},
		{"verbose env", nil, []string{"SPARK2_VERBOSE=perhaps"}, "", "SPARK2_VERBOSE"},
		{"set without =", []string{"--set", "FOO"}, nil, "", "set"},
		{"set bad key", []string{"--set", "1FOO=x"}, nil, "", "set"},
		{"set reserved", []string{"--set", "SPARK2_WORKER_ID=3"}, nil, "", "SPARK2_WORKER_ID"},
		{"env bad name", []string{"-E", "pro duction"}, nil, "", "env"},
		{"chdir missing", []string{"-C", "/no/such/dir"}, nil, "", "chdir"},
		{"unknown option", []string{"--wrokers", "2"}, nil, "", "--wrokers"},
		{"config missing", []string{"-c", "/no/such/spark2.json"}, nil, "", "/no/such/spark2.json"},
		{"config malformed", nil, nil, `{"workers": 2,`, "spark2.json"},
		{"config unknown key", nil, nil, `{"wokers": 2}`, "wokers"},
		{"config wrong type", nil, nil, `{"workers": true}`, "workers"},
		{"config bad value", nil, nil, `{"restart": "sometimes"}`, "restart"},
		{"config env section not object", nil, nil, `{"environments": []}`, "environments"},
		{"config bad key in env section", nil, nil, `{"environments": {"development": {"wrokers": 1}}}`, "wrokers"},
		{"config verbose string", nil, nil, `{"verbose": "yes"}`, "verbose"},
		{"config not an object", nil, nil, `[1, 2]`, "spark2.json"},
		{"port too big", []string{"-p", "70000"}, nil, "", "-p/--port"},
		{"port negative", []string{"-p", "-1"}, nil, "", "-p/--port"},
		{"port word", []string{"-p", "http"}, nil, "", "-p/--port"},
		{"PORT env bad", nil, []string{"PORT=abc"}, "", "PORT"},
		{"host not an ip", []string{"-H", "not-an-ip"}, nil, "", "-H/--host"},
		{"host bad ipv4", []string{"-H", "999.1.1.1"}, nil, "", "-H/--host"},
		{"ssl key without crt", []string{"--ssl-key", "/tmp/k.pem"}, nil, "", "--ssl-crt"},
		{"ssl crt without key", []string{"--ssl-crt", "/tmp/c.pem"}, nil, "", "--ssl-key"},
		{"no-listen with port", []string{"--no-listen", "-p", "8080"}, nil, "", "--no-listen"},
		{"balance word", []string{"--balance", "even"}, nil, "", "--balance"},
		{"balance env bad", nil, []string{"SPARK2_BALANCE=so_reuseport"}, "", "SPARK2_BALANCE"},
		{"no-listen with balance", []string{"--no-listen", "--balance", "reuseport"}, nil, "", "--balance cannot go with --no-listen"},
		{"user env empty", nil, []string{"SPARK2_USER="}, "", "SPARK2_USER"},
		{"user bad name", []string{"-u", "bad name!"}, nil, "", "-u/--user"},
		{"group negative", []string{"-g", "-5"}, nil, "", "-g/--group"},
		{"ready word", []string{"--ready", "soon"}, nil, "", "--ready"},
		{"ready negative", []string{"--ready", "-1s"}, nil, "", "--ready"},
		{"ready timeout zero", []string{"--ready-timeout", "0"}, nil, "", "--ready-timeout"},
		{"include missing", []string{"-I", "/no/such/dir"}, nil, "", "-I/--include"},
		{"config port string", nil, nil, `{"port": "x"}`, "port"},
		{"config include not a list", nil, nil, `{"include": "notalist"}`, "include"},
		// Control commands and watch. Every case gets the worker as its
		// COMMAND, so a control command alone fails for the COMMAND.
		{"json without status", []string{"--json"}, nil, "", "--json needs --status or --probe"},
		{"exit-code without status", []string{"--exit-code"}, nil, "", "--exit-code needs --status or --probe"},
		{"status and respawn", []string{"--status", "--respawn"}, nil, "", "-R/--respawn cannot go with --status"},
		{"probe and kill", []string{"--probe", "live", "--kill"}, nil, "", "--kill cannot go with --probe"},
		{"kill and force", []string{"--kill", "--force"}, nil, "", "--force cannot go with --kill"},
		{"kill with COMMAND", []string{"--kill", "node", "app.js"}, nil, "", `--kill takes no COMMAND, got "node app.js`},
		{"status with COMMAND", []string{"--status", "--exit-code"}, nil, "", "--status takes no COMMAND"},
		{"respawn with COMMAND", []string{"-R"}, nil, "", "-R/--respawn takes no COMMAND"},
		{"probe sick", []string{"--probe", "sick"}, nil, "", "--probe"},
		{"stale-after zero", []string{"--stale-after", "0"}, nil, "", "--stale-after"},
		{"stale-after env", nil, []string{"SPARK2_STALE_AFTER=soon"}, "", "SPARK2_STALE_AFTER"},
		{"status-file relative", []string{"--status-file", "status.json"}, nil, "", "--status-file"},
		{"pidfile relative", []string{"--pidfile", "spark2.pid"}, nil, "", "--pidfile"},
		{"force env", nil, []string{"SPARK2_FORCE=maybe"}, "", "SPARK2_FORCE"},
		{"watch-poll too short", []string{"--watch-poll", "1ms"}, nil, "", "--watch-poll"},
		{"watch-ignore malformed", []string{"--watch-ignore", "["}, nil, "", "--watch-ignore"},
		{"watch-path missing", []string{"--watch-path", "/no/such"}, nil, "", "--watch-path"},
		{"watch env", nil, []string{"SPARK2_WATCH=maybe"}, "", "SPARK2_WATCH"},
		{"config status", nil, nil, `{"status": true}`, `"status"`},
		{"config kill in section", nil, nil, `{"environments": {"development": {"kill": true}}}`, "kill"},
		{"config watch-path not a list", nil, nil, `{"watch-path": "x"}`, "watch-path"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.file != "" {
				os.WriteFile(filepath.Join(dir, "spark2.json"), []byte(c.file), 0o644)
			}
			code, out, errs := cli(t, dir, c.env, append(c.args, worker...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", code, errs)
			}
			if lines := strings.Split(strings.TrimSpace(errs), "\n"); len(lines) != 1 {
				t.Fatalf("stderr has %d lines, want one: %q", len(lines), errs)
			}
			if !strings.Contains(errs, c.names) {
				t.Fatalf("stderr %q does not name %q", errs, c.names)
			}
			if out != "" {
				t.Fatalf("stdout %q, want nothing", out)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatal("a worker was started")
			}
		})
	}
}

func TestMissingOptionValue(t *testing.T) {
	for _, opt := range []string{"-n", "--restart", "--stop-timeout", "-C", "--set", "-E", "--log-level", "-c", "--accesslog"} {
		code, _, errs := cli(t, t.TempDir(), nil, opt)
		if code != 2 || !strings.Contains(errs, opt) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("spark2 %s: exit %d, stderr %q; want 2 and one line naming %s", opt, code, errs, opt)
		}
	}
}
