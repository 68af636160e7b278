package status

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/procfs"
)

// self is a status file naming this very process as the master.
func self(t *testing.T, state string, ready bool) *File {
	t.Helper()
	st, err := procfs.ReadStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	return &File{
		Format: Format, Pid: st.Pid, StartTime: st.StartTime, Started: now.Add(-time.Minute), Version: "test",
		Heartbeat: now, State: state, Listen: "*:3000", Env: "production", WorkersWanted: 2,
		Workers: []Worker{{Slot: 0, Pid: 101, Started: now, Ready: ready, RSS: 3 << 20}, {Slot: 1, LastExit: "exited 1", Restarts: 4}},
		Totals:  Totals{Spawned: 6, Restarts: 4},
		Master:  Usage{FDs: 11, Pipes: 6, RSS: 4 << 20},
	}
}

func TestCheck(t *testing.T) {
	now := time.Now()
	stale := self(t, Running, true)
	stale.Heartbeat = now.Add(-6 * time.Second)
	reused := self(t, Running, true)
	reused.StartTime++
	code := 0
	stopped := self(t, Stopped, true)
	stopped.ExitCode = &code
	future := self(t, Running, true) // a forged file's, dated to pass for ever
	future.Heartbeat = now.Add(time.Hour)
	cases := []struct {
		name string
		f    *File
		kind string
		want int
		why  string
	}{
		{"ready", self(t, Running, true), Ready, Healthy, "ready: running, 1 of 2"},
		{"no ready worker", self(t, Starting, false), Ready, Unhealthy, "no worker is ready"},
		{"no ready worker is live", self(t, Starting, false), Live, Healthy, "live"},
		{"reloading is ready", self(t, Reloading, true), Ready, Healthy, "reloading"},
		{"stopping", self(t, Stopping, true), Ready, Unhealthy, "stopping"},
		{"crash loop not live", self(t, CrashLooping, false), Live, Unhealthy, "crash-looping"},
		{"stale", stale, Live, Unhealthy, "hung"},
		{"reused pid", reused, Ready, NotRunning, "is gone"},
		{"stopped", stopped, Live, NotRunning, "stopped with exit code 0"},
		{"future heartbeat not live", future, Live, Unhealthy, "in the future"},
		{"future heartbeat not ready", future, Ready, Unhealthy, "in the future"},
	}
	for _, c := range cases {
		got, why := Check(c.f, c.kind, time.Now(), 5*time.Second)
		if got != c.want || !strings.Contains(why, c.why) {
			t.Errorf("%s: Check = %d %q, want %d and %q", c.name, got, why, c.want, c.why)
		}
	}
}

func TestReportIsTheSeeds(t *testing.T) {
	var b bytes.Buffer
	Report(&b, self(t, Running, true), time.Now())
	out := b.String()
	for _, want := range []string{
		strings.Repeat("-", 66) + "\n", " Showing status for spark2 process at: ", "   Current children: 1\n",
		"   Total # of spawned children: 6\n", "   Total # of open FDs: 11\n", "   Total # of open pipes(FIFO): 6\n",
		"   Started: ", "   Now    : ", " Memory Usage\n", "  rss: 4194304\n", "SLOT", "exited 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spark2-x", "status.json")
	d, err := OpenDir(path, os.Getuid(), os.Getgid())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f := self(t, Running, true)
	if err := d.Write(f); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil || got.Pid != f.Pid || got.State != Running || len(got.Workers) != 2 {
		t.Fatalf("Read = %+v, %v", got, err)
	}
	// A shorter file next: nothing of the first (its buffer is reused) is left.
	f.Workers, f.State = f.Workers[:1], Stopping
	if err := d.Write(f); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	got, err = Parse(b, path)
	if err != nil || got.State != Stopping || len(got.Workers) != 1 || !bytes.HasSuffix(b, []byte("}\n")) || bytes.Count(b, []byte("\n}\n")) != 1 {
		t.Fatalf("second write: %+v, %v; file:\n%s", got, err, b)
	}
	if _, err := Read(filepath.Join(t.TempDir(), "none.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Fatalf("temporary files left behind: %v", ents)
	}
}

func TestParseRefusesOtherFormats(t *testing.T) {
	for _, in := range []string{`{`, `{"format": 2, "pid": 1}`, `{"format": 1}`, `[]`} {
		if _, err := Parse([]byte(in), "x.json"); err == nil || !strings.Contains(err.Error(), "x.json") {
			t.Errorf("Parse(%s) = %v, want an error naming the file", in, err)
		}
	}
}

// TestReadersNeverSeeATornFile reads the file in a tight loop while it is
// rewritten with workers of varying number.
func TestReadersNeverSeeATornFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s", "status.json")
	d, err := OpenDir(path, os.Getuid(), os.Getgid())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f := self(t, Running, true)
	d.Write(f)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			f.Workers = make([]Worker, i%50)
			if err := d.Write(f); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := 0; i < 5000; i++ {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			t.Fatalf("read %d: torn file %q", i, b)
		}
	}
	close(stop)
	wg.Wait()
}

