package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPollPass measures one polling pass (one op) over a tree of 10 000
// files in 100 directories, none of them changed: what --watch costs every
// Poll interval on a bind mount without events.
func BenchmarkPollPass(b *testing.B) {
	dir := b.TempDir()
	for d := range 100 {
		sub := filepath.Join(dir, fmt.Sprintf("pkg%03d", d))
		if err := os.Mkdir(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 100 {
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("file%03d.js", f)), []byte("x"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	info, err := os.Stat(dir)
	if err != nil {
		b.Fatal(err)
	}
	roots := []*root{newRoot(dir, info)}
	p := newPoller()
	p.pass(roots, nil, nil)
	if len(p.files) != 10_000 {
		b.Fatalf("first pass recorded %d files, want 10000", len(p.files))
	}
	changed := 0
	b.ReportAllocs()
	start, cpu := time.Now(), cpuTime(b)
	for b.Loop() {
		p.pass(roots, nil, func(string) { changed++ })
	}
	if changed != 0 {
		b.Fatalf("%d files reported changed in an unchanged tree", changed)
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N)/10_000, "ns/file")
	// CPU time (user + system) is the cost on a busy machine, where ns/op
	// also counts the time spent waiting for a CPU.
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
}

// cpuTime returns the process's user and system CPU time so far, in ns.
func cpuTime(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
