// Package reap makes spark2 the one process that waits for children: it runs
// go-reaper (wait4(-1) after every SIGCHLD, until no child is left) and hands
// every status to one channel. Nothing else in spark2 may wait for a process:
// a cmd.Wait or Process.Wait would race the reaper for the status.
//
// When spark2 is not PID 1 it becomes a child subreaper (PR_SET_CHILD_SUBREAPER),
// so orphans of its workers are re-parented to it and reaped here too.
package reap

import (
	"os"
	"syscall"

	reaper "github.com/ramr/go-reaper"
)

// Exit is what the reaper learnt about one ended process.
type Exit struct {
	Pid    int
	Status syscall.WaitStatus
}

// statusBuffer is go-reaper's status channel size. go-reaper sends each status
// from a goroutine of its own and drops (printing to stdout) when the channel
// is full; a buffer this size is never full in practice, and the supervisor's
// liveness sweep covers a dropped status anyway.
const statusBuffer = 1 << 14

// Mode says how spark2 reaps: as PID 1 of its namespace, or as a subreaper.
type Mode string

// The modes Start can report.
const (
	ModePID1      Mode = "pid1"
	ModeSubreaper Mode = "subreaper"
	ModeNoReaping Mode = "subreaper-failed" // not PID 1 and prctl failed: only direct children are reaped
)

// Start starts reaping and returns the channel of every reaped child's exit,
// in the order the reaper saw them (roughly: go-reaper may reorder), and how it
// reaps. It must be called once, before the first child is started. The error,
// if any, says why spark2 could not become a subreaper; reaping works anyway
// for spark2's own children.
func Start() (<-chan Exit, Mode, error) {
	mode, err := ModePID1, error(nil)
	if os.Getpid() != 1 {
		mode = ModeSubreaper
		if err = reaper.EnableChildSubReaper(); err != nil {
			mode = ModeNoReaping
		}
	}
	statuses := make(chan reaper.Status, statusBuffer)
	reaper.Start(reaper.Config{
		Pid:                  -1,
		Options:              0,
		DisablePid1Check:     true,  // we reap as a subreaper too
		EnableChildSubreaper: false, // done above: go-reaper would print to stdout
		StatusChannel:        statuses,
		DisableCallerCheck:   true,
		Debug:                false,
	})
	exits := make(chan Exit, 256)
	go func() {
		for st := range statuses {
			if st.Err != nil || st.Pid <= 0 {
				continue
			}
			exits <- Exit{Pid: st.Pid, Status: st.WaitStatus}
		}
	}()
	// go-reaper subscribes to SIGCHLD on a goroutine of its own: a child
	// that ended before that would wait for the next SIGCHLD. One pass now
	// reaps what has ended so far; Kick covers the rest of that window.
	Pass(statuses)
	return exits, mode, err
}

// Pass reaps, without blocking, every child that has ended, and sends each
// status to statuses (go-reaper's channel, so the statuses take one way).
// It races go-reaper harmlessly: each status goes to whichever waits first.
func Pass(statuses chan<- reaper.Status) {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return
		}
		statuses <- reaper.Status{Pid: pid, WaitStatus: ws}
	}
}

// Kick makes the reaper look for ended children now, as if a SIGCHLD had
// come: the supervisor's sweep calls it for a worker it finds a zombie, one
// whose SIGCHLD the reaper missed (it came before go-reaper subscribed).
func Kick() {
	syscall.Kill(os.Getpid(), syscall.SIGCHLD)
}
