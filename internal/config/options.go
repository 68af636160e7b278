package config

// options is the single source of truth for spark2's options: its go-arg tags
// give each option's spellings, env var, default and help text, and its field
// types say which values are accepted (see value). The help text is rendered
// from it by go-arg; the splitting of the command line, the env var and config
// file layers and the help test all read the same tags through newTable.
//
// Every flag and env var is spelled out in the tag: go-arg's derived names
// are never used. The tag "alias" names the option that a field is another
// spelling of. -h/--help is go-arg's built-in and has no field.
type options struct {
	Workers      workersValue  `arg:"-n,--workers,env:SPARK2_WORKERS" default:"1" placeholder:"N|auto" help:"number of workers; auto = the CPUs available to the container (affinity and cgroup quota)"`
	Restart      restartValue  `arg:"--restart,env:SPARK2_RESTART" default:"always" placeholder:"always|on-failure|no" help:"respawn policy for a worker that has ended"`
	StopTimeout  durationValue `arg:"--stop-timeout,env:SPARK2_STOP_TIMEOUT" default:"8s" placeholder:"DURATION" help:"grace between TERM and KILL for each worker: \"5s\", \"1500ms\" or seconds (\"5\"); above 0, at most 1h"`
	Ready        readyValue    `arg:"--ready,env:SPARK2_READY" default:"1s" placeholder:"notify|DURATION" help:"when a new worker counts as ready: notify (once it sends READY=1 to $NOTIFY_SOCKET or writes a newline to fd $SPARK2_READY_FD), or DURATION (0 to 1h) after its start unless it says so earlier; node apps get notify unless this is given"`
	ReadyTimeout durationValue `arg:"--ready-timeout,env:SPARK2_READY_TIMEOUT" default:"30s" placeholder:"DURATION" help:"how long a new worker may take to be ready; above 0, at most 1h"`
	Port         portValue     `arg:"-p,--port,env:SPARK2_PORT" default:"3000" placeholder:"N" help:"TCP port that spark2 listens on for its workers, 0 to 65535 (0: any free port); env PORT is read when SPARK2_PORT is unset"`
	Host         hostValue     `arg:"-H,--host,env:SPARK2_HOST" default:"*" placeholder:"ADDR" help:"IPv4 or IPv6 address to listen on (*: all interfaces)"`
	NoListen     bool          `arg:"--no-listen,env:SPARK2_NO_LISTEN" default:"false" help:"give workers no listening socket (queue consumers); refuses -p, -H, --ssl-key and --ssl-crt"`
	SSLKey       pathValue     `arg:"--ssl-key,env:SPARK2_SSL_KEY" default:"none" placeholder:"PATH" help:"TLS private key (PEM) for node apps; needs --ssl-crt"`
	SSLCrt       pathValue     `arg:"--ssl-crt,env:SPARK2_SSL_CRT" default:"none" placeholder:"PATH" help:"TLS certificate chain (PEM) for node apps; needs --ssl-key"`
	User         idValue       `arg:"-u,--user,env:SPARK2_USER" default:"none" placeholder:"ID|NAME" help:"user that spark2 and its workers run as once the port is bound: a numeric uid or a name from /etc/passwd (none: unchanged)"`
	Group        idValue       `arg:"-g,--group,env:SPARK2_GROUP" default:"none" placeholder:"ID|NAME" help:"group to run as: a numeric gid or a name from /etc/group (none: the -u user's primary group, else unchanged)"`
	AccessLog    pathValue     `arg:"--accesslog,env:SPARK2_ACCESSLOG" default:"none" placeholder:"PATH" help:"file that receives workers' stdout (none: spark2's stdout)"`
	Chdir        pathValue     `arg:"-C,--chdir,env:SPARK2_CHDIR" default:"none" placeholder:"DIR" help:"existing directory to work in, for spark2 and its workers (none: unchanged)"`
	Config       pathValue     `arg:"-c,--config,env:SPARK2_CONFIG" default:"./spark2.json if present" placeholder:"FILE" help:"JSON config file; relative to the working directory; the default is looked up in the -C directory"`
	Env          envValue      `arg:"-E,--env,env:SPARK2_ENV" default:"development" placeholder:"NAME" help:"environment name, exported to workers as NODE_ENV and SPARK2_ENV; env NODE_ENV is read when SPARK2_ENV is unset"`
	Mode         envValue      `arg:"-M,--mode" alias:"env" placeholder:"NAME" help:"alias of -E/--env"`
	Set          []assignment  `arg:"--set,env:SPARK2_SET" placeholder:"KEY=VALUE" help:"variable exported to every worker (none by default); repeatable; the env var is a comma-separated list"`
	Include      []pathValue   `arg:"-I,--include,env:SPARK2_INCLUDE" placeholder:"DIR" help:"existing directory prepended to node workers' NODE_PATH (none by default); repeatable; the env var is a comma-separated list"`
	Eval         textValue     `arg:"-e,--eval,env:SPARK2_EVAL" default:"none" placeholder:"CODE" help:"JavaScript that each node worker runs before the app"`
	Debug        bool          `arg:"-D,--debug,env:SPARK2_DEBUG" default:"false" help:"run node workers with --inspect, each on its own port"`
	Comment      textValue     `arg:"--comment,env:SPARK2_COMMENT" default:"none" placeholder:"TEXT" help:"label shown in ps and htop"`
	Verbose      bool          `arg:"-v,--verbose,env:SPARK2_VERBOSE" default:"false" help:"log at debug level (the more verbose of this and --log-level wins)"`
	NoColor      bool          `arg:"-K,--no-color,env:SPARK2_NO_COLOR" default:"false" help:"no ANSI colours in spark2's logs; env NO_COLOR (non-empty) does the same"`
	LogFormat    formatValue   `arg:"--log-format,env:SPARK2_LOG_FORMAT" default:"text" placeholder:"text|json" help:"format of spark2's own log lines"`
	LogLevel     levelValue    `arg:"--log-level,env:SPARK2_LOG_LEVEL" default:"info" placeholder:"LEVEL" help:"trace, debug, info, warn or error"`
	Version      bool          `arg:"-V,--version" help:"print the version and exit"`
}

