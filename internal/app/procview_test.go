package app

import (
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/supervisor"
)

// table is tableLocked for a test: a walk at most maxAge old, which the test
// reads alone.
func (v *procView) table(maxAge time.Duration, yield bool) (*procfs.Table, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.tableLocked(maxAge, yield, 0)
}

// TestTreeRSSCountsDescendantsAndReusesAReading: a worker's memory is that of
// its whole tree; a reading younger than maxAge is reused, an older one is
// read again.
func TestTreeRSSCountsDescendantsAndReusesAReading(t *testing.T) {
	procs := newProcView()
	pid, alone := shellWithChild(t, procs)
	got := procs.treeRSS([]int{0, pid}, 0, nil)
	if got[0] != 0 || got[1] <= alone {
		t.Fatalf("treeRSS(0, shell) = %v; want 0, and more than the shell alone (%d)", got, alone)
	}
	procs.mu.Lock()
	procs.rss[pid] = rssReading{bytes: 42, at: time.Now()}
	procs.mu.Unlock()
	if got := procs.treeRSS([]int{pid}, time.Minute, nil); got[0] != 42 {
		t.Fatalf("a reading younger than maxAge: %d, want it reused (42)", got[0])
	}
	if got := procs.treeRSS([]int{pid}, 0, nil); got[0] <= alone {
		t.Fatalf("maxAge 0: %d, want a new reading above %d", got[0], alone)
	}
}

// shellWithChild starts a shell with one sleeping child in a group of its
// own, and waits until a walk of procs shows the child; it returns the
// shell's pid and its memory alone.
func shellWithChild(t *testing.T, procs *procView) (pid int, alone uint64) {
	t.Helper()
	c := exec.Command("/bin/sh", "-c", "sleep 100 & wait")
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-c.Process.Pid, syscall.SIGKILL); c.Wait() })
	pid = c.Process.Pid
	deadline := time.Now().Add(20 * time.Second)
	for {
		procs.fresh()
		tab, err := procs.table(0, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Descendants(pid)) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the shell's sleep never showed up")
		}
		time.Sleep(5 * time.Millisecond)
	}
	var r procfs.Reader
	alone, err := r.RSS(pid, pageSize)
	if err != nil {
		t.Fatal(err)
	}
	return pid, alone
}

// TestTheStatusFiguresGiveWayToOrphansAndBigTrees: the status file's memory
// figures are read as rarely as the sweep walks: a reading is reused up to
// maxSweepAge while the reaper takes orphans, and for walkShare times what
// reading took; one that a storm of orphans interrupts keeps the last. The
// samples of --max-memory (maxAge 0) are always read through.
func TestTheStatusFiguresGiveWayToOrphansAndBigTrees(t *testing.T) {
	procs := newProcView()
	pid, alone := shellWithChild(t, procs)
	reaping := false
	procs.reaping = func() bool { return reaping }
	set := func(age, took time.Duration) {
		procs.mu.Lock()
		procs.rss = map[int]rssReading{pid: {bytes: 42, at: time.Now().Add(-age)}}
		procs.rssTook = took
		procs.mu.Unlock()
	}
	get := func(maxAge time.Duration) uint64 { return procs.treeRSS([]int{pid}, maxAge, nil)[0] }

	reaping = true
	set(5*time.Second, 0)
	if got := get(rssFresh); got != 42 {
		t.Fatalf("while orphans are reaped, a status reading 5 s old: %d, want it reused (42)", got)
	}
	if got := get(0); got <= alone {
		t.Fatalf("while orphans are reaped, a --max-memory sample: %d, want a new reading above %d", got, alone)
	}
	set(maxSweepAge+time.Second, 0)
	if got := get(rssFresh); got == 42 {
		t.Fatal("a status reading older than maxSweepAge was reused")
	}

	reaping = false
	set(3*time.Second, 100*time.Millisecond) // walkShare × 100 ms = 5 s
	if got := get(rssFresh); got != 42 {
		t.Fatalf("after readings that took 100 ms, one 3 s old: %d, want it reused (42)", got)
	}
	set(3*time.Second, 0)
	if got := get(rssFresh); got <= alone {
		t.Fatalf("after cheap readings, one 3 s old: %d, want a new reading above %d", got, alone)
	}

	var reaped uint64
	procs.orphans = func() uint64 { reaped += stormOrphans; return reaped } // a storm: stormOrphans more at every look
	set(3*time.Second, 0)
	if got := get(rssFresh); got != 42 {
		t.Fatalf("a status reading interrupted by a storm of orphans: %d, want the last one kept (42)", got)
	}
	procs.mu.Lock()
	delete(procs.rss, pid)
	procs.mu.Unlock()
	if got := get(rssFresh); got < alone {
		t.Fatalf("an interrupted status reading with none before it: %d, want at least the worker's own %d", got, alone)
	}
	set(3*time.Second, 0)
	if got := get(0); got <= alone {
		t.Fatalf("a --max-memory sample in a storm of orphans: %d, want it read through, above %d", got, alone)
	}
}

