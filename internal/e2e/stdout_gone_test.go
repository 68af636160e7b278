package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/status"
)

// TestStdoutReaderGoneNeverKillsTheMaster: spark2's stdout is a pipe whose
// reader goes away while the worker (`yes`) writes. The master ignores
// SIGPIPE, so it lives on: its heartbeat stays fresh, it says it lost
// output, and TERM still stops it with exit 0.
func TestStdoutReaderGoneNeverKillsTheMaster(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	env, path := statusEnv(t)
	cmd := exec.Command(spark2Bin, "--stop-timeout", "2s", "-p", "0", "--", "yes")
	cmd.Env = append(cleanEnv(), env...)
	stderr := new(syncBuffer)
	cmd.Stdout, cmd.Stderr = w, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	exited := make(chan error, 1)
	done := make(chan struct{})
	go func() { exited <- cmd.Wait(); close(done) }()
	defer func() {
		select {
		case <-done:
		default:
			cmd.Process.Kill()
			<-done
		}
	}()
	if _, err := r.Read(make([]byte, 64<<10)); err != nil { // output flows
		t.Fatal(err)
	}
	r.Close() // the reader goes away: spark2's next write to stdout gets EPIPE, or SIGPIPE if not ignored
	gone := time.Now()
	within(t, 20*time.Second, "a heartbeat 1.5 s after stdout's reader went away", func() bool {
		f, err := status.Read(path)
		return err == nil && f.State == status.Running && f.Heartbeat.After(gone.Add(1500*time.Millisecond))
	})
	select {
	case err := <-exited:
		t.Fatalf("spark2 ended when its stdout's reader went away: %v\n%s", err, tail(stderr.String(), 10))
	default:
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("TERM: %v, want exit 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("spark2 did not stop on TERM")
	}
	if !strings.Contains(stderr.String(), "lost worker output") && !strings.Contains(stderr.String(), "dropped") {
		t.Errorf("spark2 did not say it lost output:\n%s", tail(stderr.String(), 10))
	}
}

// syncBuffer is a bytes.Buffer that a process writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
