package status

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/privdrop"
)

// Dir is the open directory of a status file, for atomic writes that never
// follow a symbolic link: the directory is opened once, refusing a link, and
// each write creates a fresh temporary file in it (O_EXCL|O_NOFOLLOW) and
// renames it over the status file, which replaces a planted link rather than
// writing through it. Readers see the old or the new file, never a torn one.
type Dir struct {
	fd   int
	path string // the status file
	name string // its base name
	// buf, tmp and nameZ are kept from write to write, so that the master,
	// which writes about once a second, makes no garbage: the encoding, the
	// temporary file's name and the status file's, NUL-terminated for the
	// system calls. A Dir is written from one goroutine at a time.
	buf   []byte
	tmp   []byte
	nameZ []byte
	// Stale is how many temporary files left by a master killed mid-write
	// OpenDir removed.
	Stale int
}

// OpenDir prepares the directory of the status file at path for a master
// that runs (after its privilege drop) as uid, gid and groups. A missing
// directory is created (mode 0755; missing parents 0755 too) and given to
// uid:gid, so that the master can still write there after dropping to them.
// The directory is then opened once, without following a symbolic link, and
// must pass the readers' checks (checkDir) and let uid create files in it.
// Temporary files that a master killed mid-write left there are removed
// (see removeStale; Dir.Stale counts them).
//
// A directory that fails a check gives an error wrapping ErrRefused, which
// names it and says what to do (spark2 exits 2); one that cannot be created
// or opened, an error naming it (spark2 then serves without a status file).
func OpenDir(path string, uid, gid int, groups ...int) (*Dir, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("create the status directory %s: %w; make it writable or set --status-file", dir, err)
	}
	if err := os.Mkdir(dir, 0o755); err == nil {
		if err := os.Lchown(dir, uid, gid); err != nil && os.Geteuid() == 0 {
			return nil, fmt.Errorf("give the status directory %s to uid %d: %w", dir, uid, err)
		}
	} else if !os.IsExist(err) {
		return nil, fmt.Errorf("create the status directory %s: %w; make it writable or set --status-file", dir, err)
	}
	fd, err := openDirChecked(dir, uid)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("stat the status directory %s: %w", dir, err)
	}
	if !privdrop.CanCreateIn(&st, uid, gid, groups) {
		unix.Close(fd)
		return nil, fmt.Errorf("%w: the status directory %s (uid %d, mode %04o) is not writable by uid %d, the user spark2 runs as: chown it to that user, remove it (spark2 creates it), or set --status-file", ErrRefused, dir, st.Uid, st.Mode&0o7777, uid)
	}
	name := filepath.Base(path)
	d := &Dir{fd: fd, path: path, name: name, nameZ: append([]byte(name), 0)}
	d.Stale = d.removeStale(uid)
	return d, nil
}

// Path is the status file's path.
func (d *Dir) Path() string { return d.path }

// Write replaces the status file with f, atomically.
func (d *Dir) Write(f *File) error {
	d.buf = f.AppendJSON(d.buf[:0])
	return d.WriteBytes(d.buf)
}

// WriteBytes replaces the status file with b, atomically.
func (d *Dir) WriteBytes(b []byte) error {
	// O_EXCL makes a clash of names an error, not a shared file.
	d.tmp = append(append(append(d.tmp[:0], '.'), d.name...), '.')
	d.tmp = appendHex(d.tmp, rand.Uint64()&(1<<48-1), 12)
	d.tmp = append(d.tmp, 0)
	fd, err := openat(d.fd, d.tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return fmt.Errorf("write the status file %s: %w", d.path, err)
	}
	werr := writeAll(fd, b)
	cerr := unix.Close(fd)
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = renameat(d.fd, d.tmp, d.nameZ)
	}
	if werr != nil {
		unix.Unlinkat(d.fd, string(d.tmp[:len(d.tmp)-1]), 0)
		return fmt.Errorf("write the status file %s: %w", d.path, werr)
	}
	return nil
}

// appendHex appends v as digits lower-case hex digits, zero-padded.
func appendHex(b []byte, v uint64, digits int) []byte {
	for i := digits - 1; i >= 0; i-- {
		b = append(b, hex[v>>(4*uint(i))&0xf])
	}
	return b
}

// sysRenameat2 is renameat2's number; a test sets one the kernel does not
// have.
var sysRenameat2 = uintptr(unix.SYS_RENAMEAT2)

// openat and renameat are unix.Openat and unix.Renameat on NUL-terminated
// names that the Dir keeps: the unix package's copy each name to a new
// byte slice.
func openat(dirfd int, name []byte, flags int, mode uint32) (int, error) {
	for {
		fd, _, e := unix.Syscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(&name[0])), uintptr(flags), uintptr(mode), 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return -1, e
		}
		return int(fd), nil
	}
}

// renameat is renameat2 with no flags (arm64 has no renameat); a kernel
// older than 3.15 has no renameat2 (ENOSYS), and gets unix.Renameat.
func renameat(dirfd int, from, to []byte) error {
	_, _, e := unix.Syscall6(sysRenameat2, uintptr(dirfd), uintptr(unsafe.Pointer(&from[0])),
		uintptr(dirfd), uintptr(unsafe.Pointer(&to[0])), 0, 0)
	switch e {
	case 0:
		return nil
	case unix.ENOSYS:
		return unix.Renameat(dirfd, string(from[:len(from)-1]), dirfd, string(to[:len(to)-1]))
	}
	return e
}

// writeAll writes b to fd, going on after a short write.
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		b = b[n:]
	}
	return nil
}

// Close closes the directory.
func (d *Dir) Close() error { return unix.Close(d.fd) }
