package watch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// testDebounce keeps bursts short, for tests that accept a burst split in
// two; strictDebounce is for tests that count Changes: it leaves a loaded
// machine (this one has seen 100ms pauses between two writes) a wide margin.
// deadline bounds every wait on a channel.
const (
	testDebounce   = 50 * time.Millisecond
	strictDebounce = 500 * time.Millisecond
	deadline       = 5 * time.Second
)

// modes are the two ways of watching that most behaviour tests run in.
var modes = []struct {
	name string
	poll time.Duration
}{{"events", 0}, {"poll", 20 * time.Millisecond}}

// start watches paths and closes the Watcher when the test ends.
func start(t *testing.T, o Options) *Watcher {
	t.Helper()
	if o.Debounce == 0 {
		o.Debounce = testDebounce
	}
	w, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// next returns the next Change, failing the test after the deadline.
func next(t *testing.T, w *Watcher) Change {
	t.Helper()
	select {
	case c, ok := <-w.Changes():
		if !ok {
			t.Fatal("Changes closed")
		}
		return c
	case <-time.After(deadline):
		t.Fatalf("no Change within %v (mode %s)", deadline, w.Mode())
		return Change{}
	}
}

// waitFor receives Changes until one names every path in want, and returns
// all paths seen.
func waitFor(t *testing.T, w *Watcher, want ...string) []string {
	t.Helper()
	var seen []string
	for {
		seen = append(seen, next(t, w).Paths...)
		if !slices.ContainsFunc(want, func(p string) bool { return !slices.Contains(seen, p) }) {
			return seen
		}
	}
}

// expectOnly makes a sentinel change and checks that the next Change names
// only the sentinel: nothing made before it is still on its way.
func expectOnly(t *testing.T, w *Watcher, sentinel string) {
	t.Helper()
	write(t, sentinel, "sentinel "+time.Now().String())
	c := next(t, w)
	if !slices.Equal(c.Paths, []string{sentinel}) || c.Count != 1 {
		t.Fatalf("next Change = %+v, want only the sentinel %s", c, sentinel)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// atomicSave writes content the way editors do: a temporary file in the same
// directory, renamed over the target.
func atomicSave(t *testing.T, target, tmpName, content string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(target), tmpName)
	write(t, tmp, content)
	if err := os.Rename(tmp, target); err != nil {
		t.Fatal(err)
	}
}

// tree returns a new directory holding the given files.
func tree(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		write(t, filepath.Join(dir, f), "v1 "+f)
	}
	return dir
}
