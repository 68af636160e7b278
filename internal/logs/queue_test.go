package logs

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// gate is an output that blocks every Write until it is opened, like a pipe
// nobody reads.
type gate struct {
	mu     sync.Mutex
	open   chan struct{}
	buf    bytes.Buffer
	writes chan struct{} // one value per Write that has started
}

func newGate() *gate { return &gate{open: make(chan struct{}), writes: make(chan struct{}, 1<<16)} }

func (g *gate) Write(p []byte) (int, error) {
	g.writes <- struct{}{}
	<-g.open
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.Write(p)
}

func (g *gate) String() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.String()
}

func TestQueueNeverBlocksAndReportsDrops(t *testing.T) {
	const size, n = 8, 1000
	g := newGate()
	q := NewQueue(g, size)
	reports := make(chan int64, 16)
	q.OnDrop(func(n int64) {
		reports <- n
		fmt.Fprintf(q, "dropped %d\n", n) // logging from the report enqueues
	})
	fmt.Fprintf(q, "first\n")
	<-g.writes // the queue's goroutine now blocks in the output
	done := make(chan struct{})
	go func() {
		for i := 0; i < n; i++ {
			fmt.Fprintf(q, "line %d\n", i)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Write blocked behind a blocked output")
	}
	if got, want := q.Dropped(), int64(n-size); got != want {
		t.Fatalf("dropped %d, want %d (queue of %d, output blocked)", got, want, size)
	}
	close(g.open) // output flows again
	if r := <-reports; r != n-size {
		t.Fatalf("reported %d dropped, want %d", r, n-size)
	}
	if !q.Close(10 * time.Second) {
		t.Fatal("Close: queued entries not written")
	}
	out := g.String()
	want := "first\n"
	for i := 0; i < size; i++ {
		want += fmt.Sprintf("line %d\n", i)
	}
	want += fmt.Sprintf("dropped %d\n", n-size)
	if out != want {
		t.Fatalf("output:\n%s\nwant:\n%s", out, want)
	}
	select {
	case r := <-reports:
		t.Fatalf("a second report (%d) with nothing dropped since the first", r)
	default:
	}
}

func TestQueueCloseGivesUpOnABlockedOutput(t *testing.T) {
	g := newGate()
	defer close(g.open)
	q := NewQueue(g, 4)
	q.Write([]byte("stuck\n"))
	<-g.writes
	q.Write([]byte("queued\n"))
	start := time.Now()
	if q.Close(50 * time.Millisecond) {
		t.Fatal("Close reported everything written while the output is blocked")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("Close took %v with a 50ms timeout", took)
	}
	n, err := q.Write([]byte("late\n"))
	if n != 5 || err != nil || q.Dropped() != 1 {
		t.Fatalf("Write after Close: %d, %v, dropped %d; want 5, nil, 1", n, err, q.Dropped())
	}
}

func TestQueueCopiesEntries(t *testing.T) {
	var buf bytes.Buffer
	q := NewQueue(&buf, 0)
	p := []byte("one\n")
	q.Write(p)
	copy(p, "two\n") // hclog reuses its buffer after Write returns
	if !q.Close(10 * time.Second) {
		t.Fatal("Close timed out")
	}
	if got := buf.String(); !strings.HasPrefix(got, "one\n") {
		t.Fatalf("wrote %q, want the entry as it was when written", got)
	}
}
