package logs

import (
	"bytes"
	"fmt"
	"io"
)

// Forward copies a worker's output, r (the read end of its stdout or stderr
// pipe), to sink line by line until r reports EOF or an error, then closes r
// and returns. It is meant to run in its own goroutine, one per pipe.
//
// Lines pass through byte for byte. Each Write to sink holds only complete
// lines: all the complete lines of one read (64 KiB, the size of a pipe) in
// one Write; a partial line waits for the rest. Two changes are made, and only these:
//
//   - If r ends (EOF or a read error) in the middle of a line, that line is
//     written with "\n" appended.
//   - A line longer than MaxLine bytes (not counting its "\n") is written as
//     pieces of MaxLine bytes, each followed by an inserted "\n"; the last piece
//     ends with the line's own "\n". Memory held is at most MaxLine+2 bytes,
//     plus the idle buffer.
//
// A quiet pipe costs an idle buffer of 8 KiB; while output flows, Forward
// reads into a 64 KiB buffer from a pool shared by all Forwards, and gives it
// back when the flow stops (a read shorter than 8 KiB with no partial line).
//
// Forward blocks while sink's writer blocks, so a slow sink makes the worker
// wait on its full pipe. If a Write to sink fails, Forward writes nothing more
// but keeps reading r to its end, discarding, so the worker never blocks on a
// dead sink; each line it could not write is counted as dropped.
//
// It returns the number of lines written to sink (pieces of a split line count
// one each) and the first error, if any:
//
//   - nil when r reached EOF and every line was written;
//   - a *DropError wrapping the first write error, with the number of dropped
//     lines, when a write failed first (errors.Is(err, syscall.EPIPE) works);
//   - the read error when reading r failed first (os.ErrClosed when r was
//     closed under Forward); lines read before it are still written.
//
// The error from closing r is ignored.
func Forward(r io.ReadCloser, sink *Sink) (lines int, err error) {
	defer r.Close()
	f := newForwarder(sink)
	defer f.release()
	for {
		room := f.room()
		n, rerr := r.Read(room)
		f.took(n)
		f.fit(n == len(room), n)
		if rerr != nil {
			if rerr != io.EOF {
				f.fail(rerr)
			}
			break
		}
	}
	f.finish()
	return f.lines, f.result()
}

// DropError reports that Forward dropped lines because a Write to its sink
// failed; Forward went on draining the worker's pipe.
type DropError struct {
	Dropped int   // lines read from the worker but not written (0 if the failed Write still took every line)
	Err     error // the first write error
}

// Error returns "drop N lines of worker output: <write error>".
func (e *DropError) Error() string {
	return fmt.Sprintf("drop %d lines of worker output: %v", e.Dropped, e.Err)
}

// Unwrap returns the write error.
func (e *DropError) Unwrap() error { return e.Err }

// forwarder is the state of one Forward: its line buffer and its tallies.
type forwarder struct {
	sink    *Sink
	idle    []byte  // the buffer held while the worker is quiet (idleSize)
	pooled  *[]byte // the pooled chunk buffer while buf is it; nil otherwise
	buf     []byte  // idle, *pooled or a grown buffer; data in buf[:end]; buf[len(buf)-1] is kept free for a "\n"
	end     int     // bytes in buf, none of them a newline (between reads)
	lines   int     // lines written to sink
	dropped int     // lines not written because a write failed
	werr    error   // the first write error; once set, nothing more is written
	err     error   // the first error of any kind
}

// emit writes p, which holds only whole lines, to the sink in one Write, or
// counts its lines as dropped once a write has failed.
func (f *forwarder) emit(p []byte) {
	n := bytes.Count(p, newline)
	if f.werr != nil {
		f.dropped += n
		return
	}
	w, err := f.sink.Write(p)
	if err == nil {
		f.lines += n
		return
	}
	written := bytes.Count(p[:w], newline)
	f.lines += written
	f.dropped += n - written
	f.werr = err
	f.fail(&DropError{Err: err})
}

// fail records err if it is the first error of this Forward.
func (f *forwarder) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}

// result returns the first error, with the final dropped count filled in.
func (f *forwarder) result() error {
	if de, ok := f.err.(*DropError); ok {
		de.Dropped = f.dropped
	}
	return f.err
}

var newline = []byte{'\n'}
