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
