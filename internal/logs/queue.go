package logs

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultQueueLen is how many of spark2's own log entries NewQueue holds
// while its output cannot keep up: enough for any burst the master makes
// (a rolling respawn of 64 workers logs a few hundred lines).
const DefaultQueueLen = 1024

// Queue is the writer under spark2's own logger: a bounded queue of entries
// that one goroutine of its own writes to the real output (the *Sink shared
// with the workers' stderr). Write never blocks, so the supervisor's loop
// never waits for a reader of spark2's stderr (a blocking Docker log driver,
// a paused terminal, a slow collector): when the queue is full, the entry is
// dropped and counted. Once output flows again (a write returns and the queue
// is half empty), the count goes to the function given to OnDrop, which logs
// it, and starts over.
//
// Workers' own lines do not go through a Queue: they block on their pipes
// (back pressure), as they would on a direct pipe. Use NewQueue; the zero
// Queue is not usable.
type Queue struct {
	out     io.Writer
	entries chan []byte
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	closed  atomic.Bool
	dropped atomic.Int64 // entries dropped since the last report
	total   atomic.Int64 // entries dropped in all
	onDrop  atomic.Pointer[func(n int64)]
}

// NewQueue returns a queue of up to size entries (DefaultQueueLen if size is
// below 1) written to out by a goroutine it starts; Close stops it.
func NewQueue(out io.Writer, size int) *Queue {
	if size < 1 {
		size = DefaultQueueLen
	}
	q := &Queue{out: out, entries: make(chan []byte, size), stop: make(chan struct{}), done: make(chan struct{})}
	go q.run()
	return q
}

// OnDrop sets the function that reports dropped entries: after a write to
// the output returns with the queue at most half full, if entries were
// dropped since the last report, f gets
// their number, on the queue's goroutine (it may log: that enqueues). nil
// means no report; the count is still kept (Dropped).
func (q *Queue) OnDrop(f func(n int64)) {
	q.onDrop.Store(&f)
}

// Write queues a copy of p, one log entry, and returns len(p) and nil at
// once. A full queue, or one that is closed, drops the entry and counts it.
func (q *Queue) Write(p []byte) (int, error) {
	if q.closed.Load() {
		q.drop()
		return len(p), nil
	}
	select {
	case q.entries <- append([]byte(nil), p...):
	default:
		q.drop()
	}
	return len(p), nil
}

func (q *Queue) drop() {
	q.dropped.Add(1)
	q.total.Add(1)
}

// Dropped returns how many entries were dropped since NewQueue.
func (q *Queue) Dropped() int64 { return q.total.Load() }

// Close stops taking entries and waits up to timeout for those queued to be
// written. It reports whether they all were (false: the output is still
// blocked; what is left is lost with the process). Calling it again waits
// again, up to its timeout.
func (q *Queue) Close(timeout time.Duration) bool {
	q.once.Do(func() {
		q.closed.Store(true)
		close(q.stop)
	})
	select {
	case <-q.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// run writes entries until Close, then what is still queued, and returns.
func (q *Queue) run() {
	defer close(q.done)
	for {
		select {
		case b := <-q.entries:
			q.write(b)
		case <-q.stop:
			for {
				select {
				case b := <-q.entries:
					q.write(b)
				default:
					return
				}
			}
		}
	}
}

// write writes one entry. Once a write has returned, output flows: a drop
// count is reported when the queue has room again for the report (at most
// half full), so the report itself is not dropped.
func (q *Queue) write(b []byte) {
	_, _ = q.out.Write(b) // a broken stderr: nowhere to say so
	if q.dropped.Load() == 0 || len(q.entries) > cap(q.entries)/2 {
		return
	}
	if n := q.dropped.Swap(0); n > 0 {
		if f := q.onDrop.Load(); f != nil && *f != nil {
			(*f)(n)
		}
	}
}

// writer returns the output under the queue (for the terminal check).
func (q *Queue) writer() io.Writer { return q.out }
