package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAConfigFileAnotherUserCouldHaveWrittenIsRefused: spark2.json planted
// by another user in a directory every user may write (/tmp), or a link to
// it there, or a file every user may write, is refused with a reason; the
// same file of root, or another user's file in that user's own directory (a
// bind-mounted project), is read.
func TestAConfigFileAnotherUserCouldHaveWrittenIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files to another user (CI runs as root)")
	}
	const other = 12345
	shared := filepath.Join(t.TempDir(), "shared")
	own := filepath.Join(t.TempDir(), "own")
	for _, d := range []string{shared, own} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(shared, 0o1777); err != nil { // as /tmp
		t.Fatal(err)
	}
	if err := os.Chown(own, other, other); err != nil {
		t.Fatal(err)
	}
	write := func(path string, uid int, mode os.FileMode) string {
		t.Helper()
		if err := os.WriteFile(path, []byte(`{"workers": 2}`), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(path, uid, uid); err != nil {
			t.Fatal(err)
		}
		return path
	}
	planted := write(filepath.Join(shared, "planted.json"), other, 0o644)
	rootsInShared := write(filepath.Join(shared, "root.json"), 0, 0o644)
	theirs := write(filepath.Join(own, "spark2.json"), other, 0o644)
	writable := write(filepath.Join(own, "writable.json"), other, 0o666)
	linkInShared := filepath.Join(shared, "link.json")
	if err := os.Symlink(rootsInShared, linkInShared); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(linkInShared, other, other); err != nil {
		t.Fatal(err)
	}
	linkToPlanted := filepath.Join(own, "to-planted.json")
	if err := os.Symlink(planted, linkToPlanted); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want string // "" : read
	}{
		{planted, "belongs to uid 12345 and lies in " + shared},
		{rootsInShared, ""},
		{theirs, ""},
		{writable, "every user may write it (mode 0666)"},
		{linkInShared, "symbolic link of uid 12345 in " + shared},
		{linkToPlanted, "it is " + planted + ", of uid 12345"},
	} {
		_, err := readConfig(c.path)
		var refused *refusedFile
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v; want it read", c.path, err)
		case c.want != "" && (!errors.As(err, &refused) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v; want it refused: %q", c.path, err, c.want)
		}
	}
	_, _, err := parseIn(t, world{}, "-c", planted, "--", "true")
	if err == nil || !strings.HasPrefix(err.Error(), `config file "`+planted+`" (-c/--config) refused: it belongs to uid 12345`) ||
		!strings.Contains(err.Error(), "give it to root or uid 0") {
		t.Fatalf("parse with -c %s: %v; want one line saying it is refused, why and what to do", planted, err)
	}
}
