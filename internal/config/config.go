package config

import (
	"syscall"
	"time"
)

// Restart is the respawn policy for a worker that has ended, in docker's words.
type Restart string

// The accepted values of --restart / SPARK2_RESTART.
const (
	RestartAlways    Restart = "always"     // respawn whatever the exit status
	RestartOnFailure Restart = "on-failure" // respawn only after a non-zero exit or a signal
	RestartNo        Restart = "no"         // never respawn
)

// Config is the resolved, validated configuration of one spark2 run: every layer
// (flag > env var > config file environment section > config file top level >
// default) has been applied. The zero value is not valid; Parse returns one.
type Config struct {
	Command      []string       // COMMAND and its arguments; empty means "run the node app in Chdir"
	Workers      int            // number of worker slots, >= 1 ("auto" already resolved)
	Restart      Restart        // respawn policy
	StopTimeout  time.Duration  // TERM-to-KILL grace for each worker, > 0
	StopSignal   syscall.Signal // asks a worker to stop gracefully; default SIGTERM; never STOP, TSTP, TTIN, TTOU
	AccessLog    string         // file that receives workers' stdout, absolute; "" means spark2's stdout
	Chdir        string         // working directory for spark2 and its workers, absolute and existing; "" means unchanged
	ConfigFile   string         // the config file that was loaded, absolute; "" when none was
	Env          string         // environment name (-E), exported as SPARK2_ENV and NODE_ENV
	Set          []string       // "KEY=VALUE" pairs exported to workers, in the order given
	Comment      string         // label shown in ps/htop; "" for none
	LogLevel     string         // trace, debug, info, warn or error (-v means debug)
	LogFormat    string         // text or json
	NoColor      bool           // no ANSI colours in spark2's own text logs
	Port         int            // TCP port to listen on, 0..65535 (0: any free port); default 3000
	Host         string         // IPv4 or IPv6 literal to listen on, as given ("::", "0.0.0.0" included); "" means all interfaces ("*")
	Balance      Balance        // BalanceShared (one socket) or BalanceReuseport (one per slot); BalanceShared with NoListen
	NoListen     bool           // workers get no listening socket (queue consumers); no layer gave -p, -H or --ssl-* then, and Port and Host mean nothing
	SSLKey       string         // TLS private key file for node apps, absolute; "" for none, and then SSLCrt is "" too
	SSLCrt       string         // TLS certificate file for node apps, absolute; "" for none, and then SSLKey is "" too
	User         string         // -u as given: a uid 0..4294967294 or a user name, not yet looked up; "" for none
	Group        string         // -g as given: a gid 0..4294967294 or a group name, not yet looked up; "" for none
	Include      []string       // existing directories, absolute, in order, prepended to node workers' NODE_PATH; nil for none
	Eval         string         // JavaScript that each node worker runs before the app; "" for none
	Debug        bool           // node workers get --inspect, each on its own port
	ReadyNotify  bool           // --ready notify or fd: a worker is ready when it says so (NOTIFY_SOCKET READY=1, or with ReadyFD a write to fd SPARK2_READY_FD)
	ReadyFD      bool           // --ready fd: workers get the readiness pipe as one more fd, named by SPARK2_READY_FD (ReadyNotify is true too)
	ReadyDelay   time.Duration  // unless ReadyNotify: a worker that says nothing is ready this long after its start (0: at once), 0..1h; default 1s
	ReadyGiven   bool           // --ready was set by some layer (not the default): without it, the app may pick notify for node apps
	ReadyTimeout time.Duration  // how long a new worker may take to be ready, > 0 and <= 1h; default 30s
	Watchdog     time.Duration  // 0: off; else a ready worker silent on the watchdog protocol this long is hung; 100ms..1h
	MaxLifetime  time.Duration  // 0: off; else a worker this old (less a jitter up to 10 %) is replaced, readiness-gated; 1s..10000h
	MaxMemory    uint64         // 0: off; else bytes of resident memory of a worker's process tree above which it is replaced, readiness-gated; >= 1MiB
	StatusJSON   bool           // --json: ActionStatus prints the status as JSON; false for the other actions
	ExitCode     bool           // --exit-code (or --probe): ActionStatus's exit code tells health; false for the other actions
	Probe        string         // ProbeLive or ProbeReady; "" without --probe (ProbeReady is what a plain --exit-code checks)
	StaleAfter   time.Duration  // a status heartbeat older than this is stale, > 0 and <= 1h; default 5s
	StatusFile   string         // status file, absolute (its directory need not exist); "" means the default location
	PidFile      string         // file for the master's pid, absolute (its directory need not exist); "" for none
	Force        bool           // ActionRun only: stop a master already running (as --kill does), then start; false for the other actions
	Watch        bool           // replace the workers when a watched file changes (--watch, or a --watch-path)
	WatchPaths   []string       // existing files or directories to watch, absolute, in order; nil means the app's directory
	WatchIgnore  []string       // extra path.Match patterns of files that the watch ignores, in order; nil for none
	WatchPoll    time.Duration  // 0: watch with filesystem events; else poll at this interval, 10ms..1m
}
