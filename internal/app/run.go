package app

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/launch"
	"github.com/spark2/spark2/internal/logs"
	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/reap"
	"github.com/spark2/spark2/internal/sig"
	"github.com/spark2/spark2/internal/supervisor"
)

// drainTimeout bounds how long spark2 waits, on its way out, for the output of
// its workers to be forwarded.
const drainTimeout = 2 * time.Second

// run is spark2's master: everything after the configuration is known.
func run(c config.Config, stdout, stderr io.Writer) int {
	errs := logs.NewSink(stderr) // spark2's own lines and workers' stderr share it
	log := logs.New(errs, c.LogFormat, c.LogLevel, c.NoColor)
	if c.Chdir != "" {
		if err := os.Chdir(c.Chdir); err != nil {
			fmt.Fprintf(stderr, "spark2: change directory to %s (-C/--chdir): %v\n", c.Chdir, err)
			return ExitUsage
		}
	}
	out := logs.NewSink(stdout)
	if c.AccessLog != "" {
		var err error
		if out, err = logs.OpenFileSink(c.AccessLog); err != nil {
			fmt.Fprintf(stderr, "spark2: open the access log (--accesslog): %v\n", err)
			return ExitUsage
		}
		defer out.Close()
	}
	self, err := os.Executable()
	if err != nil {
		log.Error("cannot find spark2's own binary, needed to start workers", "error", err)
		return ExitFailure
	}
	setTitle(c.Comment, log)
	exits, mode, err := reap.Start()
	if err != nil {
		log.Warn("cannot become a child subreaper; orphans of workers will not be reaped", "error", err)
	}
	log.Debug("reaping", "mode", mode, "pid", os.Getpid())
	// A reader of spark2's stdout that goes away must not kill the master:
	// forwarding then counts dropped lines instead. Workers get SIGPIPE back
	// at its default (see launch.Child).
	signal.Ignore(syscall.SIGPIPE)
	signals := make(chan os.Signal, 128)
	sig.Notify(signals)
	defer signal.Stop(signals)

	w := &workers{spec: launch.Spec{Self: self, Command: c.Command}, out: out, errs: errs, log: log}
	w.env = launch.Env(os.Environ(), append([]string{"SPARK2_ENV=" + c.Env, "NODE_ENV=" + c.Env}, c.Set...)...)
	sup := supervisor.New(supervisor.Options{
		Workers:     c.Workers,
		Restart:     c.Restart,
		StopTimeout: c.StopTimeout,
		Backoff:     supervisor.DefaultBackoff,
		SweepEvery:  time.Second,
		Reopen:      out.Reopen,
	}, supervisor.OS{
		Start:       w.start,
		Kill:        syscall.Kill,
		Alive:       procfs.Alive,
		Descendants: descendants,
		Now:         time.Now,
		After:       time.After,
	}, supervisor.Events{Exits: exits, Signals: signals}, log)
	log.Info("spark2 starting", "version", config.Version, "workers", c.Workers, "command", c.Command, "env", c.Env)
	outcome := sup.Run()
	w.drain(drainTimeout)
	return exitCode(outcome, log)
}

// exitCode maps the supervisor's outcome to spark2's exit code.
func exitCode(o supervisor.Outcome, log hclog.Logger) int {
	switch o.Reason {
	case supervisor.StopKilled:
		return ExitStopKilled
	case supervisor.WorkersEnded, supervisor.CannotExec:
		return o.Code
	}
	log.Info("stopped gracefully")
	return ExitOK
}

// workers starts worker processes and forwards their output.
type workers struct {
	spec launch.Spec
	env  []string
	out  *logs.Sink // workers' stdout: spark2's stdout or the access log
	errs *logs.Sink // workers' stderr: spark2's stderr
	log  hclog.Logger
	wg   sync.WaitGroup
}

// start is the supervisor's OS.Start.
func (w *workers) start(slot int) (supervisor.Proc, error) {
	spec := w.spec
	spec.Env = append(w.env[:len(w.env):len(w.env)], "SPARK2_WORKER_ID="+strconv.Itoa(slot))
	p, err := launch.Start(spec)
	if err != nil {
		return supervisor.Proc{}, err
	}
	w.wg.Add(2)
	go w.forward(p.Stdout, w.out, p.Pid)
	go w.forward(p.Stderr, w.errs, p.Pid)
	return supervisor.Proc{Pid: p.Pid, StartTime: p.StartTime, Exec: p.Exec}, nil
}

func (w *workers) forward(r io.ReadCloser, sink *logs.Sink, pid int) {
	defer w.wg.Done()
	if _, err := logs.Forward(r, sink); err != nil {
		w.log.Warn("lost worker output", "pid", pid, "error", err)
	}
}

// drain waits until every worker's output has been forwarded, or timeout.
func (w *workers) drain(timeout time.Duration) {
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		w.log.Warn("some worker output was not forwarded before exit: a process still holds its pipe", "waited", timeout)
	}
}

// descendants is the supervisor's OS.Descendants: every live process below
// spark2 (as PID 1, that is everything in the namespace).
func descendants() []int {
	all, err := procfs.All()
	if err != nil {
		return nil
	}
	var pids []int
	for _, st := range procfs.Descendants(all, os.Getpid()) {
		if st.State != 'Z' {
			pids = append(pids, st.Pid)
		}
	}
	return pids
}
