package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// untrusted says why a config file may have been written by a user other
// than root and the one spark2 runs as; nil if none could have. spark2 reads
// its config file as root, most often before dropping to -u, and the file
// decides what every worker runs with (--set LD_PRELOAD=…, --user): so one
// that another user could have planted (spark2.json in /tmp, found as the
// default in the working directory) or can change is refused.
//
// Refused: a regular file or FIFO that every user may write (mode o+w); a
// file, or a symbolic link to it, owned by another user in a directory that
// every user may write (the lexical one of path and, through /proc/self/fd,
// the one it resolves to). A file of another user in that user's own
// directory (a bind-mounted project, uid 1000 on the host) is the
// operator's choice and is read. Devices (/dev/stdin's terminal, /dev/null)
// are not judged by their mode.
func untrusted(f *os.File, path string) error {
	var st unix.Stat_t
	if unix.Fstat(int(f.Fd()), &st) != nil {
		return nil // cannot tell; the read says what is wrong
	}
	me := uint32(os.Geteuid())
	ours := func(uid uint32) bool { return uid == 0 || uid == me }
	kind := st.Mode & unix.S_IFMT
	if (kind == unix.S_IFREG || kind == unix.S_IFIFO) && st.Mode&0o002 != 0 {
		return fmt.Errorf("every user may write it (mode %04o): anyone could change how spark2 runs; chmod o-w it", st.Mode&0o7777)
	}
	fix := "move it to a directory that only its owner can write, or give it to root or uid " + strconv.Itoa(int(me))
	dir := filepath.Dir(path)
	if worldWritable(dir) {
		var lst unix.Stat_t
		if unix.Lstat(path, &lst) == nil && lst.Mode&unix.S_IFMT == unix.S_IFLNK && !ours(lst.Uid) {
			return fmt.Errorf("it is a symbolic link of uid %d in %s, a directory every user may write: another user could have put it there; %s", lst.Uid, dir, fix)
		}
		if !ours(st.Uid) {
			return fmt.Errorf("it belongs to uid %d and lies in %s, a directory every user may write: another user could have put it there; %s", st.Uid, dir, fix)
		}
	}
	if real, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd()))); err == nil && filepath.IsAbs(real) {
		if rdir := filepath.Dir(real); rdir != dir && worldWritable(rdir) && !ours(st.Uid) {
			return fmt.Errorf("it is %s, of uid %d, in %s, a directory every user may write: another user could have put it there; %s", real, st.Uid, rdir, fix)
		}
	}
	return nil
}

// worldWritable reports whether every user may create files in dir.
func worldWritable(dir string) bool {
	var st unix.Stat_t
	return unix.Stat(dir, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR && st.Mode&0o002 != 0
}