func TestAliveFromTheSharedWalk(t *testing.T) {
	me, err := procfs.ReadStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !alive(me.Pid, me.StartTime) {
		t.Fatal("this process is not alive")
	}
	if alive(me.Pid, me.StartTime+1) {
		t.Fatal("another start time must mean another process")
	}
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if alive(c.Process.Pid, 0) {
		t.Fatalf("a reaped child (%d) is alive", c.Process.Pid)
	}
}

// TestNotifyFilterHearsAChildFromTheLastWalk: a child of the master that the
// last walk shows is heard without reading /proc again; with no fresh walk,
// /proc is read; a process outside is not heard.
func TestNotifyFilterHearsAChildFromTheLastWalk(t *testing.T) {
	procs := newProcView()
	c := exec.Command("sleep", "100")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { c.Process.Kill(); c.Wait() }()
	allow := notifyFilter(procs, hclog.NewNullLogger()).Allow
	if !allow(c.Process.Pid) {
		t.Fatal("a child is not heard with no walk to go by")
	}
	if _, err := procs.table(0, false); err != nil {
		t.Fatal(err)
	}
	root := procfs.Root
	procfs.Root = t.TempDir() // from here, only the walk knows the child
	defer func() { procfs.Root = root }()
	if !allow(c.Process.Pid) {
		t.Fatal("a child in the last walk is not heard")
	}
	if allow(os.Getppid()) || allow(0) {
		t.Fatal("a process that is no child's is heard")
	}
	procs.mu.Lock()
	procs.at = time.Now().Add(-treeFresh)
	procs.mu.Unlock()
	if allow(c.Process.Pid) {
		t.Fatal("a walk older than treeFresh was trusted")
	}
}

// ghostOfMyGroup returns this process's stat, a member of its process group
// that does not exist (for a walk made up to show it), the group's leader,
// and whether a family lookup's answer has the ghost in it.
func ghostOfMyGroup(t *testing.T) (me, ghost procfs.Stat, leader supervisor.ProcRef, hasGhost func([]supervisor.ProcRef) bool) {
	t.Helper()
	me, err := procfs.ReadStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	ghost = procfs.Stat{Pid: 1 << 30, PPid: me.Pid, PGrp: me.PGrp, State: 'S', StartTime: 1}
	leader = supervisor.ProcRef{Pid: me.PGrp}
	if st, err := procfs.ReadStat(me.PGrp); err == nil {
		leader.StartTime = st.StartTime
	}
	hasGhost = func(fam []supervisor.ProcRef) bool {
		return slices.ContainsFunc(fam, func(m supervisor.ProcRef) bool { return m.Pid == ghost.Pid })
	}
	return me, ghost, leader, hasGhost
}

// TestOnlyTheSweepsLookupReusesAnOldWalk: when walking is dear, the sweep's
// (periodic) family lookup reuses the last walk; any other lookup walks
// again, and the sweep's too once the walk is older than walkShare times a
// cheap walk.
func TestOnlyTheSweepsLookupReusesAnOldWalk(t *testing.T) {
	procs := newProcView()
	// A walk a second old, taken when walking took 100 ms, that shows a
	// member of this process's group which does not exist.
	me, ghost, leader, hasGhost := ghostOfMyGroup(t)
	old := procfs.NewTable([]procfs.Stat{me, ghost})
	set := func() {
		procs.mu.Lock()
		procs.tab, procs.at, procs.took = old, time.Now().Add(-time.Second), 100*time.Millisecond
		procs.mu.Unlock()
	}
	set()
	if fam := procs.family(leader, nil, supervisor.Lookup{Periodic: true}); !hasGhost(fam) {
		t.Fatalf("the sweep's lookup walked again (%+v): want the last walk reused", fam)
	}
	if fam := procs.family(leader, nil, supervisor.Lookup{}); hasGhost(fam) {
		t.Fatal("a lookup that is not the sweep's reused an old walk")
	}
	set()
	procs.mu.Lock()
	procs.took = 0
	procs.mu.Unlock()
	if fam := procs.family(leader, nil, supervisor.Lookup{Periodic: true}); hasGhost(fam) {
		t.Fatal("the sweep reused a walk older than walkShare times a cheap walk")
	}
}

