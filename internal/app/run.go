package app

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/exitcode"
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

// flushTimeout bounds how long spark2 waits, on its way out, for its own
// queued log lines to be written (a stalled stderr must not keep it).
const flushTimeout = time.Second

// run is spark2's master: everything after the configuration is known.
// signals is subscribed already (see Main).
func run(c config.Config, signals chan os.Signal, stdout, stderr io.Writer) int {
	tuneGC()
	errs := logs.NewSink(stderr) // spark2's own lines and workers' stderr share it
	// The master's own lines go through a queue: a stalled reader of stderr
	// never blocks its loop; lines that do not fit are counted and reported.
	q := logs.NewQueue(errs, logs.DefaultQueueLen)
	defer q.Close(flushTimeout)
	log := logs.New(q, c.LogFormat, c.LogLevel, c.NoColor)
	q.OnDrop(func(n int64) {
		log.Warn("dropped spark2's own log lines: its stderr could not keep up", "lines", n)
	})
	setTitle(c.Comment, log)
	if c.Chdir != "" {
		if err := os.Chdir(c.Chdir); err != nil {
			fmt.Fprintf(stderr, "spark2: change directory to %s (-C/--chdir): %v\n", c.Chdir, err)
			return exitcode.Usage
		}
	}
	if c.Force {
		stopped, err := forceOut(c, signals, errs)
		if err != nil {
			fmt.Fprintf(errs, "spark2: --force: %v\n", err)
			return exitcode.Failure
		}
		if stopped {
			return exitcode.OK
		}
	} else if err := noOtherMaster(c); err != nil {
		fmt.Fprintf(errs, "spark2: %v\n", err)
		return exitcode.Failure
	}
	if err := launch.HideInherited(); err != nil {
		log.Warn("cannot mark inherited fds close-on-exec; workers may inherit them", "error", err)
	}
	// Everything that needs root happens in setup, before privileges drop.
	m, code := setup(c, stdout, errs, log)
	if m == nil {
		return code
	}
	defer m.close()
	exits, mode, err := reap.Start()
	if err != nil {
		log.Warn("cannot become a child subreaper; orphans of workers will not be reaped", "error", err)
	}
	log.Debug("reaping", "mode", mode, "pid", os.Getpid())
	defer sig.Unsubscribe(signals)

	reload, stopWatch, err := startWatch(c, log)
	if err != nil {
		fmt.Fprintf(errs, "spark2: --watch: %v\n", err)
		return exitcode.Usage
	}
	defer stopWatch()
	var sw *statusWriter
	if m.statusDir != nil {
		sw = newStatusWriter(m.statusDir, masterIdentity(c, m.workers.spec.Command, m.listenAddr()), m.procs, log)
	}
	var tell *parentTeller
	if m.parent != nil {
		tell = newParentTeller(m.parent, log)
	}
	publish := func(s supervisor.Snapshot) {
		m.serving(s)
		if sw != nil {
			sw.publish(s)
		}
		if tell != nil {
			tell.snaps.put(s)
		}
	}
	var memory chan []supervisor.MemoryUse
	if c.MaxMemory > 0 {
		memory = make(chan []supervisor.MemoryUse, 1)
	}
	sup := supervisor.New(supervisor.Options{
		Workers:      c.Workers,
		Respawn:      respawnPolicy(c.Restart),
		StopTimeout:  c.StopTimeout,
		StopSignal:   c.StopSignal,
		Backoff:      supervisor.DefaultBackoff,
		SweepEvery:   time.Second,
		ReadyNotify:  m.workers.readyNotify,
		ReadyDelay:   c.ReadyDelay,
		ReadyTimeout: c.ReadyTimeout,
		Reopen:       reopen(c, m.workers.out),
		Publish:      publish,
		Slots:        m.slotHooks(log),
		Watchdog:     m.workers.watchdog,
		MaxLifetime:  c.MaxLifetime,
		MaxMemory:    c.MaxMemory,
	}, supervisor.OS{
		Start:       m.workers.start,
		Kill:        syscall.Kill,
		Alive:       alive,
		Descendants: descendants,
		Parent:      parent,
		Now:         time.Now,
		At:          new(alarm).at,
		Family:      m.procs.family,
		Kick:        reap.Kick,
	}, supervisor.Events{Exits: exits, Signals: signals, Notify: m.notify, KeepAlives: m.keepAlive, Reload: reload, Memory: memory}, log)
	stopMemory := watchMemory(sup, m.procs, c.MaxMemory, memory)
	log.Info("spark2 starting", "version", config.Version, "workers", c.Workers, "command", m.workers.spec.Command,
		"listen", m.listenAddr(), "balance", c.Balance, "env", c.Env, "user", m.identity(),
		"watchdog", m.workers.watchdog, "max_lifetime", c.MaxLifetime, "max_memory_bytes", c.MaxMemory)
	outcome := sup.Run()
	stopMemory()
	m.workers.drain(drainTimeout)
	code = exitCode(outcome, log)
	if sw != nil {
		sw.close(code)
	}
	if tell != nil {
		tell.close()
	}
	return code
}

// alarm is the supervisor's OS.At: one timer, reset for each deadline (the
// loop waits on the last one only), so that arming it, at least once a
// second for the sweep, makes no garbage. Since Go 1.23 a Reset timer's
// channel never delivers a time of its earlier setting.
type alarm struct{ t *time.Timer }

func (a *alarm) at(t time.Time) <-chan time.Time {
	if a.t == nil {
		a.t = time.NewTimer(time.Until(t))
	} else {
		a.t.Reset(time.Until(t))
	}
	return a.t.C
}

// reopen is the supervisor's Options.Reopen: the access log's, or nil
// without --accesslog.
func reopen(c config.Config, out *logs.Sink) func() error {
	if c.AccessLog == "" {
		return nil
	}
	return out.Reopen
}

// exitCode maps the supervisor's outcome to spark2's exit code.
func exitCode(o supervisor.Outcome, log hclog.Logger) int {
	switch o.Reason {
	case supervisor.StopKilled:
		return exitcode.StopKilled
	case supervisor.WorkersEnded, supervisor.Permanent:
		return o.Code
	}
	log.Info("stopped gracefully")
	return exitcode.OK
}

// descendants is the supervisor's OS.Descendants: every process below
// spark2 (as PID 1, that is everything in the namespace), zombies included:
// a stop is over only once the reaper has reaped them, which may lag behind
// a burst of thousands of deaths.
func descendants() []int {
	all, err := procfs.All()
	if err != nil {
		return nil
	}
	var pids []int
	for _, st := range procfs.Descendants(all, os.Getpid()) {
		pids = append(pids, st.Pid)
	}
	return pids
}

// parent is the supervisor's OS.Parent.
func parent(pid int) int {
	st, err := procfs.ReadStat(pid)
	if err != nil {
		return 0
	}
	return st.PPid
}
