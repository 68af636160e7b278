package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/status"
)

// TestStalledOutputNeverStopsTheMaster (issue 10 item 5): the worker is
// `yes`, spark2's stdout and stderr both go into a FIFO that nobody reads,
// so every write to them blocks. The master's loop must go on: its heartbeat
// stays fresh, and SIGTERM with --stop-timeout 2s ends spark2 within its
// bounds (stop timeout, 2 s output drain, 1 s log flush) instead of never.
func TestStalledOutputNeverStopsTheMaster(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		fifo := filepath.Join(t.TempDir(), "out")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		// O_RDWR: a reader exists (so spark2's writes block, not fail), and
		// this test never reads.
		r, err := os.OpenFile(fifo, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		env, path := statusEnv(t)
		argv := []string{spark2Bin, "--stop-timeout", "2s", "-p", "0", "--", "yes"}
		if md == pid1 {
			argv = append([]string{"unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "--"}, argv...)
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(cleanEnv(), env...)
		cmd.Stdout, cmd.Stderr = w, w
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		pid := cmd.Process.Pid
		defer func() { // on failure, leave nothing behind
			select {
			case <-exited:
				return
			default:
			}
			all, _ := procfs.All()
			for _, st := range procfs.Descendants(all, cmd.Process.Pid) {
				syscall.Kill(st.Pid, syscall.SIGKILL)
			}
			cmd.Process.Kill()
			<-exited
		}()
		if md == pid1 {
			eventually(t, "unshare starting spark2", func() bool {
				all, _ := procfs.All()
				for _, st := range all {
					if st.PPid == cmd.Process.Pid {
						pid = st.Pid
						return true
					}
				}
				return false
			})
		}
		within(t, 20*time.Second, "the FIFO full (48 KiB waiting)", func() bool { return fifoBytes(t, r) >= 48<<10 })
		full := time.Now()
		within(t, 20*time.Second, "a heartbeat 1.5 s after the output stalled", func() bool {
			f, err := status.Read(path)
			return err == nil && f.Heartbeat.After(full.Add(1500*time.Millisecond))
		})
		syscall.Kill(pid, syscall.SIGTERM) // the master logs "stopping gracefully": its stderr is full
		start := time.Now()
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			t.Fatalf("spark2 still running 20 s after SIGTERM with its output stalled (--stop-timeout 2s)")
		}
		t.Logf("exited %v after SIGTERM with its stdout and stderr stalled (%d bytes waiting); exit code %d",
			time.Since(start).Round(time.Millisecond), fifoBytes(t, r), cmd.ProcessState.ExitCode())
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("exit code %d, want 0 (yes stops on TERM)", code)
		}
		f, err := status.Read(path)
		if err != nil || f.State != status.Stopped {
			t.Errorf("status file after exit: %+v, %v; want state stopped", f, err)
		}
	})
}
