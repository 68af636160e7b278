package status

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadTrustedRefuses: what any user can plant for a reader; the
// checks of another owner are in internal/e2e TestReadersRefuseAForgedStatusFile.
func TestReadTrustedRefuses(t *testing.T) {
	good, _ := json.Marshal(self(t, Running, true))
	uid := os.Getuid()
	if uid == 0 {
		uid = 4321 // root's own directories may be writable by others (see checkDir)
	}
	for _, c := range []struct {
		name string
		set  func(dir string) string // returns the path to read
		want string
	}{
		{"a link to the file", func(dir string) string {
			os.WriteFile(filepath.Join(dir, "real.json"), good, 0o644)
			os.Symlink("real.json", filepath.Join(dir, "status.json"))
			return filepath.Join(dir, "status.json")
		}, "symbolic link"},
		{"a link to the directory", func(dir string) string {
			os.Mkdir(filepath.Join(dir, "real"), 0o755)
			os.WriteFile(filepath.Join(dir, "real", "status.json"), good, 0o644)
			os.Symlink("real", filepath.Join(dir, "link"))
			return filepath.Join(dir, "link", "status.json")
		}, "symbolic link"},
		{"a group-writable directory of the master's user", func(dir string) string {
			os.WriteFile(filepath.Join(dir, "status.json"), good, 0o644)
			os.Chmod(dir, 0o775)
			os.Chown(dir, uid, uid) // as root: uid is 4321, not root
			return filepath.Join(dir, "status.json")
		}, "writable by its group or others"},
		{"a directory for a file", func(dir string) string {
			os.Mkdir(filepath.Join(dir, "status.json"), 0o755)
			return filepath.Join(dir, "status.json")
		}, "not a regular file"},
		{"a FIFO", func(dir string) string {
			syscall.Mkfifo(filepath.Join(dir, "status.json"), 0o644)
			return filepath.Join(dir, "status.json")
		}, "not a regular file"},
	} {
		dir := filepath.Join(t.TempDir(), "run")
		os.Mkdir(dir, 0o755)
		path := c.set(dir)
		if _, err := ReadTrusted(path, uid); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: ReadTrusted: %v, want a refusal saying %q", c.name, err, c.want)
		}
	}
}

func TestReadTrustedReadsTheMastersFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	path := filepath.Join(dir, "status.json")
	if _, err := ReadTrusted(path, os.Getuid()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("no directory: %v, want fs.ErrNotExist", err)
	}
	d, err := OpenDir(path, os.Getuid(), os.Getgid())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := ReadTrusted(path, os.Getuid()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("no file: %v, want fs.ErrNotExist", err)
	}
	f := self(t, Running, true)
	f.Heartbeat = time.Now().Round(0)
	if err := d.Write(f); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTrusted(path, os.Getuid())
	if err != nil || got.Pid != f.Pid || !got.Heartbeat.Equal(f.Heartbeat) {
		t.Fatalf("ReadTrusted = %+v, %v", got, err)
	}
	// A sticky directory that others may write (/tmp) is trusted: there only
	// a file's owner may replace the file, and the owner is checked.
	os.Chmod(dir, os.ModeSticky|0o777)
	if _, err := ReadTrusted(path, os.Getuid()); err != nil {
		t.Fatalf("in a sticky directory: %v", err)
	}
}

func TestOpenMasterRefusesAReusedPid(t *testing.T) {
	f := self(t, Running, true)
	m, err := OpenMaster(f)
	if err != nil {
		t.Fatalf("OpenMaster of this process: %v", err)
	}
	if m.Exited(0) {
		t.Fatal("this process counts as exited")
	}
	m.Close()
	f.StartTime++
	if _, err := OpenMaster(f); !errors.Is(err, ErrGone) {
		t.Fatalf("OpenMaster of another start time: %v, want ErrGone", err)
	}
}
