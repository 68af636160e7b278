package config

import (
	"path/filepath"
)

// Version is spark2's version, printed by -V/--version. It is set at build
// time with -ldflags "-X github.com/spark2/spark2/internal/config.Version=...";
// "dev" when it was not.
var Version = "dev"

// Action is what the app does with a Result.
type Action int

// The actions of Parse. The zero value is ActionRun.
const (
	ActionRun     Action = iota // start the master with Result.Config
	ActionHelp                  // print Result.Help to stdout and exit 0
	ActionVersion               // print "spark2 <Version>" to stdout and exit 0
	ActionStatus                // --status or --probe: report on the running master (Config.StatusJSON, ExitCode, Probe say how)
	ActionRespawn               // -R/--respawn: make the running master replace every worker
	ActionKill                  // --kill: stop the running master and wait until it is gone
)

// Result is the outcome of Parse.
type Result struct {
	Config Config // the configuration; set for ActionRun, and for the control actions (ActionStatus, ActionRespawn, ActionKill) to find the master by
	Action Action // what the command line asks for
	Help   string // the full help text, ending in a newline; set only for ActionHelp
}

// Parse resolves the configuration of one run from args (the arguments
// without the program name), the env vars that lookupEnv reads (the shape of
// os.LookupEnv) and the config file, as the package doc describes. cwd is the
// working directory against which relative -C and -c paths resolve and where
// ./spark2.json is looked up unless -C/SPARK2_CHDIR is given; if it is not
// absolute it is made so against the process's working directory. A nil
// lookupEnv means no env vars are set.
//
// -h/--help among the options gives ActionHelp and -V/--version gives
// ActionVersion (help first), whatever else the options, env vars and config
// file hold, since neither is read then; an unknown option or a missing
// value before them is still an error. Otherwise Parse returns the Config,
// resolved from every layer as for a run, with ActionStatus for --status or
// --probe, ActionRespawn for -R/--respawn, ActionKill for --kill (the package
// doc gives their rules; Config.Force is false then), or else ActionRun; or
// a *UsageError for the first invalid input it finds. Any other error means
// the options struct is broken, a bug.
func Parse(args []string, lookupEnv func(string) (string, bool), cwd string) (Result, error) {
	return thisMachine.parse(args, lookupEnv, cwd, nil)
}

// ParseWaiting is Parse that calls beforeFile, if not nil, just before it
// opens the config file, and only then: opening one can block (a FIFO that
// nobody writes yet, a slow network mount), and spark2 waits there until it
// is subscribed to the signals that would end it, so that a TERM that comes
// meanwhile stops it cleanly. Without a config file it is not called.
func ParseWaiting(args []string, lookupEnv func(string) (string, bool), cwd string, beforeFile func()) (Result, error) {
	return thisMachine.parse(args, lookupEnv, cwd, beforeFile)
}

// Usage returns the short usage line, without a newline:
// "Usage: spark2 [OPTIONS] [--] [COMMAND [ARG...]]".
func Usage() string { return "Usage: spark2 [OPTIONS] [--] [COMMAND [ARG...]]" }

// parse is Parse on machine m.
func (m machine) parse(args []string, lookupEnv func(string) (string, bool), cwd string, beforeFile func()) (Result, error) {
	t, err := loadTable()
	if err != nil {
		return Result{}, err
	}
	cl, err := split(t, args)
	switch {
	case cl.help:
		help, err := helpText()
		return Result{Action: ActionHelp, Help: help}, err
	case err != nil:
		return Result{}, err
	case cl.version:
		return Result{Action: ActionVersion}, nil
	}
	if cwd, err = filepath.Abs(cwd); err != nil {
		return Result{}, err
	}
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	env, err := envLayer(t, lookupEnv)
	if err != nil {
		return Result{}, err
	}
	file, doc, err := readFile(t, cwd, cl.flags, env, beforeFile)
	if err != nil {
		return Result{}, err
	}
	name := ""
	if s, ok := highest(keyEnv, cl.flags, env, doc.top); ok {
		name = s.text
	} else {
		name = t.byLong[keyEnv].def
	}
	o, won, err := overlay(defaultLayer(t), impliedWatch(t, doc.top), impliedWatch(t, doc.sections[name]),
		impliedWatch(t, env), impliedWatch(t, cl.flags))
	if err != nil {
		return Result{}, err
	}
	act, err := controlAction(o, won, cl.command)
	if err != nil {
		return Result{}, err
	}
	c, err := m.resolve(t, o, won, cwd)
	if err != nil {
		return Result{}, err
	}
	c.Command, c.ConfigFile = cl.command, file.abs
	if act != ActionRun {
		c.Force = false
	}
	return Result{Action: act, Config: c}, nil
}

// readFile locates and loads the config file, if there is one; -C and -c
// count only from the flags and the env vars.
func readFile(t *table, cwd string, flags, env []setting, beforeFile func()) (configFile, fileLayers, error) {
	chdir, hasChdir := highest(keyChdir, flags, env)
	var chdirAbs string
	if hasChdir {
		var err error
		if chdirAbs, err = resolveChdir(cwd, chdir); err != nil {
			return configFile{}, fileLayers{}, err
		}
	}
	file, err := locateFile(cwd, chdir, chdirAbs, flags, env)
	if err != nil || file.abs == "" {
		return file, fileLayers{}, err
	}
	if beforeFile != nil {
		beforeFile()
	}
	doc, err := loadFile(t, file)
	return file, doc, err
}
