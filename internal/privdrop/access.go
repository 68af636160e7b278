package privdrop

import (
	"slices"

	"golang.org/x/sys/unix"
)

// CanCreateIn reports whether uid, with primary group gid and supplementary
// groups, may create and remove its own files in the directory that st
// describes, judged by the directory's mode bits as the kernel would (the
// owner's bits for its owner, else the group's for a member, else the
// others'): it needs write and search permission. uid 0 always may. ACLs are
// not consulted; spark2 creates no file in a directory that uses them
// without this check passing on its mode bits. It is how spark2, still
// root, makes sure the user of -u will be able to rotate the access log,
// write the status file and remove the pid file after the drop.
func CanCreateIn(st *unix.Stat_t, uid, gid int, groups []int) bool {
	if uid == 0 {
		return true
	}
	const wx = 0o3
	mode := st.Mode
	switch {
	case int(st.Uid) == uid:
		return (mode>>6)&wx == wx
	case int(st.Gid) == gid || slices.Contains(groups, int(st.Gid)):
		return (mode>>3)&wx == wx
	}
	return mode&wx == wx
}

// CanCreateIn is the package function for id; a nil id (no -u/-g) is the
// calling process itself, which is not checked and so may.
func (id *Identity) CanCreateIn(st *unix.Stat_t) bool {
	if id == nil {
		return true
	}
	return CanCreateIn(st, id.UID, id.GID, id.Groups)
}
