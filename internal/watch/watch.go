package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Options configure a Watcher.
type Options struct {
	Paths    []string      // files or directories to watch, absolute; directories recursively (new subdirectories included)
	Ignore   []string      // extra path.Match patterns, matched against a file's base name and its path relative to its watched root (forward slashes); the built-in ignores always apply (see Ignored)
	Poll     time.Duration // 0: filesystem events (fsnotify); > 0: poll every Poll (mtime+size+inode of every file; the seed polled every 100 ms)
	Debounce time.Duration // quiet time after the last change before one Change is sent; 0 means 200ms
}

// Change is one debounced burst of changes.
type Change struct {
	Paths []string // the changed paths of the burst (deduplicated, sorted, at most 20; Count says how many in all)
	Count int
}

const (
	defaultDebounce = 200 * time.Millisecond
	fallbackPoll    = 500 * time.Millisecond // polling interval after an inotify limit was hit
	maxPaths        = 20                     // Change.Paths holds at most this many
	warningBuffer   = 16
)

// A Watcher reports changes under its paths on Changes until Close. One
// goroutine owns all of its state but the channels and the mode.
type Watcher struct {
	changes  chan Change
	warnings chan string
	done     chan struct{} // closed by Close: the loop returns
	exited   chan struct{} // closed when the loop has returned
	once     sync.Once
	closeErr error
	mode     atomic.Pointer[string]

	// Owned by the loop goroutine (by New until it starts the loop).
	opts   Options
	sys    inotify
	roots  []*root
	events *notifier // nil unless in events mode
	poll   *poller   // nil unless in poll mode
	ticker *time.Ticker
	burst  burst
}

// New starts watching o.Paths and returns once every watch is in place (or the
// first polling pass is done): a change made after New returns is reported.
// It fails, naming the path or pattern, when Paths is empty, a path is not
// absolute or does not exist, an Ignore pattern is malformed, or Poll or
// Debounce is negative; and when inotify fails for another reason than a limit.
// If the inotify watch limit (ENOSPC from inotify_add_watch) or instance limit
// (EMFILE) is hit, New (or the Watcher later, on a new directory) falls back to
// polling every 500ms and says so once on Warnings, naming
// fs.inotify.max_user_watches and how to raise it.
func New(o Options) (*Watcher, error) { return newWatcher(o, realInotify()) }

func newWatcher(o Options, sys inotify) (*Watcher, error) {
	roots, err := checkOptions(&o)
	if err != nil {
		return nil, err
	}
	w := &Watcher{
		changes: make(chan Change), warnings: make(chan string, warningBuffer),
		done: make(chan struct{}), exited: make(chan struct{}),
		opts: o, sys: sys, roots: roots, burst: newBurst(o.Debounce),
	}
	if o.Poll > 0 {
		w.startPoll(o.Poll)
	} else if err := w.startEvents(); err != nil {
		if !limitHit(err) {
			return nil, err
		}
		w.fallBack(err, "")
	}
	go w.run()
	return w, nil
}

func checkOptions(o *Options) ([]*root, error) {
	if len(o.Paths) == 0 {
		return nil, errors.New("watch: no paths given")
	}
	if o.Poll < 0 {
		return nil, fmt.Errorf("watch: negative poll interval %v", o.Poll)
	}
	if o.Debounce < 0 {
		return nil, fmt.Errorf("watch: negative debounce %v", o.Debounce)
	}
	if o.Debounce == 0 {
		o.Debounce = defaultDebounce
	}
	if err := checkPatterns(o.Ignore); err != nil {
		return nil, err
	}
	roots := make([]*root, 0, len(o.Paths))
	for _, p := range o.Paths {
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("watch %s: not an absolute path", p)
		}
		p = filepath.Clean(p)
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("watch %s: %w", p, unwrapPath(err))
		}
		roots = append(roots, newRoot(p, info))
	}
	return roots, nil
}

// Changes returns the channel of debounced bursts: one value per burst, the
// paths of bursts the receiver was too slow for merged into the next value.
// It is closed after Close.
func (w *Watcher) Changes() <-chan Change { return w.changes }

// Warnings returns human-readable one-line warnings: the fallback to polling, a
// watched path that vanished, a directory that cannot be watched, an overflowed
// event queue. The Watcher never blocks on it: a warning is dropped when the
// channel is full. It is closed after Close.
func (w *Watcher) Warnings() <-chan string { return w.warnings }

// Mode says how the Watcher watches now, for the log: "events", or "poll "
// and the interval ("poll 100ms"; "poll 500ms" after an inotify limit was hit).
func (w *Watcher) Mode() string { return *w.mode.Load() }

// Close stops watching, closes Changes and Warnings (changes not yet sent are
// dropped) and returns when the Watcher's goroutines have ended. It returns the
// error of closing the inotify instance, if any; later calls return nil.
func (w *Watcher) Close() error {
	var err error
	w.once.Do(func() {
		close(w.done)
		<-w.exited
		err = w.closeErr
	})
	return err
}

func (w *Watcher) setMode(m string) { w.mode.Store(&m) }

// warn sends msg on Warnings unless the channel is full.
func (w *Watcher) warn(msg string) {
	select {
	case w.warnings <- msg:
	default:
	}
}

// unwrapPath drops the *os.PathError around err, whose path and verb the
// caller's message already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// fsnotifyOps are the operations that are changes; Chmod alone is not.
const fsnotifyOps = fsnotify.Create | fsnotify.Write | fsnotify.Remove | fsnotify.Rename
