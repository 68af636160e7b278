package app

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/status"
)

// fakeMaster starts a shell that plays a running master (TERM ignored unless
// obeyTerm) and writes its status file; it returns the configuration that
// finds it and the process.
func fakeMaster(t *testing.T, obeyTerm bool) (config.Config, *exec.Cmd) {
	t.Helper()
	trap := `trap '' TERM`
	if obeyTerm {
		trap = `trap 'exit 0' TERM`
	}
	cmd := exec.Command("/bin/sh", "-c", trap+"; echo trapped; while :; do sleep 0.05; done")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if l, _ := bufio.NewReader(out).ReadString('\n'); l != "trapped\n" {
		t.Fatalf("the fake master said %q", l)
	}
	st, err := procfs.ReadStat(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "spark2", "status.json")
	d, err := status.OpenDir(path, os.Getuid(), os.Getgid())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f := &status.File{Format: status.Format, Pid: st.Pid, StartTime: st.StartTime, Heartbeat: time.Now(),
		State: status.Running, StopTimeoutMS: 60_000}
	if err := d.Write(f); err != nil {
		t.Fatal(err)
	}
	return config.Config{StatusFile: path, StopTimeout: time.Minute}, cmd
}

// TestForceOutStopsWaitingOnTerm: a TERM during --force's wait ends it at
// once (stopped), with a line naming it; the signals that came before it
// are back on the channel, in order, for the master spark2 would become.
func TestForceOutStopsWaitingOnTerm(t *testing.T) {
	c, old := fakeMaster(t, false)
	signals := make(chan os.Signal, 8)
	signals <- syscall.SIGHUP
	signals <- syscall.SIGUSR2
	go func() {
		time.Sleep(100 * time.Millisecond) // let the wait begin; the result is the same either way
		signals <- syscall.SIGTERM
	}()
	var stderr strings.Builder
	start := time.Now()
	stopped, err := forceOut(c, signals, &stderr)
	if !stopped || err != nil {
		t.Fatalf("forceOut: stopped %v, %v; want stopped", stopped, err)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("forceOut took %v: it waited for the master", took)
	}
	if !strings.Contains(stderr.String(), "SIGTERM while waiting for the master") {
		t.Errorf("stderr %q does not say why it stopped waiting", stderr.String())
	}
	for _, want := range []os.Signal{syscall.SIGHUP, syscall.SIGUSR2} {
		select {
		case got := <-signals:
			if got != want {
				t.Errorf("signal put back: %v, want %v", got, want)
			}
		default:
			t.Errorf("signal %v not put back", want)
		}
	}
	if err := old.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("the master asked to stop is gone: %v; it ignores TERM", err)
	}
}

// TestForceOutWaitsForTheMaster: without a stop signal, --force's wait ends
// when the master has stopped, and a signal that came meanwhile stays on
// the channel.
func TestForceOutWaitsForTheMaster(t *testing.T) {
	c, old := fakeMaster(t, true)
	signals := make(chan os.Signal, 8)
	signals <- syscall.SIGHUP
	var stderr strings.Builder
	stopped, err := forceOut(c, signals, &stderr)
	if stopped || err != nil {
		t.Fatalf("forceOut: stopped %v, %v; want the master stopped and no error", stopped, err)
	}
	if st, err := procfs.ReadStat(old.Process.Pid); err == nil && st.State != 'Z' {
		t.Errorf("forceOut returned with the master still running (state %c)", st.State)
	}
	select {
	case got := <-signals:
		if got != syscall.SIGHUP {
			t.Errorf("signal kept: %v, want SIGHUP", got)
		}
	default:
		t.Errorf("SIGHUP lost: not on the channel after the wait")
	}
}
