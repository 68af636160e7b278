package app

import (
	"errors"
	"os"
	"sync"
	"time"

	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/reap"
)

// The master's periodic /proc work (the liveness sweep's family lookups,
// --max-memory's samples, the status file's memory figures) shares one walk
// of /proc and one reading of the workers' memory: each walk costs a read of
// every process's stat, and the sweep alone needs one a second.

// sweepFresh is how old a walk the sweep's family lookups may always reuse
// (the sweep asks for every worker's at once). The others reuse only a walk
// of their own loop turn: one even a few ms old can miss a process forked
// since, which a stop would then leave running.
const sweepFresh = 10 * time.Millisecond

// treeFresh is how old a walk may be for finding the processes whose memory
// is summed: the sweep walks once a second, and a process started since is
// counted from the next walk on.
const treeFresh = 1500 * time.Millisecond

// rssFresh is how old the memory figures of the status file may be; the
// --max-memory samples always read them afresh (and refresh them).
const rssFresh = time.Second

// pageSize converts /proc/<pid>/statm's pages to bytes.
var pageSize = uint64(os.Getpagesize())

// walkShare bounds the share of one core that the sweep's walks may take:
// its lookups reuse a walk until walkShare times its duration has passed
// (a walk of 10 000 processes takes tens of ms: then one every few seconds;
// a walk of a few hundred takes well under a ms: then one every sweep).
const walkShare = 50

// maxSweepAge caps how old a walk the sweep's lookups may reuse.
const maxSweepAge = 10 * time.Second

// reapQuiet is how long after the reaper last took an orphan the sweep's
// lookups stop reusing walks up to maxSweepAge (see sweepAge).
const reapQuiet = time.Second

// stormOrphans is how many orphans the reaper must take while a walk that
// may give way runs for that walk to stop: a storm of exits, not a stray
// orphan.
const stormOrphans = 64

// newProcView returns the master's one view of /proc, which the sweep, the
// stops, --max-memory, the status file and the NOTIFY_SOCKET filter share.
func newProcView() *procView {
	v := &procView{
		reaping: func() bool { return reap.OrphanReapedWithin(reapQuiet) },
		orphans: reap.OrphansReaped,
	}
	v.r.Stop = v.storm
	return v
}

// procView holds the last walk of /proc and the last memory reading of
// each worker's tree, and reads both with one procfs.Reader. Safe for
// concurrent use.
//
// Walks alternate between two tables, refilled in place (WalkInto), so an
// idle master's walks make no garbage. A table is read only with mu held:
// the walk after next refills it.
type procView struct {
	// reaping says whether a burst of orphans' exits is being reaped;
	// orphans counts the orphans reaped (see reap.OrphansReaped).
	reaping func() bool
	orphans func() uint64

	mu    sync.Mutex
	r     procfs.Reader
	tab   *procfs.Table
	spare *procfs.Table // the walk before tab, which the next walk refills
	at    time.Time
	turn  uint64             // the supervisor's loop turn that made the last walk; 0: none
	took  time.Duration      // how long the last walk took
	rss   map[int]rssReading // by the worker's pid
	// rssTook is how long the last readings of treeRSS that may be stale
	// took together (see rssAge).
	rssTook time.Duration
	// yield and from are the running walk's: whether it gives way to a
	// storm of orphans, and the orphans reaped when it began (see storm).
	yield bool
	from  uint64
}

// rssReading is the resident memory of one worker's tree, and when it was
// read.
type rssReading struct {
	bytes uint64
	at    time.Time
}

// sweepTable is the walk for the sweep's family lookups, made in loop turn
// turn: one at most sweepAge old, which may yield. v.mu is held.
func (v *procView) sweepTable(turn uint64) (*procfs.Table, error) {
	return v.tableLocked(v.sweepAge(), true, turn)
}

// turnTable is the walk for a family lookup that wants the processes as
// they are: the last walk if loop turn turn made it, else a new one that
// does not yield. A turn of 0 always walks. v.mu is held.
func (v *procView) turnTable(turn uint64) (*procfs.Table, error) {
	if v.tab != nil && turn != 0 && v.turn == turn {
		return v.tab, nil
	}
	return v.tableLocked(0, false, turn)
}

// tableLocked returns the last walk if it is less than maxAge old, else
// walks again, into the spare table; turn is the loop turn asking (0: none),
// noted with a new walk. v.mu is held, and the table may be read only while
// it is.
//
// With yield, a walk that finds the reaper taking a storm of orphans
// (stormOrphans since it began) stops and the last walk is returned, however
// old: the lookups that may yield (the sweep's, the memory figures') would
// only read zombies, and take the CPU the reaper needs. A first walk never
// yields.
func (v *procView) tableLocked(maxAge time.Duration, yield bool, turn uint64) (*procfs.Table, error) {
	if v.tab != nil && time.Since(v.at) < maxAge {
		return v.tab, nil
	}
	began := time.Now()
	v.yield = yield && v.tab != nil && v.orphans != nil
	if v.yield {
		v.from = v.orphans()
	}
	if v.spare == nil || v.spare == v.tab {
		v.spare = new(procfs.Table)
	}
	err := v.r.WalkInto(v.spare)
	if errors.Is(err, procfs.ErrStopped) {
		return v.tab, nil
	}
	if err != nil {
		return nil, err
	}
	v.tab, v.spare = v.spare, v.tab
	v.at, v.turn = time.Now(), turn
	v.took = v.at.Sub(began)
	return v.tab, nil
}

