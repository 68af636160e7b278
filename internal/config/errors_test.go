package config

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/spark2/spark2/internal/contract"
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
		{"port 70000", world{}, []string{"-p", "70000"}, []string{`"70000"`, "-p/--port", "0 to 65535"}},
		{"port -1", world{}, []string{"-p", "-1"}, []string{`"-1"`, "-p/--port"}},
		{"port http", world{}, []string{"--port", "http"}, []string{`"http"`, "-p/--port"}},
		{"port +80", world{}, []string{"--port=+80"}, []string{"-p/--port"}},
		{"port 80.5", world{}, []string{"-p", "80.5"}, []string{"-p/--port"}},
		{"port empty", world{}, []string{"--port="}, []string{"-p/--port"}},
		{"host not-an-ip", world{}, []string{"-H", "not-an-ip"}, []string{`"not-an-ip"`, "-H/--host", "IPv4 or IPv6"}},
		{"host 999.1.1.1", world{}, []string{"-H", "999.1.1.1"}, []string{`"999.1.1.1"`, "-H/--host"}},
		{"host name", world{}, []string{"--host", "localhost"}, []string{"-H/--host", "no host name"}},
		{"host brackets", world{}, []string{"--host", "[::1]"}, []string{"-H/--host", "no brackets"}},
		{"host with port", world{}, []string{"--host", "127.0.0.1:80"}, []string{"-H/--host"}},
		{"host empty", world{}, []string{"--host="}, []string{"-H/--host", "* for all interfaces"}},
		{"ssl-key alone", world{}, []string{"--ssl-key", "k.pem"}, []string{"--ssl-key without --ssl-crt", "give both or neither"}},
		{"ssl-crt alone", world{}, []string{"--ssl-crt", "c.pem"}, []string{"--ssl-crt without --ssl-key"}},
		{"ssl-key alone from env", env("SPARK2_SSL_KEY", "k.pem"), nil, []string{"--ssl-key (env var SPARK2_SSL_KEY) without --ssl-crt"}},
		{"ssl-key empty", world{}, []string{"--ssl-key=", "--ssl-crt", "c.pem"}, []string{"--ssl-key", "non-empty"}},
		{"no-listen with -p", world{}, []string{"--no-listen", "-p", "8080"}, []string{"-p/--port cannot go with --no-listen", "no listening socket"}},
		{"no-listen with -H", world{}, []string{"-H", "::", "--no-listen"}, []string{"-H/--host cannot go with --no-listen"}},
		{"no-listen with ssl", world{}, []string{"--no-listen", "--ssl-key", "k", "--ssl-crt", "c"}, []string{"--ssl-key cannot go with --no-listen"}},
		{"no-listen with default-valued -p", world{}, []string{"--no-listen", "-p", "3000"}, []string{"-p/--port cannot go with --no-listen"}},
		{"no-listen env with file port", world{env: map[string]string{"SPARK2_NO_LISTEN": "1"}, files: map[string]string{"spark2.json": `{"port": 80}`}},
			nil, []string{`-p/--port (spark2.json key "port") cannot go with --no-listen (env var SPARK2_NO_LISTEN)`}},
		{"no-listen with SPARK2_PORT", env("SPARK2_PORT", "80"), []string{"--no-listen"}, []string{"-p/--port (env var SPARK2_PORT) cannot go with --no-listen"}},
		{"no-listen=maybe", world{}, []string{"--no-listen=maybe"}, []string{"--no-listen", "yes or no"}},
		{"no-listen with --balance", world{}, []string{"--no-listen", "--balance", "reuseport"}, []string{"--balance cannot go with --no-listen"}},
		{"balance even", world{}, []string{"--balance", "even"}, []string{`"even"`, "--balance", "shared or reuseport"}},
		{"bad SPARK2_BALANCE", env("SPARK2_BALANCE", "so_reuseport"), nil, []string{"env var SPARK2_BALANCE", "shared or reuseport"}},
		{"user bad name!", world{}, []string{"-u", "bad name!"}, []string{`"bad name!"`, "-u/--user", "4294967294"}},
		{"user 4294967295", world{}, []string{"-u", "4294967295"}, []string{"-u/--user"}},
		{"user -5", world{}, []string{"--user", "-5"}, []string{"-u/--user"}},
		{"user starts with digit", world{}, []string{"-u", "1abc"}, []string{"-u/--user"}},
		{"user starts with dash", world{}, []string{"-u", "-abc"}, []string{"-u/--user"}},
		{"user 33 chars", world{}, []string{"-u", "abcdefghijklmnopqrstuvwxyz0123456"}, []string{"-u/--user", "at most 32"}},
		{"user two dollars", world{}, []string{"-u", "a$$"}, []string{"-u/--user"}},
		{"user empty", world{}, []string{"--user="}, []string{"-u/--user"}},
		{"group -5", world{}, []string{"-g", "-5"}, []string{`"-5"`, "-g/--group"}},
		{"group dot", world{}, []string{"-g", ".hidden"}, []string{"-g/--group"}},
		{"ready soon", world{}, []string{"--ready", "soon"}, []string{`"soon"`, "--ready", "notify"}},
		{"ready -1s", world{}, []string{"--ready", "-1s"}, []string{`"-1s"`, "--ready"}},
		{"ready -1", world{}, []string{"--ready", "-1"}, []string{"--ready"}},
		{"ready 2h", world{}, []string{"--ready=2h"}, []string{"--ready", "1h"}},
		{"ready 3601", world{}, []string{"--ready=3601"}, []string{"--ready"}},
		{"ready-timeout 0", world{}, []string{"--ready-timeout", "0"}, []string{"--ready-timeout", "above 0"}},
		{"ready-timeout -1s", world{}, []string{"--ready-timeout", "-1s"}, []string{"--ready-timeout"}},
		{"ready-timeout 61m", world{}, []string{"--ready-timeout", "61m"}, []string{"--ready-timeout", "1h"}},
		{"include missing", world{}, []string{"-I", "/no/such/dir"}, []string{`"/no/such/dir"`, "-I/--include", "existing directory"}},
		{"include a file", world{files: map[string]string{"lib/": "", "f": ""}}, []string{"-I", "lib", "-I", "f"}, []string{`"f"`, "-I/--include", "not a directory"}},
		{"include empty", world{}, []string{"--include="}, []string{"-I/--include", "non-empty"}},
		{"debug=maybe", world{}, []string{"--debug=maybe"}, []string{"-D/--debug"}},
		{"set SPARK2_READY_FD", world{}, []string{"--set", "SPARK2_READY_FD=3"}, []string{"--set", "SPARK2_READY_FD is reserved"}},
		{"set PORT says -p", world{}, []string{"--set", "PORT=8080"}, []string{"PORT is reserved", "use -p/--port"}},
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
		{"bad PORT", env("PORT", "abc"), nil, []string{`"abc"`, "env var PORT", "65535"}},
		{"bad PORT under -p", env("PORT", "abc"), []string{"-p", "80"}, []string{"env var PORT"}},
		{"bad SPARK2_PORT", env("SPARK2_PORT", "65536"), nil, []string{"env var SPARK2_PORT"}},
		{"empty SPARK2_PORT", env("SPARK2_PORT", ""), nil, []string{"SPARK2_PORT", "set but empty"}},
		{"bad SPARK2_HOST", env("SPARK2_HOST", "example.com"), nil, []string{"env var SPARK2_HOST"}},
		{"empty SPARK2_USER", env("SPARK2_USER", ""), nil, []string{"SPARK2_USER", "set but empty", "numeric id"}},
		{"bad SPARK2_GROUP", env("SPARK2_GROUP", "a b"), nil, []string{"env var SPARK2_GROUP"}},
		{"bad SPARK2_READY", env("SPARK2_READY", "later"), nil, []string{"env var SPARK2_READY", "notify"}},
		{"bad SPARK2_READY_TIMEOUT", env("SPARK2_READY_TIMEOUT", "0s"), nil, []string{"env var SPARK2_READY_TIMEOUT"}},
		{"bad SPARK2_NO_LISTEN", env("SPARK2_NO_LISTEN", "on"), nil, []string{"env var SPARK2_NO_LISTEN"}},
		{"empty SPARK2_EVAL", env("SPARK2_EVAL", ""), nil, []string{"SPARK2_EVAL", "set but empty"}},
		{"SPARK2_INCLUDE missing dir", env("SPARK2_INCLUDE", "/no/such/dir"), nil, []string{`"/no/such/dir"`, "env var SPARK2_INCLUDE"}},
		{"SPARK2_INCLUDE empty item", env("SPARK2_INCLUDE", "/tmp,,/tmp"), nil, []string{`""`, "env var SPARK2_INCLUDE", "non-empty"}},
		{"SPARK2_INCLUDE csv", env("SPARK2_INCLUDE", `"/tmp`), nil, []string{"env var SPARK2_INCLUDE", "comma-separated items, each a non-empty path"}},
		// config file location
		{"missing -c", world{}, []string{"-c", "missing.json"}, []string{`read config file "missing.json" (-c/--config)`, "no such file"}},
		{"missing SPARK2_CONFIG", env("SPARK2_CONFIG", "missing.json"), nil, []string{`"missing.json" (env var SPARK2_CONFIG)`}},
		{"-c is a dir", world{files: map[string]string{"d/": ""}}, []string{"-c", "d"}, []string{`read config file "d"`, "directory"}},
		{"empty COMMAND", world{}, []string{"--", ""}, []string{`the COMMAND's program is ""`, "give the program to run"}},
		{"empty COMMAND word", world{}, []string{"", "x"}, []string{`the COMMAND's program is ""`}},
		{"-c endless", world{}, []string{"-c", "/dev/zero"}, []string{`read config file "/dev/zero" (-c/--config)`, "larger than 1 MiB", "name the right file"}},
		{"-c too large", world{files: map[string]string{"big.json": "{}" + strings.Repeat(" ", maxFileSize-1)}}, []string{"-c", "big.json"}, []string{`read config file "big.json"`, "larger than 1 MiB"}},
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
		{"set NUL", file(`{"set": {"A": "x\u0000y"}}`), nil, []string{`spark2.json: key "set"`, "NUL byte", "remove it"}},
		{"set NUL key", file(`{"set": {"A\u0000": "x"}}`), nil, []string{`key "set"`, "NUL byte"}},
		{"comment NUL", file(`{"comment": "a\u0000"}`), nil, []string{`key "comment"`, "NUL byte"}},
		{"section NUL", file(`{"environments": {"production": {"eval": "1\u0000"}}}`), nil, []string{`key "environments.production.eval"`, "NUL byte"}},
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
		{"port string", file(`{"port": "x"}`), nil, []string{`spark2.json: invalid value "x" for key "port"`}},
		{"port fraction", file(`{"port": 80.5}`), nil, []string{`key "port"`}},
		{"port boolean", file(`{"port": true}`), nil, []string{`key "port"`, "got a boolean"}},
		{"host number", file(`{"host": 127}`), nil, []string{`key "host"`, "want a string", "got a number"}},
		{"no-listen string", file(`{"no-listen": "yes"}`), nil, []string{`key "no-listen"`, "want true or false"}},
		{"user negative", file(`{"user": -1}`), nil, []string{`key "user"`}},
		{"group null", file(`{"group": null}`), nil, []string{`key "group"`, "got null"}},
		{"ready boolean", file(`{"ready": true}`), nil, []string{`key "ready"`, "got a boolean"}},
		{"ready-timeout 0", file(`{"environments": {"development": {"ready-timeout": 0}}}`), nil, []string{`key "environments.development.ready-timeout"`}},
		{"include string", file(`{"include": "notalist"}`), nil, []string{`spark2.json: key "include"`, "want an array of strings", "got a string"}},
		{"include object", file(`{"include": {"a": "b"}}`), nil, []string{`key "include"`, "got an object"}},
		{"include numbers", file(`{"include": [1]}`), nil, []string{`key "include"`, "want an array of strings"}},
		{"include missing dir", file(`{"include": ["nope"]}`), nil, []string{`spark2.json: invalid value "nope" for key "include"`, "existing directory"}},
		{"ssl-key in file alone", file(`{"ssl-key": "k.pem"}`), nil, []string{`--ssl-key (spark2.json key "ssl-key") without --ssl-crt`}},
		{"file in -C dir", world{files: map[string]string{"app/spark2.json": `{"x": 1}`}}, []string{"-C", "app"}, []string{`app/spark2.json: unknown key "x"`}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantUsageError(t, tc.w, tc.args, tc.want) })
	}
}

