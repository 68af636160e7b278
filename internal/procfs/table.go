package procfs

import (
	"errors"
	"os"
	"sort"
	"strconv"
	"syscall"
	"unsafe"
)

// Table is one walk of Root: the stat of every process that was there,
// indexed by pid and by parent, so that lookups and descendants cost no
// further reads. A Table from Walk or NewTable is not changed after, so any
// number of goroutines may read it; WalkInto refills one in place, and its
// owner decides who may read it when.
type Table struct {
	Procs []Stat
	// The indexes hold a key (see key) for each process, sorted: byPid of
	// its pid, byParent of its parent's pid, each with its position in
	// Procs. Two sorted slices of 8 bytes a process rather than two maps:
	// the master walks /proc once a second, and on a host of thousands of
	// processes the maps were most of the garbage its heap grew to (issue
	// 12: master RSS). They sort with package sort, which the binary has
	// anyway: a generic sort of their own cost 12 KB of binary.
	byPid    keys
	byParent keys
	idx      keys // byPid and byParent's storage, kept for the next WalkInto
}

// keys are sorted pid-and-position keys.
type keys []uint64

// key packs a pid (below 2^22, the kernel's limit) and a position in Procs
// into one number that sorts by pid, then position.
func key(pid, pos int) uint64 { return uint64(uint32(pid))<<32 | uint64(uint32(pos)) }

// sortKeys is keys for package sort, used through a pointer: an interface
// holds a pointer as it is, where a slice would be copied to the heap, a
// garbage of two small objects a walk.
type sortKeys keys

func (k *sortKeys) Len() int           { return len(*k) }
func (k *sortKeys) Less(i, j int) bool { return (*k)[i] < (*k)[j] }
func (k *sortKeys) Swap(i, j int)      { (*k)[i], (*k)[j] = (*k)[j], (*k)[i] }