func TestOpenDirRefusesALink(t *testing.T) {
	base := t.TempDir()
	target := filepath.Join(base, "elsewhere")
	os.Mkdir(target, 0o755)
	link := filepath.Join(base, "spark2-0")
	os.Symlink(target, link)
	if _, err := OpenDir(filepath.Join(link, "status.json"), os.Getuid(), os.Getgid()); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("OpenDir through a link: %v, want a refusal", err)
	}
	if ents, _ := os.ReadDir(target); len(ents) != 0 {
		t.Fatalf("wrote through the link: %v", ents)
	}
}

func TestWriteReplacesAPlantedLinkInsteadOfFollowing(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("precious"), 0o644)
	path := filepath.Join(dir, "s", "status.json")
	d, err := OpenDir(path, os.Getuid(), os.Getgid())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	os.Symlink(victim, path)
	if err := d.Write(self(t, Running, true)); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Fatalf("the link's target was written: %q", b)
	}
	if fi, _ := os.Lstat(path); fi.Mode()&os.ModeSymlink != 0 {
		t.Fatal("the planted link is still there")
	}
}

func TestOpenDirRefusesAnotherUsersDir(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to make a directory owned by another user (CI runs as root)")
	}
	dir := filepath.Join(t.TempDir(), "spark2-0")
	os.Mkdir(dir, 0o777)
	os.Chown(dir, 4321, 4321)
	if _, err := OpenDir(filepath.Join(dir, "status.json"), 0, 0); err == nil || !strings.Contains(err.Error(), "belongs to uid 4321") {
		t.Fatalf("OpenDir: %v, want a refusal naming the owner", err)
	}
}

func TestDefaultPath(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	a := DefaultPath(env(nil), 1000, "3000", "/srv/app")
	h := fnv.New32a()
	h.Write([]byte("/srv/app"))
	if want := fmt.Sprintf("/tmp/spark2-1000/status-3000-%08x.json", h.Sum32()); a != want {
		t.Fatalf("DefaultPath = %s, want %s (the working directory's FNV-1a)", a, want)
	}
	if b := DefaultPath(env(nil), 1000, "3000", "/"); len(b) != len("/tmp/spark2-1000/status-3000-12345678.json") {
		t.Fatalf("DefaultPath = %s: not 8 hex digits", b)
	}
	if b := DefaultPath(env(nil), 1000, "3000", "/srv/other"); b == a {
		t.Fatal("two apps share a status file")
	}
	if b := DefaultPath(env(nil), 1000, "3001", "/srv/app"); b == a {
		t.Fatal("two ports share a status file")
	}
	if c := DefaultPath(env(map[string]string{"TMPDIR": "/scratch"}), 0, "nolisten", "/"); !strings.HasPrefix(c, "/scratch/spark2-0/status-nolisten-") {
		t.Fatalf("TMPDIR ignored: %s", c)
	}
}
