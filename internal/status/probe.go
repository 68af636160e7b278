package status

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spark2/spark2/internal/exitcode"
	"github.com/spark2/spark2/internal/procfs"
)

// Probe kinds.
const (
	Live  = "live"  // the master works: alive, heartbeat fresh, not crash-looping
	Ready = "ready" // the master can serve: alive, heartbeat fresh, a ready worker, not stopping
)

// Verdicts of Check: the exit codes of `spark2 --status --exit-code` and
// `spark2 --probe`, defined (and documented) in internal/exitcode.
const (
	Healthy    = exitcode.OK         // the probe passes
	Unhealthy  = exitcode.Unhealthy  // the master runs but fails the probe (stale, no ready worker, ...)
	NotRunning = exitcode.NotRunning // no master: no status file, or its pid is gone or now another process
	Unknown    = exitcode.Unknown    // the status file cannot be read or parsed
)

// Alive reports whether f's master still runs: its pid exists, is not a
// zombie, and started when the file says (a reused pid has another start
// time). A file marked Stopped is not alive.
func (f *File) Alive() bool {
	return f.State != Stopped && procfs.Alive(f.Pid, f.StartTime)
}

// Check applies probe kind (Live or Ready) to f at now, with the heartbeat
// counting as stale after staleAfter, or at once when it is dated after now.
// It returns a verdict and one line that says why.
func Check(f *File, kind string, now time.Time, staleAfter time.Duration) (int, string) {
	if !f.Alive() {
		if f.State == Stopped && f.ExitCode != nil {
			return NotRunning, fmt.Sprintf("not running: the master (pid %d) stopped with exit code %d", f.Pid, *f.ExitCode)
		}
		return NotRunning, fmt.Sprintf("not running: the master (pid %d) is gone", f.Pid)
	}
	if age := now.Sub(f.Heartbeat); age < 0 {
		// The master stamps each heartbeat with the clock that readers use:
		// one dated later than now was not written by it (or the clock was
		// set back, which the next heartbeat, a second later, puts right).
		return Unhealthy, fmt.Sprintf("unhealthy: the heartbeat of the master (pid %d) is dated %s in the future: not a heartbeat of that master", f.Pid, (-age).Round(time.Millisecond))
	} else if age > staleAfter {
		return Unhealthy, fmt.Sprintf("unhealthy: the master (pid %d) is hung: its last heartbeat is %s old (--stale-after %s)", f.Pid, age.Round(time.Millisecond), staleAfter)
	}
	ready := f.ReadyWorkers()
	switch {
	case kind == Live && f.State == CrashLooping:
		return Unhealthy, fmt.Sprintf("unhealthy: the workers are crash-looping (%d restarts)", f.Totals.Restarts)
	case kind == Ready && f.State == Stopping:
		return Unhealthy, "not ready: the master is stopping"
	case kind == Ready && ready == 0:
		return Unhealthy, fmt.Sprintf("not ready: no worker is ready (state %s)", stateName(f.State))
	}
	return Healthy, fmt.Sprintf("%s: %s, %d of %d workers ready", kind, stateName(f.State), ready, f.WorkersWanted)
}

// stateName is state as a reason line shows it: as it is when it is one of
// the States, else quoted, so that a damaged or forged status file cannot
// break the line that a probe prints.
func stateName(state string) string {
	switch state {
	case Starting, Running, Reloading, Degraded, CrashLooping, Stopping, Stopped:
		return state
	}
	return strconv.Quote(state)
}
