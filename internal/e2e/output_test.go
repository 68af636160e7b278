package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// checkLines checks that lines hold exactly 4 workers x n lines of size
// bytes, each intact and in its worker's order.
func checkLines(t *testing.T, lines []string, n, size int) {
	t.Helper()
	next := map[string]int{}
	count := 0
	for _, l := range lines {
		if !strings.HasPrefix(l, "line ") {
			continue
		}
		count++
		f := fields(l)
		want := fmt.Sprintf("line slot=%s seq=%d ", f["slot"], next[f["slot"]])
		if !strings.HasPrefix(l, want) || len(l) != size-1 || strings.Trim(l[len(want):], "x") != "" {
			t.Fatalf("line %d torn or out of order: got %.80q..., want prefix %q and %d bytes", count, l, want, size-1)
		}
		next[f["slot"]]++
	}
	if count != 4*n {
		t.Fatalf("got %d lines, want %d (%v)", count, 4*n, next)
	}
}

func TestOutputLinesArriveWhole(t *testing.T) {
	m := run(t, plain, nil, append([]string{"-n", "4", "--restart", "no"}, helper("lines", "5000", "200")...)...)
	if code := m.wait(); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, m.Stderr())
	}
	checkLines(t, m.Stdout(), 5000, 200)
}

func TestAccessLogTakesStdout(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	os.WriteFile(log, []byte("earlier line\n"), 0o644)
	m := run(t, plain, nil, append([]string{"-n", "4", "--restart", "no", "--accesslog", log}, helper("lines", "5000", "200")...)...)
	if code := m.wait(); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, m.Stderr())
	}
	if out := m.Stdout(); len(out) != 0 {
		t.Fatalf("%d lines on stdout with --accesslog, want none: %.80q", len(out), out[0])
	}
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if lines[0] != "earlier line" {
		t.Fatalf("the access log was not appended to: first line %q", lines[0])
	}
	checkLines(t, lines, 5000, 200)
}

func TestAccessLogReopensOnUSR1(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	env, path := statusEnv(t)
	m := run(t, plain, env, append([]string{"--accesslog", log}, helper("serve")...)...)
	waitReady(t, path, 1) // signals are forwarded to ready workers only
	eventually(t, "ready in the access log", func() bool {
		b, _ := os.ReadFile(log)
		return strings.HasPrefix(string(b), "ready ")
	})
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	m.signal(syscall.SIGUSR1) // reopen, and forwarded: the worker prints "got SIGUSR1"
	eventually(t, "the worker's line in the new file", func() bool {
		b, _ := os.ReadFile(log)
		return strings.HasPrefix(string(b), "got SIGUSR1")
	})
}

func TestStderrStaysOnStderr(t *testing.T) {
	m := run(t, plain, nil, "--restart", "no", "/bin/sh", "-c", `echo '{"json":"line","n":1}'; echo oops >&2`)
	m.wait()
	if out := m.Stdout(); len(out) != 1 || out[0] != `{"json":"line","n":1}` {
		t.Fatalf("stdout %q, want the JSON line byte for byte", out)
	}
	if !strings.Contains(m.Stderr(), "oops\n") {
		t.Fatalf("stderr lacks the worker's line:\n%s", m.Stderr())
	}
}

func TestWorkerContract(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		// spark2's parent ignores two signals; the workers must not inherit that.
		ignoring := []string{"/bin/sh", "-c", `trap '' USR2 PIPE; exec "$0" "$@"`}
		m := runVia(t, md, ignoring, []string{"LISTEN_PID=42", "LISTEN_FDS=3"},
			append([]string{"-n", "2", "-E", "staging", "--set", "FOO=bar"}, helper("describe")...)...)
		for i := 0; i < 2; i++ {
			f := fields(m.line("describe "))
			if f["fds"] != "0,1,2,3" {
				t.Errorf("worker fds %s, want exactly 0,1,2 and the socket", f["fds"])
			}
			if f["pgid"] != f["pid"] {
				t.Errorf("worker pgid %s, want its own group %s", f["pgid"], f["pid"])
			}
			if f["sigblk"] != "0000000000000000" || f["sigign"] != "0000000000000000" {
				t.Errorf("signal mask blocked=%s ignored=%s, want clean", f["sigblk"], f["sigign"])
			}
			if f["spark2_env"] != "staging" || f["node_env"] != "staging" || f["foo"] != "bar" {
				t.Errorf("env %v, want SPARK2_ENV=NODE_ENV=staging, FOO=bar", f)
			}
			if f["listen_pid"] != f["pid"] {
				t.Errorf("LISTEN_PID %s, want the worker's own %s (not spark2's 42)", f["listen_pid"], f["pid"])
			}
			if f["worker_id"] != "0" && f["worker_id"] != "1" {
				t.Errorf("SPARK2_WORKER_ID %q", f["worker_id"])
			}
		}
	})
}
