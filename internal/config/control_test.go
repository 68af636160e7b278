package config

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestControlActions(t *testing.T) {
	type how struct {
		JSON, ExitCode bool
		Probe          string
		Force          bool
	}
	for _, tc := range []struct {
		args   []string
		action Action
		how    how
	}{
		{nil, ActionRun, how{}},
		{[]string{"--status"}, ActionStatus, how{}},
		{[]string{"--status", "--json"}, ActionStatus, how{JSON: true}},
		{[]string{"--json", "--status"}, ActionStatus, how{JSON: true}}, // order does not matter
		{[]string{"--status", "--exit-code"}, ActionStatus, how{ExitCode: true}},
		{[]string{"--status", "--json", "--exit-code"}, ActionStatus, how{JSON: true, ExitCode: true}},
		{[]string{"--probe", "live"}, ActionStatus, how{ExitCode: true, Probe: ProbeLive}},
		{[]string{"--probe=READY"}, ActionStatus, how{ExitCode: true, Probe: ProbeReady}},
		{[]string{"--status", "--probe", "ready", "--exit-code"}, ActionStatus, how{ExitCode: true, Probe: ProbeReady}},
		{[]string{"--probe", "live", "--json"}, ActionStatus, how{JSON: true, ExitCode: true, Probe: ProbeLive}},
		{[]string{"--probe", "live", "--exit-code=false"}, ActionStatus, how{ExitCode: true, Probe: ProbeLive}}, // --probe implies it
		{[]string{"--status", "--status"}, ActionStatus, how{}},
		{[]string{"--status", "--"}, ActionStatus, how{}}, // "--" with nothing after is no COMMAND
		{[]string{"-R"}, ActionRespawn, how{}},
		{[]string{"--respawn"}, ActionRespawn, how{}},
		{[]string{"--kill"}, ActionKill, how{}},
		{[]string{"--status=false", "--kill"}, ActionKill, how{}},
		{[]string{"--kill", "--kill=no"}, ActionRun, how{}},
		{[]string{"--kill", "--force=false"}, ActionKill, how{}},
		{[]string{"--json=false", "--exit-code=0", "node"}, ActionRun, how{}},
		{[]string{"--force", "node", "app.js"}, ActionRun, how{Force: true}},
	} {
		r, _, err := parseIn(t, world{}, tc.args...)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		c := r.Config
		got := how{JSON: c.StatusJSON, ExitCode: c.ExitCode, Probe: c.Probe, Force: c.Force}
		if r.Action != tc.action || got != tc.how {
			t.Errorf("%q: action %v %+v, want %v %+v", tc.args, r.Action, got, tc.action, tc.how)
		}
	}
}

func TestControlActionsLoseToHelpAndVersion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want Action
	}{
		{[]string{"--kill", "-V"}, ActionVersion},
		{[]string{"--status", "--respawn", "-h"}, ActionHelp},
		{[]string{"--json", "--version"}, ActionVersion},
	} {
		if r, _, err := parseIn(t, world{}, tc.args...); err != nil || r.Action != tc.want {
			t.Errorf("%q: action %v, err %v; want %v", tc.args, r.Action, err, tc.want)
		}
	}
}

func TestControlActionsGetTheRunConfig(t *testing.T) {
	// The control commands find the master by the settings it runs with.
	w := world{
		env:   map[string]string{"SPARK2_PORT": "8080", "SPARK2_USER": "1000"},
		files: map[string]string{"app/spark2.json": `{"workers": 4, "status-file": "/run/s/status.json", "stale-after": 2}`},
	}
	for _, action := range []string{"--status", "-R", "--kill"} {
		r, dir, err := parseIn(t, w, action, "-C", "app")
		if err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		c := r.Config
		got := []any{c.Port, c.User, c.Workers, c.Chdir, c.ConfigFile, c.StatusFile, c.StaleAfter}
		want := []any{8080, "1000", 4, filepath.Join(dir, "app"), filepath.Join(dir, "app/spark2.json"), "/run/s/status.json", 2 * time.Second}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", action, got, want)
		}
	}
}

