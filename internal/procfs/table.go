package procfs

import (
	"errors"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// Table is one walk of Root: the stat of every process that was there,
// indexed by pid and by parent, so that lookups and descendants cost no
// further reads. It is not changed after Walk or NewTable returns it, so any
// number of goroutines may read it.
type Table struct {
	Procs []Stat
	index map[int]int32   // pid -> position in Procs
	kids  map[int][]int32 // parent pid -> positions of its children in Procs
}

// Reader reads /proc with a few raw system calls per file (open, read,
// close) into buffers it keeps, and parses without allocating. A Reader is
// not safe for concurrent use; its zero value is ready.
type Reader struct {
	buf  [4096]byte
	path []byte
	dir  []byte
}

// Walk reads the stat of every process in Root into a new Table. Processes
// that vanish while it reads are left out; only a failure to list Root is an
// error.
func (r *Reader) Walk() (*Table, error) {
	procs, err := r.walk()
	if err != nil {
		return nil, err
	}
	return NewTable(procs), nil
}

func (r *Reader) walk() ([]Stat, error) {
	r.path = append(append(r.path[:0], Root...), 0)
	fd, err := r.open(syscall.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	defer closeRaw(fd)
	if r.dir == nil {
		r.dir = make([]byte, 32<<10)
	}
	procs := make([]Stat, 0, 256)
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_GETDENTS64, uintptr(fd), uintptr(unsafe.Pointer(&r.dir[0])), uintptr(len(r.dir)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return nil, &os.PathError{Op: "read", Path: Root, Err: e}
		}
		if n == 0 {
			break
		}
		for b := r.dir[:n]; len(b) >= 19; {
			reclen := int(b[16]) | int(b[17])<<8
			if reclen < 19 || reclen > len(b) {
				break
			}
			if pid, ok := direntPid(b[19:reclen]); ok {
				if st, err := r.Stat(pid); err == nil {
					procs = append(procs, st)
				}
			}
			b = b[reclen:]
		}
	}
	return procs, nil
}

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

// Get returns the stat of pid in t, and whether it was there.
func (t *Table) Get(pid int) (Stat, bool) {
	i, ok := t.index[pid]
	if !ok {
		return Stat{}, false
	}
	return t.Procs[i], true
}

// Descendants returns every process below pid in t (children, their
// children, ...), pid itself excluded, parents before children, as the
// package's Descendants does.
func (t *Table) Descendants(pid int) []Stat {
	var out []Stat
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		for _, k := range t.kids[queue[0]] {
			st := t.Procs[k]
			if st.Pid == pid {
				continue
			}
			out = append(out, st)
			queue = append(queue, st.Pid)
		}
	}
	return out
}

func (t *Table) build() {
	t.index = make(map[int]int32, len(t.Procs))
	t.kids = make(map[int][]int32, len(t.Procs)/2)
	for i, st := range t.Procs {
		t.index[st.Pid] = int32(i)
		t.kids[st.PPid] = append(t.kids[st.PPid], int32(i))
	}
}
