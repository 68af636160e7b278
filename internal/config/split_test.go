package config

import (
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		command []string
		env     string
		workers int
	}{
		{nil, nil, "development", 1},
		{[]string{"node", "app.js"}, []string{"node", "app.js"}, "development", 1},
		{[]string{"-n", "2", "node", "--inspect", "app.js"}, []string{"node", "--inspect", "app.js"}, "development", 2},
		{[]string{"-E", "production", "node", "app.js"}, []string{"node", "app.js"}, "production", 1},
		{[]string{"-E", "node", "app.js"}, []string{"app.js"}, "node", 1}, // the value is the next word
		{[]string{"--", "-n", "2"}, []string{"-n", "2"}, "development", 1},
		{[]string{"-n", "2", "--"}, []string{}, "development", 2},
		{[]string{"-n", "2", "--", "--", "x"}, []string{"--", "x"}, "development", 2},
		{[]string{"-v", "node", "-n", "3"}, []string{"node", "-n", "3"}, "development", 1},
		{[]string{"-K", "-", "x"}, []string{"-", "x"}, "development", 1},
		{[]string{"--env=a=b.c", "x"}, nil, "", 0}, // "=" inside a value: invalid name, checked below
		{[]string{"--workers=3", "-M=staging", "python3", "-m", "http.server"}, []string{"python3", "-m", "http.server"}, "staging", 3},
	} {
		r, _, err := parseIn(t, world{}, tc.args...)
		if tc.env == "" {
			if err == nil {
				t.Errorf("%q: no error", tc.args)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		c := r.Config
		if !reflect.DeepEqual(c.Command, tc.command) || c.Env != tc.env || c.Workers != tc.workers {
			t.Errorf("%q: command %q env %q workers %d; want %q %q %d", tc.args, c.Command, c.Env, c.Workers, tc.command, tc.env, tc.workers)
		}
	}
}

func TestSplitDoesNotAliasArgs(t *testing.T) {
	args := []string{"-n", "2", "node", "app.js"}
	c, _ := mustParse(t, world{}, args...)
	c.Command[0] = "changed"
	if args[2] != "node" {
		t.Error("Config.Command shares its array with args")
	}
}

func TestSplitOrderKeepsAliasLastWins(t *testing.T) {
	tab, err := loadTable()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := split(tab, []string{"-E", "a", "-M", "b", "--set", "A=1", "--set", "B=2", "cmd"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range cl.flags {
		got = append(got, s.opt.long+"="+s.text+" ("+s.src.String()+")")
	}
	want := []string{"env=a (-E/--env)", "env=b (-M/--mode)", "set=A=1 (--set)", "set=B=2 (--set)"}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(cl.command, []string{"cmd"}) {
		t.Errorf("flags %q command %q; want %q [cmd]", got, cl.command, want)
	}
}
