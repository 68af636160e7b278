// Package reap makes spark2 the one process that waits for children, as
// tini does: one goroutine calls wait4(-1) in a loop, blocking in the kernel
// until a child has ended, and hands on only the exits of processes
// registered with Track (the workers). An orphan's exit costs one wait4 and
// a map lookup, nothing on the supervisor's loop: no goroutine, no channel
// send, no log line, no status write. Nothing else in spark2 may wait for a
// process: a cmd.Wait or Process.Wait would race the reaper.
//
// The reaper notes when it last took an orphan (OrphanReapedWithin) and
// counts them (OrphansReaped), so that spark2's other periodic work that
// competes with it (the sweep's walk of /proc) can wait until a storm of
// exits is over, and give way when one starts.
//
// The blocking wait4 is woken by the kernel itself when a child ends, so
// SIGCHLD is not needed at all: Start sets it to SIG_DFL (see
// defaultSIGCHLD), and the kernel drops it instead of signalling one of the
// master's threads per exit. The wait holds one OS thread. When spark2 has
// no child at all (wait4 says ECHILD), the reaper waits for Track, Kick or
// childPoll instead.
//
// What bounds a storm (issue 12, bench/peers: 10 000 orphans ending at
// once, spark2 as PID 1): the reaper's own work is tini's, one wait4 per
// zombie, most of it the kernel's release_task. What tini does not do is
// know every process of a worker's tree: spark2's sweep walks /proc (see
// internal/app's procView) so that a worker's escaped descendants stop with
// it. A walk of 10 000 processes costs about 200 ms of CPU on a 2-core VM,
// and leaves a dentry for each process's /proc directory and stat file,
// which the kernel flushes when the process is reaped: d_invalidate was a
// third of the reaper's samples in a storm (perf record -a, 2026-12-07).
// Measured side by side (peerbench -only orphans -inits spark2,tini, 3
// rounds of 3 runs, 2026-12-07): a build whose procView never walked after
// its first walk reaped like tini (medians 49, 62 and 67 ms against tini's
// 51, 47 and 55; the init's CPU from release to zero 50 ms against 40-60),
// the shipped one took 131-187 ms and 260-320 ms of CPU. The walks that may
// yield (the sweep's, the status file's memory figures) stop once the
// reaper has taken a storm's first orphans and are put off while it goes
// on; what is left is the walk made before the storm and the entries it
// left: the price of "no process outlives its slot".
//
// go-reaper is kept for what it does well and spark2 needs once: making
// spark2 a child subreaper (PR_SET_CHILD_SUBREAPER) when it is not PID 1, so
// orphans of its workers are re-parented to it and reaped here too. Its
// reaping loop is not used: it starts a goroutine per reaped child to
// deliver the status, which made 10 000 orphans cost about 190 ms of the
// master's time as PID 1.
package reap

import (
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

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
		wake() // a reaper that had no child has one now
	}
	return err
}

// poke wakes a reaper that waits because spark2 had no child.
var poke = make(chan struct{}, 1)

