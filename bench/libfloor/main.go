// Command libfloor is the floor of spark2's binary size and memory: a master
// that links the four libraries spark2 is required to use, and uses each of
// them the way spark2 must, and does nothing else. bench/run.sh builds it as
// it builds spark2 and sets its size and idle memory beside spark2's (issue
// 12's binary and RSS rows). The difference between the two is what spark2's
// own work costs.
//
// It parses flags and env with go-arg (a struct of the kinds spark2's has),
// logs with hclog (text or JSON, chosen at run time, so both formats stay
// linked), watches a directory with fsnotify, becomes a child subreaper with
// go-reaper, waits for SIGTERM or SIGINT, and takes a listening socket from
// fd 3 when there is one (net.FileListener: no resolver, as in spark2).
//
//	libfloor [--json] [--watch DIR]...
package main

import (
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alexflint/go-arg"
	"github.com/fsnotify/fsnotify"
	"github.com/hashicorp/go-hclog"
	reaper "github.com/ramr/go-reaper"
)

type args struct {
	Workers int           `arg:"-n,--workers,env:LIBFLOOR_WORKERS" default:"1" help:"a number"`
	Port    int           `arg:"-p,--port,env:LIBFLOOR_PORT" help:"another"`
	User    string        `arg:"-u,--user,env:LIBFLOOR_USER" help:"a string"`
	Stop    time.Duration `arg:"--stop-timeout,env:LIBFLOOR_STOP_TIMEOUT" default:"10s" help:"a duration"`
	Watch   []string      `arg:"--watch,env:LIBFLOOR_WATCH" help:"directories to watch"`
	JSON    bool          `arg:"--json,env:LIBFLOOR_JSON" help:"log in JSON"`
	Command []string      `arg:"positional" help:"a command"`
}

func main() {
	var a args
	arg.MustParse(&a)
	log := hclog.New(&hclog.LoggerOptions{Name: "libfloor", JSONFormat: a.JSON, Output: os.Stderr})
	if err := reaper.EnableChildSubReaper(); err != nil {
		log.Warn("not a subreaper", "error", err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		log.Error("cannot watch", "error", err)
		os.Exit(1)
	}
	defer w.Close()
	for _, d := range a.Watch {
		if err := w.Add(d); err != nil {
			log.Error("cannot watch", "dir", d, "error", err)
			os.Exit(1)
		}
	}
	if l, err := net.FileListener(os.NewFile(3, "listener")); err == nil {
		defer l.Close()
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	log.Info("ready", "workers", a.Workers, "watching", len(a.Watch))
	// Events are counted, not logged: a watched directory may hold the log.
	changes := 0
	for {
		select {
		case ev := <-w.Events:
			if ev.Op != 0 {
				changes++
			}
		case err := <-w.Errors:
			log.Warn("watch error", "error", err)
		case s := <-stop:
			log.Info("stopping", "signal", s.String(), "changes", changes)
			return
		}
	}
}