// wantUsageError parses args in w and expects a one-line *UsageError whose
// message holds each of want.
func wantUsageError(t *testing.T, w world, args, want []string) {
	t.Helper()
	_, _, err := parseIn(t, w, args...)
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("got %T %v, want a *UsageError", err, err)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("message is not one line: %q", msg)
	}
	for _, s := range want {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q lacks %q", msg, s)
		}
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
		{world{}, []string{"--set", "PORT=1"}, `invalid value "PORT=1" for --set: PORT is reserved: spark2 sets it to the port it listens on; use -p/--port`},
		{env("PORT", "abc"), nil, `invalid value "abc" for env var PORT: want a whole number from 0 to 65535 (0: any free port)`},
		{world{}, []string{"--no-listen", "-p", "8080"}, `-p/--port cannot go with --no-listen: with --no-listen workers get no listening socket; drop one of the two`},
		{world{}, []string{"--ssl-crt", "c.pem"}, `--ssl-crt without --ssl-key: TLS needs both --ssl-key and --ssl-crt; give both or neither`},
		{world{}, []string{"-I", "/no/such/dir"}, `invalid value "/no/such/dir" for -I/--include: want an existing directory; no such file or directory`},
		{world{}, []string{"--ready", "soon"}, `invalid value "soon" for --ready: want notify, fd, or a duration from 0 to 1h such as "1s", "500ms" or a number of seconds`},
		{file(`{"include": "lib"}`), nil, `spark2.json: key "include": want an array of strings, each a non-empty path, got a string`},
		{world{}, []string{"--status", "-R"}, `-R/--respawn cannot go with --status: spark2 runs one control command at a time; drop one of the two`},
		{world{}, []string{"--json"}, `--json needs --status or --probe: it prints the status as JSON; add --status or drop --json`},
		{world{}, []string{"--kill", "--force"}, `--force cannot go with --kill: --force is for a normal run (stop the running master, then start); drop one of the two`},
		{world{}, []string{"--kill", "node", "app.js"}, `--kill takes no COMMAND, got "node app.js": it acts on the master already running; drop the COMMAND`},
		{world{}, []string{"--probe", "sick"}, `invalid value "sick" for --probe: want live or ready`},
		{file(`{"status": true}`), nil, `spark2.json: key "status": not allowed in a config file: it is a command-line action (--status)`},
		{world{}, []string{"--status-file", "status.json"}, `invalid value "status.json" for --status-file: want an absolute path of a file, such as /run/spark2/status.json`},
		{world{}, []string{"--watch-ignore", "["}, `invalid value "[" for --watch-ignore: malformed pattern (an unclosed [ or a trailing \); want a path.Match pattern such as "*.log" or "tmp/*"`},
		{world{}, []string{"--watch-poll", "1ms"}, `invalid value "1ms" for --watch-poll: want 0 (filesystem events), or a poll interval from 10ms to 1m such as "100ms", "1s" or a number of seconds`},
		{world{}, []string{"--watch-path", "/no/such"}, `invalid value "/no/such" for --watch-path: want an existing file or directory; no such file or directory`},
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
	r, err := fake.parse([]string{"-n", "2"}, nil, t.TempDir(), nil)
	if err != nil || r.Config.Workers != 2 {
		t.Errorf("nil lookupEnv: workers %d, err %v", r.Config.Workers, err)
	}
}

