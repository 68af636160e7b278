package config

// options is the single source of truth for spark2's options: its go-arg tags
// give each option's spellings, env var, default and help text, and its field
// types say which values are accepted (see value). The help text is rendered
// from it by go-arg; the splitting of the command line, the env var and config
// file layers and the help test all read the same tags through newTable.
//
// go-arg (v1.6.1) renders the help but does not parse: it reads env vars
// with os.LookupEnv only (Parse takes lookupEnv), parses booleans with
// strconv.ParseBool (no yes/no, "t" accepted), takes "-n -3" and
// "--comment=" for a missing value, cannot tell where the options end
// before the COMMAND, gathers no repeated list flag (each --set clears the
// list, or with "separate" every layer's items are appended), keeps no order
// between -E and -M, accepts an empty env var, and wraps each value's error
// in its own words with %v. TestGoArgCannotCarryTheParse pins each of these.
//
// Every flag and env var is spelled out in the tag: go-arg's derived names
// are never used. The tag "alias" names the option that a field is another
// spelling of. -h/--help is go-arg's built-in and has no field. The
// command-line actions (--status, --probe, -R, --kill, -V) and the modifiers
// of --status (--json, --exit-code) have no env var and no default, and a
// config file may not set them (fileOnlyCommandLine).
type options struct {
	Workers      workersValue    `arg:"-n,--workers,env:SPARK2_WORKERS" default:"1" placeholder:"N|auto" help:"number of workers; auto = the CPUs available to the container (affinity and cgroup quota)"`
	Restart      restartValue    `arg:"--restart,env:SPARK2_RESTART" default:"always" placeholder:"always|on-failure|no" help:"respawn policy for a worker that has ended"`
	StopTimeout  durationValue   `arg:"--stop-timeout,env:SPARK2_STOP_TIMEOUT" default:"8s" placeholder:"DURATION" help:"grace between TERM and KILL for each worker: \"5s\", \"1500ms\" or seconds (\"5\"); above 0, at most 1h"`
	StopSignal   stopSignalValue `arg:"--stop-signal,env:SPARK2_STOP_SIGNAL" default:"TERM" placeholder:"SIGNAL" help:"signal that asks a worker to stop gracefully (spark2's stop, rolling respawn, scale-down), followed by CONT: a name with or without SIG (QUIT for nginx, unicorn, php-fpm), RTMIN+N, or a number; not STOP, TSTP, TTIN or TTOU"`
	Ready        readyValue      `arg:"--ready,env:SPARK2_READY" default:"1s" placeholder:"notify|fd|DURATION" help:"when a new worker counts as ready: notify (once it sends READY=1 to $NOTIFY_SOCKET), fd (notify, or once it writes to fd $SPARK2_READY_FD, a pipe given only then), or DURATION (0 to 1h) after its start unless it says so earlier; node apps get notify unless this is given"`
	ReadyTimeout durationValue   `arg:"--ready-timeout,env:SPARK2_READY_TIMEOUT" default:"30s" placeholder:"DURATION" help:"how long a new worker may take to be ready; above 0, at most 1h"`
	Watchdog     watchdogValue   `arg:"--watchdog,env:SPARK2_WATCHDOG" default:"0" placeholder:"DURATION" help:"0: off; else a ready worker must send WATCHDOG=1 to $NOTIFY_SOCKET at least this often (systemd's watchdog: workers get WATCHDOG_USEC and WATCHDOG_PID), or it is hung: SIGABRT to its process group, KILL after --stop-timeout, respawn; a duration with a unit, 100ms to 1h"`
	MaxLifetime  lifetimeValue   `arg:"--max-lifetime,env:SPARK2_MAX_LIFETIME" default:"0" placeholder:"DURATION" help:"0: off; else a worker older than this (less a random jitter up to 10 %) is replaced, the new one started and ready before the old one gets the stop signal, one slot at a time; a duration with a unit, 1s to 10000h"`
	MaxMemory    sizeValue       `arg:"--max-memory,env:SPARK2_MAX_MEMORY" default:"0" placeholder:"SIZE" help:"0: off; else a worker whose process tree's resident memory exceeds this (sampled every second) is replaced as --max-lifetime does: 512MiB, 1GiB, 300M (M, G: powers of 1000; MiB, GiB: of 1024), at least 1MiB"`
	Port         portValue       `arg:"-p,--port,env:SPARK2_PORT" default:"3000" placeholder:"N" help:"TCP port that spark2 listens on for its workers, 0 to 65535 (0: any free port); env PORT is read when SPARK2_PORT is unset"`
	Host         hostValue       `arg:"-H,--host,env:SPARK2_HOST" default:"*" placeholder:"ADDR" help:"IPv4 or IPv6 address to listen on (*: all interfaces)"`
	Balance      balanceValue    `arg:"--balance,env:SPARK2_BALANCE" default:"shared" placeholder:"shared|reuseport" help:"how workers share the port: shared = one socket, the first worker waiting takes a connection; reuseport = a socket per worker (SO_REUSEPORT), new connections go to them in turn (at random without CAP_BPF; TTIN up to twice -n)"`
	NoListen     bool            `arg:"--no-listen,env:SPARK2_NO_LISTEN" default:"false" help:"give workers no listening socket (queue consumers); refuses -p, -H, --ssl-key and --ssl-crt"`
	SSLKey       pathValue       `arg:"--ssl-key,env:SPARK2_SSL_KEY" default:"none" placeholder:"PATH" help:"TLS private key (PEM) for node apps; needs --ssl-crt"`
	SSLCrt       pathValue       `arg:"--ssl-crt,env:SPARK2_SSL_CRT" default:"none" placeholder:"PATH" help:"TLS certificate chain (PEM) for node apps; needs --ssl-key"`
	User         idValue         `arg:"-u,--user,env:SPARK2_USER" default:"none" placeholder:"ID|NAME" help:"user that spark2 and its workers run as once the port is bound: a numeric uid or a name from /etc/passwd (none: unchanged)"`
	Group        idValue         `arg:"-g,--group,env:SPARK2_GROUP" default:"none" placeholder:"ID|NAME" help:"group to run as, with -u: a numeric gid or a name from /etc/group (none: the -u user's primary group)"`
	AccessLog    pathValue       `arg:"--accesslog,env:SPARK2_ACCESSLOG" default:"none" placeholder:"PATH" help:"file that receives workers' stdout (none: spark2's stdout)"`
	Chdir        pathValue       `arg:"-C,--chdir,env:SPARK2_CHDIR" default:"none" placeholder:"DIR" help:"existing directory to work in, for spark2 and its workers (none: unchanged)"`
	Config       pathValue       `arg:"-c,--config,env:SPARK2_CONFIG" default:"./spark2.json if present" placeholder:"FILE" help:"JSON config file; relative to the working directory; the default is looked up in the -C directory"`
	Env          envValue        `arg:"-E,--env,env:SPARK2_ENV" default:"development" placeholder:"NAME" help:"environment name, exported to workers as NODE_ENV and SPARK2_ENV; env NODE_ENV is read when SPARK2_ENV is unset"`
	Mode         envValue        `arg:"-M,--mode" alias:"env" placeholder:"NAME" help:"alias of -E/--env"`
	Set          []assignment    `arg:"--set,env:SPARK2_SET" placeholder:"KEY=VALUE" help:"variable exported to every worker (none by default); repeatable; the env var is a comma-separated list"`
	Include      []pathValue     `arg:"-I,--include,env:SPARK2_INCLUDE" placeholder:"DIR" help:"existing directory prepended to node workers' NODE_PATH (none by default); repeatable; the env var is a comma-separated list"`
	Eval         textValue       `arg:"-e,--eval,env:SPARK2_EVAL" default:"none" placeholder:"CODE" help:"JavaScript that each node worker runs before the app"`
	Debug        bool            `arg:"-D,--debug,env:SPARK2_DEBUG" default:"false" help:"run node workers with --inspect, each on its own port"`
	Comment      textValue       `arg:"--comment,env:SPARK2_COMMENT" default:"none" placeholder:"TEXT" help:"label shown in ps and htop"`
	Verbose      bool            `arg:"-v,--verbose,env:SPARK2_VERBOSE" default:"false" help:"log at debug level (the more verbose of this and --log-level wins)"`
	NoColor      bool            `arg:"-K,--no-color,env:SPARK2_NO_COLOR" default:"false" help:"no ANSI colours in spark2's logs; env NO_COLOR (non-empty) does the same"`
	LogFormat    formatValue     `arg:"--log-format,env:SPARK2_LOG_FORMAT" default:"text" placeholder:"text|json" help:"format of spark2's own log lines"`
	LogLevel     levelValue      `arg:"--log-level,env:SPARK2_LOG_LEVEL" default:"info" placeholder:"LEVEL" help:"trace, debug, info, warn or error"`
	Force        bool            `arg:"--force,env:SPARK2_FORCE" default:"false" help:"with a normal run: stop the master already running with the same status file (--kill), then start"`
	StaleAfter   durationValue   `arg:"--stale-after,env:SPARK2_STALE_AFTER" default:"5s" placeholder:"DURATION" help:"age after which the master's status heartbeat is stale (the master is hung); above 0, at most 1h"`
	StatusFile   absPathValue    `arg:"--status-file,env:SPARK2_STATUS_FILE" placeholder:"PATH" help:"status file that the master writes and --status, --respawn and --kill read; an absolute path, whose directory need not exist (default: $XDG_RUNTIME_DIR or $TMPDIR or /tmp, /spark2-<uid>/status-<port>-<hash>.json)"`
	PidFile      absPathValue    `arg:"--pidfile,env:SPARK2_PIDFILE" placeholder:"PATH" help:"file that the master writes its pid to; an absolute path (none by default)"`
	Watch        bool            `arg:"--watch,env:SPARK2_WATCH" default:"false" help:"development: replace the workers (rolling, as SIGCONT) when a watched file changes"`
	WatchPath    []pathValue     `arg:"--watch-path,env:SPARK2_WATCH_PATH" placeholder:"PATH" help:"existing file or directory to watch, implies --watch (none by default: the app's directory); repeatable; the env var is a comma-separated list"`
	WatchIgnore  []globValue     `arg:"--watch-ignore,env:SPARK2_WATCH_IGNORE" placeholder:"GLOB" help:"extra path.Match pattern of files --watch ignores, matched against a file's name and its path under the watched directory (none by default; .git, node_modules and editor swap and backup files are always ignored); repeatable; the env var is a comma-separated list"`
	WatchPoll    pollValue       `arg:"--watch-poll,env:SPARK2_WATCH_POLL" default:"0" placeholder:"DURATION" help:"0: watch with filesystem events; else poll at this interval, 10ms to 1m (for bind mounts that deliver no events)"`
	Status       bool            `arg:"--status" help:"print the running master's status and exit; starts no server"`
	JSON         bool            `arg:"--json" help:"with --status: print the status as JSON"`
	ExitCode     bool            `arg:"--exit-code" help:"with --status: exit 0 if the master can serve (as --probe ready), else non-zero with one line saying why"`
	Probe        probeValue      `arg:"--probe" placeholder:"live|ready" help:"Kubernetes exec probe, implies --status --exit-code: live = the master runs, its heartbeat is fresh and it is not crash-looping (fine through respawns); ready = it can serve, a worker is ready"`
	Respawn      bool            `arg:"-R,--respawn" help:"replace every worker of the running master, one at a time (as SIGCONT), and exit; starts no server"`
	Kill         bool            `arg:"--kill" help:"stop the running master (SIGTERM) and wait until it is gone; starts no server"`
	Version      bool            `arg:"-V,--version" help:"print the version and exit"`
}

