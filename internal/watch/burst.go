package watch

import (
	"sort"
	"time"
)

// burst gathers changed paths until the tree has been quiet for the debounce
// time, then holds them as one Change until the receiver takes it.
type burst struct {
	debounce time.Duration
	maxWait  time.Duration // a stream of changes that never pauses still gives a Change this often
	timer    *time.Timer
	armed    bool                // timer runs for pending
	first    time.Time           // when the first pending path came
	pending  map[string]struct{} // changed since the last flush
	ready    map[string]struct{} // flushed, not yet received
	change   Change              // what ready gives
}

func newBurst(debounce time.Duration) burst {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return burst{debounce: debounce, maxWait: max(10*debounce, 2*time.Second), timer: t}
}

// add records a changed path and (re)starts the quiet period.
func (b *burst) add(p string) {
	now := time.Now()
	if len(b.pending) == 0 {
		b.pending = make(map[string]struct{})
		b.first = now
	}
	b.pending[p] = struct{}{}
	wait := min(b.debounce, b.first.Add(b.maxWait).Sub(now))
	b.timer.Reset(max(wait, 0))
	b.armed = true
}

// quiet returns the channel that fires when the pending paths are due, or nil.
func (b *burst) quiet() <-chan time.Time {
	if !b.armed {
		return nil
	}
	return b.timer.C
}

// flush moves the pending paths to the ready Change, merging them with one the
// receiver has not taken yet.
func (b *burst) flush() {
	b.armed = false
	if len(b.pending) == 0 {
		return
	}
	if b.ready == nil {
		b.ready = b.pending
	} else {
		for p := range b.pending {
			b.ready[p] = struct{}{}
		}
	}
	b.pending = nil
	paths := make([]string, 0, len(b.ready))
	for p := range b.ready {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	b.change = Change{Paths: append([]string(nil), paths[:min(len(paths), maxPaths)]...), Count: len(paths)}
}

// out returns the channel to send the ready Change on, or nil if none is ready.
func (b *burst) out(ch chan Change) chan<- Change {
	if b.ready == nil {
		return nil
	}
	return ch
}

// sent forgets the Change the receiver took.
func (b *burst) sent() { b.ready, b.change = nil, Change{} }

func (b *burst) stop() { b.timer.Stop() }
