package watch

import (
	"strings"
	"testing"
)

func TestIgnored(t *testing.T) {
	extra := []string{"dist", "*.log", "build/gen", "secret-*"}
	cases := []struct {
		rel  string
		want bool
	}{
		{"", false}, {".", false}, {"app.js", false}, {"lib/util.js", false},
		{"..data", false}, {"..2024_01_02_03_04_05.123/app.yaml", false}, {"..data_tmp", false}, // ConfigMaps
		{".gitignore", false}, {".github/workflows/ci.yml", false}, {"src/tmp/x.js", false},
		{".git", true}, {".git/index", true}, {"sub/.git/HEAD", true},
		{"node_modules", true}, {"node_modules/a/b.js", true}, {"packages/x/node_modules/y.js", true},
		{".app.js.swp", true}, {"lib/.x.swx", true}, {"app.js~", true}, {".#app.js", true},
		{"#app.js#", true}, {"4913", true}, {"lib/4913", true}, {"save.tmp", true}, {"cache.tmp/x.js", true},
		{"dist", true}, {"dist/bundle.js", true}, {"lib/dist/x.js", true}, {"debug.log", true},
		{"build/gen/x.go", true}, {"build/other.go", false}, {"a/build/gen/x.go", false},
		{"secret-key.pem", true}, {"/lib/util.js/", false},
	}
	for _, c := range cases {
		if got := Ignored(c.rel, extra); got != c.want {
			t.Errorf("Ignored(%q) = %v, want %v", c.rel, got, c.want)
		}
	}
	if Ignored("dist/bundle.js", nil) {
		t.Error("extra patterns must not apply when none are given")
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	dir := tree(t, "app.js")
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"no paths", Options{}, "no paths"},
		{"relative", Options{Paths: []string{"src"}}, "watch src: not an absolute path"},
		{"missing", Options{Paths: []string{dir + "/nope"}}, "watch " + dir + "/nope: no such file or directory"},
		{"bad pattern", Options{Paths: []string{dir}, Ignore: []string{"[x"}}, `ignore pattern "[x"`},
		{"negative poll", Options{Paths: []string{dir}, Poll: -1}, "negative poll"},
		{"negative debounce", Options{Paths: []string{dir}, Debounce: -1}, "negative debounce"},
	}
	for _, c := range cases {
		w, err := New(c.o)
		if err == nil {
			_ = w.Close()
			t.Errorf("%s: New succeeded, want an error", c.name)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestModeAndDefaultDebounce(t *testing.T) {
	dir := tree(t, "app.js")
	w, err := New(Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Mode() != "events" || w.burst.debounce != defaultDebounce {
		t.Fatalf("Mode %q, debounce %v: want events and %v", w.Mode(), w.burst.debounce, defaultDebounce)
	}
}
