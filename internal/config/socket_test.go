package config

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestPortFallback(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		file string // spark2.json; "" for none
		args []string
		want int
	}{
		{"PORT", map[string]string{"PORT": "8080"}, "", nil, 8080},
		{"empty PORT is unset", map[string]string{"PORT": ""}, "", nil, 3000},
		{"empty PORT leaves the file", map[string]string{"PORT": ""}, `{"port": 7070}`, nil, 7070},
		{"PORT beats the file", map[string]string{"PORT": "8080"}, `{"port": 7070}`, nil, 8080},
		{"SPARK2_PORT beats PORT", map[string]string{"PORT": "8080", "SPARK2_PORT": "9090"}, "", nil, 9090},
		{"flag beats PORT", map[string]string{"PORT": "8080"}, "", []string{"-p", "0"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := world{env: tc.env}
			if tc.file != "" {
				w.files = map[string]string{"spark2.json": tc.file}
			}
			if c, _ := mustParse(t, w, tc.args...); c.Port != tc.want {
				t.Errorf("port %d, want %d", c.Port, tc.want)
			}
		})
	}
}

func TestNoListenAccepted(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    world
		args []string
	}{
		{"alone", world{}, []string{"--no-listen"}},
		{"with env PORT, which platforms set", env("PORT", "8080"), []string{"--no-listen"}},
		{"off with -p", world{}, []string{"--no-listen=false", "-p", "80", "-H", "::"}},
		{"a flag's false beats the file's true", file(`{"no-listen": true, "port": 80}`), []string{"--no-listen=0"}},
		{"with the other options", world{files: map[string]string{"lib/": ""}}, []string{"--no-listen", "-u", "0", "-I", "lib", "--ready", "notify"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustParse(t, tc.w, tc.args...)
		})
	}
}

func TestSSLPairAcrossLayers(t *testing.T) {
	c, dir := mustParse(t, world{env: map[string]string{"SPARK2_SSL_CRT": "c.pem"}, files: map[string]string{"spark2.json": `{"ssl-key": "tls/k.pem"}`}})
	got := []string{c.SSLKey, c.SSLCrt}
	want := []string{filepath.Join(dir, "tls/k.pem"), filepath.Join(dir, "c.pem")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("key and crt %q, want %q", got, want)
	}
}

func TestReadyGiven(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    world
		args []string
		want bool
	}{
		{"default", world{}, nil, false},
		{"the default's value, given", world{}, []string{"--ready", "1s"}, true},
		{"env var", env("SPARK2_READY", "1"), nil, true},
		{"file", file(`{"ready": 1}`), nil, true},
		{"other environment's section", file(`{"environments": {"production": {"ready": "notify"}}}`), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if c, _ := mustParse(t, tc.w, tc.args...); c.ReadyGiven != tc.want {
				t.Errorf("ReadyGiven %v, want %v", c.ReadyGiven, tc.want)
			}
		})
	}
}

func TestIncludeListPrecedence(t *testing.T) {
	w := world{
		env:   map[string]string{"SPARK2_INCLUDE": "b"},
		files: map[string]string{"a/": "", "b/": "", "c/": "", "d/": "", "spark2.json": `{"include": ["a"]}`},
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"file", nil, nil, []string{"a"}},
		{"env replaces file", w.env, nil, []string{"b"}},
		{"flags replace env, in order", w.env, []string{"-I", "d", "--include=c"}, []string{"d", "c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.env = tc.env
			c, dir := mustParse(t, w, tc.args...)
			if got := relAll(dir, c.Include); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("include %q, want %q", got, tc.want)
			}
		})
	}
	c, _ := mustParse(t, file(`{"include": ["/tmp"], "environments": {"development": {"include": []}}}`))
	if c.Include != nil {
		t.Errorf("include %q, want none: the section's empty list replaces the top level's", c.Include)
	}
}