// storm is the Reader's Stop: a walk that may yield stops once the reaper
// has taken stormOrphans orphans since it began. v.mu is held (a walk runs).
func (v *procView) storm() bool {
	return v.yield && v.orphans()-v.from >= stormOrphans
}

// sweepAge is how old a walk the sweep's lookups may reuse: walkShare
// times the last walk's duration, at least sweepFresh, at most maxSweepAge;
// maxSweepAge while the reaper takes orphans. A walk in a burst of orphans'
// exits reads the stat of every zombie (10 000 of them after a storm): it
// takes CPU from the reaper on a 2-core machine (perf showed it running
// beside the reap after the last exit), and each /proc entry it made is
// flushed again when its zombie goes. Its result is stale at once anyway:
// the zombies it saw are gone. v.mu is held.
func (v *procView) sweepAge() time.Duration {
	if v.reaping != nil && v.reaping() {
		return maxSweepAge
	}
	return min(max(sweepFresh, walkShare*v.took), maxSweepAge)
}

// lastParent is the parent of pid in the last walk, if that is at most
// treeFresh old; 0 when pid is not in it or there is none. It never walks.
func (v *procView) lastParent(pid int) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tab == nil || time.Since(v.at) >= treeFresh {
		return 0
	}
	st, _ := v.tab.Get(pid)
	return st.PPid
}

// treeRSS returns the resident memory, in bytes, of each of pids and its
// descendants (processes that have gone count 0), in out's storage: the last
// reading of a pid's tree while it is less than maxAge old, else a new one.
// A pid of 0 gets 0. Readings of pids not asked for are forgotten once
// stale.
//
// A maxAge above 0 (the status file's figures) may be stretched as the
// sweep's walks are (rssAge), and a reading that a storm of orphans
// interrupts keeps the last one instead. A maxAge of 0 (--max-memory's
// samples) always reads every tree through.
func (v *procView) treeRSS(pids []int, maxAge time.Duration, out []uint64) []uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := time.Now()
	yield := maxAge > 0
	if yield {
		maxAge = v.rssAge(maxAge)
	}
	out = append(out[:0], make([]uint64, len(pids))...)
	var took time.Duration
	read := false
	for i, pid := range pids {
		if pid == 0 {
			continue
		}
		last, had := v.rss[pid]
		if had && now.Sub(last.at) < maxAge {
			out[i] = last.bytes
			continue
		}
		began := time.Now()
		sum, whole := v.readTree(pid, yield)
		took += time.Since(began)
		read = true
		if !whole && had {
			out[i] = last.bytes
			continue
		}
		out[i] = sum
		if v.rss == nil {
			v.rss = map[int]rssReading{}
		}
		v.rss[pid] = rssReading{sum, now}
	}
	if read && yield {
		v.rssTook = took
	}
	forget := max(treeFresh, maxAge)
	for pid, r := range v.rss {
		if now.Sub(r.at) >= forget {
			delete(v.rss, pid)
		}
	}
	return out
}

// rssAge is how old a reading of the status file's memory figures may be:
// maxAge, or walkShare times what the last such readings took if that is
// longer (a worker whose tree holds 10 000 processes takes tens of ms to
// read: each is a /proc file), at most maxSweepAge; maxSweepAge while the
// reaper takes orphans, as for the sweep's walks (see sweepAge). v.mu is
// held.
func (v *procView) rssAge(maxAge time.Duration) time.Duration {
	if v.reaping != nil && v.reaping() {
		return maxSweepAge
	}
	return min(max(maxAge, walkShare*v.rssTook), maxSweepAge)
}

// readTree reads the resident memory of pid and its descendants (those of a
// walk at most treeFresh old, or as old as the sweep's may be). With yield,
// a reading that finds the reaper taking a storm of orphans (stormOrphans
// since it began) stops, and whole is false: the descendants left are
// zombies or about to be. v.mu is held.
func (v *procView) readTree(pid int, yield bool) (sum uint64, whole bool) {
	sum = v.rssOf(pid)
	tab, err := v.tableLocked(max(treeFresh, v.sweepAge()), true, 0)
	if err != nil {
		return sum, true
	}
	v.yield = yield && v.orphans != nil
	if v.yield {
		v.from = v.orphans()
	}
	for _, d := range tab.Descendants(pid) {
		if v.storm() {
			return sum, false
		}
		sum += v.rssOf(d.Pid)
	}
	return sum, true
}

// rssOf is the resident memory of pid alone, 0 if it is gone.
func (v *procView) rssOf(pid int) uint64 {
	n, _ := v.r.RSS(pid, pageSize)
	return n
}
