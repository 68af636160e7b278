package status

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// staleAfter is how old a temporary status file must be for OpenDir to
// remove it. A write holds its temporary file for microseconds (a stalled
// disk: seconds), so an older one was left by a master killed mid-write
// (SIGKILL, the OOM killer), never by one that still writes.
const staleAfter = time.Minute

// tempHexDigits is the length of the random part of a temporary file's
// name: ".<name>.<12 hex digits>" (see WriteBytes).
const tempHexDigits = 12

// isTempName reports whether entry is the name of one of the temporary
// files that WriteBytes makes for the status file called name.
func isTempName(entry, name string) bool {
	if len(entry) != 1+len(name)+1+tempHexDigits || entry[0] != '.' ||
		entry[1:1+len(name)] != name || entry[1+len(name)] != '.' {
		return false
	}
	for _, c := range []byte(entry[len(entry)-tempHexDigits:]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// removeStale removes the temporary files of the status file that a master
// killed mid-write left in the directory, and returns how many it removed.
// Only what such a master could have left goes: a name of WriteBytes's
// pattern, a regular file with one link, owned by uid (the user the master
// writes as), last written more than staleAfter ago. Anything else there,
// planted or not, is left alone and never followed.
func (d *Dir) removeStale(uid int) int {
	fd, err := unix.Openat(d.fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0
	}
	f := os.NewFile(uintptr(fd), d.path)
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	cutoff := time.Now().Add(-staleAfter)
	removed := 0
	for _, n := range names {
		if !isTempName(n, d.name) {
			continue
		}
		var st unix.Stat_t
		if unix.Fstatat(d.fd, n, &st, unix.AT_SYMLINK_NOFOLLOW) != nil ||
			st.Mode&unix.S_IFMT != unix.S_IFREG || st.Nlink != 1 || int(st.Uid) != uid ||
			!time.Unix(st.Mtim.Unix()).Before(cutoff) {
			continue
		}
		if unix.Unlinkat(d.fd, n, 0) == nil {
			removed++
		}
	}
	return removed
}
