package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/procfs"
	"github.com/spark2/spark2/internal/status"
)

// victim is a process that a forged status file names as its master: a
// helper that prints "got SIG..." for each signal it receives.
type victim struct {
	cmd   *exec.Cmd
	start uint64
	lines chan string
}

func startVictim(t *testing.T) *victim {
	t.Helper()
	v := &victim{cmd: exec.Command(selfBin, "helper", "serve"), lines: make(chan string, 100)}
	out, err := v.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := v.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.cmd.Process.Kill(); v.cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			v.lines <- sc.Text()
		}
		close(v.lines)
	}()
	if l := <-v.lines; !strings.HasPrefix(l, "ready ") {
		t.Fatalf("victim said %q", l)
	}
	st, err := procfs.ReadStat(v.cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	v.start = st.StartTime
	return v
}

// forged is a status file that passes every probe for v: running, a ready
// worker, a fresh heartbeat.
func (v *victim) forged(heartbeat time.Time) []byte {
	f := status.File{Format: status.Format, Pid: v.cmd.Process.Pid, StartTime: v.start, State: status.Running,
		Heartbeat: heartbeat, WorkersWanted: 1, Workers: []status.Worker{{Slot: 0, Pid: 1, Ready: true}}}
	b, _ := json.Marshal(f)
	return b
}

// untouched fails t if v received a signal.
func (v *victim) untouched(t *testing.T, what string) {
	t.Helper()
	select {
	case l, ok := <-v.lines:
		if ok {
			t.Fatalf("%s: the process the forged file names was signalled: %q", what, l)
		}
		t.Fatalf("%s: the process the forged file names has ended", what)
	default:
	}
}

func mustChown(t *testing.T, path string, uid int) {
	t.Helper()
	if err := os.Lchown(path, uid, uid); err != nil {
		t.Fatal(err)
	}
}

// TestReadersRefuseAForgedStatusFile is issue 10 item 1: as root, the
// control commands and the probes refuse a status file that another user
// could have written or that is reached through a link, and never signal the
// process it names.
func TestReadersRefuseAForgedStatusFile(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("planting files of another uid needs root (CI runs as root)")
	}
	v := startVictim(t)
	forged := v.forged(time.Now().Add(time.Hour))
	base := t.TempDir()
	os.Chmod(base, 0o755)
	cases := []struct {
		name string
		set  func(t *testing.T, dir string) // dir: an empty directory, root's, 0755
		file string                         // the --status-file in dir; "": the default path
		args []string                       // besides the command
		want string
	}{
		{"the default directory made first by another user", func(t *testing.T, dir string) {
			own := filepath.Join(dir, "spark2-0")
			os.Mkdir(own, 0o755)
			path := status.DefaultPath(func(string) (string, bool) { return dir, true }, 0, "3999", mustGetwd(t))
			os.WriteFile(path, forged, 0o644)
			mustChown(t, path, 65534)
			mustChown(t, own, 65534)
		}, "", []string{"-p", "3999"}, "belongs to uid 65534"},
		{"a file of another user", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "status.json"), forged, 0o644)
			mustChown(t, filepath.Join(dir, "status.json"), 65534)
		}, "status.json", nil, "belongs to uid 65534"},
		{"a file of another user in a directory everyone may write (an emptyDir)", func(t *testing.T, dir string) {
			os.Chmod(dir, 0o777)
			os.WriteFile(filepath.Join(dir, "status.json"), forged, 0o644)
			mustChown(t, filepath.Join(dir, "status.json"), 65534)
		}, "status.json", nil, "belongs to uid 65534"},
		{"a link to the file", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "real.json"), forged, 0o644)
			os.Symlink("real.json", filepath.Join(dir, "status.json"))
		}, "status.json", nil, "symbolic link"},
		{"a link to the directory", func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "real"), 0o755)
			os.WriteFile(filepath.Join(dir, "real", "status.json"), forged, 0o644)
			os.Symlink("real", filepath.Join(dir, "run"))
		}, "run/status.json", nil, "symbolic link"},
		{"a directory of the master's user that others may write", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "status.json"), forged, 0o644)
			os.Chmod(dir, 0o777)
			mustChown(t, dir, 65534)
		}, "status.json", []string{"-u", "65534"}, "writable by its group or others"},
		{"a FIFO", func(t *testing.T, dir string) {
			if err := exec.Command("mkfifo", filepath.Join(dir, "status.json")).Run(); err != nil {
				t.Fatal(err)
			}
		}, "status.json", nil, "not a regular file"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(base, string(rune('a'+i)))
			os.Mkdir(dir, 0o755)
			c.set(t, dir)
			env := []string{"XDG_RUNTIME_DIR=" + dir, "TMPDIR=" + dir}
			if c.file != "" {
				env = append(env, "SPARK2_STATUS_FILE="+filepath.Join(dir, c.file))
			}
			for _, cmd := range [][]string{{"--status"}, {"--status", "--exit-code"}, {"--probe", "live"}, {"--probe", "ready"}, {"--respawn"}, {"--kill"}} {
				code, out := controlWithin(t, env, append(cmd, c.args...)...)
				if code != status.Unknown || !strings.Contains(out, c.want) || strings.Count(strings.TrimSpace(out), "\n") != 0 {
					t.Errorf("%v: exit %d, %q; want %d and one line saying %q", cmd, code, out, status.Unknown, c.want)
				}
				v.untouched(t, strings.Join(cmd, " "))
			}
		})
	}
}

// TestProbeRefusesAFutureHeartbeat is issue 10 item 1: a heartbeat dated
// after now is no heartbeat of the master, even in a trusted file.
func TestProbeRefusesAFutureHeartbeat(t *testing.T) {
	v := startVictim(t)
	dir := filepath.Join(t.TempDir(), "run")
	os.Mkdir(dir, 0o755)
	path := filepath.Join(dir, "status.json")
	env := []string{"SPARK2_STATUS_FILE=" + path}
	os.WriteFile(path, v.forged(time.Now().Add(-100*time.Millisecond)), 0o644)
	if code, out := control(t, env, "--probe", "ready"); code != status.Healthy {
		t.Fatalf("a fresh heartbeat: --probe ready exit %d, %q", code, out)
	}
	os.WriteFile(path, v.forged(time.Now().Add(time.Hour)), 0o644)
	for _, kind := range []string{"live", "ready"} {
		if code, out := control(t, env, "--probe", kind); code != status.Unhealthy || !strings.Contains(out, "in the future") {
			t.Fatalf("a heartbeat an hour ahead: --probe %s exit %d, %q; want %d", kind, code, out, status.Unhealthy)
		}
	}
}

// controlWithin is control, killed after 10 s: a reader that blocks on a
// planted FIFO fails the test instead of hanging it.
func controlWithin(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, spark2Bin, args...)
	c.Env = append(cleanEnv(), env...)
	out, _ := c.CombinedOutput()
	return c.ProcessState.ExitCode(), string(out)
}

func mustGetwd(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
