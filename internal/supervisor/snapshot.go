package supervisor

import "time"

// Snapshot is a consistent view of the supervisor's state at one moment.
type Snapshot struct {
	Stopping bool
	Rolling  bool // a rolling respawn is in progress
	Counts   Counts
	Slots    []SlotState
}

// SlotState is one slot in a Snapshot.
type SlotState struct {
	ID           int
	Pid          int       // the worker serving the slot; 0 while the slot is empty
	Ready        bool      // that worker is ready
	Started      time.Time // when that worker started
	Replacement  int       // pid of its replacement during a rolling respawn; 0 when none
	DeathsInARow int       // quick deaths in a row (crash-looping at Backoff.CrashLoop)
	RespawnAt    time.Time // a respawn waiting out its back-off; zero when none
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
	snap := Snapshot{Stopping: s.stop != nil, Rolling: s.roll != nil, Counts: s.counts}
	for _, sl := range s.slots {
		st := SlotState{ID: sl.id, DeathsInARow: sl.failures, RespawnAt: sl.spawnAt}
		if sl.cur != nil {
			st.Pid, st.Ready, st.Started = sl.cur.pid, sl.cur.ready, sl.cur.started
		}
		if sl.next != nil {
			st.Replacement = sl.next.pid
		}
		snap.Slots = append(snap.Slots, st)
	}
	return snap
}
