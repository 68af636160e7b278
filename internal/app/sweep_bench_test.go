package app

import (
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/supervisor"
)

// benchWorkers starts n sleeping process-group leaders, standing for idle
// workers, and stops them when b ends.
func benchWorkers(b testing.TB, n int) []supervisor.ProcRef {
	var refs []supervisor.ProcRef
	for i := 0; i < n; i++ {
		c := exec.Command("sleep", "600")
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := c.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Process.Kill(); c.Wait() })
		st, err := procfs.ReadStat(c.Process.Pid)
		if err != nil {
			b.Fatal(err)
		}
		refs = append(refs, supervisor.ProcRef{Pid: c.Process.Pid, StartTime: st.StartTime})
	}
	return refs
}

// BenchmarkSweep is the /proc work of one liveness sweep with 16 workers:
// each worker's liveness, then its family (one walk of /proc for all).
func BenchmarkSweep(b *testing.B) {
	procs := newProcView()
	ws := benchWorkers(b, 16)
	b.ResetTimer()
	for range b.N {
		procs.fresh()
		for _, w := range ws {
			if !procfs.Alive(w.Pid, w.StartTime) {
				b.Fatalf("worker %d is gone", w.Pid)
			}
			procs.family(w, nil, supervisor.Lookup{Periodic: true})
		}
	}
}

// BenchmarkMemorySample is one --max-memory sample of 16 ready workers.
func BenchmarkMemorySample(b *testing.B) {
	procs := newProcView()
	ws := benchWorkers(b, 16)
	var snap supervisor.Snapshot
	for i, w := range ws {
		snap.Slots = append(snap.Slots, supervisor.SlotState{ID: i, Worker: supervisor.WorkerState{Pid: w.Pid, Ready: true}})
	}
	b.ResetTimer()
	for range b.N {
		procs.fresh()
		if uses := sampleMemory(snap, procs); len(uses) != len(ws) || uses[0].RSS == 0 {
			b.Fatalf("sample %+v: want %d workers with their RSS", uses, len(ws))
		}
	}
}

// BenchmarkFamilyOfAnOrphanStorm is the family lookup of a worker whose
// process group has 10 000 members, all re-parented to the master (the
// orphans benchmark), from a walk already made: the lookup's own cost.
func BenchmarkFamilyOfAnOrphanStorm(b *testing.B) {
	procs := newProcView()
	const master, leader, n = 1, 100, 10000
	all := []procfs.Stat{{Pid: master, State: 'S', StartTime: 1}, {Pid: leader, PPid: master, PGrp: leader, State: 'S', StartTime: 2}}
	for i := 0; i < n; i++ {
		all = append(all, procfs.Stat{Pid: 1000 + i, PPid: master, PGrp: leader, State: 'S', StartTime: 3})
	}
	tab := procfs.NewTable(all)
	ref := supervisor.ProcRef{Pid: leader, StartTime: 2}
	var known []supervisor.ProcRef
	b.ResetTimer()
	for range b.N {
		procs.mu.Lock()
		procs.tab, procs.at, procs.turn = tab, time.Now(), 1
		procs.mu.Unlock()
		known = procs.family(ref, known, supervisor.Lookup{Turn: 1})
		if len(known) != n {
			b.Fatalf("family has %d members, want %d", len(known), n)
		}
	}
}
