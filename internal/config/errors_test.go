package config

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// file is a world with only spark2.json.
func file(body string) world { return world{files: map[string]string{"spark2.json": body}} }

// env is a world with only env vars, given as name, value pairs.
func env(kv ...string) world {
	w := world{env: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		w.env[kv[i]] = kv[i+1]
	}
	return w
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    world
		args []string
		want []string // substrings of the message: the flag, env var or key and more
	}{
		// flags
		{"workers 0", world{}, []string{"-n", "0"}, []string{`"0"`, "-n/--workers", `"auto"`}},
		{"workers -3", world{}, []string{"-n", "-3", "node"}, []string{`"-3"`, "-n/--workers"}},
		{"workers 1025", world{}, []string{"-n", "1025"}, []string{`"1025"`, "-n/--workers", "1024"}},
		{"workers word", world{}, []string{"--workers", "many"}, []string{"-n/--workers"}},
		{"workers fraction", world{}, []string{"--workers=2.5"}, []string{"-n/--workers"}},
		{"restart sometimes", world{}, []string{"--restart", "sometimes"}, []string{`"sometimes"`, "--restart", "on-failure"}},
		{"stop-timeout 0", world{}, []string{"--stop-timeout", "0"}, []string{"--stop-timeout", "above 0"}},
		{"stop-timeout -1s", world{}, []string{"--stop-timeout", "-1s"}, []string{`"-1s"`, "--stop-timeout"}},
		{"stop-timeout abc", world{}, []string{"--stop-timeout", "abc"}, []string{"--stop-timeout"}},
		{"stop-timeout 2h", world{}, []string{"--stop-timeout=2h"}, []string{"--stop-timeout", "1h"}},
		{"stop-timeout 3601 s", world{}, []string{"--stop-timeout=3601"}, []string{"--stop-timeout"}},
		{"stop-timeout NaN", world{}, []string{"--stop-timeout=NaN"}, []string{"--stop-timeout"}},
		{"log-format xml", world{}, []string{"--log-format", "xml"}, []string{"--log-format", "text or json"}},
		{"log-level loud", world{}, []string{"--log-level", "loud"}, []string{"--log-level", "trace, debug"}},
		{"set digit key", world{}, []string{"--set", "1X=2"}, []string{`"1X=2"`, "--set", "KEY=VALUE"}},
		{"set no equals", world{}, []string{"--set", "NOEQUALS"}, []string{"--set"}},
		{"set dash key", world{}, []string{"--set", "A-B=1"}, []string{"--set"}},
		{"set empty key", world{}, []string{"--set", "=1"}, []string{"--set"}},
		{"set NODE_ENV", world{}, []string{"--set", "NODE_ENV=x"}, []string{"--set", "NODE_ENV is reserved", "use -E"}},
		{"set SPARK2_ENV", world{}, []string{"--set", "SPARK2_ENV=x"}, []string{"--set", "use -E"}},
		{"set PORT", world{}, []string{"--set", "PORT=1"}, []string{"--set", "PORT is reserved"}},
		{"set LISTEN_FDS", world{}, []string{"--set=LISTEN_FDS=1"}, []string{"--set", "LISTEN_FDS is reserved"}},
		{"set NOTIFY_SOCKET", world{}, []string{"--set", "NOTIFY_SOCKET=/x"}, []string{"--set", "reserved"}},
		{"set SPARK2_WORKER_ID", world{}, []string{"--set", "SPARK2_WORKER_ID=0"}, []string{"--set", "reserved"}},
		{"chdir missing", world{}, []string{"-C", "nope"}, []string{`"nope"`, "-C/--chdir", "existing directory"}},
		{"chdir to a file", world{files: map[string]string{"f": ""}}, []string{"-C", "f"}, []string{"-C/--chdir", "not a directory"}},
		{"chdir empty", world{}, []string{"--chdir="}, []string{"-C/--chdir", "non-empty"}},
		{"env bad name", world{}, []string{"-E", "pro duction"}, []string{"-E/--env"}},
		{"mode bad name", world{}, []string{"-M", "a/b"}, []string{"-M/--mode"}},
		{"verbose=maybe", world{}, []string{"--verbose=maybe"}, []string{"-v/--verbose", "yes or no"}},
		{"version=maybe", world{}, []string{"-V=maybe"}, []string{"-V/--version"}},
		{"accesslog empty", world{}, []string{"--accesslog="}, []string{"--accesslog"}},
		{"unknown long", world{}, []string{"--foo", "node"}, []string{"unknown option --foo", "spark2 --help"}},
		{"unknown long with value", world{}, []string{"--foo=1"}, []string{"unknown option --foo"}},
		{"unknown short", world{}, []string{"-x"}, []string{"unknown option -x"}},
		{"attached short value", world{}, []string{"-n3"}, []string{"-n3", "-n 3"}},
		{"combined shorts", world{}, []string{"-vK"}, []string{"-vK", "-v -K"}},
		{"single-dash long", world{}, []string{"-workers", "2"}, []string{"unknown option -workers"}},
		{"missing value at end", world{}, []string{"-n"}, []string{"missing value", "-n/--workers"}},
		{"missing value before --", world{}, []string{"--accesslog", "--", "node"}, []string{"missing value", "--accesslog"}},
		// env vars
		{"empty SPARK2_WORKERS", env("SPARK2_WORKERS", ""), nil, []string{"SPARK2_WORKERS", "set but empty", "unset it"}},
		{"empty SPARK2_COMMENT", env("SPARK2_COMMENT", ""), nil, []string{"SPARK2_COMMENT", "set but empty"}},
		{"empty SPARK2_SET", env("SPARK2_SET", ""), nil, []string{"SPARK2_SET", "set but empty"}},
		{"empty SPARK2_VERBOSE", env("SPARK2_VERBOSE", ""), nil, []string{"SPARK2_VERBOSE", "set but empty"}},
		{"bad SPARK2_VERBOSE", env("SPARK2_VERBOSE", "maybe"), nil, []string{"env var SPARK2_VERBOSE", "true, false"}},
		{"bad SPARK2_NO_COLOR", env("SPARK2_NO_COLOR", "on"), nil, []string{"env var SPARK2_NO_COLOR"}},
		{"bad SPARK2_WORKERS", env("SPARK2_WORKERS", "0"), nil, []string{"env var SPARK2_WORKERS"}},
		{"bad SPARK2_RESTART", env("SPARK2_RESTART", "never"), nil, []string{"env var SPARK2_RESTART"}},
		{"bad SPARK2_STOP_TIMEOUT", env("SPARK2_STOP_TIMEOUT", "-5"), nil, []string{"env var SPARK2_STOP_TIMEOUT"}},
		{"bad SPARK2_LOG_LEVEL", env("SPARK2_LOG_LEVEL", "loud"), nil, []string{"env var SPARK2_LOG_LEVEL"}},
		{"bad SPARK2_SET item", env("SPARK2_SET", "A=1,1B=2"), nil, []string{`"1B=2"`, "env var SPARK2_SET"}},
		{"bad SPARK2_SET csv", env("SPARK2_SET", `"A=1`), nil, []string{"env var SPARK2_SET", "comma-separated"}},
		{"SPARK2_SET two lines", env("SPARK2_SET", "A=1\nB=2"), nil, []string{"env var SPARK2_SET"}},
		{"bad NODE_ENV", env("NODE_ENV", "a b"), nil, []string{"env var NODE_ENV"}},
		{"missing SPARK2_CHDIR", env("SPARK2_CHDIR", "/nonexistent/dir"), nil, []string{"env var SPARK2_CHDIR"}},
		{"valid flag, invalid env", env("SPARK2_WORKERS", "x"), []string{"-n", "2"}, []string{"env var SPARK2_WORKERS"}},
		// config file location
		{"missing -c", world{}, []string{"-c", "missing.json"}, []string{`read config file "missing.json" (-c/--config)`, "no such file"}},
		{"missing SPARK2_CONFIG", env("SPARK2_CONFIG", "missing.json"), nil, []string{`"missing.json" (env var SPARK2_CONFIG)`}},
		{"-c is a dir", world{files: map[string]string{"d/": ""}}, []string{"-c", "d"}, []string{`read config file "d"`, "directory"}},
		{"-c empty", world{}, []string{"-c="}, []string{"-c/--config"}},
		// config file contents
		{"unknown key", file(`{"wokers": 2}`), nil, []string{`spark2.json: unknown key "wokers"`, "workers, restart"}},
		{"unknown key in section", file(`{"environments": {"development": {"wokers": 2}}}`), nil, []string{`unknown key "environments.development.wokers"`}},
		{"workers boolean", file(`{"workers": true}`), nil, []string{`spark2.json: key "workers"`, "got a boolean"}},
		{"workers null", file(`{"workers": null}`), nil, []string{`key "workers"`, "got null"}},
		{"workers 0", file(`{"workers": 0}`), nil, []string{"spark2.json", `key "workers"`, "1024"}},
		{"workers string number", file(`{"workers": "0"}`), nil, []string{`key "workers"`}},
		{"restart number", file(`{"restart": 1}`), nil, []string{`key "restart"`, "got a number"}},
		{"verbose string", file(`{"verbose": "true"}`), nil, []string{`key "verbose"`, "want true or false, got a string"}},
		{"stop-timeout 0s", file(`{"stop-timeout": "0s"}`), nil, []string{`key "stop-timeout"`}},
		{"stop-timeout array", file(`{"stop-timeout": [1]}`), nil, []string{`key "stop-timeout"`, "got an array"}},
		{"set string", file(`{"set": "A=1"}`), nil, []string{`key "set"`, "got a string"}},
		{"set array of numbers", file(`{"set": [1]}`), nil, []string{`key "set"`}},
		{"set object null", file(`{"set": {"A": null}}`), nil, []string{`key "set"`}},
		{"set object bad key", file(`{"set": {"1A": "x"}}`), nil, []string{`"1A=x"`, `key "set"`}},
		{"set object key with =", file(`{"set": {"A=B": "x"}}`), nil, []string{`key "set"`}},
		{"set reserved", file(`{"set": ["PORT=1"]}`), nil, []string{`key "set"`, "PORT is reserved"}},
		{"malformed", file(`{"workers": 2,}`), nil, []string{"spark2.json:1:15: malformed JSON"}},
		{"malformed line 3", file("{\n  \"workers\": 2\n  \"restart\": \"no\"\n}"), nil, []string{"spark2.json:3:3: malformed JSON"}},
		{"empty file", file(""), nil, []string{"spark2.json:1:1: malformed JSON"}},
		{"top-level array", file(`[]`), nil, []string{"spark2.json", "got an array"}},
		{"top-level null", file(`null`), nil, []string{"spark2.json", "got null"}},
		{"environments string", file(`{"environments": "production"}`), nil, []string{`key "environments"`, "got a string"}},
		{"section not object", file(`{"environments": {"production": 1}}`), nil, []string{`key "environments.production"`, "got a number"}},
		{"section sets env", file(`{"environments": {"production": {"env": "x"}}}`), nil, []string{`key "environments.production.env"`}},
		{"section sets mode", file(`{"environments": {"production": {"mode": "x"}}}`), nil, []string{`key "environments.production.mode"`}},
		{"section nests", file(`{"environments": {"production": {"environments": {}}}}`), nil, []string{`key "environments.production.environments"`, "do not nest"}},
		{"section sets config", file(`{"environments": {"production": {"config": "x"}}}`), nil, []string{`key "environments.production.config"`}},
		{"section bad value", file(`{"environments": {"production": {"workers": 0}}}`), nil, []string{`key "environments.production.workers"`}},
		{"config key", file(`{"config": "other.json"}`), nil, []string{`key "config"`, "-c/--config"}},
		{"version key", file(`{"version": true}`), nil, []string{`key "version"`}},
		{"help key", file(`{"help": true}`), nil, []string{`key "help"`}},
		{"env and mode", file(`{"env": "a", "mode": "b"}`), nil, []string{`key "mode"`, "keep one"}},
		{"chdir from file missing", file(`{"chdir": "nope"}`), nil, []string{`spark2.json: invalid value "nope" for key "chdir"`, "existing directory"}},
		{"file in -C dir", world{files: map[string]string{"app/spark2.json": `{"x": 1}`}}, []string{"-C", "app"}, []string{`app/spark2.json: unknown key "x"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseIn(t, tc.w, tc.args...)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("got %T %v, want a *UsageError", err, err)
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message is not one line: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		w    world
		args []string
		want string
	}{
		{world{}, []string{"-n", "0"}, `invalid value "0" for -n/--workers: want a whole number from 1 to 1024 or "auto"`},
		{env("SPARK2_WORKERS", ""), nil, `invalid value "" for env var SPARK2_WORKERS: it is set but empty; unset it or give a whole number from 1 to 1024 or "auto"`},
		{file(`{"workers": true}`), nil, `spark2.json: key "workers": want a whole number from 1 to 1024 or "auto", got a boolean`},
		{world{}, []string{"-c", "/nonexistent/missing.json"}, `read config file "/nonexistent/missing.json" (-c/--config): no such file or directory`},
		{world{}, []string{"--restart", "sometimes"}, `invalid value "sometimes" for --restart: want always, on-failure or no`},
		{file(`{"restart": 1}`), nil, `spark2.json: key "restart": want a string (always, on-failure or no), got a number`},
		{world{}, []string{"--set", "NODE_ENV=x"}, `invalid value "NODE_ENV=x" for --set: NODE_ENV is reserved: spark2 sets it from the environment name; use -E/--env`},
	} {
		_, _, err := parseIn(t, tc.w, tc.args...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q %v:\n got %v\nwant %s", tc.args, tc.w, err, tc.want)
		}
	}
}

func TestUsageErrorUnwraps(t *testing.T) {
	_, _, err := parseIn(t, world{}, "-c", "missing.json")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%v: does not unwrap to fs.ErrNotExist", err)
	}
}

func TestNilLookupEnv(t *testing.T) {
	r, err := fake.parse([]string{"-n", "2"}, nil, t.TempDir())
	if err != nil || r.Config.Workers != 2 {
		t.Errorf("nil lookupEnv: workers %d, err %v", r.Config.Workers, err)
	}
}
