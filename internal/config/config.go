package config

import "time"

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
	Command     []string      // COMMAND and its arguments; empty means "run the node app in Chdir"
	Workers     int           // number of worker slots, >= 1 ("auto" already resolved)
	Restart     Restart       // respawn policy
	StopTimeout time.Duration // TERM-to-KILL grace for each worker, > 0
	AccessLog   string        // file that receives workers' stdout, absolute; "" means spark2's stdout
	Chdir       string        // working directory for spark2 and its workers, absolute and existing; "" means unchanged
	ConfigFile  string        // the config file that was loaded, absolute; "" when none was
	Env         string        // environment name (-E), exported as SPARK2_ENV and NODE_ENV
	Set         []string      // "KEY=VALUE" pairs exported to workers, in the order given
	Comment     string        // label shown in ps/htop; "" for none
	LogLevel    string        // trace, debug, info, warn or error (-v means debug)
	LogFormat   string        // text or json
	NoColor     bool          // no ANSI colours in spark2's own text logs
}
