package config

import (
	"reflect"
	"testing"
	"time"
)

func TestWatchPathImpliesWatch(t *testing.T) {
	lib := map[string]string{"lib/": ""}
	for _, tc := range []struct {
		name string
		env  map[string]string
		file string // spark2.json; "" for none
		args []string
		want bool
	}{
		{"nothing", nil, "", nil, false},
		{"--watch", nil, "", []string{"--watch"}, true},
		{"flag", nil, "", []string{"--watch-path", "lib"}, true},
		{"env var", map[string]string{"SPARK2_WATCH_PATH": "lib"}, "", nil, true},
		{"file", nil, `{"watch-path": ["lib"]}`, nil, true},
		{"section", nil, `{"environments": {"development": {"watch-path": ["lib"]}}}`, nil, true},
		{"empty list implies nothing", nil, `{"watch-path": []}`, nil, false},
		{"higher env var turns it off", map[string]string{"SPARK2_WATCH": "false"}, `{"watch-path": ["lib"]}`, nil, false},
		{"higher section turns it off", nil, `{"watch-path": ["lib"], "environments": {"development": {"watch": false}}}`, nil, false},
		{"higher flag turns it off", map[string]string{"SPARK2_WATCH_PATH": "lib"}, "", []string{"--watch=false"}, false},
		{"lower env var does not", map[string]string{"SPARK2_WATCH": "no"}, "", []string{"--watch-path", "lib"}, true},
		{"lower file does not", map[string]string{"SPARK2_WATCH_PATH": "lib"}, `{"watch": false}`, nil, true},
		{"later flag turns it off", nil, "", []string{"--watch-path", "lib", "--watch=false"}, false},
		{"earlier flag does not", nil, "", []string{"--watch=false", "--watch-path", "lib"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := world{env: tc.env, files: lib}
			if tc.file != "" {
				w.files = with(lib, "spark2.json", tc.file)
			}
			if c, _ := mustParse(t, w, tc.args...); c.Watch != tc.want {
				t.Errorf("watch %v, want %v", c.Watch, tc.want)
			}
		})
	}
}

func TestWatchListPrecedence(t *testing.T) {
	w := world{
		env:   map[string]string{"SPARK2_WATCH_PATH": "b", "SPARK2_WATCH_IGNORE": "*.b"},
		files: map[string]string{"a/": "", "b/": "", "c/x.js": "", "d/": "", "spark2.json": `{"watch-path": ["a"], "watch-ignore": ["*.a"]}`},
	}
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		paths  []string
		ignore []string
	}{
		{"file", nil, nil, []string{"a"}, []string{"*.a"}},
		{"env replaces file", w.env, nil, []string{"b"}, []string{"*.b"}},
		{"flags replace env, in order", w.env, []string{"--watch-path", "d", "--watch-path=c/x.js", "--watch-ignore", "x", "--watch-ignore", "y/*"},
			[]string{"d", "c/x.js"}, []string{"x", "y/*"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.env = tc.env
			c, dir := mustParse(t, w, tc.args...)
			if got := relAll(dir, c.WatchPaths); !reflect.DeepEqual(got, tc.paths) || !reflect.DeepEqual(c.WatchIgnore, tc.ignore) {
				t.Errorf("paths %q ignore %q, want %q %q", got, c.WatchIgnore, tc.paths, tc.ignore)
			}
		})
	}
	c, _ := mustParse(t, file(`{"watch-path": ["/tmp"], "watch-ignore": ["*"], "environments": {"development": {"watch-path": [], "watch-ignore": []}}}`))
	// The top level's --watch-path implied --watch there; the section's empty
	// list does not say "watch false", so the app's directory is watched.
	if c.WatchPaths != nil || c.WatchIgnore != nil || !c.Watch {
		t.Errorf("paths %q ignore %q watch %v, want none and true: the section's empty lists replace the top level's", c.WatchPaths, c.WatchIgnore, c.Watch)
	}
}

