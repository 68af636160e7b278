package supervisor

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/exitcode"
)

// exitCode turns a wait status into a shell-style exit code: the exit status,
// or 128+N for a process killed by signal N.
func exitCode(st syscall.WaitStatus) int {
	if st.Signaled() {
		return exitcode.SignalBase + int(st.Signal())
	}
	return st.ExitStatus()
}

// describe says how a process ended, for logs: "exited 3" or "killed by SIGKILL".
func describe(st syscall.WaitStatus) string {
	if st.Signaled() {
		return fmt.Sprintf("killed by %s", signalName(st.Signal()))
	}
	return fmt.Sprintf("exited %d", st.ExitStatus())
}

// signalName is the conventional name of s, e.g. SIGTERM.
func signalName(s syscall.Signal) string {
	if name := unix.SignalName(s); name != "" {
		return name
	}
	return fmt.Sprintf("signal %d", int(s))
}
