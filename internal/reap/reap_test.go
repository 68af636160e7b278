package reap

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/spark2/spark2/internal/procfs"
)

func startChild(t *testing.T, code string) int {
	p, err := os.StartProcess("/bin/sh", []string{"sh", "-c", "exit " + code}, &os.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	return p.Pid
}

// children lists this process's children that still exist, zombies included.
func children(t *testing.T) []string {
	tasks, _ := os.ReadDir("/proc/self/task")
	var all []string
	for _, task := range tasks {
		b, _ := os.ReadFile("/proc/self/task/" + task.Name() + "/children")
		all = append(all, strings.Fields(string(b))...)
	}
	return all
}

// TestAnExitBeforeStartArrives: a worker that ended with nobody waiting (its
// SIGCHLD before the reaper subscribed) is reaped, with its real status
// (issue 10 item 18).
func TestAnExitBeforeStartArrives(t *testing.T) {
	var pid int
	Track(func() (int, error) { pid = startChild(t, "7"); return pid, nil })
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := procfs.ReadStat(pid)
		if err != nil || st.State == 'Z' {
			break // a zombie, or already reaped by a Start of an earlier test
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %d never ended", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
	exits, _, _ := Start()
	select {
	case e := <-exits:
		if e.Pid != pid || e.Status.ExitStatus() != 7 {
			t.Fatalf("got %+v, want pid %d exit 7", e, pid)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the exit never arrived")
	}
}

func TestOnlyTrackedExitsArriveAndEveryChildIsReaped(t *testing.T) {
	exits, _, _ := Start()
	var orphans []int
	for i := 0; i < 300; i++ {
		orphans = append(orphans, startChild(t, "0"))
	}
	var worker int
	if err := Track(func() (int, error) { worker = startChild(t, "3"); return worker, nil }); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		orphans = append(orphans, startChild(t, "0"))
	}
	select {
	case e := <-exits:
		if e.Pid != worker || e.Status.ExitStatus() != 3 {
			t.Fatalf("exit %+v, want pid %d status 3", e, worker)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the tracked exit never arrived")
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(children(t)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("children left unreaped: %v", children(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case e := <-exits:
		t.Fatalf("an untracked exit arrived: %+v", e)
	default:
	}
	if untrack(orphans[0]) || untrack(worker) {
		t.Fatal("a pid is still tracked after its exit")
	}
}

// TestAWorkerStartedWhenNoChildIsLeftArrives: once every child is reaped
// (the reaper then waits for one: wait4 says ECHILD), a tracked worker's
// exit still arrives, and so is an untracked child reaped.
func TestAWorkerStartedWhenNoChildIsLeftArrives(t *testing.T) {
	exits, _, _ := Start()
	deadline := time.Now().Add(30 * time.Second)
	for len(children(t)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("children left unreaped: %v", children(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
	for round := 0; round < 3; round++ {
		var pid int
		Track(func() (int, error) { pid = startChild(t, "5"); return pid, nil })
		select {
		case e := <-exits:
			if e.Pid != pid || e.Status.ExitStatus() != 5 {
				t.Fatalf("round %d: got %+v, want pid %d exit 5", round, e, pid)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: the exit of %d never arrived", round, pid)
		}
	}
	stray := startChild(t, "0")
	for deadline := time.Now().Add(30 * time.Second); len(children(t)) > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("an untracked child (%d) started with no child left is not reaped: %v", stray, children(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOrphanReapedWithinSaysWhenAnOrphanWasTaken: the reaper notes when it
// takes an untracked child, and only then: a tracked worker's exit is not
// an orphan's.
func TestOrphanReapedWithinSaysWhenAnOrphanWasTaken(t *testing.T) {
	exits, _, _ := Start()
	waitNoChild := func() {
		deadline := time.Now().Add(30 * time.Second)
		for len(children(t)) > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("children left unreaped: %v", children(t))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitNoChild()
	lastOrphan.Store(0)
	if OrphanReapedWithin(time.Hour) {
		t.Fatal("no orphan was reaped yet, but OrphanReapedWithin says one was")
	}
	var pid int
	Track(func() (int, error) { pid = startChild(t, "4"); return pid, nil })
	select {
	case e := <-exits:
		if e.Pid != pid {
			t.Fatalf("got %+v, want pid %d", e, pid)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the tracked exit never arrived")
	}
	if OrphanReapedWithin(time.Hour) {
		t.Fatal("a tracked worker's exit counted as an orphan's")
	}
	startChild(t, "0")
	waitNoChild()
	if !OrphanReapedWithin(time.Hour) {
		t.Fatal("an untracked child was reaped, but OrphanReapedWithin(1h) is false")
	}
	time.Sleep(20 * time.Millisecond)
	if OrphanReapedWithin(10 * time.Millisecond) {
		t.Fatal("OrphanReapedWithin(10ms) is true 20 ms after the last orphan")
	}
}

// TestStartSetsSIGCHLDToDefault: once reaping, SIGCHLD's action is SIG_DFL
// (the kernel drops it, wakes no thread), not SIG_IGN (the kernel would
// reap children itself and a worker's status would be lost) nor the Go
// runtime's handler; a tracked child's status still arrives.
func TestStartSetsSIGCHLDToDefault(t *testing.T) {
	exits, _, _ := Start()
	var old [4]uint64
	if _, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(syscall.SIGCHLD), 0, uintptr(unsafe.Pointer(&old)), 8, 0, 0); e != 0 {
		t.Fatalf("rt_sigaction(SIGCHLD): %v", e)
	}
	if old[0] != 0 { // SIG_DFL
		t.Fatalf("SIGCHLD's handler is %#x after Start, want SIG_DFL (0)", old[0])
	}
	var pid int
	Track(func() (int, error) { pid = startChild(t, "6"); return pid, nil })
	select {
	case e := <-exits:
		if e.Pid != pid || e.Status.ExitStatus() != 6 {
			t.Fatalf("got %+v, want pid %d exit 6", e, pid)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the tracked exit never arrived")
	}
}
