package reap

import (
	"os"
	"testing"
	"time"

	reaper "github.com/ramr/go-reaper"

	"github.com/spark2/spark2/internal/procfs"
)

// TestPassReapsAChildThatEndedBeforeAnyone: a child that ended with nobody
// waiting (a SIGCHLD before go-reaper subscribed) is reaped by the pass, with
// its real status (issue 10 item 18).
func TestPassReapsAChildThatEndedBeforeAnyone(t *testing.T) {
	p, err := os.StartProcess("/bin/sh", []string{"sh", "-c", "exit 7"}, &os.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := procfs.ReadStat(p.Pid)
		if err != nil {
			t.Fatalf("child %d: %v", p.Pid, err)
		}
		if st.State == 'Z' {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %d never ended", p.Pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
	statuses := make(chan reaper.Status, 16)
	Pass(statuses)
	select {
	case st := <-statuses:
		if st.Pid != p.Pid || st.WaitStatus.ExitStatus() != 7 {
			t.Fatalf("got pid %d status %v, want pid %d exit 7", st.Pid, st.WaitStatus, p.Pid)
		}
	default:
		t.Fatal("the pass reaped nothing")
	}
	if _, err := procfs.ReadStat(p.Pid); err == nil {
		t.Fatalf("pid %d is still there", p.Pid)
	}
	Pass(statuses) // nothing left: returns at once
	if len(statuses) != 0 {
		t.Fatal("a second pass found something")
	}
}
