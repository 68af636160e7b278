package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeCPUs is what the fake machine says --workers auto resolves to.
const fakeCPUs = 6

// fake is a machine with fakeCPUs CPUs.
var fake = machine{cpus: func() int { return fakeCPUs }}

// world is the input of one parse besides args: env vars and the files of
// the working directory (relative names; a name ending in "/" is a directory).
type world struct {
	env   map[string]string
	files map[string]string
}

// parseIn builds w in a temp dir and parses args there on the fake machine;
// it returns the dir too.
func parseIn(t *testing.T, w world, args ...string) (Result, string, error) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range w.files {
		p := filepath.Join(dir, name)
		if name[len(name)-1] == '/' {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lookup := func(k string) (string, bool) { v, ok := w.env[k]; return v, ok }
	r, err := fake.parse(args, lookup, dir, nil)
	return r, dir, err
}

// mustParse is parseIn that fails the test on an error.
func mustParse(t *testing.T, w world, args ...string) (Config, string) {
	t.Helper()
	r, dir, err := parseIn(t, w, args...)
	if err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	if r.Action != ActionRun {
		t.Fatalf("parse %q: action %v, want ActionRun", args, r.Action)
	}
	return r.Config, dir
}

func TestDefaults(t *testing.T) {
	got, _ := mustParse(t, world{})
	want := Config{Workers: 1, Restart: RestartAlways, StopTimeout: 8 * time.Second, StopSignal: syscall.SIGTERM,
		Env: "development", LogLevel: "info", LogFormat: "text",
		Port: 3000, Balance: BalanceShared, ReadyDelay: time.Second, ReadyTimeout: 30 * time.Second, StaleAfter: 5 * time.Second}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, want)
	}
}

func TestEveryFlag(t *testing.T) {
	// Every option but --no-listen, which refuses -p, -H and --ssl-*.
	got, dir := mustParse(t, world{files: map[string]string{"app/": "", "lib/": ""}},
		"-n", "3", "--restart", "on-failure", "--stop-timeout", "1500ms", "--accesslog", "logs/a.log",
		"-C", "app", "-E", "production", "--set", "A=1", "--set", "B=x=y", "--comment", "web",
		"-v", "-K", "--log-format", "json", "--log-level", "warn",
		"-p", "8443", "-H", "::1", "--balance", "reuseport", "--ssl-key", "tls/key.pem", "--ssl-crt", "/etc/tls/crt.pem",
		"-u", "1000", "-g", "www-data", "-I", "lib", "--include", "/tmp", "-e", "globalThis.x = 1", "-D",
		"--ready", "notify", "--ready-timeout", "1m", "--stop-signal", "QUIT", "--force", "--stale-after", "2s",
		"--status-file", "/run/spark2/status.json", "--pidfile", "/run/spark2.pid",
		"--watch-path", "lib", "--watch-path", "/tmp", "--watch-ignore", "*.log", "--watch-poll", "250ms", "node", "app.js")
	want := Config{Command: []string{"node", "app.js"}, Workers: 3, Restart: RestartOnFailure,
		StopTimeout: 1500 * time.Millisecond, StopSignal: syscall.SIGQUIT, AccessLog: filepath.Join(dir, "logs/a.log"),
		Chdir: filepath.Join(dir, "app"), Env: "production", Set: []string{"A=1", "B=x=y"},
		Comment: "web", LogLevel: "debug", LogFormat: "json", NoColor: true,
		Port: 8443, Host: "::1", Balance: BalanceReuseport, SSLKey: filepath.Join(dir, "tls/key.pem"), SSLCrt: "/etc/tls/crt.pem",
		User: "1000", Group: "www-data", Include: []string{filepath.Join(dir, "lib"), "/tmp"},
		Eval: "globalThis.x = 1", Debug: true, ReadyNotify: true, ReadyGiven: true, ReadyTimeout: time.Minute,
		Force: true, StaleAfter: 2 * time.Second, StatusFile: "/run/spark2/status.json", PidFile: "/run/spark2.pid",
		Watch: true, WatchPaths: []string{filepath.Join(dir, "lib"), "/tmp"}, WatchIgnore: []string{"*.log"}, WatchPoll: 250 * time.Millisecond}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("every flag:\n got %+v\nwant %+v", got, want)
	}
}

