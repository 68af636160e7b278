package logs

import (
	"bytes"
	"sync"
)

// MaxLine is the longest line, in bytes without its "\n", that Forward writes
// in one piece. A longer line is written as pieces of MaxLine bytes, each
// followed by an inserted "\n", so a worker that never ends its line can
// neither make spark2 hold unbounded memory nor have its output held forever.
const MaxLine = 1 << 20

// chunkSize is how much Forward reads at once while output flows: a Linux
// pipe's default capacity, so one read usually empties the pipe.
const chunkSize = 64 << 10

// idleSize is the length of the buffer a forwarder holds while its worker is
// quiet (data and the spare byte): 8 KiB, so a write of a block-buffered stdio
// (4 KiB) or a burst of access-log lines fits in one read. A read that fills
// it switches to a pooled chunk buffer; a short read with no partial line
// pending switches back. Sixteen idle workers hold 256 KiB of buffers this
// way, instead of the 2.3 MiB that a chunk buffer per pipe would hold.
const idleSize = 8 << 10

// chunkBuffers holds chunk buffers (chunkSize bytes plus one spare for a "\n")
// shared by the forwarders whose workers are writing.
var chunkBuffers = sync.Pool{New: func() any {
	b := make([]byte, chunkSize+1)
	return &b
}}

// newForwarder returns a forwarder to sink holding its idle buffer.
func newForwarder(sink *Sink) *forwarder {
	idle := make([]byte, idleSize)
	return &forwarder{sink: sink, idle: idle, buf: idle}
}

// release gives the chunk buffer back to the pool, if the forwarder holds
// one. The forwarder must not be used afterwards.
func (f *forwarder) release() {
	f.unpool()
	f.buf, f.idle = nil, nil
}

// unpool gives the chunk buffer back to the pool, if the forwarder holds one,
// without touching buf.
func (f *forwarder) unpool() {
	if f.pooled != nil {
		chunkBuffers.Put(f.pooled)
		f.pooled = nil
	}
}

// fit picks the buffer for the next read after one that filled the room it
// was given (full) and left n bytes: a full idle buffer moves to a chunk
// buffer, so a flow of output is read 64 KiB at a time; a read shorter than
// the idle buffer, with no partial line left, moves back to the idle buffer
// and gives the chunk back (a grown buffer is let go).
func (f *forwarder) fit(full bool, n int) {
	idle := len(f.buf) == len(f.idle) // chunk and grown buffers are longer
	switch {
	case idle && full:
		f.toChunk()
	case !idle && f.end == 0 && n < idleSize:
		f.unpool()
		f.buf = f.idle
	}
}

// toChunk moves the unfinished line to a pooled chunk buffer.
func (f *forwarder) toChunk() {
	p := chunkBuffers.Get().(*[]byte)
	copy(*p, f.buf[:f.end])
	f.pooled, f.buf = p, *p
}

// room returns the free part of the buffer for the next read, never empty. When
// the buffer is full of one unfinished line, it first moves from the idle
// buffer to a chunk buffer, grows the buffer (by doubling, up to MaxLine+1
// bytes of data) or, at that size, writes the line's first MaxLine bytes as a
// piece.
func (f *forwarder) room() []byte {
	if f.end == len(f.buf)-1 {
		switch {
		case f.pooled == nil && len(f.buf) == len(f.idle):
			f.toChunk()
		case len(f.buf)-1 <= MaxLine:
			f.grow()
		default:
			f.split()
		}
	}
	return f.buf[f.end : len(f.buf)-1]
}

// grow doubles the buffer's data capacity, to at most MaxLine+1 bytes: one
// more than MaxLine, so that a line of exactly MaxLine bytes is seen with its
// "\n" and is not split.
func (f *forwarder) grow() {
	size := 2 * (len(f.buf) - 1)
	if size >= MaxLine {
		size = MaxLine + 1
	}
	b := make([]byte, size+1)
	copy(b, f.buf[:f.end])
	f.unpool()
	f.buf = b
}

// split writes the first MaxLine bytes of the unfinished line followed by "\n"
// in one Write, and keeps the rest. The "\n" goes in place of the byte after
// the piece, which is saved and put back, so nothing is copied or allocated.
func (f *forwarder) split() {
	saved := f.buf[MaxLine]
	f.buf[MaxLine] = '\n'
	f.emit(f.buf[:MaxLine+1])
	f.buf[MaxLine] = saved
	f.end = copy(f.buf, f.buf[MaxLine:f.end])
}

// took accounts for n bytes just read into room(): it writes every complete
// line in the buffer in one Write and moves the unfinished tail to the front.
// Only the new bytes are searched: the old ones hold no newline.
func (f *forwarder) took(n int) {
	if n <= 0 {
		return
	}
	start := f.end
	f.end += n
	i := bytes.LastIndexByte(f.buf[start:f.end], '\n')
	if i < 0 {
		return
	}
	done := start + i + 1
	f.emit(f.buf[:done])
	f.end = copy(f.buf, f.buf[done:f.end])
}

// finish writes what is left when the input has ended: pieces of MaxLine bytes
// while the tail is longer than that, then the tail with "\n" appended in the
// spare byte.
func (f *forwarder) finish() {
	for f.end > MaxLine {
		f.split()
	}
	if f.end > 0 {
		f.buf[f.end] = '\n'
		f.emit(f.buf[:f.end+1])
		f.end = 0
	}
}
