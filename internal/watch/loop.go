package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// run is the Watcher's one goroutine: it owns the roots, the inotify instance
// or the poller, and the burst, until Close.
func (w *Watcher) run() {
	defer close(w.exited)
	defer close(w.warnings)
	defer close(w.changes)
	defer w.stopAll()
	for {
		var events <-chan fsnotify.Event
		var errs <-chan error
		if w.events != nil {
			events, errs = w.events.fw.Events, w.events.fw.Errors
		}
		var tick <-chan time.Time
		if w.ticker != nil {
			tick = w.ticker.C
		}
		select {
		case <-w.done:
			return
		case ev := <-events:
			w.onEvent(ev)
		case err := <-errs:
			w.onNotifyError(err)
		case <-tick:
			w.poll.pass(w.roots, w.opts.Ignore, w.burst.add)
		case <-w.burst.quiet():
			w.onQuiet()
		case w.burst.out(w.changes) <- w.burst.change:
			w.burst.sent()
		}
	}
}

// onQuiet ends a burst: the pending paths become the next Change, and a
// watched path that has vanished is reported once on Warnings.
func (w *Watcher) onQuiet() {
	w.burst.flush()
	for _, r := range w.roots {
		_, err := os.Lstat(r.path)
		gone := errors.Is(err, os.ErrNotExist)
		if gone && !r.gone {
			w.warn(fmt.Sprintf("watch path %s vanished; its changes are seen again when it comes back", r.path))
		}
		r.gone = gone
	}
}

// stopAll releases the inotify instance, the ticker and the timer.
func (w *Watcher) stopAll() {
	w.burst.stop()
	w.closeErr = w.stopEvents()
	if w.ticker != nil {
		w.ticker.Stop()
	}
}

// startPoll switches to polling every d: one pass now records every file, and
// later passes report what differs.
func (w *Watcher) startPoll(d time.Duration) {
	w.poll = newPoller()
	w.poll.pass(w.roots, w.opts.Ignore, nil)
	w.ticker = time.NewTicker(d)
	w.setMode("poll " + d.String())
}

// fallBack turns from inotify to polling after err, an inotify limit, and says
// so. dir is the directory whose watch failed ("" at start): the files in it
// are reported, since they may have been created before the first pass.
func (w *Watcher) fallBack(err error, dir string) {
	_ = w.stopEvents() // the instance is of no use any more; how it closes does not matter
	w.startPoll(fallbackPoll)
	w.warn(limitWarning(err))
	if dir == "" {
		return
	}
	prefix := dir + string(filepath.Separator)
	for p := range w.poll.files {
		if strings.HasPrefix(p, prefix) {
			w.burst.add(p)
		}
	}
}
