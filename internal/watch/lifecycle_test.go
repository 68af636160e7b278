package watch

import (
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCloseClosesChangesAndLeaksNoGoroutine(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			dir := tree(t, "app.js")
			w, err := New(Options{Paths: []string{dir}, Poll: m.poll, Debounce: testDebounce})
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, "app.js"), "v2")
			next(t, w)
			write(t, filepath.Join(dir, "app.js"), "v3") // pending when Close comes, or not: either is fine
			if err := w.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := w.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			for range w.Changes() { // a Change may have been ready; then closed
			}
			for range w.Warnings() {
			}
			settled := time.Now().Add(deadline)
			for runtime.NumGoroutine() > before {
				if time.Now().After(settled) {
					t.Fatalf("%d goroutines after Close, %d before", runtime.NumGoroutine(), before)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
}

func TestWatchedDirectoryRemovedAndRecreated(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "src")
	write(t, filepath.Join(dir, "app.js"), "v1")
	w := start(t, Options{Paths: []string{dir}})
	mustRemove(t, dir)
	waitFor(t, w, dir)
	select {
	case msg := <-w.Warnings():
		if !strings.Contains(msg, dir) || !strings.Contains(msg, "vanished") {
			t.Fatalf("warning %q, want it to say %s vanished", msg, dir)
		}
	case <-time.After(deadline):
		t.Fatal("no warning that the watched directory vanished")
	}
	app := filepath.Join(dir, "app.js")
	write(t, app, "v2") // checked out again
	waitFor(t, w, app)
	later := filepath.Join(dir, "lib", "later.js")
	write(t, later, "v1")
	waitFor(t, w, later)
}

func TestChangeNamesAtMostTwentyPathsSorted(t *testing.T) {
	dir := tree(t)
	w := start(t, Options{Paths: []string{dir}, Debounce: strictDebounce})
	var want []string
	for i := range 30 {
		p := filepath.Join(dir, "gen", string(rune('a'+i%26))+strings.Repeat("z", i/26)+".js")
		write(t, p, "generated")
		want = append(want, p)
	}
	slices.Sort(want)
	if c := next(t, w); c.Count != 30 || !slices.Equal(c.Paths, want[:20]) {
		t.Fatalf("Change = %+v, want Count 30 and the first 20 of %v", c, want)
	}
}
