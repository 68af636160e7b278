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
