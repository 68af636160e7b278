package config

import (
	"slices"
	"syscall"
	"time"
)

// resolve turns overlaid options into a Config: "auto" workers become the
// CPUs available to the container (at most maxWorkers), -v lowers the log
// level to debug unless it is already trace, --accesslog, --ssl-key and
// --ssl-crt are made absolute against cwd, and -C and each -I are checked to
// be directories and made absolute; the options of the listening socket are
// checked together (checkSocket), and so are --status-file and --pidfile
// (checkStatusFiles), and -g needs -u (checkIdentity); each --watch-path is checked to exist and made
// absolute. won names the winning source of each option for messages.
func (m machine) resolve(t *table, o *options, won map[string]source, cwd string) (Config, error) {
	if err := checkSocket(t, o, won); err != nil {
		return Config{}, err
	}
	if err := checkStatusFiles(t, o, won); err != nil {
		return Config{}, err
	}
	if err := checkIdentity(t, o, won); err != nil {
		return Config{}, err
	}
	if err := checkReady(t, o, won); err != nil {
		return Config{}, err
	}
	c := Config{
		Workers:      o.Workers.n,
		Restart:      Restart(o.Restart),
		StopTimeout:  time.Duration(o.StopTimeout),
		StopSignal:   syscall.Signal(o.StopSignal),
		Env:          string(o.Env),
		Comment:      string(o.Comment),
		LogFormat:    string(o.LogFormat),
		LogLevel:     string(o.LogLevel),
		NoColor:      o.NoColor,
		Port:         int(o.Port),
		Host:         string(o.Host),
		Balance:      Balance(o.Balance),
		NoListen:     o.NoListen,
		SSLKey:       absPathOrNone(cwd, string(o.SSLKey)),
		SSLCrt:       absPathOrNone(cwd, string(o.SSLCrt)),
		AccessLog:    absPathOrNone(cwd, string(o.AccessLog)),
		User:         string(o.User),
		Group:        string(o.Group),
		Eval:         string(o.Eval),
		Debug:        o.Debug,
		ReadyNotify:  o.Ready.notify,
		ReadyFD:      o.Ready.fd,
		ReadyDelay:   o.Ready.delay,
		ReadyGiven:   given(won, keyReady),
		ReadyTimeout: time.Duration(o.ReadyTimeout),
		Watchdog:     time.Duration(o.Watchdog),
		MaxLifetime:  time.Duration(o.MaxLifetime),
		MaxMemory:    uint64(o.MaxMemory),
		StatusJSON:   o.JSON,
		ExitCode:     o.ExitCode || o.Probe != "",
		Probe:        string(o.Probe),
		StaleAfter:   time.Duration(o.StaleAfter),
		StatusFile:   string(o.StatusFile),
		PidFile:      string(o.PidFile),
		Force:        o.Force,
		Watch:        o.Watch,
		WatchPoll:    time.Duration(o.WatchPoll),
	}
	if o.Workers.auto {
		c.Workers = min(max(m.cpus(), 1), maxWorkers)
	}
	if o.Verbose {
		c.LogLevel = moreVerbose(c.LogLevel, "debug")
	}
	for _, a := range o.Set {
		c.Set = append(c.Set, string(a))
	}
	for _, g := range o.WatchIgnore {
		c.WatchIgnore = append(c.WatchIgnore, string(g))
	}
	for _, p := range o.WatchPath {
		abs, err := resolveExisting(cwd, string(p), won[keyWatchPath])
		if err != nil {
			return Config{}, err
		}
		c.WatchPaths = append(c.WatchPaths, abs)
	}
	for _, p := range o.Include {
		dir, err := resolveDir(cwd, string(p), won[keyInclude])
		if err != nil {
			return Config{}, err
		}
		c.Include = append(c.Include, dir)
	}
	if o.Chdir != "" {
		dir, err := resolveDir(cwd, string(o.Chdir), won[keyChdir])
		if err != nil {
			return Config{}, err
		}
		c.Chdir = dir
	}
	return c, nil
}

// resolveChdir checks the -C setting s (from a flag or env var) and returns
// its directory, absolute.
func resolveChdir(cwd string, s setting) (string, error) {
	var p pathValue
	if err := p.UnmarshalText([]byte(s.text)); err != nil {
		return "", s.src.invalid(s.text, err)
	}
	return resolveDir(cwd, s.text, s.src)
}

// absPathOrNone is absPath, except that "" (none) stays "".
func absPathOrNone(cwd, p string) string {
	if p == "" {
		return ""
	}
	return absPath(cwd, p)
}

// moreVerbose returns the more verbose of two log levels of logLevels.
func moreVerbose(a, b string) string {
	if slices.Index(logLevels, b) < slices.Index(logLevels, a) {
		return b
	}
	return a
}
