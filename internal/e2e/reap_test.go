package e2e

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i > 0 && len(b) > i+2 && b[i+2] == 'Z'
}

func TestOrphansAreReaped(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		m := run(t, md, nil, append([]string{"-n", "2"}, helper("orphans", "100")...)...)
		m.line("orphaned 100")
		m.line("orphaned 100")
		// The orphans live 0.2 s; within 3 s every one must have been reaped.
		deadline := time.Now().Add(3 * time.Second)
		for m.zombies() > 0 || len(m.descendants()) > 2 {
			if time.Now().After(deadline) {
				t.Fatalf("after 3 s: %d zombies, %d processes below spark2", m.zombies(), len(m.descendants()))
			}
			time.Sleep(20 * time.Millisecond)
		}
		m.signal(syscall.SIGTERM)
		if code := m.wait(); code != 0 {
			t.Fatalf("exit code %d, want 0", code)
		}
	})
}

func TestWorkerStatusStillRightAmongOrphans(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		script := `i=0; while [ $i -lt 200 ]; do (sleep 0.1 &); i=$((i+1)); done; exit 3`
		m := run(t, md, nil, "--restart", "no", "/bin/sh", "-c", script)
		if code := m.wait(); code != 3 {
			t.Fatalf("exit code %d, want the worker's 3; stderr:\n%s", code, m.Stderr())
		}
	})
}

// zombieThenExec is the helper "zombie-then-exec PROGRAM ARG...": it starts
// a child that exits at once, waits until that child is a zombie (never
// reaping it), prints "zombie pid=N" and execs PROGRAM in its place, which
// so starts as the parent of a zombie whose SIGCHLD came before it existed.
func zombieThenExec(args []string) int {
	pid, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{})
	if err != nil {
		fmt.Println("zombie-then-exec:", err)
		return 1
	}
	for deadline := time.Now().Add(10 * time.Second); !isZombie(pid); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			fmt.Println("zombie-then-exec: the child never ended")
			return 1
		}
	}
	fmt.Printf("zombie pid=%d\n", pid)
	err = syscall.Exec(args[0], args, os.Environ())
	fmt.Println("zombie-then-exec:", err)
	return 1
}

// TestZombieFromBeforeTheStartIsReaped (issue 10 item 18, black-box): spark2
// started (by exec) as the parent of a child that had already ended, whose
// SIGCHLD it so never gets, reaps it once its reaper is up, as PID 1 and as
// a plain process: its first pass does not wait for a SIGCHLD. Nothing else
// ends meanwhile (the worker serves), so without that pass the zombie would
// stay until some other child of spark2 ended.
func TestZombieFromBeforeTheStartIsReaped(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		m := runVia(t, md, helper("zombie-then-exec"), nil, helper("serve")...)
		m.line("zombie pid=")
		m.readyWorkers(1)
		eventually(t, "no zombie below spark2", func() bool { return m.zombies() == 0 })
		m.signal(syscall.SIGTERM)
		if code := m.wait(); code != 0 {
			t.Fatalf("exit %d, want 0; stderr:\n%s", code, m.Stderr())
		}
	})
}
