package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestPidFileAndAccessLogNeverFollowLinks is issue 10 item 2: a symbolic
// link planted where --pidfile or --accesslog points (spark2 still runs as
// root when it opens them) is refused with exit 2 and one line naming it,
// and the file it points to is left as it was; so is a FIFO.
func TestPidFileAndAccessLogNeverFollowLinks(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "precious")
	os.WriteFile(precious, []byte("precious\n"), 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(precious, link)
	fifo := filepath.Join(dir, "fifo")
	if err := exec.Command("mkfifo", fifo).Run(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		flag, path, want string
	}{
		{"--pidfile", link, "not a regular file"},
		{"--accesslog", link, "symbolic link"},
		{"--accesslog", fifo, "not a regular file"},
		{"--pidfile", fifo, "not a regular file"},
	} {
		code, _, stderr := cli(t, dir, nil, c.flag, c.path, "--no-listen", "--restart", "no", "/bin/true")
		if code != 2 || !strings.Contains(stderr, c.path) || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s %s: exit %d, stderr %q; want 2 and one line naming it, saying %q", c.flag, c.path, code, stderr, c.want)
		}
		if b, _ := os.ReadFile(precious); string(b) != "precious\n" {
			t.Fatalf("%s through a link changed the file it points to: %q", c.flag, b)
		}
	}
}

// TestPidFileIsReplacedNotRewritten is issue 10 item 2: the pid file is
// written to a new file renamed over the old one, never in place: a file
// that the old pid file was a hard link of keeps its content, and no
// temporary file is left behind.
func TestPidFileIsReplacedNotRewritten(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other")
	os.WriteFile(other, []byte("other\n"), 0o644)
	pidfile := filepath.Join(dir, "spark2.pid")
	if err := os.Link(other, pidfile); err != nil {
		t.Fatal(err)
	}
	m := run(t, plain, nil, append([]string{"--no-listen", "--pidfile", pidfile}, helper("serve")...)...)
	m.readyWorkers(1)
	if b, _ := os.ReadFile(pidfile); strings.TrimSpace(string(b)) != strconv.Itoa(m.pid) {
		t.Fatalf("pid file holds %q, want %d", b, m.pid)
	}
	if b, _ := os.ReadFile(other); string(b) != "other\n" {
		t.Fatalf("the pid file was rewritten in place: its old hard link now holds %q", b)
	}
	m.signal(syscall.SIGTERM)
	m.wait()
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Fatalf("left in the pid file's directory: %v, want only %q", names, "other")
	}
}

// TestGroupWithoutUserIsRefused is issue 10 item 3: -g alone would keep
// uid 0 and every capability; it is a usage error that says to add -u.
func TestGroupWithoutUserIsRefused(t *testing.T) {
	for _, env := range [][]string{nil, {"SPARK2_GROUP=65534"}} {
		args := []string{"--no-listen", "--restart", "no", "/bin/true"}
		if env == nil {
			args = append([]string{"-g", "65534"}, args...)
		}
		code, _, stderr := cli(t, t.TempDir(), env, args...)
		if code != 2 || !strings.Contains(stderr, "without -u/--user") || !strings.Contains(stderr, "add -u") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("-g without -u (%v): exit %d, stderr %q; want 2 and one line saying to add -u", env, code, stderr)
		}
	}
}