// defaultNone is the default tag of an option that is unset unless given:
// shown in --help, never parsed as a value. go-arg allows no default tag on a
// list, so --set says "none by default" in its help instead. The default tag
// of -c/--config describes the lookup of ./spark2.json and is not a value
// either.
const defaultNone = "none"

// Keys of options the table treats specially.
const (
	keyEnv      = "env"       // -E: selects the config file's environment section
	keyChdir    = "chdir"     // -C: where the default config file is looked up
	keyConfig   = "config"    // -c: the config file itself
	keyNoColor  = "no-color"  // -K: also set by env NO_COLOR
	keyPort     = "port"      // -p: also set by env PORT; refused with --no-listen
	keyHost     = "host"      // -H: refused with --no-listen
	keyNoListen = "no-listen" // refuses the options of the listening socket
	keySSLKey   = "ssl-key"   // refused with --no-listen; needs --ssl-crt
	keySSLCrt   = "ssl-crt"   // refused with --no-listen; needs --ssl-key
	keyInclude  = "include"   // -I: each directory must exist
	keyReady    = "ready"     // Config.ReadyGiven says whether a layer set it
	keyVersion  = "version"   // -V: an action, not a setting
	keyHelp     = "help"      // -h: go-arg's built-in, an action
	keySections = "environments"
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
	keyConfig:  "a config file cannot name a config file; use -c/--config or SPARK2_CONFIG",
	keyVersion: "it is a command-line action (-V/--version)",
	keyHelp:    "it is a command-line action (-h/--help)",
}
