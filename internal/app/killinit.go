package app

import (
	"fmt"
	"io"
	"time"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/exitcode"
	"github.com/spark2/spark2/internal/status"
)

// killOwnInit is --kill run inside the master's own PID namespace, where
// the master is PID 1 (docker exec, kubectl exec): when PID 1 exits the
// kernel SIGKILLs every other process of the namespace, this one included,
// so it cannot wait for the master to be gone. It sends SIGTERM, says the
// stop was requested, and exits 0 once the status file says the master is
// stopping (or stopped); 1 if it does not say so within the stop wait.
func killOwnInit(c config.Config, f *status.File, m *status.Master, stdout, stderr io.Writer) int {
	uid, _ := masterUID(c) // findMaster has succeeded with the same c
	path, _ := statusPath(c, uid)
	if err := m.Signal(unix.SIGTERM); err != nil {
		fmt.Fprintf(stderr, "spark2: --kill: %v\n", err)
		return exitcode.Failure
	}
	fmt.Fprintf(stdout, "spark2: stop requested of the master (pid 1 of this PID namespace): it stops its workers, then exits, and the kernel ends every process left here, this command included\n")
	deadline := time.Now().Add(stopWait(c, f))
	for time.Now().Before(deadline) {
		if now, err := status.ReadTrusted(path, uid); err == nil && now.Pid == f.Pid && (now.State == status.Stopping || now.State == status.Stopped) {
			fmt.Fprintf(stdout, "spark2: the master (pid 1) is stopping\n")
			return exitcode.OK
		}
		if m.Exited(10 * time.Millisecond) {
			return exitcode.OK
		}
	}
	fmt.Fprintf(stderr, "spark2: --kill: the master (pid 1) got SIGTERM but its status file %s does not say it is stopping after %s; see its log\n", path, stopWait(c, f))
	return exitcode.Failure
}
