package status

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ErrRefused is wrapped by the errors of OpenDir and ReadTrusted for a
// status directory or file that fails spark2's checks (a symbolic link, not
// a directory or regular file, another user's, writable by others, or not
// writable by the master's user): a configuration to fix, not a passing
// failure.
var ErrRefused = errors.New("refused")

// maxFileSize bounds what a reader reads: a status file of the most workers
// spark2 runs is far below it.
const maxFileSize = 4 << 20

// checkDir applies the checks that the master and the readers share to the
// status directory dir, opened with O_NOFOLLOW and described by st: it is a
// directory; it belongs to uid or root; and a directory of uid (not root)
// is writable by neither its group nor others, unless it has the sticky bit.
//
// Root's directories that everyone may write (/tmp, a Kubernetes emptyDir,
// a Docker --tmpfs) are accepted: there no other user can make a file that
// belongs to uid or root, which is what ReadTrusted then requires of the
// status file (with fs.protected_hardlinks, the kernel's default, no one
// can link such a file there either).
func checkDir(dir string, st *unix.Stat_t, uid int) error {
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFDIR:
		return fmt.Errorf("%w: the status directory %s is not a directory; set --status-file elsewhere", ErrRefused, dir)
	case int(st.Uid) != uid && st.Uid != 0:
		return fmt.Errorf("%w: the status directory %s belongs to uid %d, not to uid %d or root: anyone could have written there; remove it, or set --status-file (or -u, if the master runs as uid %d)", ErrRefused, dir, st.Uid, uid, st.Uid)
	case st.Uid != 0 && st.Mode&0o022 != 0 && st.Mode&unix.S_ISVTX == 0:
		return fmt.Errorf("%w: the status directory %s is writable by its group or others (mode %04o) without the sticky bit: anyone could replace the status file; run chmod go-w on it, or point --status-file (or TMPDIR) at a directory of its own", ErrRefused, dir, st.Mode&0o7777)
	}
	return nil
}

// openDirChecked opens the status directory dir without following a final
// symbolic link and applies checkDir. Its errors name dir; a missing
// directory gives an error that wraps fs.ErrNotExist.
func openDirChecked(dir string, uid int) (int, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	var lst unix.Stat_t
	switch {
	case errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) && unix.Lstat(dir, &lst) == nil && lst.Mode&unix.S_IFMT == unix.S_IFLNK:
		return -1, fmt.Errorf("%w: the status directory %s is a symbolic link; remove it, or set --status-file elsewhere", ErrRefused, dir)
	case err != nil:
		return -1, fmt.Errorf("open the status directory %s: %w", dir, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("stat the status directory %s: %w", dir, err)
	}
	if err := checkDir(dir, &st, uid); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// ReadTrusted reads and parses the status file at path as the control
// commands and probes do, trusting it only as far as the master that writes
// it: the directory, opened without following a symbolic link, passes
// checkDir for uid (the user the master runs as),
// and the file is opened without following a symbolic link and must be a
// regular file that belongs to uid or root. A missing directory or file
// gives an error wrapping fs.ErrNotExist; a file or directory that fails a
// check, an error wrapping ErrRefused that names it and says what to do;
// anything else, an error naming the path.
func ReadTrusted(path string, uid int) (*File, error) {
	dfd, err := openDirChecked(filepath.Dir(path), uid)
	if err != nil {
		return nil, err
	}
	defer unix.Close(dfd)
	fd, err := unix.Openat(dfd, filepath.Base(path), unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	switch {
	case errors.Is(err, unix.ELOOP):
		return nil, fmt.Errorf("%w: the status file %s is a symbolic link; remove it", ErrRefused, path)
	case err != nil:
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("stat the status file %s: %w", path, err)
	}
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return nil, fmt.Errorf("%w: the status file %s is not a regular file; remove it", ErrRefused, path)
	case int(st.Uid) != uid && st.Uid != 0:
		return nil, fmt.Errorf("%w: the status file %s belongs to uid %d, not to uid %d or root; remove it, or give -u if the master runs as uid %d", ErrRefused, path, st.Uid, uid, st.Uid)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read the status file %s: %w", path, err)
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("status file %s is larger than %d bytes: not spark2's", path, maxFileSize)
	}
	return Parse(b, path)
}