// TestASetItemMustFitAWorkersEnvironment: a --set item longer than
// contract.MaxEnvLen would make every worker's exec fail (E2BIG); it is a
// usage error, one line that quotes the start of the value and gives its
// length. One of MaxEnvLen bytes is taken.
func TestASetItemMustFitAWorkersEnvironment(t *testing.T) {
	value := strings.Repeat("x", contract.MaxEnvLen-len("BIG="))
	if res, _, err := parseIn(t, file(`{"set": {"BIG": "`+value+`"}}`), "--", "true"); err != nil || len(res.Config.Set) != 1 {
		t.Fatalf("a set item of MaxEnvLen bytes: %v, %v; want it taken", res.Config.Set, err)
	}
	_, _, err := parseIn(t, file(`{"set": {"BIG": "`+value+`x"}}`), "--", "true")
	if err == nil {
		t.Fatal("a set item of MaxEnvLen+1 bytes: no error")
	}
	msg := err.Error()
	for _, want := range []string{`spark2.json: invalid value "BIG=xxx`, `…" (131072 bytes) for key "set"`, "MAX_ARG_STRLEN"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if len(msg) > 400 || strings.Contains(msg, "\n") {
		t.Errorf("the message is not one short line (%d bytes)", len(msg))
	}
}

func TestQuotedCutsLongValuesAtARune(t *testing.T) {
	if got := quoted("short"); got != `"short"` {
		t.Errorf("quoted(short) = %s", got)
	}
	long := strings.Repeat("é", 100) // 2 bytes each: byte 80 starts a rune
	if got, want := quoted(long), `"`+strings.Repeat("é", 40)+`…" (200 bytes)`; got != want {
		t.Errorf("quoted(100 é) = %s, want %s", got, want)
	}
	odd := "a" + long // byte 80 is inside an é: cut before it
	if got, want := quoted(odd), `"a`+strings.Repeat("é", 39)+`…" (201 bytes)`; got != want {
		t.Errorf("quoted(a + 100 é) = %s, want %s", got, want)
	}
}
