package app

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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
	// A walk's slices grow when more processes run than in any walk before
	// (other tests' processes starting meanwhile): once, not every second.
	// So a count is taken again, up to three times in all.
	n := testing.AllocsPerRun(20, second)
	for try := 1; n != 0 && try < 3; try++ {
		n = testing.AllocsPerRun(20, second)
	}
	if n != 0 {
		t.Fatalf("an idle master's second allocates %v times, want 0; where, in 20 more:\n%s", n, allocSites(20, second))
	}
	f, err := status.Read(dir.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Workers) != 2 || f.Workers[1].Pid != workers[1].Pid || f.Workers[1].RSS == 0 {
		t.Fatalf("status file's workers %+v; want both, with their memory", f.Workers)
	}
}

// allocSites runs f runs times with every allocation profiled and says
// where they were made, for a failure message.
func allocSites(runs int, f func()) string {
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 1
	count := func() map[[32]uintptr]int64 {
		runtime.GC() // the profile is as of the last collection
		runtime.GC()
		n, _ := runtime.MemProfile(nil, true)
		recs := make([]runtime.MemProfileRecord, n+100)
		n, _ = runtime.MemProfile(recs, true)
		m := map[[32]uintptr]int64{}
		for _, r := range recs[:n] {
			m[r.Stack0] += r.AllocObjects
		}
		return m
	}
	before := count()
	for range runs {
		f()
	}
	var b strings.Builder
	for stack, n := range count() {
		if n -= before[stack]; n <= 0 {
			continue
		}
		var where []string // the frames below the runtime's, up to f's caller
		frames := runtime.CallersFrames(stack[:])
		for more := true; more; {
			var fr runtime.Frame
			fr, more = frames.Next()
			if strings.HasPrefix(fr.Function, "runtime.") || strings.HasPrefix(fr.Function, "internal/runtime/") {
				continue
			}
			if strings.Contains(fr.Function, ".allocSites") {
				break
			}
			where = append(where, fmt.Sprintf("%s (%s:%d)", fr.Function, filepath.Base(fr.File), fr.Line))
		}
		if len(where) > 0 { // not allocSites' own
			fmt.Fprintf(&b, "%d at %s\n", n, strings.Join(where, " < "))
		}
	}
	return b.String()
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
