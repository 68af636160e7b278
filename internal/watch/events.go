package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
)

// onEvent handles one inotify event: it reports the changed path unless it is
// ignored or only a chmod, and follows directories as they come and go.
func (w *Watcher) onEvent(ev fsnotify.Event) {
	if ev.Op&fsnotifyOps == 0 {
		return
	}
	for _, r := range w.roots {
		switch {
		case ev.Name == r.path:
			w.onRootEvent(r)
		case !r.dir && (filepath.Dir(ev.Name) == r.parent || filepath.Dir(ev.Name) == r.target):
			w.recheckFile(r)
		}
		if w.events == nil {
			return // fell back to polling
		}
	}
	r := w.treeOf(ev.Name)
	if r == nil {
		return
	}
	if rel, _ := r.rel(ev.Name); Ignored(rel, w.opts.Ignore) {
		return
	}
	// A new directory is no change by itself; the files found in it are.
	newDir := ev.Has(fsnotify.Create) && isDir(ev.Name)
	if !newDir {
		w.burst.add(ev.Name)
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		w.dropTree(ev.Name)
	}
	if newDir {
		w.addTreeOrFallBack(r, ev.Name)
	}
}

// treeOf returns the innermost directory root that p is under, or nil.
func (w *Watcher) treeOf(p string) *root {
	var best *root
	for _, r := range w.roots {
		if _, ok := r.rel(p); ok && (best == nil || len(r.path) > len(best.path)) {
			best = r
		}
	}
	return best
}

// onRootEvent handles an event on a root itself: a file root was written or
// replaced; a directory root was removed, renamed or created again, so its
// watches are renewed.
func (w *Watcher) onRootEvent(r *root) {
	w.burst.add(r.path)
	if !r.dir {
		r.stat, _ = statPath(r.path)
		w.followTarget(r)
		return
	}
	w.dropTree(r.path)
	if info, err := os.Stat(r.path); err == nil && info.IsDir() {
		w.addTreeOrFallBack(r, r.path)
	}
}

// recheckFile looks at a file root after something changed in its directory:
// a symlink swap (a ConfigMap's ..data) changes the file without an event
// naming it.
func (w *Watcher) recheckFile(r *root) {
	if s, _ := statPath(r.path); s != r.stat {
		r.stat = s
		w.burst.add(r.path)
		w.followTarget(r)
	}
}

// followTarget watches the directory a file root's symlink now points into.
func (w *Watcher) followTarget(r *root) {
	if r.resolve() {
		if err := w.watchParent(r); err != nil && limitHit(err) {
			w.fallBack(err, "")
		}
	}
}

// addTreeOrFallBack adds a tree that appeared while watching, and falls back
// to polling if that hits an inotify limit.
func (w *Watcher) addTreeOrFallBack(r *root, dir string) {
	if err := w.addTree(r, dir, true); err != nil {
		w.fallBack(err, dir)
	}
}

// onNotifyError handles an error from inotify. After an overflowed event
// queue, events were lost: every root is reported changed and every tree is
// walked again for directories that lack a watch.
func (w *Watcher) onNotifyError(err error) {
	if !errors.Is(err, fsnotify.ErrEventOverflow) {
		w.warn(fmt.Sprintf("inotify: %v", err))
		return
	}
	w.warn("inotify event queue overflowed, some events were lost: reloading anyway " +
		"(raise fs.inotify.max_queued_events on the host to avoid this)")
	for _, r := range w.roots {
		w.burst.add(r.path)
		if !r.dir || w.events == nil {
			continue
		}
		if err := w.addTree(r, r.path, false); err != nil {
			w.fallBack(err, "")
		}
	}
}

// isDir reports whether p is a directory itself (not a symlink to one).
func isDir(p string) bool {
	info, err := os.Lstat(p)
	return err == nil && info.IsDir()
}