func TestWatchValueForms(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    world
		args []string
		get  func(Config) any
		want any
	}{
		{"poll 0", world{}, []string{"--watch-poll", "0"}, func(c Config) any { return c.WatchPoll }, time.Duration(0)},
		{"poll 10ms", world{}, []string{"--watch-poll", "10ms"}, func(c Config) any { return c.WatchPoll }, 10 * time.Millisecond},
		{"poll 1m", env("SPARK2_WATCH_POLL", "1m"), nil, func(c Config) any { return c.WatchPoll }, time.Minute},
		{"poll seconds", world{}, []string{"--watch-poll=0.1"}, func(c Config) any { return c.WatchPoll }, 100 * time.Millisecond},
		{"poll json number", file(`{"watch-poll": 60}`), nil, func(c Config) any { return c.WatchPoll }, time.Minute},
		{"ignore classes and escapes", world{}, []string{"--watch-ignore", "[a-c]*.js", "--watch-ignore", `\*`, "--watch-ignore", "?.tmp"},
			func(c Config) any { return c.WatchIgnore }, []string{"[a-c]*.js", `\*`, "?.tmp"}},
		{"ignore env list", env("SPARK2_WATCH_IGNORE", `*.log, "a,b"`), nil, func(c Config) any { return c.WatchIgnore }, []string{"*.log", "a,b"}},
		{"watch path a file", world{files: map[string]string{"app.js": ""}}, []string{"--watch-path", "app.js"}, func(c Config) any { return len(c.WatchPaths) }, 1},
		{"watch path cleaned", world{}, []string{"--watch-path", "/tmp/../tmp/"}, func(c Config) any { return c.WatchPaths }, []string{"/tmp"}},
		{"watch from env", env("SPARK2_WATCH", "YES"), nil, func(c Config) any { return []any{c.Watch, c.WatchPaths} }, []any{true, []string(nil)}},
		{"stale-after seconds", world{}, []string{"--stale-after", "0.5"}, func(c Config) any { return c.StaleAfter }, 500 * time.Millisecond},
		{"status-file cleaned", world{}, []string{"--status-file", "/run//spark2/./s.json"}, func(c Config) any { return c.StatusFile }, "/run/spark2/s.json"},
		{"status-file in a missing directory", world{}, []string{"--status-file", "/no/such/dir/s.json"}, func(c Config) any { return c.StatusFile }, "/no/such/dir/s.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := mustParse(t, tc.w, tc.args...)
			if got := tc.get(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestBadWatchInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    world
		args []string
		want []string
	}{
		{"watch=maybe", world{}, []string{"--watch=maybe"}, []string{"--watch", "yes or no"}},
		{"SPARK2_WATCH=maybe", env("SPARK2_WATCH", "maybe"), nil, []string{"env var SPARK2_WATCH", "yes or no"}},
		{"empty SPARK2_WATCH", env("SPARK2_WATCH", ""), nil, []string{"SPARK2_WATCH", "set but empty"}},
		{"file watch string", file(`{"watch": "yes"}`), nil, []string{`key "watch"`, "want true or false"}},
		{"watch-path missing", world{}, []string{"--watch-path", "/no/such"}, []string{`"/no/such"`, "--watch-path", "existing file or directory"}},
		{"watch-path missing relative", world{files: map[string]string{"lib/": ""}}, []string{"--watch-path", "lib", "--watch-path", "nope"}, []string{`"nope"`, "--watch-path"}},
		{"watch-path empty", world{}, []string{"--watch-path="}, []string{"--watch-path", "non-empty"}},
		{"watch-path env missing", env("SPARK2_WATCH_PATH", "/tmp,/no/such"), nil, []string{`"/no/such"`, "env var SPARK2_WATCH_PATH"}},
		{"watch-path env csv", env("SPARK2_WATCH_PATH", `"/tmp`), nil, []string{"env var SPARK2_WATCH_PATH", "comma-separated"}},
		{"watch-path file string", file(`{"watch-path": "x"}`), nil, []string{`key "watch-path"`, "want an array of strings", "got a string"}},
		{"watch-path file missing", file(`{"watch-path": ["nope"]}`), nil, []string{`spark2.json: invalid value "nope" for key "watch-path"`}},
		{"watch-ignore [", world{}, []string{"--watch-ignore", "["}, []string{`"["`, "--watch-ignore", "malformed pattern"}},
		{"watch-ignore trailing backslash", world{}, []string{"--watch-ignore", `a\`}, []string{"--watch-ignore", "malformed"}},
		{"watch-ignore empty", world{}, []string{"--watch-ignore="}, []string{"--watch-ignore", "path.Match pattern"}},
		{"watch-ignore env", env("SPARK2_WATCH_IGNORE", "*.log,[x"), nil, []string{`"[x"`, "env var SPARK2_WATCH_IGNORE"}},
		{"watch-ignore file", file(`{"watch-ignore": ["*.log", "[]"]}`), nil, []string{`key "watch-ignore"`, "malformed"}},
		{"watch-poll 1ms", world{}, []string{"--watch-poll", "1ms"}, []string{`"1ms"`, "--watch-poll", "10ms to 1m"}},
		{"watch-poll 9ms", world{}, []string{"--watch-poll=0.009"}, []string{"--watch-poll"}},
		{"watch-poll 2m", world{}, []string{"--watch-poll", "2m"}, []string{"--watch-poll"}},
		{"watch-poll -1s", world{}, []string{"--watch-poll", "-1s"}, []string{"--watch-poll"}},
		{"watch-poll word", env("SPARK2_WATCH_POLL", "often"), nil, []string{"env var SPARK2_WATCH_POLL"}},
		{"watch-poll file", file(`{"watch-poll": 61}`), nil, []string{`key "watch-poll"`}},
		{"watch-poll file boolean", file(`{"watch-poll": true}`), nil, []string{`key "watch-poll"`, "got a boolean"}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantUsageError(t, tc.w, tc.args, tc.want) })
	}
}
