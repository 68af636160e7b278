package reap

import (
	"os"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T, code string) int {
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

func TestOnlyTrackedExitsArriveAndEveryChildIsReaped(t *testing.T) {
	exits, _, _ := Start()
	var orphans []int
	for i := 0; i < 300; i++ {
		orphans = append(orphans, start(t, "0"))
	}
	var worker int
	if err := Track(func() (int, error) { worker = start(t, "3"); return worker, nil }); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		orphans = append(orphans, start(t, "0"))
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
