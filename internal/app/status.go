package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/privdrop"
	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/sig"
	"github.com/spark2/spark2/internal/status"
	"github.com/spark2/spark2/internal/supervisor"
)

// statusPath is where the master of configuration c, running as uid (see
// masterUID), keeps its status file: --status-file, else
// status.DefaultPath for that uid, its port and its working directory. The
// control commands compute the same from the same configuration.
func statusPath(c config.Config, uid int) (string, error) {
	if c.StatusFile != "" {
		return c.StatusFile, nil
	}
	port := "nolisten"
	if !c.NoListen {
		port = strconv.Itoa(c.Port)
	}
	workdir := c.Chdir
	if workdir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("find the working directory, part of the status file's default path: %w; give --status-file", err)
		}
		workdir = wd
	}
	return status.DefaultPath(os.LookupEnv, uid, port, filepath.Clean(workdir)), nil
}

// masterUID is the uid that the master of configuration c runs as: that of
// -u, else this process's own.
func masterUID(c config.Config) (int, error) {
	if c.User == "" && c.Group == "" {
		return os.Getuid(), nil
	}
	id, err := privdrop.Resolve(c.User, c.Group)
	if err != nil {
		return 0, err
	}
	return id.UID, nil
}

// statusWriter keeps the status file up to date from the supervisor's
// snapshots, on a goroutine of its own: the supervisor's loop never waits
// for the disk. Only the newest snapshot is written.
type statusWriter struct {
	dir   *status.Dir
	base  status.File
	procs *procView  // for the workers' memory
	usage usageCache // the master's own
	snaps mailbox
	done  chan struct{} // closed when run returns
	log   hclog.Logger
	// last is the newest snapshot's file, nil before the first: run's alone
	// while it runs, then close's (close reads it after done is closed).
	last *status.File
	// files are the two files that file fills in turn, reusing their
	// Workers, so that an idle master's snapshots make no garbage: the one
	// last written is kept to compare the next with. pids and rss are
	// addUsage's. All are run's, then close's.
	files [2]status.File
	pids  []int
	rss   []uint64
}

func newStatusWriter(dir *status.Dir, base status.File, procs *procView, log hclog.Logger) *statusWriter {
	w := &statusWriter{dir: dir, base: base, procs: procs, snaps: newMailbox(), done: make(chan struct{}), log: log}
	go w.run()
	return w
}

// publish is the supervisor's Options.Publish: it never blocks (it replaces
// a snapshot not yet written). It must be called from one goroutine only.
func (w *statusWriter) publish(s supervisor.Snapshot) { w.snaps.put(s) }

// run writes the snapshots. The first is written once every signal the
// master handles is subscribed to (sig.Subscribed): a probe that finds the
// file may have any of them sent to spark2.
func (w *statusWriter) run() {
	defer close(w.done)
	sig.Subscribed()
	failing := false
	var written *status.File // the last file written, nil after a failure
	for s := range w.snaps {
		f := w.file(s, written)
		w.last = f
		if written != nil && sameState(f, written) && f.Heartbeat.Sub(written.Heartbeat) < heartbeatEvery {
			continue // nothing changed, and the heartbeat on disk is fresh
		}
		w.addUsage(f)
		err := w.dir.Write(f)
		switch {
		case err != nil && !failing:
			w.log.Error("cannot write the status file; probes will fail", "error", err)
		case err == nil && failing:
			w.log.Info("writing the status file again", "path", w.dir.Path())
		}
		failing = err != nil
		written = nil
		if err == nil {
			written = f
		}
	}
}

// close writes the final status: the master has stopped, with code.
func (w *statusWriter) close(code int) {
	close(w.snaps)
	<-w.done
	f := w.last
	if f == nil {
		f = &w.files[0]
		*f = w.base
	}
	f.State, f.ExitCode, f.Heartbeat = status.Stopped, &code, time.Now()
	w.addUsage(f)
	if err := w.dir.Write(f); err != nil {
		w.log.Warn("cannot mark the status file stopped", "error", err)
	}
	w.dir.Close()
}

// file turns a snapshot into the status file's content, without the
// resource use that w.addUsage reads from /proc, in whichever of w.files is
// not keep.
func (w *statusWriter) file(s supervisor.Snapshot, keep *status.File) *status.File {
	f := &w.files[0]
	if f == keep {
		f = &w.files[1]
	}
	workers := f.Workers[:0]
	if workers == nil {
		workers = make([]status.Worker, 0, len(s.Slots)) // no slot: [], not null
	}
	*f = w.base
	f.Heartbeat, f.State, f.WorkersWanted = s.At, statusState(s.State), len(s.Slots)
	f.Totals = status.Totals{Spawned: s.Counts.Spawned, Restarts: s.Counts.Restarts, FailedReloads: s.Counts.FailedReloads,
		Replaced: statusReplaced(s.Counts.Replaced)}
	f.Workers = workers
	for _, sl := range s.Slots {
		wk := status.Worker{
			Slot: sl.ID, Pid: sl.Worker.Pid, Started: sl.Worker.Started, Ready: sl.Worker.Ready,
			Restarts: sl.Restarts, LastExit: sl.LastExit, Replacement: sl.Replacement.Pid,
			RespawnAt: sl.RespawnAt, Deaths: sl.DeathsInARow,
			LastReason: statusReason(sl.LastReason), Replaced: statusReplaced(sl.Replaced),
		}
		f.Workers = append(f.Workers, wk)
	}
	return f
}

// masterIdentity is the constant part of the status file.
func masterIdentity(c config.Config, command []string, listen string) status.File {
	f := status.File{
		Format: status.Format, Pid: os.Getpid(), Started: time.Now(), Version: config.Version,
		StopTimeoutMS: c.StopTimeout.Milliseconds(),
		State:         status.Starting, Listen: listen, Env: c.Env, Command: command, WorkersWanted: c.Workers,
	}
	if st, err := procfs.ReadStat(f.Pid); err == nil {
		f.StartTime = st.StartTime
	}
	return f
}
