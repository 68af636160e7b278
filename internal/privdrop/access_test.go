package privdrop

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestCanCreateIn(t *testing.T) {
	dir := func(uid, gid uint32, mode uint32) *unix.Stat_t {
		return &unix.Stat_t{Uid: uid, Gid: gid, Mode: unix.S_IFDIR | mode}
	}
	for _, c := range []struct {
		name   string
		st     *unix.Stat_t
		uid    int
		groups []int
		want   bool
	}{
		{"root always", dir(1, 1, 0o500), 0, nil, true},
		{"owner with u+wx", dir(65534, 0, 0o700), 65534, nil, true},
		{"owner without u+w", dir(65534, 0, 0o577), 65534, nil, false},
		{"root's 0755", dir(0, 0, 0o755), 65534, nil, false},
		{"root's sticky /tmp", dir(0, 0, 0o1777), 65534, nil, true},
		{"primary group", dir(0, 65534, 0o770), 65534, nil, true},
		{"supplementary group", dir(0, 50, 0o770), 65534, []int{50}, true},
		{"group bits do not apply to others", dir(0, 50, 0o770), 65534, nil, false},
		{"owner bits rule the owner", dir(65534, 65534, 0o577), 65534, nil, false},
	} {
		if got := CanCreateIn(c.st, c.uid, 65534, c.groups); got != c.want {
			t.Errorf("%s: CanCreateIn = %v, want %v", c.name, got, c.want)
		}
	}
	var none *Identity
	if !none.CanCreateIn(dir(0, 0, 0o500)) {
		t.Error("a nil identity (no -u) is not checked")
	}
}
