// Package privdrop turns -u/-g into an identity and makes spark2 take it.
// spark2 binds its port and reads its TLS files as root, then the master
// itself drops to that identity before the first worker starts, so no process
// of the container runs as root from then on; workers inherit it (and get
// no_new_privs from the launcher).
//
// Groups: a user given by name gets its primary group and the supplementary
// groups /etc/group lists it in (as login does); a numeric user gets no
// supplementary group, and, without -g, the primary group /etc/passwd gives
// it, else the group with the same number. -g replaces the primary group.
package privdrop

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// Identity is who spark2 and its workers run as.
type Identity struct {
	UID    int
	GID    int
	Groups []int // supplementary groups; empty means none
	Name   string
}

// Resolve returns the identity for the -u and -g values (either may be "");
// nil when both are "". Names are looked up in /etc/passwd and /etc/group;
// numbers need neither file. Errors name the option and the value.
func Resolve(userArg, groupArg string) (*Identity, error) {
	if userArg == "" && groupArg == "" {
		return nil, nil
	}
	id := &Identity{UID: os.Getuid(), GID: os.Getgid(), Name: userArg}
	if userArg != "" {
		if err := id.setUser(userArg); err != nil {
			return nil, err
		}
	}
	if groupArg != "" {
		gid, err := lookupGroup(groupArg)
		if err != nil {
			return nil, err
		}
		id.GID = gid
	}
	return id, nil
}

func (id *Identity) setUser(arg string) error {
	if n, err := strconv.Atoi(arg); err == nil {
		id.UID, id.GID = n, n
		if name, gid, ok := lookupUserID(arg); ok {
			id.Name = name
			id.GID, _ = strconv.Atoi(gid)
		}
		return nil
	}
	uid, gid, ok := lookupUserName(arg)
	if !ok {
		return fmt.Errorf("unknown user %q (-u/--user): not in /etc/passwd; give a numeric id in images without one", arg)
	}
	id.UID, _ = strconv.Atoi(uid)
	id.GID, _ = strconv.Atoi(gid)
	gids, err := memberGroups(arg)
	if err != nil {
		return fmt.Errorf("find the groups of user %q (-u/--user) in /etc/group: %v", arg, err)
	}
	for _, g := range gids {
		if n, err := strconv.Atoi(g); err == nil && n != id.GID {
			id.Groups = append(id.Groups, n)
		}
	}
	return nil
}

func lookupGroup(arg string) (int, error) {
	if n, err := strconv.Atoi(arg); err == nil {
		return n, nil
	}
	gid, ok := lookupGroupName(arg)
	if !ok {
		return 0, fmt.Errorf("unknown group %q (-g/--group): not in /etc/group; give a numeric id in images without one", arg)
	}
	return strconv.Atoi(gid)
}

// Apply makes the calling process (every thread) take id: supplementary
// groups, then gid, then uid, in all of real, effective, saved and
// filesystem ids. Not being root is an error unless id is already who
// spark2 is.
func Apply(id *Identity) error {
	if id == nil {
		return nil
	}
	if os.Geteuid() != 0 {
		if id.UID == os.Getuid() && id.GID == os.Getgid() && len(id.Groups) == 0 {
			return nil
		}
		return fmt.Errorf("cannot switch to uid %d gid %d (-u/-g): spark2 runs as uid %d, not root; start it as root or drop -u/-g", id.UID, id.GID, os.Geteuid())
	}
	if err := syscall.Setgroups(id.Groups); err != nil {
		return fmt.Errorf("set supplementary groups %v: %w", id.Groups, err)
	}
	if err := syscall.Setresgid(id.GID, id.GID, id.GID); err != nil {
		return fmt.Errorf("set gid %d (-g/--group): %w", id.GID, err)
	}
	if err := syscall.Setresuid(id.UID, id.UID, id.UID); err != nil {
		return fmt.Errorf("set uid %d (-u/--user): %w", id.UID, err)
	}
	return nil
}
