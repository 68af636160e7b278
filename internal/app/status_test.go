package app

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/status"
	"github.com/spark2/spark2/internal/supervisor"
)

// TestStatusWriterCloseWritesTheLastSnapshotStopped: close hands the newest
// snapshot from run's goroutine to its own through done alone (run with
// -race: no mutex is needed), and writes it as stopped with the code.
func TestStatusWriterCloseWritesTheLastSnapshotStopped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spark2", "status.json")
	dir, err := status.OpenDir(path, os.Getuid(), os.Getgid())
	if err != nil {
		t.Fatal(err)
	}
	w := newStatusWriter(dir, status.File{Format: status.Format, Pid: os.Getpid()}, newProcView(), hclog.NewNullLogger())
	for pid := 100; pid <= 103; pid++ {
		w.publish(supervisor.Snapshot{At: time.Now(), Slots: []supervisor.SlotState{{ID: 0, Worker: supervisor.WorkerState{Pid: pid}}}})
	}
	w.close(3)
	f, err := status.ReadTrusted(path, os.Getuid())
	if err != nil {
		t.Fatal(err)
	}
	if f.State != status.Stopped || f.ExitCode == nil || *f.ExitCode != 3 {
		t.Errorf("state %q, exit code %v; want %q and 3", f.State, f.ExitCode, status.Stopped)
	}
	if len(f.Workers) != 1 || f.Workers[0].Pid != 103 {
		t.Errorf("workers %+v, want the last snapshot's: slot 0, pid 103", f.Workers)
	}
}

// TestStatusWriterFillsTheFileNotLastWritten: file fills, in turn, the one of
// its two files that was not last written, so the one compared with stays as
// written; a snapshot with no slot gives an empty list of workers, not null.
func TestStatusWriterFillsTheFileNotLastWritten(t *testing.T) {
	w := &statusWriter{base: status.File{Format: status.Format, Pid: 1}}
	snap := func(pid int) supervisor.Snapshot {
		return supervisor.Snapshot{Slots: []supervisor.SlotState{{ID: 0, Worker: supervisor.WorkerState{Pid: pid}}}}
	}
	written := w.file(snap(100), nil)
	next := w.file(snap(101), written)
	if next == written || written.Workers[0].Pid != 100 || next.Workers[0].Pid != 101 {
		t.Fatalf("written %+v, next %+v; want two files, pids 100 and 101", written.Workers, next.Workers)
	}
	if again := w.file(snap(102), written); again != next || written.Workers[0].Pid != 100 {
		t.Fatalf("a file not written was not reused, or the written one changed (%+v)", written.Workers)
	}
	empty := w.file(supervisor.Snapshot{}, nil)
	if empty.Workers == nil || len(empty.Workers) != 0 {
		t.Fatalf("no slot: workers %#v, want an empty list", empty.Workers)
	}
}
