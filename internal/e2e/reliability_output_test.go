package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/status"
)

// TestReliabilitySlowStdoutReader: four workers write 32 MB as fast as they
// can while nobody reads spark2's stdout (a FIFO this test holds), then the
// test reads it slowly for a while, then at full speed. spark2's RSS stays
// under 20 MB throughout: the workers block on their full pipes instead of
// spark2 buffering their output, and the master's loop goes on (the live
// probe passes). Then every line arrives whole, in each
// worker's order (checkLines).
func TestReliabilitySlowStdoutReader(t *testing.T) {
	const n, size, maxRSS = 40000, 200, 20 << 20
	fifo := filepath.Join(t.TempDir(), "stdout")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// O_RDWR: the open never waits for a writer, and reads never see EOF.
	r, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	toFifo := []string{"/bin/sh", "-c", `exec "$0" "$@" >"$E2E_STDOUT_FIFO"`}
	env, _ := statusEnv(t)
	m := runVia(t, plain, toFifo, append(env, "E2E_STDOUT_FIFO="+fifo),
		append([]string{"-n", "4", "--restart", "no"}, helper("lines", strconv.Itoa(n), strconv.Itoa(size))...)...)
	within(t, 20*time.Second, "output waiting in spark2's stdout", func() bool { return fifoBytes(t, r) >= 16<<10 })

	var peak uint64
	var proc procfs.Reader
	sample := func() {
		if st, err := proc.Status(m.pid); err == nil && st.RSS > peak {
			peak = st.RSS
		}
	}
	stalled := shortOrSoak(2*time.Second, 30*time.Second)
	for end := time.Now().Add(stalled); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		sample() // the window: nobody reads
	}
	workers := m.descendants()
	if len(workers) != 4 {
		t.Fatalf("%d workers left after %v without a reader, want all 4 blocked on their pipes", len(workers), stalled)
	}
	if code, out := probe(t, env, status.Live); code != status.Healthy {
		t.Fatalf("the master's loop stalled with its stdout: --probe live %d %q", code, out)
	}
	t.Logf("no reader for %v: 4 workers blocked, %d bytes waiting in spark2's stdout, spark2 RSS peak %d KiB, live probe healthy", stalled, fifoBytes(t, r), peak>>10)

	var out bytes.Buffer
	buf := make([]byte, 4096)
	slow := shortOrSoak(time.Second, 10*time.Second)
	for end := time.Now().Add(slow); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		k, _ := r.Read(buf) // 4 KiB every 10 ms: 400 KB/s, far below the workers' pace
		out.Write(buf[:k])
		sample()
	}
	slowBytes := out.Len()
	r.SetReadDeadline(time.Now().Add(2 * time.Minute))
	big := make([]byte, 1<<20)
	for want := 4 * n * size; out.Len() < want; {
		k, err := r.Read(big)
		if err != nil {
			t.Fatalf("read spark2's stdout after %d of %d bytes: %v", out.Len(), want, err)
		}
		out.Write(big[:k])
		sample()
	}
	if code := m.wait(); code != 0 {
		t.Fatalf("exit code %d, want 0; stderr:\n%s", code, tail(m.Stderr(), 20))
	}
	t.Logf("read %d bytes slowly in %v, then %d at full speed; spark2 RSS peak %d KiB", slowBytes, slow, out.Len()-slowBytes, peak>>10)
	if peak > maxRSS {
		t.Errorf("spark2's RSS reached %d KiB, want under %d KiB", peak>>10, maxRSS>>10)
	}
	checkLines(t, strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"), n, size)
}

// fifoBytes is how many bytes wait in the FIFO f (FIONREAD, alias TIOCINQ).
func fifoBytes(t *testing.T, f *os.File) int {
	t.Helper()
	raw, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	raw.Control(func(fd uintptr) { n, err = unix.IoctlGetInt(int(fd), unix.TIOCINQ) }) // TIOCINQ is FIONREAD
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReliabilityWorkerClosesStdout: a worker closes its stdout early
// (exec 1>&-) and keeps running. spark2 is fine, the worker's stderr still
// arrives, and its exit status is still reported right, in spark2's exit
// code (--restart no), its log and the status file.
func TestReliabilityWorkerClosesStdout(t *testing.T) {
	script := `trap 'echo "got USR2, exiting 3" >&2; exit 3' USR2
echo "before close"
exec 1>&-
echo "stdout closed, still running" >&2
i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
exit 4`
	bothModes(t, func(t *testing.T, md mode) {
		env, path := statusEnv(t)
		m := run(t, md, env, "--restart", "no", "--ready", "100ms", "/bin/sh", "-c", script)
		m.line("before close")
		within(t, 30*time.Second, "the worker's stderr after it closed stdout", func() bool {
			return strings.Contains(m.Stderr(), "stdout closed, still running\n")
		})
		within(t, 30*time.Second, "the worker ready in the status file", func() bool {
			f, err := status.Read(path)
			return err == nil && f.State == status.Running && f.ReadyWorkers() == 1
		})
		if len(m.descendants()) == 0 || !m.alive() {
			t.Fatal("the worker or spark2 is gone")
		}
		m.signal(syscall.SIGUSR2) // forwarded: the worker's trap exits 3
		if code := m.wait(); code != 3 {
			t.Fatalf("exit code %d, want the worker's 3; stderr:\n%s", code, m.Stderr())
		}
		f := readStatus(t, path)
		if !strings.Contains(m.Stderr(), "got USR2, exiting 3\n") || !strings.Contains(m.Stderr(), `status="exited 3"`) ||
			f.ExitCode == nil || *f.ExitCode != 3 || f.Workers[0].LastExit != "exited 3" {
			t.Fatalf("status %+v; stderr:\n%s", f, m.Stderr())
		}
		if strings.Contains(m.Stderr(), "lost worker output") {
			t.Fatalf("spark2 reports lost output:\n%s", m.Stderr())
		}
	})
}
