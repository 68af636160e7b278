package watch

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/fsnotify/fsnotify"
)

// inotify is the seam between the Watcher and the kernel's inotify: tests swap
// in functions that fail the way a full inotify table does.
type inotify struct {
	open func() (*fsnotify.Watcher, error)            // a new instance; EMFILE at fs.inotify.max_user_instances
	add  func(fw *fsnotify.Watcher, dir string) error // one watch; ENOSPC at fs.inotify.max_user_watches
}

func realInotify() inotify {
	return inotify{open: fsnotify.NewWatcher, add: (*fsnotify.Watcher).Add}
}

// limitHit reports whether err says an inotify limit was reached: ENOSPC from
// inotify_add_watch (watches) or EMFILE from inotify_init1 (instances, or the
// process's file descriptors).
func limitHit(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE)
}

// limitWarning says which inotify limit err hit, that the Watcher polls
// instead, and how to raise the limit.
func limitWarning(err error) string {
	if errors.Is(err, syscall.EMFILE) {
		return fmt.Sprintf("inotify instance limit reached (%v): polling every %v instead; "+
			"raise fs.inotify.max_user_instances (and fs.inotify.max_user_watches) on the host, "+
			"e.g. sysctl -w fs.inotify.max_user_instances=1024", err, fallbackPoll)
	}
	return fmt.Sprintf("inotify watch limit reached (%v): polling every %v instead; "+
		"raise fs.inotify.max_user_watches on the host (containers share its limit), "+
		"e.g. sysctl -w fs.inotify.max_user_watches=524288, or watch fewer directories", err, fallbackPoll)
}
