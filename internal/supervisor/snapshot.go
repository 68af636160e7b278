package supervisor

import (
	"fmt"
	"time"
)

// State sums the supervisor up in one word.
type State int

// The supervisor's states; the zero value is StateStarting.
const (
	StateStarting     State = iota // no worker has been ready yet
	StateRunning                   // every slot has a ready worker
	StateReloading                 // a rolling respawn is in progress
	StateDegraded                  // a slot has no ready worker, and some worker has been ready
	StateCrashLooping              // no ready worker, and a slot keeps dying
	StateStopping                  // the workers are being stopped: Run returns once they have ended
)

// String names st, for logs and tests.
func (st State) String() string {
	switch st {
	case StateStarting:
		return "starting"
	case StateRunning:
		return "running"
	case StateReloading:
		return "reloading"
	case StateDegraded:
		return "degraded"
	case StateCrashLooping:
		return "crash-looping"
	case StateStopping:
		return "stopping"
	}
	return fmt.Sprintf("State(%d)", int(st))
}

// Snapshot is a consistent view of the supervisor's state at one moment.
type Snapshot struct {
	At       time.Time // when the loop took it: the heartbeat
	State    State
	Stopping bool
	Rolling  bool // a rolling respawn is in progress
	Counts   Counts
	Slots    []SlotState
}

// SlotState is one slot in a Snapshot.
type SlotState struct {
	ID           int
	Worker       WorkerState   // the worker serving the slot; Pid 0 while the slot is empty
	Replacement  WorkerState   // its replacement during a rolling respawn; Pid 0 when none
	DeathsInARow int           // quick deaths in a row (crash-looping at Backoff.CrashLoop)
	RespawnAt    time.Time     // a respawn waiting out its back-off; zero when none
	Restarts     int           // respawns after a worker of this slot ended on its own
	LastExit     string        // how its last worker ended ("exited 1"); "" if none has
	LastReason   ReplaceReason // why its worker was last replaced; "" if it never was
	Replaced     Replacements
}

// WorkerState is one worker in a Snapshot.
type WorkerState struct {
	Pid      int
	Started  time.Time
	Running  bool // its COMMAND has been exec'd
	Ready    bool
	Stopping bool // it is being stopped (spark2's stop, a replacement, a hang, TTOU)
}

func stateOf(w *worker) WorkerState {
	if w == nil {
		return WorkerState{}
	}
	return WorkerState{Pid: w.pid, Started: w.started, Running: w.execDone && w.execErr == nil, Ready: w.ready, Stopping: w.stopping}
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
	return Snapshot{At: s.os.Now(), State: s.state(), Stopping: s.stop != nil, Rolling: s.roll != nil, Counts: s.counts,
		Slots: s.slotStates()}
}

// slotStates is every slot's state for a snapshot: the slice the last
// snapshot got while no slot has changed since, so that an idle master's
// snapshots (at least one a second) make no garbage. The slices are never
// changed once made, so snapshots may share them.
func (s *Supervisor) slotStates() []SlotState {
	same := len(s.lastSlots) == len(s.slots)
	for i := 0; same && i < len(s.slots); i++ {
		same = stateOfSlot(s.slots[i]) == s.lastSlots[i]
	}
	if same {
		return s.lastSlots
	}
	states := make([]SlotState, len(s.slots))
	for i, sl := range s.slots {
		states[i] = stateOfSlot(sl)
	}
	s.lastSlots = states
	return states
}

func stateOfSlot(sl *slot) SlotState {
	return SlotState{
		ID: sl.id, Worker: stateOf(sl.cur), Replacement: stateOf(sl.next),
		DeathsInARow: sl.failures, RespawnAt: sl.spawnAt, Restarts: sl.restarts, LastExit: sl.lastExit,
		LastReason: sl.lastReason, Replaced: sl.replaced,
	}
}

// state sums the supervisor up.
func (s *Supervisor) state() State {
	if s.stop != nil {
		return StateStopping
	}
	if s.roll != nil {
		return StateReloading
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
		return StateCrashLooping
	case ready == 0 && !s.everReady:
		return StateStarting
	case ready < len(s.slots):
		return StateDegraded
	}
	return StateRunning
}
