// Package reap makes spark2 the one process that waits for children, as
// tini does: on every SIGCHLD one goroutine calls wait4(-1, WNOHANG) in a
// tight loop until nothing is left to reap, and hands on only the exits of
// processes registered with Track (the workers). An orphan's exit costs one
// wait4 and a map lookup, nothing on the supervisor's loop: no goroutine, no
// channel send, no log line, no status write. Nothing else in spark2 may wait
// for a process: a cmd.Wait or Process.Wait would race the reaper.
//
// go-reaper is kept for what it does well and spark2 needs once: making
// spark2 a child subreaper (PR_SET_CHILD_SUBREAPER) when it is not PID 1, so
// orphans of its workers are re-parented to it and reaped here too. Its
// reaping loop is not used: it waits with a blocking wait4 and starts a
// goroutine per reaped child to deliver the status, which made 10 000
// orphans cost about 190 ms of the master's time as PID 1.
package reap

import (
	"os"
	"os/signal"
	"sync"
	"syscall"

	reaper "github.com/ramr/go-reaper"
	"golang.org/x/sys/unix"
)

// Exit is what the reaper learnt about one ended worker.
type Exit struct {
	Pid    int
	Status syscall.WaitStatus
}

// Mode says how spark2 reaps: as PID 1 of its namespace, or as a subreaper.
type Mode string

// The modes Start can report.
const (
	ModePID1      Mode = "pid1"
	ModeSubreaper Mode = "subreaper"
	ModeNoReaping Mode = "subreaper-failed" // not PID 1 and prctl failed: only direct children are reaped
)

// exitBuffer is the exits channel's size: a burst of worker deaths larger
// than this makes the reaper wait for the supervisor, never drop an exit.
const exitBuffer = 256

// tracked holds the pids whose exits Start's channel carries. Track holds mu
// while it starts a process, so the reaper cannot take that process's exit
// before its pid is in the set.
var tracked struct {
	mu   sync.Mutex
	pids map[int]struct{}
}

// Track runs start, which starts one process and returns its pid, and
// registers that pid: its exit will come on Start's channel. A start that
// fails registers nothing.
func Track(start func() (int, error)) error {
	tracked.mu.Lock()
	defer tracked.mu.Unlock()
	pid, err := start()
	if err == nil {
		if tracked.pids == nil {
			tracked.pids = make(map[int]struct{})
		}
		tracked.pids[pid] = struct{}{}
	}
	return err
}

var started struct {
	once  sync.Once
	exits chan Exit
	mode  Mode
	err   error
}

// Start starts reaping and returns the channel of every tracked process's
// exit, in the order the kernel gave them, and how it reaps. Its first pass
// reaps what ended before it was called. Later calls return what the first
// one did. The error, if any, says why spark2 could not become a
// subreaper; reaping works anyway for spark2's own children.
func Start() (<-chan Exit, Mode, error) {
	started.once.Do(func() { started.exits, started.mode, started.err = start() })
	return started.exits, started.mode, started.err
}

// Kick makes the reaper look for ended children now, as if a SIGCHLD had
// come: the supervisor's sweep calls it for a worker it finds a zombie.
func Kick() {
	syscall.Kill(os.Getpid(), syscall.SIGCHLD)
}

func start() (chan Exit, Mode, error) {
	mode, err := ModePID1, error(nil)
	if os.Getpid() != 1 {
		mode = ModeSubreaper
		if err = reaper.EnableChildSubReaper(); err != nil {
			mode = ModeNoReaping
		}
	}
	chld := make(chan os.Signal, 1)
	signal.Notify(chld, syscall.SIGCHLD)
	exits := make(chan Exit, exitBuffer)
	go func() {
		for {
			reapAll(exits)
			<-chld
		}
	}()
	return exits, mode, err
}

// reapAll reaps every child that has ended, sending tracked ones on exits.
// SIGCHLD is not queued: one signal may stand for many exits, so it loops
// until wait4 says none is left (0: children that still run; ECHILD: none).
func reapAll(exits chan<- Exit) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return
		}
		if untrack(pid) {
			exits <- Exit{Pid: pid, Status: syscall.WaitStatus(ws)}
		}
	}
}

// untrack says whether pid was tracked, and forgets it.
func untrack(pid int) bool {
	tracked.mu.Lock()
	_, ok := tracked.pids[pid]
	if ok {
		delete(tracked.pids, pid)
	}
	tracked.mu.Unlock()
	return ok
}