func wake() {
	select {
	case poke <- struct{}{}:
	default:
	}
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

// Kick makes the reaper look for ended children now: the supervisor's sweep
// calls it for a worker it finds a zombie. The blocking wait takes every
// zombie as it comes; Kick wakes a reaper that found no child at all.
func Kick() { wake() }

func start() (chan Exit, Mode, error) {
	mode, err := ModePID1, error(nil)
	if os.Getpid() != 1 {
		mode = ModeSubreaper
		if err = reaper.EnableChildSubReaper(); err != nil {
			mode = ModeNoReaping
		}
	}
	exits := make(chan Exit, exitBuffer)
	defaultSIGCHLD()
	go reapLoop(exits)
	return exits, mode, err
}

// reapLoop reaps every child that ends, sending tracked ones on exits: a
// blocking wait4 while spark2 has children, else a wait for one.
func reapLoop(exits chan<- Exit) {
	for {
		var ws unix.WaitStatus
		pid, err := waitNow(&ws)
		if pid == 0 && err == nil { // children run, none has ended: sleep
			pid, err = unix.Wait4(-1, &ws, 0, nil)
		}
		switch {
		case err == unix.EINTR:
		case err != nil: // ECHILD: no child to wait for
			waitForChild(exits)
		default:
			deliver(exits, pid, ws)
		}
	}
}

// waitNow is wait4(-1, WNOHANG) as a raw system call: it never blocks, so
// it needs no hand-off to the scheduler, which would wake the runtime's
// sysmon thread and let it take the goroutine's P away in a long burst of
// exits. Only the wait that sleeps goes through the scheduler.
func waitNow(ws *unix.WaitStatus) (int, error) {
	for {
		r, _, e := syscall.RawSyscall6(syscall.SYS_WAIT4, ^uintptr(0), uintptr(unsafe.Pointer(ws)), unix.WNOHANG, 0, 0, 0)
		switch e {
		case 0:
			return int(r), nil
		case unix.EINTR:
			continue
		}
		return 0, e
	}
}

// defaultSIGCHLD sets SIGCHLD's action to SIG_DFL behind the Go runtime's
// back (a raw rt_sigaction: os/signal cannot, and signal.Ignore would be
// SIG_IGN, under which the kernel reaps children itself and their statuses
// are lost). The default action of SIGCHLD is to ignore it, so the kernel
// drops it when a child ends, before it is queued: no thread of the master
// is woken or interrupted, while zombies stay for wait4 as before. With the
// runtime's handler installed, each child's end signalled one of the
// master's threads, often the reaper in its wait4 (EINTR, then another walk
// of the children list): in a storm of 10 000 orphans' exits, SIG_DFL left
// 4 542 zombies at the last exit against 6 066 (medians of 5 runs, peers
// bench).
func defaultSIGCHLD() {
	var act [4]uint64 // struct sigaction, all zero: SIG_DFL, no flags, empty mask
	syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(syscall.SIGCHLD), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
}

// deliver sends the exit of pid on exits if it was tracked, else notes
// when an orphan was reaped. pid 0 (no child has ended) is nothing.
func deliver(exits chan<- Exit, pid int, ws unix.WaitStatus) {
	if pid <= 0 {
		return
	}
	if untrack(pid) {
		exits <- Exit{Pid: pid, Status: syscall.WaitStatus(ws)}
		return
	}
	orphans.Add(1)
	lastOrphan.Store(time.Now().UnixNano())
}

// orphans counts the untracked children the reaper has taken.
var orphans atomic.Uint64

// OrphansReaped is how many orphans (untracked children) the reaper has
// taken since spark2 started: work that should give way to a storm of exits
// compares it with what it was when that work began.
func OrphansReaped() uint64 { return orphans.Load() }

// lastOrphan is when the reaper last took an untracked child, in Unix
// nanoseconds (0: never).
var lastOrphan atomic.Int64

// OrphanReapedWithin says whether the reaper took an orphan (an untracked
// child) less than d ago: then a burst of orphans' exits may be under way,
// and work that competes with the reaper for the CPU or the kernel's locks
// (a walk of /proc, which reads every process, zombies included) is better
// put off. False when no orphan was ever reaped.
func OrphanReapedWithin(d time.Duration) bool {
	t := lastOrphan.Load()
	return t != 0 && time.Now().UnixNano()-t < int64(d)
}

// childPoll is how often a reaper with no child at all looks for one that
// was not started through Track (Track and Kick wake it at once).
const childPoll = time.Second

// waitForChild returns when spark2 may have a child to wait for: a Track,
// a Kick, or childPoll later (SIGCHLD is not delivered: see
// defaultSIGCHLD).
func waitForChild(exits chan<- Exit) {
	var ws unix.WaitStatus
	if pid, err := waitNow(&ws); err == nil {
		deliver(exits, pid, ws) // pid 0: children run, the blocking wait takes them
		return
	}
	t := time.NewTimer(childPoll)
	defer t.Stop()
	select {
	case <-poke:
	case <-t.C:
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
