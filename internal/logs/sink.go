package logs

import (
	"io"
	"os"
	"sync"
)

// Sink is a destination for whole lines: spark2's stdout, its stderr, or the
// access log file. It is safe for concurrent use: each Write reaches the
// underlying writer in exactly one Write call made under the sink's lock, so
// Writes of whole lines from different goroutines never interleave mid-line.
//
// A Sink made by NewSink writes to a writer that spark2 does not own; one made
// by OpenFileSink owns its file and can Reopen it. The zero Sink is not usable.
type Sink struct {
	mu     sync.Mutex
	w      io.Writer // where Writes go; the file itself for a file sink
	f      *os.File  // the open file of a file sink; nil for other sinks
	path   string    // the path of a file sink; "" for other sinks
	closed bool      // a file sink after Close
}

// NewSink returns a sink that writes to w, which must not be nil. Close and
// Reopen do nothing to w: spark2 does not own its stdout and stderr.
func NewSink(w io.Writer) *Sink {
	return &Sink{w: w}
}

// OpenFileSink opens the log file at path for appending, creating it with mode
// 0644 (less the umask) if it is missing, and returns a sink that writes to it.
// On failure it returns nil and the *os.PathError from opening, which names the
// path: "open /var/log/app.log: permission denied".
func OpenFileSink(path string) (*Sink, error) {
	f, err := openAppend(path)
	if err != nil {
		return nil, err
	}
	return &Sink{w: f, f: f, path: path}, nil
}

// openAppend opens path write-only for appending, creating it 0644 if missing.
func openAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
}

// Write writes p to the underlying writer in one Write call while holding the
// sink's lock, and returns that call's count and error. A short write without
// an error is reported as io.ErrShortWrite. After Close, a file sink's Write
// writes nothing and returns an *os.PathError wrapping os.ErrClosed.
func (s *Sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, &os.PathError{Op: "write", Path: s.path, Err: os.ErrClosed}
	}
	n, err := s.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return n, err
}

// Reopen makes a file sink write to a newly opened file at its path (log
// rotation: the old file was renamed away or removed), then closes the old
// file. It is safe while other goroutines Write: a Write goes wholly to the old
// file or wholly to the new one. For a sink made by NewSink it does nothing and
// returns nil.
//
// On failure the sink keeps writing to the old file, and the error is an
// *os.PathError naming the path: "reopen /var/log/app.log: permission denied".
// Reopen after Close fails with os.ErrClosed and opens nothing.
func (s *Sink) Reopen() error {
	if s.path == "" {
		return nil
	}
	if s.isClosed() {
		return &os.PathError{Op: "reopen", Path: s.path, Err: os.ErrClosed}
	}
	f, err := openAppend(s.path)
	if err != nil {
		if pe, ok := err.(*os.PathError); ok {
			err = pe.Err
		}
		return &os.PathError{Op: "reopen", Path: s.path, Err: err}
	}
	s.mu.Lock()
	if s.closed { // Close ran while the new file was being opened
		s.mu.Unlock()
		_ = f.Close()
		return &os.PathError{Op: "reopen", Path: s.path, Err: os.ErrClosed}
	}
	old := s.f
	s.w, s.f = f, f
	s.mu.Unlock()
	_ = old.Close() // nothing can be lost: every write to it has returned
	return nil
}

// Close closes a file sink's file; its later Writes and Reopens fail with
// os.ErrClosed, and a second Close returns nil. It returns the error from
// closing the file. For a sink made by NewSink it does nothing and returns nil,
// so spark2 can still write its last messages to its stdout and stderr.
func (s *Sink) Close() error {
	if s.path == "" {
		return nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	f := s.f
	s.mu.Unlock()
	return f.Close()
}

// isClosed reports whether Close has been called on a file sink.
func (s *Sink) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// writer returns the writer that Writes currently go to.
func (s *Sink) writer() io.Writer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w
}
