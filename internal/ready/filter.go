package ready

import "time"

// Filter decides which datagrams reach the master's loop. Any process in the
// network namespace can send to the socket (a sidecar; the host under
// --network host); only a worker or one of its descendants may be heard, and
// the rest is dropped before it costs the loop anything.
type Filter struct {
	// Allow reports whether the sender pid (as the kernel saw it; 0 for a
	// process outside spark2's PID namespace) may be heard. nil allows all.
	// A pid it refuses is refused for a second without asking again.
	Allow func(pid int) bool
	// Report is told about dropped datagrams at most once per Every: the
	// number dropped since its last call and the pid of the latest sender.
	// nil reports nothing.
	Report func(dropped, pid int)
	Every  time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// refusedFor is how long a refused pid stays refused without asking Allow
// again: a flood from one stranger then costs one check a second, not one
// per datagram. A process's ancestry does not change in a way that would
// make it a worker's (only its pid could be reused, within a second).
const refusedFor = time.Second

// maxRefused bounds the memory of refused pids; past it, it starts over.
const maxRefused = 4096

// dropCounter applies a Filter: it remembers refused pids for refusedFor,
// counts drops and rate-limits the reports.
type dropCounter struct {
	f       Filter
	refused map[int]time.Time // pid -> when Allow refused it
	n       int               // dropped since the last report
	last    time.Time         // when the last report was made
	report  bool              // a report has been made
}

// allowed reports whether pid may be heard; if not, it counts the drop and
// reports when a report is due.
func (d *dropCounter) allowed(pid int) bool {
	if d.f.Allow == nil {
		return true
	}
	now := time.Now
	if d.f.Now != nil {
		now = d.f.Now
	}
	t := now()
	if at, ok := d.refused[pid]; !ok || t.Sub(at) >= refusedFor {
		if d.f.Allow(pid) {
			delete(d.refused, pid)
			return true
		}
		if d.refused == nil || len(d.refused) >= maxRefused {
			d.refused = make(map[int]time.Time)
		}
		d.refused[pid] = t
	}
	d.n++
	if d.f.Report == nil {
		return false
	}
	if !d.report || t.Sub(d.last) >= d.f.Every {
		d.f.Report(d.n, pid)
		d.n, d.last, d.report = 0, t, true
	}
	return false
}
