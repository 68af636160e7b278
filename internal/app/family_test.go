package app

import (
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/supervisor"
)

// fresh forgets v's last walk and memory readings.
func (v *procView) fresh() { v.mu.Lock(); v.tab, v.rss = nil, nil; v.mu.Unlock() }

// TestFamilyFindsGroupAndEscapeesAfterTheLeaderIsGone: the group member and
// the descendant that setsid'd away are found from the leader while it runs,
// and, once it is reaped, from the group id and what was seen before.
func TestFamilyFindsGroupAndEscapeesAfterTheLeaderIsGone(t *testing.T) {
	procs := newProcView()
	c := exec.Command("/bin/sh", "-c", "setsid sleep 101 & sleep 102 & wait")
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	st, err := procfs.ReadStat(c.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	leader := supervisor.ProcRef{Pid: c.Process.Pid, StartTime: st.StartTime}
	var fam []supervisor.ProcRef
	deadline := time.Now().Add(20 * time.Second)
	// Until both sleeps run and the setsid one has left the group (sh
	// forks it before setsid runs in it).
	for len(fam) != 2 || fam[0].InGroup == fam[1].InGroup {
		if time.Now().After(deadline) {
			t.Fatalf("family of %d: %+v, want two sleeps, one in the group and one out of it", leader.Pid, fam)
		}
		time.Sleep(10 * time.Millisecond)
		procs.fresh()
		fam = procs.family(leader, nil, supervisor.Lookup{})
	}
	defer func() {
		for _, m := range fam {
			syscall.Kill(m.Pid, syscall.SIGKILL)
		}
	}()
	c.Process.Kill()
	c.Wait() // the leader is reaped; its children are re-parented
	procs.fresh()
	after := procs.family(leader, fam, supervisor.Lookup{})
	if len(after) != 2 {
		t.Fatalf("after the leader: %+v, want both sleeps still found (%+v)", after, fam)
	}
	procs.fresh()
	if lost := procs.family(leader, nil, supervisor.Lookup{}); len(lost) != 1 || !lost[0].InGroup {
		t.Fatalf("without what was seen before: %+v, want only the group member", lost)
	}
}

// TestPidfdTellsTheWorkersOwnExit: Ended is false while the process runs
// and true once it has ended, reaped or not; no pidfd (-1) gives neither.
func TestPidfdTellsTheWorkersOwnExit(t *testing.T) {
	if e, r := pidfdEnded(-1); e != nil || r != nil {
		t.Fatal("Ended and Release without a pidfd")
	}
	fd := -1
	c := exec.Command("sleep", "100")
	c.SysProcAttr = &syscall.SysProcAttr{PidFD: &fd}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if fd < 0 {
		t.Fatal("clone gave no pidfd")
	}
	ended, release := pidfdEnded(fd)
	defer release()
	if ended() {
		t.Fatal("Ended while the process runs")
	}
	c.Process.Kill()
	for deadline := time.Now().Add(10 * time.Second); !ended(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("not Ended 10 s after SIGKILL, before the reap")
		}
	}
	c.Wait()
	if !ended() {
		t.Fatal("not Ended after the process was reaped")
	}
}