// TestAStopsLookupReusesOnlyAWalkOfItsTurn: a lookup that is not the
// sweep's reuses the walk its own loop turn made (a TERM looks up every
// worker's family in one turn), never one from an earlier turn, however
// young: a process forked since would be missed (a worker replaced 9 ms
// after it started kept the escapee it had forked).
func TestAStopsLookupReusesOnlyAWalkOfItsTurn(t *testing.T) {
	procs := newProcView()
	me, ghost, leader, hasGhost := ghostOfMyGroup(t)
	set := func(turn uint64) {
		procs.mu.Lock()
		procs.tab, procs.at, procs.turn, procs.took = procfs.NewTable([]procfs.Stat{me, ghost}), time.Now(), turn, 100*time.Millisecond
		procs.mu.Unlock()
	}
	set(7)
	if fam := procs.family(leader, nil, supervisor.Lookup{Turn: 7}); !hasGhost(fam) {
		t.Fatal("a lookup walked again in the turn that made the last walk")
	}
	if fam := procs.family(leader, nil, supervisor.Lookup{Turn: 8}); hasGhost(fam) {
		t.Fatal("a lookup reused a walk made a turn before (just now)")
	}
	set(0)
	if fam := procs.family(leader, nil, supervisor.Lookup{}); hasGhost(fam) {
		t.Fatal("a lookup of no turn reused a walk")
	}
	set(7)
	if fam := procs.family(leader, nil, supervisor.Lookup{Periodic: true, Turn: 8}); !hasGhost(fam) {
		t.Fatal("the sweep walked again instead of reusing a young walk")
	}
}

// TestTheSweepPutsOffWalksWhileOrphansAreReaped: while the reaper takes
// orphans, the sweep's lookup reuses a walk up to maxSweepAge old, however
// cheap walking was; any other lookup still walks.
func TestTheSweepPutsOffWalksWhileOrphansAreReaped(t *testing.T) {
	procs := newProcView()
	me, ghost, leader, hasGhost := ghostOfMyGroup(t)
	reaping := true
	procs.reaping = func() bool { return reaping }
	set := func(age time.Duration) {
		procs.mu.Lock()
		procs.tab, procs.at, procs.took = procfs.NewTable([]procfs.Stat{me, ghost}), time.Now().Add(-age), 0
		procs.mu.Unlock()
	}
	set(5 * time.Second) // cheap walks: walkShare alone would walk again
	if fam := procs.family(leader, nil, supervisor.Lookup{Periodic: true}); !hasGhost(fam) {
		t.Fatal("the sweep walked again while orphans were being reaped")
	}
	if fam := procs.family(leader, nil, supervisor.Lookup{}); hasGhost(fam) {
		t.Fatal("a lookup that is not the sweep's reused an old walk while orphans were being reaped")
	}
	set(maxSweepAge + time.Second)
	if fam := procs.family(leader, nil, supervisor.Lookup{Periodic: true}); hasGhost(fam) {
		t.Fatal("the sweep reused a walk older than maxSweepAge")
	}
	reaping = false
	set(5 * time.Second)
	if fam := procs.family(leader, nil, supervisor.Lookup{Periodic: true}); hasGhost(fam) {
		t.Fatal("the sweep put off a cheap walk with no orphan being reaped")
	}
}

// TestAWalkThatMayYieldStopsInAStormOfOrphans: a walk that may yield stops
// once the reaper has taken stormOrphans orphans since it began, and the
// last walk is returned; one that may not, or a first walk, reads /proc
// through.
func TestAWalkThatMayYieldStopsInAStormOfOrphans(t *testing.T) {
	procs := newProcView()
	var reaped uint64
	procs.orphans = func() uint64 { reaped += stormOrphans; return reaped } // a storm: stormOrphans more at every look
	first, err := procs.table(0, true)
	if err != nil || first == nil {
		t.Fatalf("a first walk that may yield: %v, %v; want a walk", first, err)
	}
	if _, ok := first.Get(os.Getpid()); !ok {
		t.Fatal("a first walk that may yield stopped: this process is not in it")
	}
	old := procfs.NewTable(nil)
	procs.mu.Lock()
	procs.tab = old
	procs.mu.Unlock()
	if tab, err := procs.table(0, true); err != nil || tab != old {
		t.Fatalf("a walk that may yield, in a storm: %v; want the last walk back", err)
	}
	if tab, err := procs.table(0, false); err != nil || tab == old {
		t.Fatalf("a walk that may not yield, in a storm: %v; want a new walk", err)
	}
	procs.mu.Lock()
	procs.orphans = func() uint64 { return 0 }
	procs.tab = old
	procs.mu.Unlock()
	if tab, err := procs.table(0, true); err != nil || tab == old {
		t.Fatalf("a walk that may yield, no orphan reaped: %v; want a new walk", err)
	}
}