// span returns the keys of pid, k[lo:hi], found by binary search.
func (k keys) span(pid int) (lo, hi int) {
	lo, hi = 0, len(k)
	for want := key(pid, 0); lo < hi; {
		if m := int(uint(lo+hi) >> 1); k[m] < want {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for hi = lo; hi < len(k) && uint32(k[hi]>>32) == uint32(pid); hi++ {
	}
	return lo, hi
}

// pos is the position in Procs that key k holds.
func pos(k uint64) int { return int(uint32(k)) }

// Reader reads /proc with a few raw system calls per file (open, read,
// close) into buffers it keeps, and parses without allocating. A Reader is
// not safe for concurrent use; its zero value is ready.
type Reader struct {
	// Stop, if set, is asked before the first process and after every
	// stopEvery of them; when it says true, Walk ends with ErrStopped. It
	// lets a walk of a large /proc give way to work that matters more (the
	// master's reaper in a storm of exits).
	Stop func() bool

	buf   [4096]byte
	path  []byte
	dir   []byte
	lastN int // processes in the last walk, to size the next one's slice
}

// ErrStopped is Walk's error when Reader.Stop asked it to stop.
var ErrStopped = errors.New("walk of /proc stopped before its end")

// stopEvery is how many processes Walk reads between two calls of Stop.
const stopEvery = 64

// Walk reads the stat of every process in Root into a new Table. Processes
// that vanish while it reads are left out; only a failure to list Root is an
// error, or ErrStopped (see Reader.Stop).
func (r *Reader) Walk() (*Table, error) {
	t := new(Table)
	if err := r.WalkInto(t); err != nil {
		return nil, err
	}
	return t, nil
}

// WalkInto is Walk into t, reusing its slices: a master that walks /proc
// once a second into the same two tables makes no garbage (an idle master's
// heap then never grows to its first collection). t is changed even when
// WalkInto fails, so no one may be reading it.
func (r *Reader) WalkInto(t *Table) error {
	procs, err := r.walk(t.Procs[:0])
	if err != nil {
		return err
	}
	t.Procs = procs
	t.build()
	return nil
}

// walk appends the stat of every process to procs.
func (r *Reader) walk(procs []Stat) ([]Stat, error) {
	r.path = append(append(r.path[:0], Root...), 0)
	fd, err := r.open(syscall.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	defer closeRaw(fd)
	// Sized for the last walk's count and a margin, so that the slice does
	// not grow (and leave its smaller copies as garbage) walk after walk.
	if want := max(minWalkCap, r.lastN+r.lastN/8); cap(procs) < r.lastN || cap(procs) == 0 {
		procs = make([]Stat, 0, want)
	}
	seen, stopped := 0, false
	e := r.entries(fd, func(pid int) bool {
		if seen%stopEvery == 0 && r.Stop != nil && r.Stop() {
			stopped = true
			return false
		}
		seen++
		if st, err := r.Stat(pid); err == nil {
			procs = append(procs, st)
		}
		return true
	})
	switch {
	case e != 0:
		return nil, &os.PathError{Op: "read", Path: Root, Err: e}
	case stopped:
		return nil, ErrStopped
	}
	r.lastN = len(procs)
	return procs, nil
}

// entries calls each with the number that names each entry of the
// directory open at fd (a pid of /proc, an fd of /proc/<pid>/fd), in the
// order listed, skipping names that are not numbers, until each returns
// false. It returns the errno of a failed listing, 0 if none.
func (r *Reader) entries(fd int, each func(n int) bool) syscall.Errno {
	if r.dir == nil {
		r.dir = make([]byte, 8<<10)
	}
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_GETDENTS64, uintptr(fd), uintptr(unsafe.Pointer(&r.dir[0])), uintptr(len(r.dir)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 || n == 0 {
			return e
		}
		for b := r.dir[:n]; len(b) >= 19; {
			reclen := int(b[16]) | int(b[17])<<8
			if reclen < 19 || reclen > len(b) {
				break
			}
			if num, ok := direntPid(b[19:reclen]); ok && !each(num) {
				return 0
			}
			b = b[reclen:]
		}
	}
}

// minWalkCap is the least capacity of a walk's new slice. A container's
// /proc holds a few processes; on a host of a few hundred, the first walk
// grows its slice and later walks are sized from the last.
const minWalkCap = 32

// NewTable indexes procs as Walk does.
func NewTable(procs []Stat) *Table {
	t := &Table{Procs: procs}
	t.build()
	return t
}

// direntPid parses a directory entry's NUL-terminated name as a pid.
func direntPid(name []byte) (int, bool) {
	pid := 0
	for i, c := range name {
		if c == 0 {
			return pid, i > 0
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		pid = pid*10 + int(c-'0')
	}
	return pid, len(name) > 0
}

// Stat reads the stat of pid, as ReadStat does, with the Reader's buffers.
func (r *Reader) Stat(pid int) (Stat, error) {
	b, err := r.read(pid, "stat")
	if err != nil {
		return Stat{}, err
	}
	return ParseStat(b)
}

// RSS returns the resident memory of pid from /proc/<pid>/statm, in bytes
// (pages times pageSize); an error if it is gone.
func (r *Reader) RSS(pid int, pageSize uint64) (uint64, error) {
	b, err := r.read(pid, "statm")
	if err != nil {
		return 0, err
	}
	// statm: size resident shared text lib data dt
	i := 0
	for i < len(b) && b[i] != ' ' {
		i++
	}
	pages, ok := uintField(b, i+1)
	if !ok {
		return 0, errors.New("parse /proc/" + strconv.Itoa(pid) + "/statm: no resident pages")
	}
	return pages * pageSize, nil
}

// read reads Root/<pid>/<name> into the buffer; the file must fit in it
// (stat and statm are well under 1 KiB).
func (r *Reader) read(pid int, name string) ([]byte, error) {
	r.path = append(strconv.AppendInt(append(append(r.path[:0], Root...), '/'), int64(pid), 10), '/')
	r.path = append(append(r.path, name...), 0)
	fd, err := r.open(0)
	if err != nil {
		return nil, err
	}
	defer closeRaw(fd)
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&r.buf[0])), uintptr(len(r.buf)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return nil, &os.PathError{Op: "read", Path: r.pathString(), Err: e}
		}
		if n == uintptr(len(r.buf)) {
			return nil, errors.New("read " + r.pathString() + ": longer than " + strconv.Itoa(len(r.buf)) + " bytes")
		}
		return r.buf[:n], nil
	}
}

// The Reader's system calls are raw (syscall.RawSyscall): opening, reading
// and closing a file of /proc does not block for long, so it needs no
// hand-off to the scheduler, and that hand-off wakes the runtime's sysmon
// thread when it sleeps, which then polls for a while: the cost of a
// spark2 master that does little, many times a second.

// open opens r.path (NUL-terminated), read-only, close-on-exec.
func (r *Reader) open(flags int) (int, error) {
	for {
		fd, _, e := syscall.RawSyscall6(syscall.SYS_OPENAT, uintptr(atFDCWD), uintptr(unsafe.Pointer(&r.path[0])),
			uintptr(syscall.O_RDONLY|syscall.O_CLOEXEC|flags), 0, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return -1, &os.PathError{Op: "open", Path: r.pathString(), Err: e}
		}
		return int(fd), nil
	}
}

// atFDCWD is AT_FDCWD (-100), which the syscall package does not name on
// every architecture.
var atFDCWD = -100

func closeRaw(fd int) { syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(fd), 0, 0) }

// pathString is r.path without its NUL, for an error.
func (r *Reader) pathString() string { return string(r.path[:len(r.path)-1]) }

// Get returns the stat of pid in t, and whether it was there (the last one
// in Procs if pid is there twice).
func (t *Table) Get(pid int) (Stat, bool) {
	lo, hi := t.byPid.span(pid)
	if lo == hi {
		return Stat{}, false
	}
	return t.Procs[pos(t.byPid[hi-1])], true
}

// Descendants returns every process below pid in t (children, their
// children, ...), pid itself excluded, parents before children, as the
// package's Descendants does.
func (t *Table) Descendants(pid int) []Stat {
	var out []Stat
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		lo, hi := t.byParent.span(queue[0])
		for _, k := range t.byParent[lo:hi] {
			st := t.Procs[pos(k)]
			if st.Pid == pid {
				continue
			}
			out = append(out, st)
			queue = append(queue, st.Pid)
		}
	}
	return out
}

// build makes the indexes. A walk lists /proc in pid order, so byPid is
// most often sorted as made.
func (t *Table) build() {
	n := len(t.Procs)
	if cap(t.idx) < 2*n {
		t.idx = make(keys, 2*n, 2*n+2*n/8)
	}
	idx := t.idx[:2*n]
	t.byPid, t.byParent = idx[:n:n], idx[n:]
	for i, st := range t.Procs {
		t.byPid[i], t.byParent[i] = key(st.Pid, i), key(st.PPid, i)
	}
	if byPid := (*sortKeys)(&t.byPid); !sort.IsSorted(byPid) {
		sort.Sort(byPid)
	}
	sort.Sort((*sortKeys)(&t.byParent))
}
