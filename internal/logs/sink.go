package logs

import (
	"errors"
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
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

// openAppend opens path write-only for appending, creating it 0644 if
// missing. It never follows a symbolic link at path (O_NOFOLLOW: spark2 opens
// the access log as root, in a directory others may write) and accepts only a
// regular file: anything else fails with an *os.PathError naming the path.
// O_NONBLOCK keeps a FIFO planted at path from blocking the open; it is
// cleared once the file is known to be regular.
func openAppend(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0o644)
	switch {
	case err == unix.ELOOP:
		return nil, &os.PathError{Op: "open", Path: path, Err: errors.New("is a symbolic link, which spark2 does not follow; give the file's own path")}
	case err == unix.ENXIO: // a FIFO with no reader, or a socket
		return nil, &os.PathError{Op: "open", Path: path, Err: errNotRegular}
	case err != nil:
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, &os.PathError{Op: "open", Path: path, Err: errNotRegular}
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// errNotRegular is openAppend's error for a path that is no regular file.
var errNotRegular = errors.New("not a regular file; give the path of a file")

// Chown gives a file sink's current file to uid and gid (spark2, still
// root, gives the access log to the user of -u). For a sink made by NewSink
// it does nothing and returns nil.
func (s *Sink) Chown(uid, gid int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	return s.f.Chown(uid, gid)
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