func TestForceOnlyFromTheCommandLineClashes(t *testing.T) {
	// A container that sets SPARK2_FORCE, or a file with "force", must still
	// answer its probes; the run itself gets Force.
	for _, w := range []world{env("SPARK2_FORCE", "1"), file(`{"force": true}`)} {
		for _, args := range [][]string{{"--status", "--exit-code"}, {"--kill"}, {"-R"}} {
			r, _, err := parseIn(t, w, args...)
			if err != nil || r.Config.Force {
				t.Errorf("%v %q: force %v, err %v; want no force and no error", w, args, r.Config.Force, err)
			}
		}
		if c, _ := mustParse(t, w); !c.Force {
			t.Errorf("%v: a run has no Force", w)
		}
	}
}

func TestBadControlInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    world
		args []string
		want []string
	}{
		{"json alone", world{}, []string{"--json"}, []string{"--json needs --status or --probe"}},
		{"exit-code alone", world{}, []string{"--exit-code", "node"}, []string{"--exit-code needs --status or --probe"}},
		{"json with kill", world{}, []string{"--kill", "--json"}, []string{"--json needs --status"}},
		{"exit-code with respawn", world{}, []string{"--exit-code", "-R"}, []string{"--exit-code needs --status"}},
		{"status and respawn", world{}, []string{"--status", "--respawn"}, []string{"-R/--respawn cannot go with --status"}},
		{"respawn and status", world{}, []string{"-R", "--status"}, []string{"-R/--respawn cannot go with --status"}},
		{"probe and kill", world{}, []string{"--probe", "live", "--kill"}, []string{"--kill cannot go with --probe"}},
		{"respawn and kill", world{}, []string{"-R", "--kill"}, []string{"--kill cannot go with -R/--respawn"}},
		{"kill and force", world{}, []string{"--kill", "--force"}, []string{"--force cannot go with --kill"}},
		{"force and status", world{}, []string{"--force", "--status"}, []string{"--force cannot go with --status"}},
		{"force and probe", world{}, []string{"--probe=live", "--force"}, []string{"--force cannot go with --probe"}},
		{"force and respawn", world{}, []string{"-R", "--force=yes"}, []string{"--force cannot go with -R/--respawn"}},
		{"kill with COMMAND", world{}, []string{"--kill", "node", "app.js"}, []string{`--kill takes no COMMAND, got "node app.js"`}},
		{"status with COMMAND", world{}, []string{"--status", "--", "x"}, []string{"--status takes no COMMAND"}},
		{"probe with COMMAND", world{}, []string{"--probe", "ready", "sh"}, []string{"--probe takes no COMMAND"}},
		{"respawn with COMMAND", world{}, []string{"-R", "sh"}, []string{"-R/--respawn takes no COMMAND"}},
		{"probe sick", world{}, []string{"--probe", "sick"}, []string{`"sick"`, "--probe", "live or ready"}},
		{"probe empty", world{}, []string{"--probe="}, []string{"--probe", "live or ready"}},
		{"probe missing value", world{}, []string{"--probe"}, []string{"missing value", "--probe"}},
		{"status=maybe", world{}, []string{"--status=maybe"}, []string{"--status", "yes or no"}},
		{"kill=maybe", world{}, []string{"--kill=maybe"}, []string{"--kill", "yes or no"}},
		{"bad value before the clash", world{}, []string{"--kill", "--respawn", "-n", "0"}, []string{"-n/--workers"}},
		{"bad env with a control command", env("SPARK2_WORKERS", "0"), []string{"--status"}, []string{"env var SPARK2_WORKERS"}},
		{"SPARK2_FORCE=maybe", env("SPARK2_FORCE", "maybe"), nil, []string{"env var SPARK2_FORCE", "yes or no"}},
		{"empty SPARK2_FORCE", env("SPARK2_FORCE", ""), nil, []string{"SPARK2_FORCE", "set but empty"}},
		{"file force string", file(`{"force": "yes"}`), nil, []string{`key "force"`, "want true or false"}},
		{"file status", file(`{"status": true}`), nil, []string{`key "status"`, "command-line action (--status)"}},
		{"file json", file(`{"json": true}`), nil, []string{`key "json"`, "modifies the command-line action --status"}},
		{"file exit-code", file(`{"exit-code": true}`), nil, []string{`key "exit-code"`, "not allowed in a config file"}},
		{"file probe", file(`{"probe": "live"}`), nil, []string{`key "probe"`, "command-line action (--probe)"}},
		{"file respawn", file(`{"respawn": true}`), nil, []string{`key "respawn"`, "-R/--respawn"}},
		{"file kill in section", file(`{"environments": {"production": {"kill": true}}}`), nil, []string{`key "environments.production.kill"`, "command-line action"}},
		{"stale-after 0", world{}, []string{"--stale-after", "0"}, []string{"--stale-after", "above 0"}},
		{"stale-after 2h", world{}, []string{"--stale-after=2h"}, []string{"--stale-after", "1h"}},
		{"stale-after word", env("SPARK2_STALE_AFTER", "soon"), nil, []string{`"soon"`, "env var SPARK2_STALE_AFTER"}},
		{"stale-after file 0", file(`{"stale-after": 0}`), nil, []string{`key "stale-after"`}},
		{"status-file relative", world{}, []string{"--status-file", "status.json"}, []string{`"status.json"`, "--status-file", "absolute"}},
		{"status-file dot", world{}, []string{"--status-file", "./s.json"}, []string{"--status-file", "absolute"}},
		{"status-file root", world{}, []string{"--status-file", "/"}, []string{"--status-file"}},
		{"status-file trailing slash", world{}, []string{"--status-file", "/run/spark2/"}, []string{"--status-file"}},
		{"status-file empty", world{}, []string{"--status-file="}, []string{"--status-file", "absolute"}},
		{"status-file a directory", world{}, []string{"--status-file", "/tmp"}, []string{`"/tmp"`, "--status-file", "it is a directory"}},
		{"status-file env relative", env("SPARK2_STATUS_FILE", "s.json"), nil, []string{"env var SPARK2_STATUS_FILE", "absolute"}},
		{"status-file file number", file(`{"status-file": 1}`), nil, []string{`key "status-file"`, "want a string"}},
		{"pidfile relative", world{}, []string{"--pidfile", "spark2.pid"}, []string{`"spark2.pid"`, "--pidfile", "absolute"}},
		{"pidfile a directory", env("SPARK2_PIDFILE", "/tmp/"), nil, []string{"env var SPARK2_PIDFILE"}},
		{"pidfile is the status file", world{}, []string{"--pidfile", "/run/x", "--status-file", "/run/./x"}, []string{`--pidfile and --status-file name the same file "/run/x"`}},
		{"pidfile is the status file across layers", env("SPARK2_PIDFILE", "/run/x"), []string{"--status-file", "/run/x"},
			[]string{"--pidfile (env var SPARK2_PIDFILE) and --status-file name the same file"}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantUsageError(t, tc.w, tc.args, tc.want) })
	}
}

