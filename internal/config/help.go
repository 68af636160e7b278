package config

import (
	"io"
	"strings"

	arg "github.com/alexflint/go-arg"
)

// Description is the first line of --help; go-arg calls it.
func (options) Description() string {
	return "spark2 " + Version + ": process master for containers; runs and respawns N workers of COMMAND."
}

// Epilogue is the end of --help; go-arg calls it. It must agree with doc.go.
func (options) Epilogue() string {
	return strings.TrimSpace(`
Options end at "--" or at the first word that is not an option: in
"spark2 -n 2 node --inspect app.js" the COMMAND is "node --inspect app.js".
An option's value is the next word or follows "=": -n 2, -n=2, --workers=2.
With no COMMAND, spark2 runs app.js, else server.js, of the working directory
with node.

Where a value comes from, the first found wins:
  1. the command line (the last of a repeated option; --set, -I, --watch-path
     and --watch-ignore gather all)
  2. the env var (SPARK2_ENV, then NODE_ENV; SPARK2_PORT, then PORT;
     SPARK2_NO_COLOR, then NO_COLOR)
  3. the config file's section for the environment (-E)
  4. the config file's top level
  5. the default
A higher layer replaces the whole --set, -I, --watch-path or --watch-ignore
list of a lower one. An empty SPARK2_* variable is an error. Boolean env vars
take true/false/1/0/yes/no. --no-listen refuses -p, -H, --ssl-key and
--ssl-crt from any layer (env PORT aside); --ssl-key and --ssl-crt go
together. --watch-path implies --watch unless --watch=false follows it or
comes from a higher layer.

Config file: JSON whose keys are the long option names, with an optional
"environments" object whose section for the -E name overlays the top level:
  {"workers": "auto", "stop-timeout": 5, "set": {"GREETING": "hello"},
   "environments": {"production": {"restart": "on-failure", "verbose": false}}}
Without -c, ./spark2.json is read if it exists, in the -C directory when -C or
SPARK2_CHDIR is given. Relative -C, -c, -I, --watch-path, --accesslog and
--ssl-* paths are relative to the directory spark2 is started in;
--status-file and --pidfile must be absolute.

Control commands act on the master already running and start no server:
--status [--json] [--exit-code], --probe live|ready (for Kubernetes exec
probes: livenessProbe live, readinessProbe ready; implies --status
--exit-code, and plain --exit-code checks ready), -R/--respawn and --kill.
They find the master by the same -C, -p, -u and --status-file settings it was
started with. Give at most one, with no COMMAND and no --force; --json and
--exit-code need --status or --probe. They and their modifiers are
command-line only: no env var, not in the config file.`)
}

// helpText renders the full --help text with go-arg from the options struct,
// replacing go-arg's long usage line with Usage().
func helpText() (string, error) {
	p, err := arg.NewParser(arg.Config{Program: "spark2", IgnoreEnv: true, Out: io.Discard, Exit: func(int) {}}, &options{})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	p.WriteHelp(&b)
	lines := strings.SplitAfter(b.String(), "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "Usage: ") {
			lines[i] = Usage() + "\n"
			break
		}
	}
	return strings.Join(lines, ""), nil
}
