package watch

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// failingInotify is the real inotify whose add fails with errno after ok
// watches were added, as a full fs.inotify.max_user_watches table does.
func failingInotify(ok int, errno syscall.Errno) inotify {
	sys := realInotify()
	real := sys.add
	sys.add = func(fw *fsnotify.Watcher, dir string) error {
		if ok <= 0 {
			return errno
		}
		ok--
		return real(fw, dir)
	}
	return sys
}

func startWith(t *testing.T, o Options, sys inotify) *Watcher {
	t.Helper()
	o.Debounce = testDebounce
	w, err := newWatcher(o, sys)
	if err != nil {
		t.Fatalf("newWatcher: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

func warning(t *testing.T, w *Watcher) string {
	t.Helper()
	select {
	case msg := <-w.Warnings():
		return msg
	case <-time.After(deadline):
		t.Fatal("no warning")
		return ""
	}
}

func TestWatchLimitAtStartFallsBackToPolling(t *testing.T) {
	dir := tree(t, "app.js", "lib/util.js")
	w := startWith(t, Options{Paths: []string{dir}}, failingInotify(1, syscall.ENOSPC))
	if got := w.Mode(); got != "poll 500ms" {
		t.Fatalf("Mode = %q, want poll 500ms", got)
	}
	if msg := warning(t, w); !strings.Contains(msg, "fs.inotify.max_user_watches") || !strings.Contains(msg, "sysctl") {
		t.Fatalf("warning %q does not say which limit to raise and how", msg)
	}
	util := filepath.Join(dir, "lib", "util.js")
	write(t, util, "v2")
	waitFor(t, w, util)
}

func TestInstanceLimitFallsBackToPolling(t *testing.T) {
	dir := tree(t, "app.js")
	sys := realInotify()
	sys.open = func() (*fsnotify.Watcher, error) {
		return nil, fmt.Errorf("couldn't initialize inotify: %w", syscall.EMFILE)
	}
	w := startWith(t, Options{Paths: []string{dir}}, sys)
	if msg := warning(t, w); w.Mode() != "poll 500ms" || !strings.Contains(msg, "fs.inotify.max_user_instances") {
		t.Fatalf("mode %q, warning %q: want poll 500ms and the instance limit named", w.Mode(), msg)
	}
	app := filepath.Join(dir, "app.js")
	write(t, app, "v2")
	waitFor(t, w, app)
}

func TestWatchLimitOnNewDirectoryFallsBackToPolling(t *testing.T) {
	dir := tree(t, "app.js")
	// Two watches succeed: the root's parent and the root.
	w := startWith(t, Options{Paths: []string{dir}}, failingInotify(2, syscall.ENOSPC))
	if got := w.Mode(); got != "events" {
		t.Fatalf("Mode = %q, want events", got)
	}
	first := filepath.Join(dir, "lib", "first.js")
	write(t, first, "v1")
	waitFor(t, w, first)
	if msg := warning(t, w); w.Mode() != "poll 500ms" || !strings.Contains(msg, "fs.inotify.max_user_watches") {
		t.Fatalf("mode %q, warning %q: want poll 500ms and the watch limit named", w.Mode(), msg)
	}
	second := filepath.Join(dir, "lib", "second.js")
	write(t, second, "v1")
	waitFor(t, w, second)
}
