package privdrop

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// The account databases that -u/-g names are looked up in. spark2 reads
// them itself rather than through os/user: the three lookups it needs are a
// few lines over the same colon-separated format, and os/user cost 16 KB of
// the stripped binary (issue 12: every part of the binary is resident).
// Like os/user without cgo, only the files are read (no NSS modules).
var (
	passwdFile = "/etc/passwd"
	groupFile  = "/etc/group"
)

// entry is one line of /etc/passwd or /etc/group split at ':'.
type entry []string

// findEntry returns the first line of the file at path whose field key
// (0-based) equals value and which has at least min fields; nil, nil when
// there is none. Blank lines, comments ('#'), NIS compat lines ('+', '-')
// and lines too short to hold the fields are skipped, as os/user does.
func findEntry(path string, key int, value string, min int) (entry, error) {
	var found entry
	err := eachEntry(path, min, func(e entry) bool {
		if e[key] == value {
			found = e
			return false
		}
		return true
	})
	return found, err
}

// eachEntry calls f with each entry of the file at path that has at least
// min fields, until f returns false.
func eachEntry(path string, min int, f func(entry) bool) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	return scanEntries(file, min, f)
}

// scanEntries is eachEntry on a reader.
func scanEntries(r io.Reader, min int, f func(entry) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		e := entry(strings.Split(line, ":"))
		if len(e) < min {
			continue
		}
		if !f(e) {
			return nil
		}
	}
	return sc.Err()
}

// A passwd line is name:password:uid:gid:gecos:home:shell (os/user takes a
// line without the shell too); a group line is name:password:gid:members
// (members separated by ','). These are the fewest fields a line may have.
const (
	passwdFields = 6
	groupFields  = 4
)

// lookupUserName returns the uid and gid fields of user name in /etc/passwd;
// ok false when it is not there or the file cannot be read.
func lookupUserName(name string) (uid, gid string, ok bool) {
	e, err := findEntry(passwdFile, 0, name, passwdFields)
	if err != nil || e == nil {
		return "", "", false
	}
	return e[2], e[3], true
}

// lookupUserID returns the name and gid fields of the user with uid id in
// /etc/passwd; ok false when it is not there or the file cannot be read.
func lookupUserID(id string) (name, gid string, ok bool) {
	e, err := findEntry(passwdFile, 2, id, passwdFields)
	if err != nil || e == nil {
		return "", "", false
	}
	return e[0], e[3], true
}

// lookupGroupName returns the gid field of group name in /etc/group; ok
// false when it is not there or the file cannot be read.
func lookupGroupName(name string) (gid string, ok bool) {
	e, err := findEntry(groupFile, 0, name, groupFields)
	if err != nil || e == nil {
		return "", false
	}
	return e[2], true
}

// memberGroups returns the gid fields of the groups of /etc/group that list
// user as a member; an error when the file cannot be read (a missing one
// too, as with os/user).
func memberGroups(user string) ([]string, error) {
	var gids []string
	err := eachEntry(groupFile, groupFields, func(e entry) bool {
		for _, m := range strings.Split(e[3], ",") {
			if strings.TrimSpace(m) == user {
				gids = append(gids, e[2])
				break
			}
		}
		return true
	})
	return gids, err
}
