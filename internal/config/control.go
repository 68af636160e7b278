package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/spark2/spark2/internal/status"
)

// The values of --probe, as Config.Probe holds them: the probe kinds of
// package status, which defines them (and what each checks) once.
const (
	ProbeLive  = status.Live  // the master runs, its heartbeat is fresh and it is not crash-looping
	ProbeReady = status.Ready // the master can serve: a worker is ready; what a plain --exit-code checks
)

// probeValue is --probe: ProbeLive or ProbeReady, in any letter case.
type probeValue string

func (*probeValue) accepts() string { return "live or ready" }
func (p *probeValue) UnmarshalText(b []byte) error {
	switch s := strings.ToLower(string(b)); s {
	case ProbeLive, ProbeReady:
		*p = probeValue(s)
		return nil
	}
	return errWant(p)
}

// absPathValue is --status-file and --pidfile: an absolute file name, kept
// cleaned; "/" and names ending in "/" are refused. A relative name is
// refused too: the control commands, run from any directory (docker exec),
// must find the file that the master wrote.
type absPathValue string

func (*absPathValue) accepts() string {
	return "an absolute path of a file, such as /run/spark2/status.json"
}
func (p *absPathValue) UnmarshalText(b []byte) error {
	s := string(b)
	if !filepath.IsAbs(s) || strings.HasSuffix(s, "/") || filepath.Clean(s) == "/" {
		return errWant(p)
	}
	*p = absPathValue(filepath.Clean(s))
	return nil
}

// controlKeys are the command-line actions that act on a running master,
// with the Action of each; --probe is a kind of --status.
var controlKeys = []struct {
	key    string
	action Action
}{{keyStatus, ActionStatus}, {keyProbe, ActionStatus}, {keyRespawn, ActionRespawn}, {keyKill, ActionKill}}

// controlAction returns the action that o asks for: ActionStatus for
// --status or --probe, ActionRespawn, ActionKill, else ActionRun. It checks
// the rules of the control commands, each broken one a *UsageError naming
// both parts: at most one of --status (or --probe), -R/--respawn and --kill;
// --json and --exit-code only with --status or --probe; no --force from the
// command line with any of them (SPARK2_FORCE and the file's "force" are
// ignored then, so that a probe works in a container that sets them); and no
// COMMAND after any of them. These options come from the command line only,
// so won names each as the user spelled it.
func controlAction(o *options, won map[string]source, command []string) (Action, error) {
	set := map[string]bool{keyStatus: o.Status, keyProbe: o.Probe != "", keyRespawn: o.Respawn, keyKill: o.Kill}
	act, by := ActionRun, ""
	for _, k := range controlKeys {
		switch {
		case !set[k.key]:
		case by == "":
			act, by = k.action, won[k.key].flag
		case k.action != act:
			return act, usageErrorf("%s cannot go with %s: spark2 runs one control command at a time; drop one of the two", won[k.key].flag, by)
		}
	}
	for _, m := range []struct {
		key  string
		on   bool
		does string
	}{
		{keyJSON, o.JSON, "it prints the status as JSON"},
		{keyExitCode, o.ExitCode, "it makes the status exit non-zero when the master cannot serve"},
	} {
		if flag := won[m.key].flag; m.on && act != ActionStatus {
			return act, usageErrorf("%s needs --status or --probe: %s; add --status or drop %s", flag, m.does, flag)
		}
	}
	if act == ActionRun {
		return act, nil
	}
	if src, ok := won[keyForce]; ok && o.Force && src.flag != "" && !src.def {
		return act, usageErrorf("%s cannot go with %s: --force is for a normal run (stop the running master, then start); drop one of the two", src.flag, by)
	}
	if len(command) > 0 {
		return act, usageErrorf("%s takes no COMMAND, got %q: it acts on the master already running; drop the COMMAND", by, strings.Join(command, " "))
	}
	return act, nil
}

// checkStatusFiles checks --status-file and --pidfile, when given, against
// the file system: neither may be an existing directory, and they may not
// be the same file.
func checkStatusFiles(t *table, o *options, won map[string]source) error {
	for _, f := range []struct {
		key  string
		path absPathValue
	}{{keyStatusFile, o.StatusFile}, {keyPidFile, o.PidFile}} {
		if f.path == "" {
			continue
		}
		if fi, err := os.Stat(string(f.path)); err == nil && fi.IsDir() {
			return won[f.key].invalid(string(f.path), errors.New("want the path of a file; it is a directory"))
		}
	}
	if o.StatusFile != "" && o.StatusFile == o.PidFile {
		return usageErrorf("%s and %s name the same file %q: give them different paths",
			named(t, keyPidFile, won[keyPidFile]), named(t, keyStatusFile, won[keyStatusFile]), o.PidFile)
	}
	return nil
}

// Control reports whether args (the arguments without the program name) ask
// for something other than a master run: a control command (--status,
// --probe, -R/--respawn, --kill), -h/--help or -V/--version. These are
// command-line only, so args alone decide: Control reads no env var and no
// file, and it is cheap, for the app to take its shortest path (no signal
// subscription) before Parse. A command line that does not split (an unknown
// option, a missing value) gives false, unless -h/--help came first; Parse
// is still the judge of every command line.
func Control(args []string) bool {
	t, err := loadTable()
	if err != nil {
		return false
	}
	cl, err := split(t, args)
	switch {
	case cl.help:
		return true
	case err != nil:
		return false
	case cl.version:
		return true
	}
	for _, s := range cl.flags {
		switch s.opt.long {
		case keyStatus, keyProbe, keyRespawn, keyKill:
			return true
		}
	}
	return false
}
