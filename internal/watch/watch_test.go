package watch

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAtomicSaveGivesOneChangeNamingTheTarget(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			dir := tree(t, "app.js", "other.js")
			w := start(t, Options{Paths: []string{dir}, Poll: m.poll, Debounce: strictDebounce})
			target := filepath.Join(dir, "app.js")
			atomicSave(t, target, ".app.js.new", "v2")
			if c := next(t, w); !slices.Contains(c.Paths, target) {
				t.Fatalf("Change = %+v, want it to name %s", c, target)
			}
			expectOnly(t, w, filepath.Join(dir, "other.js"))
		})
	}
}

func TestAtomicSaveOfAWatchedFile(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			dir, side := tree(t, "config.json", "sibling.json"), tree(t, "x.js")
			target := filepath.Join(dir, "config.json")
			w := start(t, Options{Paths: []string{target, side}, Poll: m.poll, Debounce: strictDebounce})
			write(t, filepath.Join(dir, "sibling.json"), "a sibling is not watched")
			atomicSave(t, target, "config.json.new", `{"v": 2}`)
			if c := next(t, w); !slices.Equal(c.Paths, []string{target}) {
				t.Fatalf("Change = %+v, want only %s", c, target)
			}
			expectOnly(t, w, filepath.Join(side, "x.js"))
		})
	}
}

func TestNewSubdirectoryAndFileInside(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			dir := tree(t, "app.js")
			w := start(t, Options{Paths: []string{dir}, Poll: m.poll})
			// Created right after the directories: inotify may not watch them yet.
			first := filepath.Join(dir, "lib", "deep", "first.js")
			write(t, first, "v1")
			waitFor(t, w, first)
			// Created later: the new directory has a watch of its own now.
			second := filepath.Join(dir, "lib", "deep", "second.js")
			write(t, second, "v1")
			waitFor(t, w, second)
		})
	}
}

func TestIgnoredFilesGiveNoChange(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			dir := tree(t, "app.js", ".git/HEAD", "node_modules/a/index.js")
			w := start(t, Options{Paths: []string{dir}, Poll: m.poll, Ignore: []string{"dist", "*.log"}})
			for _, f := range []string{"x.swp", ".x.swx", "app.js~", ".#app.js", "#app.js#", "4913", "save.tmp",
				".git/index", "node_modules/a/b.js", "node_modules/new/c.js", "dist/bundle.js", "lib/debug.log"} {
				write(t, filepath.Join(dir, f), "ignored")
			}
			expectOnly(t, w, filepath.Join(dir, "app.js"))
		})
	}
}

func TestChmodOnlyIsIgnored(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			dir := tree(t, "app.js", "other.js")
			w := start(t, Options{Paths: []string{dir}, Poll: m.poll})
			if err := os.Chmod(filepath.Join(dir, "app.js"), 0o600); err != nil {
				t.Fatal(err)
			}
			expectOnly(t, w, filepath.Join(dir, "other.js"))
		})
	}
}

// TestBurstOfFiftySavesGivesOneChange saves 50 times within the debounce (a
// second: the saves take milliseconds, but this machine can pause a writer for
// a tenth of one).
func TestBurstOfFiftySavesGivesOneChange(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			dir := tree(t, "app.js", "other.js")
			w := start(t, Options{Paths: []string{dir}, Poll: m.poll, Debounce: time.Second})
			target := filepath.Join(dir, "app.js")
			for i := range 50 {
				if i%2 == 0 {
					write(t, target, strings.Repeat("x", i))
				} else {
					atomicSave(t, target, "app.js.tmp", strings.Repeat("y", i))
				}
			}
			if c := next(t, w); !slices.Equal(c.Paths, []string{target}) {
				t.Fatalf("Change = %+v, want only %s", c, target)
			}
			expectOnly(t, w, filepath.Join(dir, "other.js"))
		})
	}
}

func TestPollingSeesCreateModifyDeleteRename(t *testing.T) {
	dir := tree(t, "app.js")
	w := start(t, Options{Paths: []string{dir}, Poll: 20 * time.Millisecond, Debounce: strictDebounce})
	if got := w.Mode(); got != "poll 20ms" {
		t.Fatalf("Mode = %q, want poll 20ms", got)
	}
	a, b := filepath.Join(dir, "a.js"), filepath.Join(dir, "b.js")
	step := func(what string, do func(), want ...string) {
		t.Helper()
		do()
		if c := next(t, w); !slices.Equal(c.Paths, want) || c.Count != len(want) {
			t.Fatalf("%s: Change = %+v, want %v", what, c, want)
		}
	}
	step("create", func() { write(t, a, "v1") }, a)
	step("modify", func() { write(t, a, "version 2") }, a)
	step("rename", func() { mustRename(t, a, b) }, a, b)
	step("delete", func() { mustRemove(t, b) }, b)
}

func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

func mustRemove(t *testing.T, path string) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
}
