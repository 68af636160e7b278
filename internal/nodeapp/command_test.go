package nodeapp

import (
	"slices"
	"strings"
	"testing"
)

func TestCommandArgv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		o    Options
		slot int
		want []string // argv with the loader after "-e"
	}{
		{"default node", Options{App: "/srv/app.js"}, 0, []string{"node", "-e", loader, "node /srv/app.js"}},
		{"node binary", Options{App: "/srv/app.js", Node: "/opt/node/bin/node"}, 1, []string{"/opt/node/bin/node", "-e", loader, "node /srv/app.js"}},
		{"debug slot 0", Options{App: "/srv/app.js", Debug: true}, 0, []string{"node", "--inspect=127.0.0.1:9229", "-e", loader, "node /srv/app.js"}},
		{"debug slot 2", Options{App: "/srv/app.js", Debug: true}, 2, []string{"node", "--inspect=127.0.0.1:9231", "-e", loader, "node /srv/app.js"}},
		{"comment", Options{App: "/srv/app.js", Comment: "shop"}, 3, []string{"node", "-e", loader, "spark2 worker 3 [shop]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			argv, env := Command(c.o, c.slot, nil)
			if !slices.Equal(argv, c.want) {
				t.Fatalf("argv %q, want %q", argv, c.want)
			}
			if len(env) == 0 || env[0] != "SPARK2_BOOTSTRAP="+bootstrap || !strings.Contains(env[0], "spark2 node bootstrap") {
				t.Errorf("the first env entry is not the embedded bootstrap: %.60q", env)
			}
			if len(loader) > 200 {
				t.Errorf("the loader is %d bytes: it is what ps shows, keep it short", len(loader))
			}
		})
	}
}

func TestCommandEnv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		o    Options
		base []string
		want []string
	}{
		{"app only", Options{App: "/srv/app.js"}, []string{"NODE_PATH=/usr/lib/node"},
			[]string{"SPARK2_APP=/srv/app.js"}},
		{"eval and comment", Options{App: "/srv/app.js", Eval: "x = 1", Comment: "shop"}, nil,
			[]string{"SPARK2_APP=/srv/app.js", "SPARK2_EVAL=x = 1", "SPARK2_COMMENT=shop"}},
		{"includes, no NODE_PATH", Options{App: "/a.js", Include: []string{"/inc1", "", "lib"}}, []string{"HOME=/"},
			[]string{"SPARK2_APP=/a.js", "NODE_PATH=/inc1:lib"}},
		{"includes before NODE_PATH", Options{App: "/a.js", Include: []string{"/inc1", "/inc2"}},
			[]string{"NODE_PATH=/old", "PATH=/bin", "NODE_PATH=/usr/lib/node:/x"},
			[]string{"SPARK2_APP=/a.js", "NODE_PATH=/inc1:/inc2:/usr/lib/node:/x"}},
		{"empty NODE_PATH", Options{App: "/a.js", Include: []string{"/inc"}}, []string{"NODE_PATH="},
			[]string{"SPARK2_APP=/a.js", "NODE_PATH=/inc"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			base := slices.Clone(c.base)
			_, env := Command(c.o, 0, base)
			if len(env) > 0 && strings.HasPrefix(env[0], "SPARK2_BOOTSTRAP=") {
				env = env[1:] // TestCommandArgv checks it
			}
			if !slices.Equal(env, c.want) {
				t.Errorf("env %q, want %q", env, c.want)
			}
			if !slices.Equal(base, c.base) {
				t.Errorf("Command changed base: %q", base)
			}
		})
	}
}
