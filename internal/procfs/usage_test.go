package procfs

import (
	"errors"
	"os"
	"testing"
)

func TestReaderStatusOfThisProcess(t *testing.T) {
	var r Reader
	st, err := r.Status(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	rss, _ := r.RSS(os.Getpid(), uint64(os.Getpagesize()))
	if st.RSS < 1<<20 || st.VSize < st.RSS || st.Threads < 1 {
		t.Fatalf("Status of this process: %+v; want RSS of at least 1 MiB (statm says %d), VSize at least RSS, a thread", st, rss)
	}
	ents, _ := os.ReadDir("/proc/self/task")
	if st.Threads > len(ents)+8 || st.Threads < len(ents)-8 { // threads may come and go in between
		t.Fatalf("Status says %d threads, /proc/self/task lists %d", st.Threads, len(ents))
	}
	if _, err := r.Status(1 << 30); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Status of a pid that cannot exist: %v, want not-exist", err)
	}
}

func TestStatusNumber(t *testing.T) {
	for line, want := range map[string]uint64{
		"VmRSS:\t    1234 kB": 1234, "Threads:\t7": 7, "VmSize:": 0, "VmRSS:\t  x kB": 0,
	} {
		if got := statusNumber([]byte(line)); got != want {
			t.Errorf("statusNumber(%q) = %d, want %d", line, got, want)
		}
	}
}

func TestReaderFDsCountsPipes(t *testing.T) {
	var r Reader
	fds, pipes, err := r.FDs(os.Getpid())
	if err != nil || fds < 4 { // 0-2 and the listing's own
		t.Fatalf("FDs of this process: %d (%d pipes), %v", fds, pipes, err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	fds2, pipes2, err := r.FDs(os.Getpid())
	pr.Close()
	pw.Close()
	f.Close()
	if err != nil || fds2 != fds+3 || pipes2 != pipes+2 {
		t.Fatalf("with a pipe and a file more: %d fds (%d pipes), %v; want %d (%d)", fds2, pipes2, err, fds+3, pipes+2)
	}
	if _, _, err := r.FDs(1 << 30); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("FDs of a pid that cannot exist: %v, want not-exist", err)
	}
}

// TestMasterReadsAllocateNothing: the reads the master makes every second
// (its liveness checks, its own usage) make no garbage once warm.
func TestMasterReadsAllocateNothing(t *testing.T) {
	var r Reader
	self := os.Getpid()
	st, _ := ReadStat(self)
	for name, f := range map[string]func(){
		"Alive":  func() { Alive(self, st.StartTime) },
		"Status": func() { r.Status(self) },
		"FDs":    func() { r.FDs(self) },
	} {
		if name == "Alive" && raceEnabled {
			continue // its pooled Reader is sometimes new under the race detector
		}
		if n := testing.AllocsPerRun(50, f); n != 0 {
			t.Errorf("%s allocates %v times a call, want 0", name, n)
		}
	}
}
