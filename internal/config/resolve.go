package config

import (
	"slices"
	"time"
)

// resolve turns overlaid options into a Config: "auto" workers become the
// CPUs available to the container (at most maxWorkers), -v lowers the log
// level to debug unless it is already trace, --accesslog is made absolute
// against cwd, and -C is checked to be a directory and made absolute; won
// names the winning source of each option for messages.
func (m machine) resolve(o *options, won map[string]source, cwd string) (Config, error) {
	c := Config{
		Workers:     o.Workers.n,
		Restart:     Restart(o.Restart),
		StopTimeout: time.Duration(o.StopTimeout),
		Env:         string(o.Env),
		Comment:     string(o.Comment),
		LogFormat:   string(o.LogFormat),
		LogLevel:    string(o.LogLevel),
		NoColor:     o.NoColor,
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
	if o.AccessLog != "" {
		c.AccessLog = absPath(cwd, string(o.AccessLog))
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

// moreVerbose returns the more verbose of two log levels of logLevels.
func moreVerbose(a, b string) string {
	if slices.Index(logLevels, b) < slices.Index(logLevels, a) {
		return b
	}
	return a
}