// TestControlMatchesParse: Control, which reads the command line alone, says
// "not a master run" exactly where Parse gives an action other than
// ActionRun, but for a control option turned off again (--kill=no), and
// "a run" for a command line that Parse refuses.
func TestControlMatchesParse(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		control bool
	}{
		{nil, false},
		{[]string{"node", "--status"}, false},
		{[]string{"--", "--probe", "ready"}, false},
		{[]string{"-n", "2", "app"}, false},
		{[]string{"-p", "--status"}, false}, // a missing value: Parse refuses it
		{[]string{"--nope", "--status"}, false},
		{[]string{"--status"}, true},
		{[]string{"--probe", "ready"}, true},
		{[]string{"--probe=live", "-p", "3000"}, true},
		{[]string{"-R"}, true},
		{[]string{"--respawn"}, true},
		{[]string{"--kill"}, true},
		{[]string{"-V"}, true},
		{[]string{"--version"}, true},
		{[]string{"-h"}, true},
		{[]string{"--help", "--nope"}, true},
		{[]string{"--kill", "--kill=no"}, true}, // Parse gives ActionRun: the app subscribes after it
	} {
		if got := Control(tc.args); got != tc.control {
			t.Errorf("Control(%q) = %v, want %v", tc.args, got, tc.control)
		}
		res, err := Parse(tc.args, nil, t.TempDir())
		if err != nil {
			if tc.control {
				t.Errorf("Parse(%q): %v", tc.args, err)
			}
			continue
		}
		if notRun := res.Action != ActionRun; notRun && !tc.control {
			t.Errorf("Parse(%q) = action %d, but Control says a run", tc.args, res.Action)
		}
	}
}
