package logs

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestForwardConcurrentWorkersKeepLinesWhole(t *testing.T) {
	const workers, count, size = 4, 5000, 200
	rec := &recorder{t: t}
	got := forwardWorkers(t, NewSink(rec), workers, count, size)
	for id, n := range got {
		if n != count {
			t.Errorf("worker %d: Forward reported %d lines, want %d", id, n, count)
		}
	}
	checkWorkerLines(t, rec.lines(), workers, count, size)
	if len(rec.writes) >= workers*count/10 {
		t.Errorf("%d Writes for %d lines: lines are not batched", len(rec.writes), workers*count)
	}
}

func TestForwardLongLinesNeverInterleave(t *testing.T) {
	const workers, count, size = 4, 40, 64<<10 + 1 // 64 KiB of text and "\n", far above PIPE_BUF
	rec := &recorder{t: t}
	forwardWorkers(t, NewSink(rec), workers, count, size)
	checkWorkerLines(t, rec.lines(), workers, count, size)
}

// forwardString runs Forward over in, fed through an io.Pipe in pieces of at
// most piece bytes, and returns what reached the sink.
func forwardString(t *testing.T, in string, piece int) (string, int) {
	t.Helper()
	r, w := io.Pipe()
	go func() {
		for s := in; len(s) > 0; {
			n := min(piece, len(s))
			if _, err := io.WriteString(w, s[:n]); err != nil {
				return
			}
			s = s[n:]
		}
		w.Close()
	}()
	var out bytes.Buffer
	n, err := Forward(r, NewSink(&out))
	if err != nil {
		t.Fatalf("Forward: %v", err)
	}
	return out.String(), n
}

func TestForwardEnds(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		lines          int
	}{
		{"empty", "", "", 0},
		{"whole lines", "a\nb\n", "a\nb\n", 2},
		{"partial last line", "a\nb", "a\nb\n", 2},
		{"only a partial line", "no newline", "no newline\n", 1},
		{"empty lines", "\n\n", "\n\n", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, n := forwardString(t, tc.in, 3)
			if got != tc.want || n != tc.lines {
				t.Errorf("got %q, %d lines; want %q, %d lines", got, n, tc.want, tc.lines)
			}
		})
	}
}

func TestForwardSplitsLinesAtMaxLine(t *testing.T) {
	x := func(n int) string { return strings.Repeat("x", n) }
	for _, tc := range []struct {
		name, in, want string
		lines          int
	}{
		{"exactly MaxLine", x(MaxLine) + "\n", x(MaxLine) + "\n", 1},
		{"MaxLine+1", x(MaxLine+1) + "\n", x(MaxLine) + "\nx\n", 2},
		{"2.5 MiB", x(5*MaxLine/2) + "\nend\n", x(MaxLine) + "\n" + x(MaxLine) + "\n" + x(MaxLine/2) + "\nend\n", 4},
		{"2 MiB at EOF", x(2 * MaxLine), x(MaxLine) + "\n" + x(MaxLine) + "\n", 2},
		{"MaxLine+1 at EOF", x(MaxLine + 1), x(MaxLine) + "\nx\n", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, n := forwardString(t, tc.in, 64<<10)
			if got != tc.want || n != tc.lines {
				t.Errorf("got %d bytes, %d lines; want %d bytes, %d lines",
					len(got), n, len(tc.want), tc.lines)
			}
		})
	}
}

func TestForwardMemoryBoundedByMaxLine(t *testing.T) {
	f := newForwarder(NewSink(io.Discard))
	defer f.release()
	for total := 0; total < 3*MaxLine; {
		p := f.room()
		for i := range p {
			p[i] = 'x'
		}
		f.took(len(p))
		total += len(p)
		if len(f.buf) > MaxLine+2 {
			t.Fatalf("buffer grew to %d bytes, above MaxLine+2", len(f.buf))
		}
	}
	if f.lines != 2 {
		t.Errorf("wrote %d pieces of a 3 MiB line so far, want 2", f.lines)
	}
}

