package status

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
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
}

// OpenDir prepares the directory of the status file at path: it creates it
// (mode 0755, owned by uid:gid, so that the master can still write there
// after dropping to them), and refuses one that is a symbolic link, not a
// directory, or owned by anyone but uid or root. Errors name the directory
// and say what to do.
func OpenDir(path string, uid, gid int) (*Dir, error) {
	dir := filepath.Dir(path)
	if err := os.Mkdir(dir, 0o755); err == nil {
		if err := os.Lchown(dir, uid, gid); err != nil && os.Geteuid() == 0 {
			return nil, fmt.Errorf("give the status directory %s to uid %d: %w", dir, uid, err)
		}
	} else if !os.IsExist(err) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create the status directory %s: %w; make it writable or set --status-file", dir, err)
		}
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open the status directory %s: %w (a symbolic link is refused); set --status-file elsewhere", dir, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("stat the status directory %s: %w", dir, err)
	}
	if int(st.Uid) != uid && st.Uid != 0 {
		unix.Close(fd)
		return nil, fmt.Errorf("the status directory %s belongs to uid %d, not to uid %d or root: refusing to write there; remove it or set --status-file", dir, st.Uid, uid)
	}
	return &Dir{fd: fd, path: path, name: filepath.Base(path)}, nil
}

// Path is the status file's path.
func (d *Dir) Path() string { return d.path }

// Write replaces the status file with f, atomically.
func (d *Dir) Write(f *File) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return d.WriteBytes(append(b, '\n'))
}

// WriteBytes replaces the status file with b, atomically.
func (d *Dir) WriteBytes(b []byte) error {
	tmp := fmt.Sprintf(".%s.%012x", d.name, rand.Uint64()&(1<<48-1)) // O_EXCL makes a clash an error, not a shared file
	fd, err := unix.Openat(d.fd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return fmt.Errorf("write the status file %s: %w", d.path, err)
	}
	f := os.NewFile(uintptr(fd), tmp)
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = unix.Renameat(d.fd, tmp, d.fd, d.name)
	}
	if werr != nil {
		unix.Unlinkat(d.fd, tmp, 0)
		return fmt.Errorf("write the status file %s: %w", d.path, werr)
	}
	return nil
}

// Close closes the directory.
func (d *Dir) Close() error { return unix.Close(d.fd) }
