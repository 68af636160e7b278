package launch

import (
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestReadyPings: with ReadyPings, the first write to the ready fd is
// "ready", and the later ones are pings, until the fd is closed; without
// it, there are no pings.
func TestReadyPings(t *testing.T) {
	self, _ := os.Executable()
	p, err := Start(Spec{Self: self, Env: []string{"PATH=/usr/bin:/bin"}, ReadyFD: true, ReadyPings: true,
		Command: []string{"sh", "-c", `fd=$SPARK2_READY_FD; echo >&$fd; for i in 1 2 3; do sleep 0.1; echo >&$fd; done`}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stdout.Close()
	defer p.Stderr.Close()
	if !<-p.Ready {
		t.Fatal("not ready")
	}
	n := 0
	for open := true; open; {
		select {
		case _, open = <-p.Pings:
			if open {
				n++
			}
		case <-time.After(5 * time.Second):
			t.Fatal("pings not closed when the worker ended")
		}
	}
	if n < 1 || n > 3 {
		t.Errorf("got %d pings, want 1 to 3 (pending ones coalesce)", n)
	}
	wait4(t, p.Pid)
}

func TestNoPingsWithoutReadyPings(t *testing.T) {
	self, _ := os.Executable()
	p, err := Start(Spec{Self: self, Env: []string{"PATH=/usr/bin:/bin"}, ReadyFD: true,
		Command: []string{"sh", "-c", `echo >&$SPARK2_READY_FD`}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stdout.Close()
	defer p.Stderr.Close()
	if !<-p.Ready || p.Pings != nil {
		t.Fatalf("ready and no Pings expected; Pings %v", p.Pings)
	}
	wait4(t, p.Pid)
}

func wait4(t *testing.T, pid int) {
	t.Helper()
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
}
