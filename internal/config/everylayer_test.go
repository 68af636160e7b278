package config

import (
	"maps"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"
)

// TestSameFromEveryLayer gives each option the same value from the command
// line, its env var, the config file's top level and its environment section,
// alone each time, and expects the same Config: what a value means does not
// depend on where it was given.
func TestSameFromEveryLayer(t *testing.T) {
	dirs := map[string]string{"lib/": "", "vendor/": ""}
	for _, tc := range []struct {
		name  string
		flags []string
		env   map[string]string
		json  string // the keys of a config file object, without braces
		get   func(c Config, dir string) any
		want  any
	}{
		{"port", []string{"-p", "8080"}, map[string]string{"SPARK2_PORT": "8080"}, `"port": 8080`,
			func(c Config, _ string) any { return c.Port }, 8080},
		{"port 0", []string{"--port=0"}, map[string]string{"SPARK2_PORT": "0"}, `"port": "0"`,
			func(c Config, _ string) any { return c.Port }, 0},
		{"host IPv6", []string{"-H", "::1"}, map[string]string{"SPARK2_HOST": "::1"}, `"host": "::1"`,
			func(c Config, _ string) any { return c.Host }, "::1"},
		{"host IPv4", []string{"--host", "127.0.0.1"}, map[string]string{"SPARK2_HOST": "127.0.0.1"}, `"host": "127.0.0.1"`,
			func(c Config, _ string) any { return c.Host }, "127.0.0.1"},
		{"host *", []string{"-H", "*"}, map[string]string{"SPARK2_HOST": "*"}, `"host": "*"`,
			func(c Config, _ string) any { return c.Host }, ""},
		{"no-listen", []string{"--no-listen"}, map[string]string{"SPARK2_NO_LISTEN": "true"}, `"no-listen": true`,
			func(c Config, _ string) any { return c.NoListen }, true},
		{"ssl", []string{"--ssl-key", "key.pem", "--ssl-crt", "/etc/crt.pem"},
			map[string]string{"SPARK2_SSL_KEY": "key.pem", "SPARK2_SSL_CRT": "/etc/crt.pem"}, `"ssl-key": "key.pem", "ssl-crt": "/etc/crt.pem"`,
			func(c Config, dir string) any { return []string{rel(dir, c.SSLKey), c.SSLCrt} }, []string{"key.pem", "/etc/crt.pem"}},
		{"user and group ids", []string{"-u", "1000", "-g", "4294967294"},
			map[string]string{"SPARK2_USER": "1000", "SPARK2_GROUP": "4294967294"}, `"user": 1000, "group": 4294967294`,
			func(c Config, _ string) any { return []string{c.User, c.Group} }, []string{"1000", "4294967294"}},
		{"user and group names", []string{"--user", "www-data", "--group", "_svc.1$"},
			map[string]string{"SPARK2_USER": "www-data", "SPARK2_GROUP": "_svc.1$"}, `"user": "www-data", "group": "_svc.1$"`,
			func(c Config, _ string) any { return []string{c.User, c.Group} }, []string{"www-data", "_svc.1$"}},
		{"include", []string{"-I", "lib", "--include", "vendor"}, map[string]string{"SPARK2_INCLUDE": "lib, vendor"}, `"include": ["lib", "vendor"]`,
			func(c Config, dir string) any { return relAll(dir, c.Include) }, []string{"lib", "vendor"}},
		{"eval", []string{"-e", "require('x')"}, map[string]string{"SPARK2_EVAL": "require('x')"}, `"eval": "require('x')"`,
			func(c Config, _ string) any { return c.Eval }, "require('x')"},
		{"debug", []string{"-D"}, map[string]string{"SPARK2_DEBUG": "yes"}, `"debug": true`,
			func(c Config, _ string) any { return c.Debug }, true},
		{"ready notify", []string{"--ready", "notify"}, map[string]string{"SPARK2_READY": "NOTIFY"}, `"ready": "notify"`,
			func(c Config, _ string) any { return []any{c.ReadyNotify, c.ReadyDelay, c.ReadyGiven} }, []any{true, time.Duration(0), true}},
		{"ready fd", []string{"--ready", "fd"}, map[string]string{"SPARK2_READY": "FD"}, `"ready": "fd"`,
			func(c Config, _ string) any { return []any{c.ReadyNotify, c.ReadyFD, c.ReadyGiven} }, []any{true, true, true}},
		{"ready 0", []string{"--ready", "0"}, map[string]string{"SPARK2_READY": "0s"}, `"ready": 0`,
			func(c Config, _ string) any { return []any{c.ReadyNotify, c.ReadyDelay, c.ReadyGiven} }, []any{false, time.Duration(0), true}},
		{"ready 2.5s", []string{"--ready=2.5"}, map[string]string{"SPARK2_READY": "2500ms"}, `"ready": 2.5`,
			func(c Config, _ string) any { return []any{c.ReadyNotify, c.ReadyDelay, c.ReadyGiven} }, []any{false, 2500 * time.Millisecond, true}},
		{"ready 20s", []string{"--ready", "20s"}, map[string]string{"SPARK2_READY": "20"}, `"ready": "20000ms"`,
			func(c Config, _ string) any { return c.ReadyDelay }, 20 * time.Second},
		{"stop-signal", []string{"--stop-signal", "sigquit"}, map[string]string{"SPARK2_STOP_SIGNAL": "3"}, `"stop-signal": "QUIT"`,
			func(c Config, _ string) any { return c.StopSignal }, syscall.SIGQUIT},
		{"ready-timeout", []string{"--ready-timeout", "90s"}, map[string]string{"SPARK2_READY_TIMEOUT": "1m30s"}, `"ready-timeout": 90`,
			func(c Config, _ string) any { return c.ReadyTimeout }, 90 * time.Second},
		{"force", []string{"--force"}, map[string]string{"SPARK2_FORCE": "1"}, `"force": true`,
			func(c Config, _ string) any { return c.Force }, true},
		{"stale-after", []string{"--stale-after", "1500ms"}, map[string]string{"SPARK2_STALE_AFTER": "1.5"}, `"stale-after": 1.5`,
			func(c Config, _ string) any { return c.StaleAfter }, 1500 * time.Millisecond},
		{"status-file and pidfile", []string{"--status-file", "/run/s.json", "--pidfile=/run/p"},
			map[string]string{"SPARK2_STATUS_FILE": "/run/s.json", "SPARK2_PIDFILE": "/run/p"}, `"status-file": "/run/s.json", "pidfile": "/run/p"`,
			func(c Config, _ string) any { return []string{c.StatusFile, c.PidFile} }, []string{"/run/s.json", "/run/p"}},
		{"watch", []string{"--watch"}, map[string]string{"SPARK2_WATCH": "true"}, `"watch": true`,
			func(c Config, _ string) any { return []any{c.Watch, c.WatchPaths} }, []any{true, []string(nil)}},
		{"watch-path", []string{"--watch-path", "lib", "--watch-path", "vendor"}, map[string]string{"SPARK2_WATCH_PATH": "lib,vendor"}, `"watch-path": ["lib", "vendor"]`,
			func(c Config, dir string) any { return []any{c.Watch, relAll(dir, c.WatchPaths)} }, []any{true, []string{"lib", "vendor"}}},
		{"watch-ignore", []string{"--watch-ignore", "*.log", "--watch-ignore", "tmp/*"}, map[string]string{"SPARK2_WATCH_IGNORE": "*.log,tmp/*"}, `"watch-ignore": ["*.log", "tmp/*"]`,
			func(c Config, _ string) any { return []any{c.Watch, c.WatchIgnore} }, []any{false, []string{"*.log", "tmp/*"}}},
		{"watch-poll", []string{"--watch-poll", "250ms"}, map[string]string{"SPARK2_WATCH_POLL": "0.25"}, `"watch-poll": 0.25`,
			func(c Config, _ string) any { return c.WatchPoll }, 250 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, layer := range []struct {
				name string
				w    world
				args []string
			}{
				{"flags", world{files: dirs}, tc.flags},
				{"env", world{files: dirs, env: tc.env}, nil},
				{"file", world{files: with(dirs, "spark2.json", "{"+tc.json+"}")}, nil},
				{"section", world{files: with(dirs, "spark2.json", `{"environments": {"development": {`+tc.json+`}}}`)}, nil},
			} {
				c, dir := mustParse(t, layer.w, layer.args...)
				if got := tc.get(c, dir); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("from %s: got %#v, want %#v", layer.name, got, tc.want)
				}
			}
		})
	}
}

// with returns a copy of files plus name: body.
func with(files map[string]string, name, body string) map[string]string {
	out := maps.Clone(files)
	out[name] = body
	return out
}

// rel returns p relative to dir, or p itself if it is not under dir.
func rel(dir, p string) string {
	r, err := filepath.Rel(dir, p)
	if err != nil || !filepath.IsLocal(r) {
		return p
	}
	return r
}

// relAll is rel of each of ps.
func relAll(dir string, ps []string) []string {
	var out []string
	for _, p := range ps {
		out = append(out, rel(dir, p))
	}
	return out
}
