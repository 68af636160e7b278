package launch

import (
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/procfs"
)

// fdReports are a worker's reports on channels; ended is closed when the
// launcher's goroutine has nothing more to report (its ready fd closed).
type fdReports struct {
	execs, readies, pings chan int
}

func newFDReports() (*fdReports, Reports) {
	f := &fdReports{execs: make(chan int, 1), readies: make(chan int, 1), pings: make(chan int, 100)}
	return f, Reports{
		Exec:  func(pid int, err error) { f.execs <- pid },
		Ready: func(pid int) { f.readies <- pid },
		Ping:  func(pid int) { f.pings <- pid },
	}
}

// TestReadyPings: with ReadyPings, the exec is reported first, then the
// first write to the ready fd is "ready", and each later one a ping; without
// it, there are no pings. The worker stops itself after each write, and the
// test lets it go on (SIGCONT) once that write was reported.
func TestReadyPings(t *testing.T) {
	self, _ := os.Executable()
	f, r := newFDReports()
	p, err := Start(Spec{Self: self, Env: []string{"PATH=/usr/bin:/bin"}, ReadyFD: true, ReadyPings: true, Report: r,
		Command: []string{"sh", "-c", `fd=$SPARK2_READY_FD; for i in 0 1 2 3; do echo >&$fd; kill -STOP $$; done`}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stdout.Close()
	defer p.Stderr.Close()
	if p.PidFD >= 0 {
		defer unix.Close(p.PidFD)
	}
	if pid := <-f.execs; pid != p.Pid {
		t.Fatalf("exec reported for pid %d, want %d", pid, p.Pid)
	}
	if pid := <-f.readies; pid != p.Pid {
		t.Fatalf("ready reported for pid %d, want %d", pid, p.Pid)
	}
	for i := 1; i <= 3; i++ {
		waitStopped(t, p.Pid)
		if err := unix.Kill(p.Pid, unix.SIGCONT); err != nil {
			t.Fatal(err)
		}
		select {
		case pid := <-f.pings:
			if pid != p.Pid {
				t.Fatalf("ping %d for pid %d, want %d", i, pid, p.Pid)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("ping %d not reported", i)
		}
	}
	waitStopped(t, p.Pid)
	unix.Kill(p.Pid, unix.SIGCONT)
	wait4(t, p.Pid)
}

// waitStopped polls until pid is stopped (a CONT sent earlier would be lost).
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if st, err := procfs.ReadStat(pid); err == nil && st.State == 'T' {
			return
		}
	}
	t.Fatalf("pid %d did not stop itself", pid)
}

func TestNoPingsWithoutReadyPings(t *testing.T) {
	self, _ := os.Executable()
	f, r := newFDReports()
	p, err := Start(Spec{Self: self, Env: []string{"PATH=/usr/bin:/bin"}, ReadyFD: true, Report: r,
		Command: []string{"sh", "-c", `echo >&$SPARK2_READY_FD; echo >&$SPARK2_READY_FD`}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stdout.Close()
	defer p.Stderr.Close()
	if p.PidFD >= 0 {
		defer unix.Close(p.PidFD)
	}
	<-f.execs
	if pid := <-f.readies; pid != p.Pid {
		t.Fatalf("ready reported for pid %d, want %d", pid, p.Pid)
	}
	wait4(t, p.Pid)
	select {
	case <-f.pings:
		t.Fatal("a ping without ReadyPings")
	default:
	}
}

func wait4(t *testing.T, pid int) {
	t.Helper()
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
}
