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
	Workers     workersValue  `arg:"-n,--workers,env:SPARK2_WORKERS" default:"1" placeholder:"N|auto" help:"number of workers; auto = the CPUs available to the container (affinity and cgroup quota)"`
	Restart     restartValue  `arg:"--restart,env:SPARK2_RESTART" default:"always" placeholder:"always|on-failure|no" help:"respawn policy for a worker that has ended"`
	StopTimeout durationValue `arg:"--stop-timeout,env:SPARK2_STOP_TIMEOUT" default:"8s" placeholder:"DURATION" help:"grace between TERM and KILL for each worker: \"5s\", \"1500ms\" or seconds (\"5\"); above 0, at most 1h"`
	AccessLog   pathValue     `arg:"--accesslog,env:SPARK2_ACCESSLOG" default:"none" placeholder:"PATH" help:"file that receives workers' stdout (none: spark2's stdout)"`
	Chdir       pathValue     `arg:"-C,--chdir,env:SPARK2_CHDIR" default:"none" placeholder:"DIR" help:"existing directory to work in, for spark2 and its workers (none: unchanged)"`
	Config      pathValue     `arg:"-c,--config,env:SPARK2_CONFIG" default:"./spark2.json if present" placeholder:"FILE" help:"JSON config file; relative to the working directory; the default is looked up in the -C directory"`
	Env         envValue      `arg:"-E,--env,env:SPARK2_ENV" default:"development" placeholder:"NAME" help:"environment name, exported to workers as NODE_ENV and SPARK2_ENV; env NODE_ENV is read when SPARK2_ENV is unset"`
	Mode        envValue      `arg:"-M,--mode" alias:"env" placeholder:"NAME" help:"alias of -E/--env"`
	Set         []assignment  `arg:"--set,env:SPARK2_SET" placeholder:"KEY=VALUE" help:"variable exported to every worker (none by default); repeatable; the env var is a comma-separated list"`
	Comment     textValue     `arg:"--comment,env:SPARK2_COMMENT" default:"none" placeholder:"TEXT" help:"label shown in ps and htop"`
	Verbose     bool          `arg:"-v,--verbose,env:SPARK2_VERBOSE" default:"false" help:"log at debug level (the more verbose of this and --log-level wins)"`
	NoColor     bool          `arg:"-K,--no-color,env:SPARK2_NO_COLOR" default:"false" help:"no ANSI colours in spark2's logs; env NO_COLOR (non-empty) does the same"`
	LogFormat   formatValue   `arg:"--log-format,env:SPARK2_LOG_FORMAT" default:"text" placeholder:"text|json" help:"format of spark2's own log lines"`
	LogLevel    levelValue    `arg:"--log-level,env:SPARK2_LOG_LEVEL" default:"info" placeholder:"LEVEL" help:"trace, debug, info, warn or error"`
	Version     bool          `arg:"-V,--version" help:"print the version and exit"`
}

// defaultNone is the default tag of an option that is unset unless given:
// shown in --help, never parsed as a value. go-arg allows no default tag on a
// list, so --set says "none by default" in its help instead. The default tag
// of -c/--config describes the lookup of ./spark2.json and is not a value
// either.
const defaultNone = "none"

// Keys of options the table treats specially.
const (
	keyEnv      = "env"      // -E: selects the config file's environment section
	keyChdir    = "chdir"    // -C: where the default config file is looked up
	keyConfig   = "config"   // -c: the config file itself
	keyNoColor  = "no-color" // -K: also set by env NO_COLOR
	keyVersion  = "version"  // -V: an action, not a setting
	keyHelp     = "help"     // -h: go-arg's built-in, an action
	keySections = "environments"
)

// fallbackEnv maps an option to the foreign env var read when its own
// SPARK2_* var is unset. An empty fallback counts as unset.
var fallbackEnv = map[string]string{
	keyEnv:     "NODE_ENV",
	keyNoColor: "NO_COLOR", // no-color.org: any non-empty value means no colour
}

// fileOnlyCommandLine are option keys a config file may not set, with why.
var fileOnlyCommandLine = map[string]string{
	keyConfig:  "a config file cannot name a config file; use -c/--config or SPARK2_CONFIG",
	keyVersion: "it is a command-line action (-V/--version)",
	keyHelp:    "it is a command-line action (-h/--help)",
}
