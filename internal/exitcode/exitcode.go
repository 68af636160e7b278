// Package exitcode is spark2's one table of exit codes: every code the
// spark2 binary exits with, and every code its workers exit with that means
// something to it, is defined here once and referenced by name everywhere
// else (internal/launch's exec stubs and internal/nodeapp's bootstrap.js,
// which cannot import Go, name the constant in a comment). README.md's "Exit
// codes" table and its "Status and probes" section list the same codes; the
// tests of this package hold the README to them.
package exitcode

// Exit codes of spark2 running a server (README.md, "Exit codes").
const (
	// OK: a graceful stop finished within --stop-timeout; or, with --restart
	// no or on-failure, every worker ended and none failed; or a control
	// command (--kill, --respawn, --version, --help) did what it was asked.
	OK = 0
	// Failure: spark2 itself could not start (the port cannot be bound, its
	// own binary cannot be found), or a control command failed.
	Failure = 1
	// Usage: an invalid option, env var, config file, user or group, TLS
	// files; no app and no COMMAND. Nothing was started, and one line on
	// stderr names the input and what is accepted.
	Usage = 2
	// Permanent (EX_CONFIG of sysexits.h) is the code by which a worker says
	// that respawning it cannot help (a node app that exports no server).
	// A worker that exits with it before any worker was ready stops spark2,
	// which then exits with it too; after that it counts as a crash.
	Permanent = 78
	// CannotExecute: COMMAND was found but cannot be executed (as in a
	// shell): a directory, not a regular file, not executable, or exec(2)
	// refused it, E2BIG included (its arguments and environment too long).
	// Checked at start, so no respawn loop.
	CannotExecute = 126
	// NotFound: COMMAND was not found (as in a shell), in the workers' PATH
	// when it has no slash. Checked at start, so no respawn loop.
	NotFound = 127
	// StopKilled: a stop needed SIGKILL at --stop-timeout (128+9, what
	// docker reports for a container it had to kill).
	StopKilled = SignalBase + 9
)

// With --restart no or on-failure, spark2 exits with the code of the first
// worker that failed: its exit status, or SignalBase+N if signal N killed it.
// A control command (--status, --respawn, --kill) that a signal N ends while
// it reads its command line exits SignalBase+N too.
const SignalBase = 128

// Exit codes of the probes, `spark2 --probe live|ready` and `spark2 --status
// --exit-code` (README.md, "Status and probes"), which are also the
// verdicts of internal/status's Check; --respawn and --kill exit NotRunning
// when no master runs and Unknown when its status file is unreadable. A
// probe that passes exits OK.
const (
	// Unhealthy: the master runs but fails the probe (a stale heartbeat, no
	// ready worker, crash-looping, stopping); the line printed says why.
	Unhealthy = 1
	// NotRunning: no master: no status file, or its pid is gone or now
	// another process.
	NotRunning = 3
	// Unknown: the status file cannot be read or parsed, or fails the trust
	// checks (owner, mode, not a link); the line printed says which.
	Unknown = 4
)
