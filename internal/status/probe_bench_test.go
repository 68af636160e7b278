package status

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkProbe is what `spark2 --probe ready` does after start-up: read
// and parse the status file of a master with 16 workers, read
// /proc/<pid>/stat, and judge.
func BenchmarkProbe(b *testing.B) {
	t := &testing.T{}
	f := self(t, Running, true)
	f.Workers = make([]Worker, 16)
	for i := range f.Workers {
		f.Workers[i] = Worker{Slot: i, Pid: 1000 + i, Started: time.Now(), Ready: true, RSS: 30 << 20}
	}
	path := filepath.Join(b.TempDir(), "s", "status.json")
	d, err := OpenDir(path, os.Getuid(), os.Getgid())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if err := d.Write(f); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		got, err := Read(path)
		if err != nil {
			b.Fatal(err)
		}
		if v, why := Check(got, Ready, time.Now(), 5*time.Second); v != Healthy {
			b.Fatal(why)
		}
	}
}

// BenchmarkWrite is one status file update (marshal, temp file, rename).
func BenchmarkWrite(b *testing.B) {
	f := self(&testing.T{}, Running, true)
	path := filepath.Join(b.TempDir(), "s", "status.json")
	d, err := OpenDir(path, os.Getuid(), os.Getgid())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Write(f); err != nil {
			b.Fatal(err)
		}
	}
}
