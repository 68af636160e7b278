package procfs

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// Status is the part of /proc/<pid>/status that the master reports of
// itself.
type Status struct {
	RSS, VSize uint64 // VmRSS and VmSize, in bytes
	Threads    int
}

// Status reads /proc/<pid>/status with the Reader's buffers. Fields the
// kernel leaves out (a zombie has no VmRSS) are 0. The file must fit the
// Reader's 4 KiB buffer: it is about 1.5 KiB, but a process in thousands of
// supplementary groups has a longer one, and Status then returns an error.
func (r *Reader) Status(pid int) (Status, error) {
	b, err := r.read(pid, "status")
	if err != nil {
		return Status{}, err
	}
	var st Status
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		switch {
		case bytes.HasPrefix(line, []byte("VmRSS:")):
			st.RSS = statusNumber(line) * 1024
		case bytes.HasPrefix(line, []byte("VmSize:")):
			st.VSize = statusNumber(line) * 1024
		case bytes.HasPrefix(line, []byte("Threads:")):
			st.Threads = int(statusNumber(line))
		}
	}
	return st, nil
}

// statusNumber is the number after the name of a status line such as
// "VmRSS:\t    1234 kB"; 0 if there is none.
func statusNumber(line []byte) uint64 {
	i := bytes.IndexByte(line, ':') + 1
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	n, _ := uintField(line, i)
	return n
}

// FDs counts the open fds of pid (/proc/<pid>/fd, which lists the one this
// call opens to read it when pid is the caller), and how many of them are
// pipes.
func (r *Reader) FDs(pid int) (fds, pipes int, err error) {
	r.path = append(strconv.AppendInt(append(append(r.path[:0], Root...), '/'), int64(pid), 10), "/fd"...)
	r.path = append(r.path, 0)
	dir, err := r.open(syscall.O_DIRECTORY)
	if err != nil {
		return 0, 0, err
	}
	defer closeRaw(dir)
	e := r.entries(dir, func(fd int) bool {
		fds++
		r.path = append(strconv.AppendInt(r.path[:0], int64(fd), 10), 0)
		n, _, e := syscall.RawSyscall6(syscall.SYS_READLINKAT, uintptr(dir), uintptr(unsafe.Pointer(&r.path[0])),
			uintptr(unsafe.Pointer(&r.buf[0])), uintptr(len(r.buf)), 0, 0)
		if e == 0 && bytes.HasPrefix(r.buf[:n], []byte("pipe:")) {
			pipes++
		}
		return true
	})
	if e != 0 {
		return 0, 0, &os.PathError{Op: "read", Path: Root + "/" + strconv.Itoa(pid) + "/fd", Err: e}
	}
	return fds, pipes, nil
}
