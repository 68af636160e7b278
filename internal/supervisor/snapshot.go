package supervisor

import (
	"time"

	"github.com/spark2/spark2/internal/status"
)

// Snapshot is a consistent view of the supervisor's state at one moment.
type Snapshot struct {
	At       time.Time // when the loop took it: the heartbeat
	State    string    // one of the status package's states (status.Running, ...)
	Stopping bool
	Rolling  bool // a rolling respawn is in progress
	Counts   Counts
	Slots    []SlotState
}

// SlotState is one slot in a Snapshot.
type SlotState struct {
	ID           int
	Worker       WorkerState // the worker serving the slot; Pid 0 while the slot is empty
	Replacement  WorkerState // its replacement during a rolling respawn; Pid 0 when none
	DeathsInARow int         // quick deaths in a row (crash-looping at Backoff.CrashLoop)
	RespawnAt    time.Time   // a respawn waiting out its back-off; zero when none
	Restarts     int         // respawns after a worker of this slot ended on its own
	LastExit     string      // how its last worker ended ("exited 1"); "" if none has
	LastReason   string      // why its worker was last replaced (Reason...); "" if it never was
	Replaced     Replacements
}

// WorkerState is one worker in a Snapshot.
type WorkerState struct {
	Pid     int
	Started time.Time
	Running bool // its COMMAND has been exec'd
	Ready   bool
}

func stateOf(w *worker) WorkerState {
	if w == nil {
		return WorkerState{}
	}
	return WorkerState{Pid: w.pid, Started: w.started, Running: w.execDone && w.execErr == nil, Ready: w.ready}
}

// Snapshot returns the supervisor's state, as the loop sees it between two
// events; once Run has returned, the state it ended with. Safe from any
// goroutine; it blocks until Run starts.
func (s *Supervisor) Snapshot() Snapshot {
	reply := make(chan Snapshot, 1)
	select {
	case s.snaps <- reply:
		return <-reply
	case <-s.finished:
		return s.final
	}
}

func (s *Supervisor) snapshot() Snapshot {
	snap := Snapshot{At: s.os.Now(), State: s.state(), Stopping: s.stop != nil, Rolling: s.roll != nil, Counts: s.counts}
	for _, sl := range s.slots {
		snap.Slots = append(snap.Slots, SlotState{
			ID: sl.id, Worker: stateOf(sl.cur), Replacement: stateOf(sl.next),
			DeathsInARow: sl.failures, RespawnAt: sl.spawnAt, Restarts: sl.restarts, LastExit: sl.lastExit,
			LastReason: sl.lastReason, Replaced: sl.replaced,
		})
	}
	return snap
}

// state sums the supervisor up in one of the status file's words.
func (s *Supervisor) state() string {
	if s.stop != nil {
		return status.Stopping
	}
	if s.roll != nil {
		return status.Reloading
	}
	ready, looping := 0, false
	for _, sl := range s.slots {
		if sl.cur != nil && sl.cur.ready {
			ready++
		}
		looping = looping || sl.failures >= s.opt.Backoff.CrashLoop
	}
	switch {
	case ready == 0 && looping:
		return status.CrashLooping
	case ready == 0 && !s.everReady:
		return status.Starting
	case ready < len(s.slots):
		return status.Degraded
	}
	return status.Running
}
