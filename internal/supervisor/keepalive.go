package supervisor

import (
	"sync"
	"time"
)

// KeepAlives holds the watchdog keep-alives of the workers, noted off the
// loop as they come (the NOTIFY_SOCKET reader's WATCHDOG=1, the ready-fd
// readers' later writes); the loop takes them only when a watchdog deadline
// falls due, and then moves every worker's deadline at once. A keep-alive so
// costs one wake-up of the goroutine that read it, none of the loop: with 16
// workers each sending one every half --watchdog, the loop wakes about twice
// per --watchdog instead of 32 times, and most of the watchdog's cost was
// those wake-ups (the scheduler handing the loop goroutine to a thread and
// back), not the keep-alives themselves. Safe for concurrent use; the zero
// value is empty.
type KeepAlives struct {
	mu sync.Mutex
	at map[int]time.Time // sender pid -> its latest keep-alive
}

// Note records a keep-alive sent by pid at at (the latest of a pid's is
// kept). The loop later looks up only workers' leaders; whatever else was
// noted is dropped at the next take.
func (k *KeepAlives) Note(pid int, at time.Time) {
	k.mu.Lock()
	if k.at == nil {
		k.at = make(map[int]time.Time)
	}
	if last, ok := k.at[pid]; !ok || at.After(last) {
		k.at[pid] = at
	}
	k.mu.Unlock()
}

// take returns the keep-alives noted since the last take, and forgets them.
func (k *KeepAlives) take() map[int]time.Time {
	k.mu.Lock()
	at := k.at
	k.at = nil
	k.mu.Unlock()
	return at
}

// takeKeepAlives applies the keep-alives noted since the last call: a
// worker's latest one moves its watchdog deadline.
func (s *Supervisor) takeKeepAlives() {
	for pid, at := range s.keepAlives.take() {
		if w := s.workers[pid]; w != nil {
			s.keptAlive(w, at)
		}
	}
}
