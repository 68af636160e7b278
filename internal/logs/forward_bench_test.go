package logs

import (
	"bufio"
	"io"
	"os"
	"testing"
)

// pipeReader serves data the way a pipe does: at most chunkSize bytes a Read.
// Reset rewinds it, so benchmarks allocate no reader per iteration.
type pipeReader struct {
	data []byte
	off  int
}

func (r *pipeReader) Read(p []byte) (int, error) {
	if r.off == len(r.data) {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), chunkSize)], r.data[r.off:])
	r.off += n
	return n, nil
}

func (r *pipeReader) Close() error { return nil }
func (r *pipeReader) Reset()       { r.off = 0 }

// benchOutput is 5000 worker lines of 200 bytes, 1 MB.
func benchOutput() (data []byte, lines int) {
	const count, size = 5000, 200
	for seq := range count {
		data = append(data, workerLine(0, seq, size)...)
	}
	return data, count
}

// BenchmarkForward measures 200-byte lines: "forward" through Forward into a
// Sink of io.Discard; "direct", the floor, reads the same chunks and writes
// each straight to io.Discard; "per-line" is a naive forwarder that writes
// every line with its own Sink.Write; "os-pipe" goes through a real pipe from
// a writing goroutine into a Sink of /dev/null (syscalls included).
func BenchmarkForward(b *testing.B) {
	data, count := benchOutput()
	lineRate := func(b *testing.B) {
		b.ReportMetric(float64(count)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	}
	b.Run("forward", func(b *testing.B) {
		r, sink := &pipeReader{data: data}, NewSink(io.Discard)
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			r.Reset()
			if n, err := Forward(r, sink); n != count || err != nil {
				b.Fatalf("Forward = %d, %v", n, err)
			}
		}
		lineRate(b)
	})
	b.Run("direct", func(b *testing.B) {
		r, buf := &pipeReader{data: data}, make([]byte, chunkSize)
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			r.Reset()
			for {
				n, err := r.Read(buf)
				io.Discard.Write(buf[:n])
				if err != nil {
					break
				}
			}
		}
		lineRate(b)
	})
	b.Run("per-line", func(b *testing.B) {
		r, sink := &pipeReader{data: data}, NewSink(io.Discard)
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			r.Reset()
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				sink.Write(sc.Bytes())
			}
		}
		lineRate(b)
	})
	b.Run("os-pipe", func(b *testing.B) {
		devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer devNull.Close()
		sink := NewSink(devNull)
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			pr, pw, err := os.Pipe()
			if err != nil {
				b.Fatal(err)
			}
			go func() { pw.Write(data); pw.Close() }()
			if n, err := Forward(pr, sink); n != count || err != nil {
				b.Fatalf("Forward = %d, %v", n, err)
			}
		}
		lineRate(b)
	})
}