func TestForwardPassesBytesThrough(t *testing.T) {
	in := `{"level":"info","msg":"héllo \"wörld\"","n":1}` + "\n" +
		`{"level":"error","msg":"tab\tand \\n escaped","err":null}` + "\r\n" +
		"\x1b[31mred\x1b[0m \xff\xfe not UTF-8\n" +
		"  leading and trailing spaces  \n"
	got, n := forwardString(t, in, 5)
	if got != in || n != 4 {
		t.Fatalf("got %q (%d lines), want %q unchanged", got, n, in)
	}
	for _, l := range strings.SplitAfter(got, "\n")[:2] {
		if !json.Valid([]byte(l)) {
			t.Errorf("JSON line no longer valid: %q", l)
		}
	}
}

// failingWriter accepts ok Writes, then takes half of the next one and fails
// every Write with EPIPE from then on.
type failingWriter struct {
	ok    int
	lines int // lines accepted
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.ok > 0 {
		w.ok--
		w.lines += bytes.Count(p, []byte("\n"))
		return len(p), nil
	}
	if w.ok == 0 {
		w.ok = -1
		w.lines += bytes.Count(p[:len(p)/2], []byte("\n"))
		return len(p) / 2, syscall.EPIPE
	}
	return 0, syscall.EPIPE
}

func TestForwardDrainsAfterWriteError(t *testing.T) {
	const count, size = 20000, 200 // 4 MB: far more than a pipe holds
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { produce(t, w, 0, count, size); close(done) }()
	fw := &failingWriter{ok: 3}
	n, err := Forward(r, NewSink(fw))
	<-done // the worker was never left blocked on its pipe

	var de *DropError
	if !errors.As(err, &de) || !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("Forward error = %v, want a *DropError wrapping EPIPE", err)
	}
	if n != fw.lines || n+de.Dropped != count || de.Dropped == 0 {
		t.Errorf("Forward wrote %d and dropped %d lines; writer took %d of %d",
			n, de.Dropped, fw.lines, count)
	}
	if want := "drop "; !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "broken pipe") {
		t.Errorf("error message %q", err)
	}
}

// erroringReader returns data, then err.
type erroringReader struct {
	data string
	err  error
}

func (r *erroringReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func (r *erroringReader) Close() error { return nil }

func TestForwardReadErrorKeepsWhatWasRead(t *testing.T) {
	var out bytes.Buffer
	n, err := Forward(&erroringReader{"one\ntwo", os.ErrClosed}, NewSink(&out))
	if !errors.Is(err, os.ErrClosed) || n != 2 || out.String() != "one\ntwo\n" {
		t.Errorf("got %q, %d lines, %v; want \"one\\ntwo\\n\", 2 lines, os.ErrClosed", out.String(), n, err)
	}
}

// blockingWriter signals each Write on entered and waits for release.
type blockingWriter struct {
	entered chan struct{}
	release chan struct{}
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	w.entered <- struct{}{}
	<-w.release
	return len(p), nil
}

func TestForwardBlocksOnSlowSink(t *testing.T) {
	bw := &blockingWriter{entered: make(chan struct{}), release: make(chan struct{})}
	r, w := io.Pipe()
	forwarded := make(chan int)
	go func() {
		n, _ := Forward(r, NewSink(bw))
		forwarded <- n
	}()
	io.WriteString(w, "first\n")
	<-bw.entered // Forward is inside the sink's Write
	second := make(chan struct{})
	go func() { io.WriteString(w, "second\n"); close(second) }()
	select {
	case <-second:
		t.Fatal("the worker's write completed while the sink was blocked: output is being queued")
	default:
	}
	bw.release <- struct{}{}
	<-second
	w.Close()
	<-bw.entered
	bw.release <- struct{}{}
	if n := <-forwarded; n != 2 {
		t.Errorf("Forward wrote %d lines, want 2", n)
	}
}
