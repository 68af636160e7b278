package app

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/privdrop"
)

// writePidFile writes the seed's pid file at path (--pidfile; "" writes
// none) for a master that will run as id (nil: as it is), and returns the
// func that removes it when the master exits. Called as root before the
// privilege drop:
//
//   - an existing path that is not a regular file (a symbolic link, say) is
//     refused, and the file is never written through a link: it is a new
//     temporary file (O_EXCL|O_NOFOLLOW) renamed over path in its directory;
//   - under -u the file is given to id, and the directory must let id
//     remove it (write and search permission, or the sticky bit that lets a
//     file's owner remove it): else spark2 could not remove it at exit;
//   - the directory is opened now, so the removal works after the drop even
//     where id cannot reach it by its path. The removal leaves alone a file
//     that is no longer the one written here (another master's).
//
// Errors name the path or directory and say what to do (spark2 exits 2).
func writePidFile(path string, id *privdrop.Identity) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	dir, name := filepath.Dir(path), filepath.Base(path)
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open the directory of the pid file %s (--pidfile): %w; create it or choose another --pidfile", path, err)
	}
	ino, err := placePidFile(dfd, dir, name, path, id)
	if err != nil {
		unix.Close(dfd)
		return nil, err
	}
	return func() {
		var st unix.Stat_t
		if unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Ino == ino {
			unix.Unlinkat(dfd, name, 0)
		}
		unix.Close(dfd)
	}, nil
}

// placePidFile checks the pid file's directory (dfd) and old file, and writes
// the new one; it returns the new file's inode.
func placePidFile(dfd int, dir, name, path string, id *privdrop.Identity) (uint64, error) {
	var st unix.Stat_t
	err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
	switch {
	case err == nil && st.Mode&unix.S_IFMT != unix.S_IFREG:
		return 0, fmt.Errorf("the pid file %s (--pidfile) exists and is not a regular file (a symbolic link?): spark2 will not replace it; remove it or choose another --pidfile", path)
	case err != nil && !errors.Is(err, unix.ENOENT):
		return 0, fmt.Errorf("check the pid file %s (--pidfile): %w", path, err)
	}
	if id != nil {
		if err := unix.Fstat(dfd, &st); err != nil {
			return 0, fmt.Errorf("stat the directory %s of the pid file (--pidfile): %w", dir, err)
		}
		if !id.CanCreateIn(&st) {
			return 0, fmt.Errorf("the directory %s of the pid file (--pidfile) is not writable by uid %d (-u), so spark2 could not remove the pid file when it stops: make it writable by that user (a directory it owns, or one with the sticky bit like /tmp), or choose another --pidfile", dir, id.UID)
		}
	}
	tmp := fmt.Sprintf(".%s.%012x", name, rand.Uint64()&(1<<48-1))
	fd, err := unix.Openat(dfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return 0, fmt.Errorf("write the pid file %s (--pidfile): %w; make its directory writable or choose another --pidfile", path, err)
	}
	err = writeAll(fd, []byte(strconv.Itoa(unix.Getpid())+"\n"))
	if err == nil && id != nil {
		err = unix.Fchown(fd, id.UID, id.GID)
	}
	if err == nil {
		err = unix.Fstat(fd, &st)
	}
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if err == nil {
		err = unix.Renameat(dfd, tmp, dfd, name)
	}
	if err != nil {
		unix.Unlinkat(dfd, tmp, 0)
		return 0, fmt.Errorf("write the pid file %s (--pidfile): %w", path, err)
	}
	return st.Ino, nil
}

// writeAll writes b to fd.
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}