func TestValueForms(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    world
		args []string
		get  func(Config) any
		want any
	}{
		{"workers auto", world{}, []string{"-n", "auto"}, func(c Config) any { return c.Workers }, fakeCPUs},
		{"workers AUTO env", world{env: map[string]string{"SPARK2_WORKERS": "AUTO"}}, nil, func(c Config) any { return c.Workers }, fakeCPUs},
		{"workers -n=", world{}, []string{"-n=4"}, func(c Config) any { return c.Workers }, 4},
		{"workers --workers=", world{}, []string{"--workers=1024"}, func(c Config) any { return c.Workers }, 1024},
		{"bare seconds", world{}, []string{"--stop-timeout", "0.5"}, func(c Config) any { return c.StopTimeout }, 500 * time.Millisecond},
		{"seconds integer", world{}, []string{"--stop-timeout=5"}, func(c Config) any { return c.StopTimeout }, 5 * time.Second},
		{"one hour", world{}, []string{"--stop-timeout=1h"}, func(c Config) any { return c.StopTimeout }, time.Hour},
		{"json seconds", world{files: map[string]string{"spark2.json": `{"stop-timeout": 2.5}`}}, nil, func(c Config) any { return c.StopTimeout }, 2500 * time.Millisecond},
		{"json workers 2.0", world{files: map[string]string{"spark2.json": `{"workers": 2.0}`}}, nil, func(c Config) any { return c.Workers }, 2},
		{"mode alias", world{}, []string{"-M", "staging"}, func(c Config) any { return c.Env }, "staging"},
		{"env then mode: last wins", world{}, []string{"-E", "a", "--mode", "b"}, func(c Config) any { return c.Env }, "b"},
		{"mode then env: last wins", world{}, []string{"-M", "a", "--env=b"}, func(c Config) any { return c.Env }, "b"},
		{"NODE_ENV", world{env: map[string]string{"NODE_ENV": "test"}}, nil, func(c Config) any { return c.Env }, "test"},
		{"empty NODE_ENV is unset", world{env: map[string]string{"NODE_ENV": ""}}, nil, func(c Config) any { return c.Env }, "development"},
		{"SPARK2_ENV beats NODE_ENV", world{env: map[string]string{"NODE_ENV": "test", "SPARK2_ENV": "prod"}}, nil, func(c Config) any { return c.Env }, "prod"},
		{"NO_COLOR", world{env: map[string]string{"NO_COLOR": "0"}}, nil, func(c Config) any { return c.NoColor }, true},
		{"empty NO_COLOR is unset", world{env: map[string]string{"NO_COLOR": ""}}, nil, func(c Config) any { return c.NoColor }, false},
		{"flag beats NO_COLOR", world{env: map[string]string{"NO_COLOR": "1"}}, []string{"--no-color=false"}, func(c Config) any { return c.NoColor }, false},
		{"bool env yes", world{env: map[string]string{"SPARK2_VERBOSE": "YES"}}, nil, func(c Config) any { return c.LogLevel }, "debug"},
		{"bool env 0", world{env: map[string]string{"SPARK2_NO_COLOR": "0"}}, nil, func(c Config) any { return c.NoColor }, false},
		{"verbose keeps trace", world{}, []string{"-v", "--log-level", "trace"}, func(c Config) any { return c.LogLevel }, "trace"},
		{"verbose beats warn", world{}, []string{"--log-level", "warn", "-v"}, func(c Config) any { return c.LogLevel }, "debug"},
		{"level case folded", world{}, []string{"--log-level", "ERROR"}, func(c Config) any { return c.LogLevel }, "error"},
		{"set env list", world{env: map[string]string{"SPARK2_SET": `A=1, "B=x,y"`}}, nil, func(c Config) any { return c.Set }, []string{"A=1", "B=x,y"}},
		{"set empty value", world{}, []string{"--set", "A="}, func(c Config) any { return c.Set }, []string{"A="}},
		{"set json object", world{files: map[string]string{"spark2.json": `{"set": {"B": 2, "A": "x", "C": true}}`}}, nil, func(c Config) any { return c.Set }, []string{"A=x", "B=2", "C=true"}},
		{"set json array", world{files: map[string]string{"spark2.json": `{"set": ["B=2", "A=1"]}`}}, nil, func(c Config) any { return c.Set }, []string{"B=2", "A=1"}},
		{"json false is false", world{files: map[string]string{"spark2.json": `{"verbose": false, "no-color": false}`}}, nil, func(c Config) any { return [2]any{c.LogLevel, c.NoColor} }, [2]any{"info", false}},
		{"json true", world{files: map[string]string{"spark2.json": `{"no-color": true}`}}, nil, func(c Config) any { return c.NoColor }, true},
		{"comment may be empty", world{}, []string{"--comment="}, func(c Config) any { return c.Comment }, ""},
		{"eval may be empty", world{env: map[string]string{"SPARK2_EVAL": "x()"}}, []string{"--eval="}, func(c Config) any { return c.Eval }, ""},
		{"host 0.0.0.0 as given", world{}, []string{"-H", "0.0.0.0"}, func(c Config) any { return c.Host }, "0.0.0.0"},
		{"host :: as given", world{}, []string{"-H", "::"}, func(c Config) any { return c.Host }, "::"},
		{"host with zone", world{}, []string{"-H", "fe80::1%eth0"}, func(c Config) any { return c.Host }, "fe80::1%eth0"},
		{"host default is all", world{}, nil, func(c Config) any { return c.Host }, ""},
		{"port 65535", world{}, []string{"-p", "65535"}, func(c Config) any { return c.Port }, 65535},
		{"json port 8080.0", file(`{"port": 8080.0}`), nil, func(c Config) any { return c.Port }, 8080},
		{"user 0", world{}, []string{"-u", "0"}, func(c Config) any { return c.User }, "0"},
		{"user name 32 chars", world{}, []string{"-u", "abcdefghijklmnopqrstuvwxyz012345"}, func(c Config) any { return c.User }, "abcdefghijklmnopqrstuvwxyz012345"},
		{"group machine account", world{}, []string{"-u", "1000", "-g", "host$"}, func(c Config) any { return c.Group }, "host$"},
		{"ready 0s", world{}, []string{"--ready", "0s"}, func(c Config) any { return c.ReadyDelay }, time.Duration(0)},
		{"ready-timeout 1h", world{}, []string{"--ready-timeout", "3600"}, func(c Config) any { return c.ReadyTimeout }, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := mustParse(t, tc.w, tc.args...)
			if got := tc.get(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestActions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want Action
	}{
		{nil, ActionRun},
		{[]string{"-h"}, ActionHelp},
		{[]string{"--help"}, ActionHelp},
		{[]string{"-V"}, ActionVersion},
		{[]string{"--version"}, ActionVersion},
		{[]string{"--version=false"}, ActionRun},
		{[]string{"-V", "-h"}, ActionHelp},
		{[]string{"-n", "0", "-h"}, ActionHelp},        // help needs no valid values
		{[]string{"-C", "/nope", "-V"}, ActionVersion}, // nor does version
		{[]string{"node", "-h"}, ActionRun},            // -h of the COMMAND
		{[]string{"--", "-V"}, ActionRun},
	} {
		r, _, err := parseIn(t, world{env: map[string]string{"SPARK2_WORKERS": ""}, files: map[string]string{"spark2.json": "{"}}, tc.args...)
		if tc.want == ActionRun {
			if err == nil {
				t.Errorf("%q: no error despite SPARK2_WORKERS=\"\"", tc.args)
			}
			continue
		}
		if err != nil || r.Action != tc.want {
			t.Errorf("%q: action %v, err %v; want action %v", tc.args, r.Action, err, tc.want)
		}
		if tc.want == ActionHelp && r.Help == "" {
			t.Errorf("%q: empty help", tc.args)
		}
	}
}

func TestConfigFileRecorded(t *testing.T) {
	w := world{files: map[string]string{"spark2.json": `{}`, "app/spark2.json": `{"comment": "app"}`, "other.json": `{"comment": "other"}`}}
	for _, tc := range []struct {
		args    []string
		env     map[string]string
		file    string
		comment string
	}{
		{nil, nil, "spark2.json", ""},
		{[]string{"-C", "app"}, nil, "app/spark2.json", "app"},
		{nil, map[string]string{"SPARK2_CHDIR": "app"}, "app/spark2.json", "app"},
		{[]string{"-C", "app", "-c", "other.json"}, nil, "other.json", "other"}, // -c is relative to cwd
		{nil, map[string]string{"SPARK2_CONFIG": "other.json"}, "other.json", "other"},
	} {
		w.env = tc.env
		c, dir := mustParse(t, w, tc.args...)
		if want := filepath.Join(dir, tc.file); c.ConfigFile != want || c.Comment != tc.comment {
			t.Errorf("%q %v: file %q comment %q; want %q %q", tc.args, tc.env, c.ConfigFile, c.Comment, want, tc.comment)
		}
	}
	if c, _ := mustParse(t, world{}); c.ConfigFile != "" {
		t.Errorf("no spark2.json: ConfigFile %q, want empty", c.ConfigFile)
	}
}

// TestParseWaitingCallsBeforeFileBeforeOpeningIt: ParseWaiting calls
// beforeFile once, before it opens the config file (what beforeFile writes
// into the file is what is read), and not at all without a config file.
func TestParseWaitingCallsBeforeFileBeforeOpeningIt(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "spark2.json")
	if err := os.WriteFile(file, []byte(`{"workers": 2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	calls := 0
	r, err := fake.parse([]string{"-c", file}, nil, dir, func() {
		calls++
		if err := os.WriteFile(file, []byte(`{"workers": 3}`), 0o644); err != nil {
			t.Error(err)
		}
	})
	if err != nil || calls != 1 || r.Config.Workers != 3 {
		t.Fatalf("with -c: workers %d, %d call(s), err %v; want 3 workers (the file as beforeFile left it) and one call", r.Config.Workers, calls, err)
	}
	calls = 0
	if _, err := fake.parse([]string{"-n", "2"}, nil, t.TempDir(), func() { calls++ }); err != nil || calls != 0 {
		t.Fatalf("without a config file: %d call(s), err %v; want none", calls, err)
	}
}

// TestConfigFileReadAsEncodingJSONReadIt: what spark2's own JSON reader
// (jsonv) must keep of encoding/json's reading of a config file: of a key
// given twice the last wins, escapes and \u sequences are decoded, a number
// loses a needless exponent, and null in a list is an empty item.
func TestConfigFileReadAsEncodingJSONReadIt(t *testing.T) {
	got, _ := mustParse(t, file(`{"workers": 2, "workers": 3e0, "comment": "a\u00e9\"\n", "set": ["A=1", "B=2"],
		"environments": {"development": {"port": 1}, "development": {"port": 2e1}}}`))
	if got.Workers != 3 || got.Comment != "aé\"\n" || got.Port != 20 {
		t.Errorf("workers %d, comment %q, port %d; want 3, %q, 20", got.Workers, got.Comment, got.Port, "aé\"\n")
	}
	_, _, err := parseIn(t, file(`{"set": ["A=1", null]}`))
	if err == nil || !strings.Contains(err.Error(), `"set"`) {
		t.Errorf(`a null --set item: %v; want it refused as an empty item, naming "set"`, err)
	}
}
