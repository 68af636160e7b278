package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/status"
)

const (
	statusWriteFailed = "cannot write the status file"
	statusWriteAgain  = "writing the status file again"
)

// TestReliabilityStatusDirFullThenReadOnly: the status directory is a 64 KiB
// tmpfs, first filled up, then remounted read-only. Each time spark2 keeps
// serving, logs one clear error (not one per heartbeat) and writes the
// status again once the directory is writable again.
func TestReliabilityStatusDirFullThenReadOnly(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("mounting a tmpfs for the status directory needs root (CI runs as root)")
	}
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", dir)
	t.Cleanup(func() { // after spark2 is gone: its cleanup was registered later
		if err := exec.Command("umount", dir).Run(); err != nil {
			exec.Command("umount", "-l", dir).Run()
		}
	})
	env := []string{"SPARK2_STATUS_FILE=" + filepath.Join(dir, "status.json"), "SPARK2_STALE_AFTER=1s"}
	m := run(t, plain, env, append([]string{"-p", "0", "--ready", "notify"}, helper("http", "notify")...)...)
	_, port := m.readyHTTP(1)
	url := "http://127.0.0.1:" + port + "/"
	within(t, 30*time.Second, "the ready probe passes", func() bool { c, _ := probe(t, env, status.Ready); return c == 0 })
	window := shortOrSoak(3*time.Second, 30*time.Second)

	// Full. A write of the status file in flight holds a page until its
	// rename frees the old file's, so topping up once the error is seen
	// takes that page too.
	filler := filepath.Join(dir, "filler")
	within(t, 30*time.Second, "spark2 fails to write to the full directory", func() bool {
		fill(t, filler)
		return m.logCount(statusWriteFailed) > 0
	})
	fill(t, filler)
	m.keepsServing(url, window)
	code, out := probe(t, env, status.Ready)
	live, liveOut := probe(t, env, status.Live) // a serving master that cannot write looks hung
	t.Logf("full for %v: %d error line(s); --probe ready: %d %q; --probe live: %d %q", window, m.logCount(statusWriteFailed), code, out, live, liveOut)
	if n := m.logCount(statusWriteFailed); n != 1 || code != status.Unhealthy {
		t.Fatalf("full directory: %d error lines (want 1), probe %d (want 1); stderr:\n%s", n, code, tail(m.Stderr(), 20))
	}
	os.Remove(filler)
	m.writesStatusAgain(env, 1)

	// Read-only. A write in flight (a file open for writing) makes the
	// remount fail with EBUSY: try again.
	within(t, 30*time.Second, "the remount read-only", func() bool {
		return exec.Command("mount", "-o", "remount,ro", dir).Run() == nil
	})
	within(t, 30*time.Second, "spark2 fails to write to the read-only directory", func() bool { return m.logCount(statusWriteFailed) == 2 })
	m.keepsServing(url, window)
	if n := m.logCount(statusWriteFailed); n != 2 {
		t.Fatalf("read-only directory: %d more error lines over %v, want 1; stderr:\n%s", n-1, window, tail(m.Stderr(), 20))
	}
	mustRun(t, "mount", "-o", "remount,rw", dir)
	m.writesStatusAgain(env, 2)
	t.Logf("the log:\n%s", grepLines(m.Stderr(), "status file"))
}

// fill writes zeros to path until the file system is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	for i := 0; i < 1<<10; i++ { // 4 MiB at most: the tmpfs holds 64 KiB
		if _, err := f.Write(page); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", path, err)
			}
			return
		}
	}
	t.Fatalf("%s is not full after 4 MiB", path)
}

// keepsServing checks that every request of a slow trickle answers during d.
func (m *master) keepsServing(url string, d time.Duration) {
	m.t.Helper()
	c, n := httpClient(), 0
	for end := time.Now().Add(d); time.Now().Before(end); n++ {
		if _, err := get(c, url); err != nil {
			m.t.Fatalf("request %d failed: %v", n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writesStatusAgain waits until spark2 has said it writes the status file
// again for the n-th time and the ready probe passes on a fresh heartbeat.
func (m *master) writesStatusAgain(env []string, n int) {
	m.t.Helper()
	within(m.t, 30*time.Second, "spark2 writes the status file again", func() bool {
		c, _ := probe(m.t, env, status.Ready)
		return c == status.Healthy && m.logCount(statusWriteAgain) == n
	})
}

func mustRun(t *testing.T, argv ...string) {
	t.Helper()
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out)
	}
}
