package app

// Exit codes of spark2 (the table in README.md, "Exit codes").
const (
	// ExitOK: a graceful stop finished within --stop-timeout, or, with
	// --restart no/on-failure, every worker ended and none failed.
	ExitOK = 0
	// ExitFailure: spark2 itself could not start (its own binary, the reaper).
	ExitFailure = 1
	// ExitUsage: an invalid option, env var or config file; nothing was started.
	ExitUsage = 2
	// ExitPermanentute: COMMAND was found but is not executable (as in a shell).
	ExitPermanentute = 126
	// ExitNotFound: COMMAND was not found (as in a shell).
	ExitNotFound = 127
	// ExitStopKilled: a stop needed SIGKILL at --stop-timeout (128+9, what
	// docker reports for a container it had to kill).
	ExitStopKilled = 137
)

// With --restart no or on-failure, spark2 exits with the code of the first
// worker that failed: its exit status, or 128+N if signal N killed it.
