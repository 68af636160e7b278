package logs

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
)

// recorder is a sink writer that keeps a copy of every Write call, and fails
// the test if two calls ever overlap.
type recorder struct {
	t      *testing.T
	inside atomic.Bool
	mu     sync.Mutex
	writes [][]byte
}

func (r *recorder) Write(p []byte) (int, error) {
	if !r.inside.CompareAndSwap(false, true) {
		r.t.Error("two Writes reached the underlying writer at once")
	}
	defer r.inside.Store(false)
	r.mu.Lock()
	r.writes = append(r.writes, bytes.Clone(p))
	r.mu.Unlock()
	return len(p), nil
}

// lines checks that every recorded Write holds only whole lines and returns
// all lines, without their "\n", in the order written.
func (r *recorder) lines() []string {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for i, w := range r.writes {
		if len(w) == 0 || w[len(w)-1] != '\n' {
			r.t.Fatalf("Write %d does not end a line: %q...", i, head(w))
		}
		for _, l := range bytes.SplitAfter(w[:len(w)-1], []byte("\n")) {
			out = append(out, string(bytes.TrimSuffix(l, []byte("\n"))))
		}
	}
	return out
}

// workerLine returns line seq of worker id: "w<id> n<seq> " padded with a
// pattern to size bytes, "\n" included.
func workerLine(id, seq, size int) []byte {
	b := make([]byte, size)
	n := copy(b, fmt.Sprintf("w%d n%06d ", id, seq))
	for i := n; i < size-1; i++ {
		b[i] = 'a' + byte((i+seq)%26)
	}
	b[size-1] = '\n'
	return b
}

// produce writes count lines of size bytes for worker id to w in uneven
// pieces, so that reads see partial lines, then closes w.
func produce(t *testing.T, w *os.File, id, count, size int) {
	defer w.Close()
	var stream []byte
	for seq := range count {
		stream = append(stream, workerLine(id, seq, size)...)
	}
	pieces := []int{1, 7, 333, 4096, 4097, 65536, 100000}
	for i := 0; len(stream) > 0; i++ {
		n := min(pieces[i%len(pieces)], len(stream))
		if _, err := w.Write(stream[:n]); err != nil {
			t.Errorf("worker %d: write: %v", id, err)
			return
		}
		stream = stream[n:]
	}
}

// forwardWorkers runs one Forward per worker into sink, each fed by an
// os.Pipe that a producer fills with count lines of size bytes, and waits for
// all of them. It returns the lines each Forward reported. It may run in a
// goroutine of its own.
func forwardWorkers(t *testing.T, sink *Sink, workers, count, size int) []int {
	t.Helper()
	got := make([]int, workers)
	var wg sync.WaitGroup
	for id := range workers {
		r, w, err := os.Pipe()
		if err != nil {
			t.Error(err) // not Fatal: this may run outside the test's goroutine
			break
		}
		wg.Go(func() { produce(t, w, id, count, size) })
		wg.Go(func() {
			n, err := Forward(r, sink)
			if err != nil {
				t.Errorf("worker %d: Forward: %v", id, err)
			}
			got[id] = n
		})
	}
	wg.Wait()
	return got
}

// checkWorkerLines checks that lines hold exactly count intact lines of size
// bytes from each worker, each worker's in order.
func checkWorkerLines(t *testing.T, lines []string, workers, count, size int) {
	t.Helper()
	if len(lines) != workers*count {
		t.Fatalf("got %d lines, want %d", len(lines), workers*count)
	}
	next := make([]int, workers)
	for i, l := range lines {
		var id, seq int
		if _, err := fmt.Sscanf(l, "w%d n%d ", &id, &seq); err != nil || id < 0 || id >= workers {
			t.Fatalf("line %d is torn: %q...", i, head([]byte(l)))
		}
		want := workerLine(id, next[id], size)
		if l != string(want[:size-1]) {
			t.Fatalf("line %d: got %q..., want worker %d line %d", i, head([]byte(l)), id, next[id])
		}
		next[id]++
	}
}

// head returns at most the first 60 bytes of b, for error messages.
func head(b []byte) []byte { return b[:min(len(b), 60)] }