// defaultNone is the default tag of an option that is unset unless given:
// shown in --help, never parsed as a value. go-arg allows no default tag on a
// list, so --set says "none by default" in its help instead, and neither
// may it on --status-file and --pidfile, whose values must be absolute
// paths: their help says what they default to. The default tag
// of -c/--config describes the lookup of ./spark2.json and is not a value
// either.
const defaultNone = "none"

// Keys of options the table treats specially.
const (
	keyEnv        = "env"         // -E: selects the config file's environment section
	keyChdir      = "chdir"       // -C: where the default config file is looked up
	keyConfig     = "config"      // -c: the config file itself
	keyNoColor    = "no-color"    // -K: also set by env NO_COLOR
	keyPort       = "port"        // -p: also set by env PORT; refused with --no-listen
	keyHost       = "host"        // -H: refused with --no-listen
	keyNoListen   = "no-listen"   // refuses the options of the listening socket
	keySSLKey     = "ssl-key"     // refused with --no-listen; needs --ssl-crt
	keySSLCrt     = "ssl-crt"     // refused with --no-listen; needs --ssl-key
	keyInclude    = "include"     // -I: each directory must exist
	keyReady      = "ready"       // Config.ReadyGiven says whether a layer set it
	keyForce      = "force"       // refused with the control actions
	keyStatusFile = "status-file" // not an existing directory, not the --pidfile
	keyPidFile    = "pidfile"     // not an existing directory
	keyWatch      = "watch"       // implied by --watch-path in the same layer
	keyWatchPath  = "watch-path"  // each path must exist
	keyStatus     = "status"      // command-line actions and their modifiers (control.go)
	keyJSON       = "json"
	keyExitCode   = "exit-code"
	keyProbe      = "probe"
	keyRespawn    = "respawn"
	keyKill       = "kill"
	keyVersion    = "version" // -V: an action, not a setting
	keyHelp       = "help"    // -h: go-arg's built-in, an action
	keySections   = "environments"
)

// fallbackEnv maps an option to the foreign env var read when its own
// SPARK2_* var is unset. An empty fallback counts as unset.
var fallbackEnv = map[string]string{
	keyEnv:     "NODE_ENV",
	keyPort:    "PORT",     // set by platforms (Heroku, Cloud Run) for the port to serve
	keyNoColor: "NO_COLOR", // no-color.org: any non-empty value means no colour
}

// fileOnlyCommandLine are option keys a config file may not set, with why.
var fileOnlyCommandLine = map[string]string{
	keyConfig:   "a config file cannot name a config file; use -c/--config or SPARK2_CONFIG",
	keyVersion:  "it is a command-line action (-V/--version)",
	keyStatus:   "it is a command-line action (--status)",
	keyProbe:    "it is a command-line action (--probe)",
	keyRespawn:  "it is a command-line action (-R/--respawn)",
	keyKill:     "it is a command-line action (--kill)",
	keyJSON:     "it modifies the command-line action --status",
	keyExitCode: "it modifies the command-line action --status",
	keyHelp:     "it is a command-line action (-h/--help)",
}
