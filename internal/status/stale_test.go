package status

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestIsTempName(t *testing.T) {
	for name, want := range map[string]bool{
		".status.json.0123456789ab":  true,
		".status.json.0123456789aB":  false, // WriteBytes writes lower case
		".status.json.0123456789a":   false,
		".status.json.0123456789abc": false,
		".status.json-0123456789ab":  false,
		"status.json.0123456789ab.":  false,
		".other.json.0123456789ab":   false,
		".status.json.0123456789ag":  false,
		"status.json":                false,
	} {
		if got := isTempName(name, "status.json"); got != want {
			t.Errorf("isTempName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestOpenDirRemovesWhatAKilledMasterLeft: a master SIGKILLed between
// creating its temporary file and renaming it leaves ".<name>.<hex>" behind;
// the next OpenDir removes it once it is older than staleAfter, and nothing
// else: not a young one (a write in flight), not a link, a directory, a file
// with two links or another user's, not a name of another pattern.
func TestOpenDirRemovesWhatAKilledMasterLeft(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "status.json")
	old := time.Now().Add(-2 * staleAfter)
	plant := func(name string, age time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, age, age); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := []string{plant(".status.json.00000000000a", old), plant(".status.json.fedcba987654", old)}
	young := plant(".status.json.0123456789ab", time.Now())
	otherPattern := plant(".status.json.tmp", old)
	otherFile := plant(".other.json.00000000000a", old)
	target := plant("target", old)
	link := filepath.Join(dir, ".status.json.00000000000b")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	ts := []unix.Timespec{unix.NsecToTimespec(old.UnixNano()), unix.NsecToTimespec(old.UnixNano())}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, link, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, ".status.json.00000000000c")
	if err := os.Link(target, hard); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, ".status.json.00000000000d")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := []string{young, otherPattern, otherFile, target, link, hard, sub}
	if os.Geteuid() == 0 {
		foreign := plant(".status.json.00000000000e", old)
		if err := os.Chown(foreign, 12345, 12345); err != nil {
			t.Fatal(err)
		}
		keep = append(keep, foreign)
	}

	d, err := OpenDir(path, os.Getuid(), os.Getgid())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Stale != len(stale) {
		t.Errorf("Stale = %d, want %d", d.Stale, len(stale))
	}
	for _, p := range stale {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s: a stale temporary file is still there (%v)", filepath.Base(p), err)
		}
	}
	for _, p := range keep {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s: removed, want it left alone (%v)", filepath.Base(p), err)
		}
	}
	if err := d.Write(&File{}); err != nil {
		t.Fatalf("the first write after the clean-up: %v", err)
	}
}
