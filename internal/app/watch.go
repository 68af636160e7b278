package app

import (
	"os"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/watch"
)

// startWatch starts --watch: every debounced burst of changes under the
// watched paths (default: the app's directory) asks the supervisor for a
// rolling respawn, so even in development no request is refused. It returns
// the reload channel (nil without --watch) and a stop function.
func startWatch(c config.Config, log hclog.Logger) (<-chan string, func(), error) {
	if !c.Watch {
		return nil, func() {}, nil
	}
	paths := c.WatchPaths
	if len(paths) == 0 {
		wd, err := os.Getwd()
		if err != nil {
			return nil, nil, err
		}
		paths = []string{wd}
	}
	w, err := watch.New(watch.Options{Paths: paths, Ignore: c.WatchIgnore, Poll: c.WatchPoll})
	if err != nil {
		return nil, nil, err
	}
	log.Info("watching for changes", "paths", paths, "mode", w.Mode())
	reload := make(chan string)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case ch, ok := <-w.Changes():
				if !ok {
					return
				}
				why := "changed: " + strings.Join(ch.Paths, ", ")
				if ch.Count > len(ch.Paths) {
					why += " and more"
				}
				log.Info("files changed; respawning the workers", "paths", ch.Paths, "count", ch.Count)
				select {
				case reload <- why:
				case <-done:
					return
				}
			case msg := <-w.Warnings():
				log.Warn(msg)
			case <-done:
				return
			}
		}
	}()
	return reload, func() { close(done); w.Close() }, nil
}
