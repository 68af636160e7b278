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

// TestAnIdleMastersSecondMakesNoGarbage: what an idle master does every
// second, apart from the supervisor's loop (a fresh walk of /proc for each
// worker's family, the status file's workers and memory figures read again,
// the file written) allocates nothing once its buffers have grown. Garbage
// a second grew an idle master's heap, and its RSS with it, to its first
// collection: 5.1 MiB at start, 7.0 MiB three minutes later.
func TestAnIdleMastersSecondMakesNoGarbage(t *testing.T) {
	workers := benchWorkers(t, 2)
	procs := newProcView()
	dir, err := status.OpenDir(filepath.Join(t.TempDir(), "spark2", "status.json"), os.Getuid(), os.Getgid())
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	w := &statusWriter{dir: dir, base: status.File{Format: status.Format, Pid: os.Getpid(), Command: []string{"sleep", "600"}},
		procs: procs, log: hclog.NewNullLogger()}
	snap := supervisor.Snapshot{At: time.Now(), State: supervisor.StateRunning}
	for i, ref := range workers {
		snap.Slots = append(snap.Slots, supervisor.SlotState{ID: i, Worker: supervisor.WorkerState{Pid: ref.Pid, Running: true, Ready: true}})
	}
	var written *status.File
	turn := uint64(0)
	second := func() {
		for _, ref := range workers {
			turn++ // a lookup of a new loop turn walks /proc again
			if fam := procs.family(ref, nil, supervisor.Lookup{Turn: turn}); len(fam) != 0 {
				t.Fatalf("family of a lone sleep: %+v", fam)
			}
		}
		procs.mu.Lock()
		for pid := range procs.rss {
			procs.rss[pid] = rssReading{at: time.Now().Add(-time.Hour)} // read again
		}
		procs.mu.Unlock()
		w.usage.at = time.Time{}
		f := w.file(snap, written)
		w.addUsage(f)
		if err := dir.Write(f); err != nil {
			t.Fatal(err)
		}
		written = f
	}
	second()
	if n := testing.AllocsPerRun(20, second); n != 0 {
		t.Fatalf("an idle master's second allocates %v times, want 0", n)
	}
	f, err := status.Read(dir.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Workers) != 2 || f.Workers[1].Pid != workers[1].Pid || f.Workers[1].RSS == 0 {
		t.Fatalf("status file's workers %+v; want both, with their memory", f.Workers)
	}
}

// TestAlarmResetsOneTimer: the supervisor's At fires at its last time only,
// through the same channel, and arming it again allocates nothing.
func TestAlarmResetsOneTimer(t *testing.T) {
	var a alarm
	first := a.at(time.Now().Add(time.Hour))
	c := a.at(time.Now().Add(20 * time.Millisecond))
	if c != first {
		t.Fatal("a new channel for a new deadline")
	}
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatal("the alarm reset to 20 ms did not fire")
	}
	a.at(time.Now().Add(50 * time.Millisecond))
	a.at(time.Now().Add(time.Hour)) // moved later: the 50 ms setting must not fire
	select {
	case <-c:
		t.Fatal("fired at a deadline that was moved later")
	case <-time.After(150 * time.Millisecond):
	}
	if n := testing.AllocsPerRun(100, func() { a.at(time.Now().Add(time.Hour)) }); n != 0 {
		t.Fatalf("arming the alarm allocates %v times, want 0", n)
	}
}
