package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/spark2/spark2/internal/status"
)

// nobody is the user the tests drop to.
const nobody = 65534

// shWorker is a worker that needs nothing of the test binary (whose
// directory nobody may not enter): ready after --ready's second, it prints
// "got USR1" for each SIGUSR1.
var shWorker = []string{"/bin/sh", "-c", `echo started; trap 'echo got USR1' USR1; while :; do sleep 0.1; done`}

// reachable returns a fresh directory that nobody can reach (its parents
// are searchable), owned by root, mode 0755.
func reachable(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	return dir
}

func needRoot(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("dropping privileges needs root (CI runs as root)")
	}
}

func ownerOf(t *testing.T, path string) int {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return int(fi.Sys().(*syscall.Stat_t).Uid)
}

// TestAccessLogRotationUnderUser is issue 10 item 4: under -u the access log
// is given to that user, so that after a rename and SIGUSR1 the master,
// no longer root, opens a new file; a directory where that user cannot
// create the new file is refused at start (exit 2, naming it).
func TestAccessLogRotationUnderUser(t *testing.T) {
	needRoot(t)
	dir := filepath.Join(reachable(t), "logs")
	os.Mkdir(dir, 0o755)
	mustChown(t, dir, nobody)
	log := filepath.Join(dir, "access.log")
	env, path := statusEnv(t)
	m := run(t, plain, env, append([]string{"-u", "65534", "--no-listen", "--accesslog", log}, shWorker...)...)
	waitReady(t, path, 1)
	if uid := ownerOf(t, log); uid != nobody {
		t.Fatalf("the access log belongs to uid %d, want %d (-u)", uid, nobody)
	}
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	m.signal(syscall.SIGUSR1)
	eventually(t, "the worker's line in the new access log", func() bool {
		b, _ := os.ReadFile(log)
		return strings.HasPrefix(string(b), "got USR1")
	})
	if strings.Contains(m.Stderr(), "cannot reopen") {
		t.Fatalf("stderr:\n%s", m.Stderr())
	}

	rootDir := reachable(t) // root's, 0755: nobody cannot create the new file there
	code, _, stderr := cli(t, rootDir, nil, "-u", "65534", "--no-listen", "--accesslog", filepath.Join(rootDir, "access.log"), "/bin/true")
	if code != 2 || !strings.Contains(stderr, rootDir) || !strings.Contains(stderr, "not writable by uid 65534") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("an access log in root's directory under -u: exit %d, %q; want 2 and one line naming the directory", code, stderr)
	}
}

// TestStatusDirForUser is issue 10 item 11: under -u, with no directory
// where the status file goes by default (an image without /tmp), spark2
// creates it for that user and the probes pass; an existing directory that
// user cannot write is refused at start (exit 2, naming it).
func TestStatusDirForUser(t *testing.T) {
	needRoot(t)
	tmp := filepath.Join(reachable(t), "no", "tmp") // neither exists
	env := []string{"TMPDIR=" + tmp, "XDG_RUNTIME_DIR="}
	run(t, plain, env, append([]string{"-u", "65534", "--no-listen"}, shWorker...)...)
	eventually(t, "the ready probe passes", func() bool {
		code, _ := control(t, env, "-u", "65534", "--no-listen", "--probe", "ready")
		return code == status.Healthy
	})
	if uid := ownerOf(t, filepath.Join(tmp, "spark2-65534")); uid != nobody {
		t.Fatalf("the status directory belongs to uid %d, want %d", uid, nobody)
	}

	base := reachable(t)
	taken := filepath.Join(base, "spark2-65534") // root's, 0755
	os.Mkdir(taken, 0o755)
	code, _, stderr := cli(t, base, []string{"TMPDIR=" + base, "XDG_RUNTIME_DIR="}, "-u", "65534", "--no-listen", "/bin/true")
	if code != 2 || !strings.Contains(stderr, taken) || !strings.Contains(stderr, "not writable by uid 65534") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("a status directory nobody cannot write: exit %d, %q; want 2 and one line naming it", code, stderr)
	}
}

// TestPidFileRemovedUnderUser is issue 10 item 16: under -u the pid file is
// removed when the master exits, in a root-owned sticky directory (the file
// is given to the user) and in a directory the user can no longer reach by
// its path (it is removed through a directory fd opened before the drop); a
// directory from which the user could not remove it is refused at start.
func TestPidFileRemovedUnderUser(t *testing.T) {
	needRoot(t)
	sticky := filepath.Join(reachable(t), "run")
	os.Mkdir(sticky, 0o755)
	os.Chmod(sticky, os.ModeSticky|0o777)
	hidden := filepath.Join(t.TempDir(), "pids") // t.TempDir is 0700: nobody cannot reach it
	os.Mkdir(hidden, 0o755)
	mustChown(t, hidden, nobody)
	for _, dir := range []string{sticky, hidden} {
		pidfile := filepath.Join(dir, "spark2.pid")
		env, path := statusEnv(t)
		m := run(t, plain, env, append([]string{"-u", "65534", "--no-listen", "--pidfile", pidfile}, shWorker...)...)
		waitReady(t, path, 1)
		if uid := ownerOf(t, pidfile); uid != nobody {
			t.Fatalf("the pid file in %s belongs to uid %d, want %d", dir, uid, nobody)
		}
		m.signal(syscall.SIGTERM)
		m.wait()
		if _, err := os.Lstat(pidfile); err == nil {
			t.Fatalf("the pid file in %s outlived the master; stderr:\n%s", dir, m.Stderr())
		}
	}

	rootDir := reachable(t) // root's, 0755
	code, _, stderr := cli(t, rootDir, nil, "-u", "65534", "--no-listen", "--pidfile", filepath.Join(rootDir, "spark2.pid"), "/bin/true")
	if code != 2 || !strings.Contains(stderr, rootDir) || !strings.Contains(stderr, "not writable by uid 65534") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("a pid file in root's directory under -u: exit %d, %q; want 2 and one line naming the directory", code, stderr)
	}
}
