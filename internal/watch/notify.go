package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
)

// notifier is the events mode's state: one inotify instance and what it watches.
type notifier struct {
	fw      *fsnotify.Watcher
	dirs    map[string]struct{} // directories of the watched trees, each under a watch
	parents map[string]struct{} // the roots' parent directories (and file roots' targets'), watched for replacements
}

// startEvents opens an inotify instance and watches every root's parent and
// every directory of every tree. A limit error leaves the caller to fall back.
func (w *Watcher) startEvents() error {
	fw, err := w.sys.open()
	if err != nil {
		return fmt.Errorf("open an inotify instance: %w", err)
	}
	w.events = &notifier{fw: fw, dirs: map[string]struct{}{}, parents: map[string]struct{}{}}
	w.setMode("events")
	for _, r := range w.roots {
		err := w.watchParent(r)
		if err == nil && r.dir {
			if err = w.watchDir(r.path); err == nil {
				err = w.addTree(r, r.path, false)
			}
		}
		if err != nil {
			_ = w.stopEvents()
			return err
		}
	}
	return nil
}

// stopEvents closes the inotify instance, if any.
func (w *Watcher) stopEvents() error {
	if w.events == nil {
		return nil
	}
	err := w.events.fw.Close()
	w.events = nil
	return err
}

// watchParent watches the directory holding r and, for a file root that is a
// symlink into another directory, that directory too. Only a file root needs
// them to see anything at all; for a directory root a failure other than a
// limit just means that replacing the root itself is not seen.
func (w *Watcher) watchParent(r *root) error {
	for _, dir := range []string{r.parent, r.target} {
		if _, ok := w.events.parents[dir]; ok || dir == "" || dir == r.path {
			continue
		}
		if err := w.sys.add(w.events.fw, dir); err != nil {
			if limitHit(err) || (!r.dir && dir == r.parent) {
				return fmt.Errorf("watch %s: %w", dir, unwrapPath(err))
			}
			continue
		}
		w.events.parents[dir] = struct{}{}
	}
	return nil
}

// watchDir puts dir of a tree under a watch, unless it has one.
func (w *Watcher) watchDir(dir string) error {
	if _, ok := w.events.dirs[dir]; ok {
		return nil
	}
	if err := w.sys.add(w.events.fw, dir); err != nil {
		return fmt.Errorf("watch %s: %w", dir, unwrapPath(err))
	}
	w.events.dirs[dir] = struct{}{}
	return nil
}

// addTree watches dir and every directory under it that is not ignored,
// relative to r. With report set, every file found is reported as changed:
// files created in a new directory before its watch existed are not missed.
// It returns only limit errors; directories it cannot watch for another
// reason are warned about.
func (w *Watcher) addTree(r *root, dir string, report bool) error {
	if err := w.watchDir(dir); err != nil {
		switch {
		case limitHit(err):
			return err
		case !errors.Is(err, os.ErrNotExist):
			w.warn(err.Error() + "; changes there are not seen")
		}
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // gone again, or unreadable: its watch reports what it can
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if rel, _ := r.rel(p); Ignored(rel, w.opts.Ignore) {
			continue
		}
		if e.IsDir() {
			if err := w.addTree(r, p, report); err != nil {
				return err
			}
		} else if report {
			w.burst.add(p)
		}
	}
	return nil
}

// dropTree forgets the watches of dir and of every directory under it, after
// dir was removed or renamed (a renamed directory keeps its watches, under
// the old names, until they are removed).
func (w *Watcher) dropTree(dir string) {
	if _, ok := w.events.dirs[dir]; !ok {
		return
	}
	prefix := dir + string(filepath.Separator)
	for d := range w.events.dirs {
		if d != dir && (len(d) <= len(prefix) || d[:len(prefix)] != prefix) {
			continue
		}
		delete(w.events.dirs, d)
		if _, parent := w.events.parents[d]; !parent {
			_ = w.events.fw.Remove(d) // already gone with the directory, usually
		}
	}
}
