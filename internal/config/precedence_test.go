package config

import (
	"reflect"
	"testing"
)

// layered is a config file with a value at the top level and in the
// production section, for the precedence tests.
const layered = `{
  "workers": 2, "comment": "top", "set": ["FROM=top", "TOP=1"], "verbose": true,
  "env": "production",
  "environments": {
    "production": {"workers": 3, "comment": "section", "set": {"FROM": "section"}, "verbose": false},
    "staging": {"workers": 9}
  }
}`

func TestPrecedence(t *testing.T) {
	files := map[string]string{"spark2.json": layered}
	for _, tc := range []struct {
		name    string
		w       world
		args    []string
		workers int
		comment string
		set     []string
		level   string
	}{
		{"default beaten by nothing", world{}, nil, 1, "", nil, "info"},
		{"top level beats default", world{files: map[string]string{"spark2.json": `{"workers": 2, "comment": "top", "set": ["A=1"], "verbose": true}`}},
			nil, 2, "top", []string{"A=1"}, "debug"},
		{"env section beats top level", world{files: files},
			nil, 3, "section", []string{"FROM=section"}, "info"},
		{"env var beats env section", world{files: files, env: map[string]string{
			"SPARK2_WORKERS": "4", "SPARK2_COMMENT": "env", "SPARK2_SET": "FROM=env", "SPARK2_VERBOSE": "1"}},
			nil, 4, "env", []string{"FROM=env"}, "debug"},
		{"flag beats env var", world{files: files, env: map[string]string{
			"SPARK2_WORKERS": "4", "SPARK2_COMMENT": "env", "SPARK2_SET": "FROM=env", "SPARK2_VERBOSE": "1"}},
			[]string{"-n", "5", "--comment", "flag", "--set", "FROM=flag", "--set", "X=1", "--verbose=no"}, 5, "flag", []string{"FROM=flag", "X=1"}, "info"},
		{"section chosen by flag", world{files: files}, []string{"-E", "staging"}, 9, "top", []string{"FROM=top", "TOP=1"}, "debug"},
		{"section chosen by env var", world{files: files, env: map[string]string{"SPARK2_ENV": "staging"}}, nil, 9, "top", []string{"FROM=top", "TOP=1"}, "debug"},
		{"section chosen by NODE_ENV", world{files: files, env: map[string]string{"NODE_ENV": "staging"}}, nil, 9, "top", []string{"FROM=top", "TOP=1"}, "debug"},
		{"no section for the name", world{files: files}, []string{"-M", "test"}, 2, "top", []string{"FROM=top", "TOP=1"}, "debug"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := mustParse(t, tc.w, tc.args...)
			got := []any{c.Workers, c.Comment, c.Set, c.LogLevel}
			want := []any{tc.workers, tc.comment, tc.set, tc.level}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestListReplacedByEmptyList(t *testing.T) {
	c, _ := mustParse(t, file(`{"set": ["A=1"], "environments": {"development": {"set": []}}}`))
	if c.Set != nil {
		t.Errorf("set %q, want none: the section's empty list replaces the top level's", c.Set)
	}
}

func TestOverriddenValuesAreStillChecked(t *testing.T) {
	// A flag wins, but an invalid value below it is still reported.
	for _, w := range []world{file(`{"workers": 0}`), env("SPARK2_WORKERS", "0")} {
		if _, _, err := parseIn(t, w, "-n", "2"); err == nil {
			t.Errorf("%v: no error for workers 0 under -n 2", w)
		}
	}
	if _, _, err := parseIn(t, world{}, "-n", "0", "-n", "2"); err == nil {
		t.Error("-n 0 -n 2: no error for the overridden -n 0")
	}
}
