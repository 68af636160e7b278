package status

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// encodingJSON is what the status file held before AppendJSON: encoding/json's
// Encoder with a two-space indent.
func encodingJSON(f *File) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	err := enc.Encode(f)
	return b.Bytes(), err
}

// sampleFile has every field set, the omitted-when-empty ones too, and
// strings that encoding/json escapes.
func sampleFile() *File {
	code := 3
	at := time.Date(2026, 12, 6, 23, 59, 1, 120_000_000, time.FixedZone("", 3600))
	return &File{
		Format: Format, Pid: 42, StartTime: 1234, Started: at, Version: "1.2.3", Heartbeat: at.Add(time.Second),
		State: Running, ExitCode: &code, StopTimeoutMS: 10_000, Listen: "*:3000", Env: "pro<d>&\"x\"\\\n\t\r\b\f\x01\x7f",
		Command: []string{"node", "app.js", "\u2028\u2029é\xff"}, WorkersWanted: 2,
		Workers: []Worker{
			{Slot: 0, Pid: 100, Started: at, Ready: true, Restarts: 1, LastExit: "exited 1", Replacement: 101, RSS: 1 << 20,
				LastReason: ReasonCrashed, Replaced: Replaced{Crashed: 1, Hung: 2, Memory: 3, Lifetime: 4, Respawn: 5},
				RespawnAt: at.Add(time.Minute), Deaths: 2},
			{Slot: 1},
		},
		Totals: Totals{Spawned: 3, Restarts: 1, FailedReloads: 1, Replaced: Replaced{Crashed: 1}},
		Master: Usage{FDs: 9, Pipes: 4, RSS: 5 << 20, VSize: 1 << 30, HeapTotal: 4 << 20, HeapUsed: 1 << 20, Threads: 5, Goroutine: 20},
	}
}

// TestAppendJSONIsEncodingJSON: the hand-written encoding gives the bytes
// encoding/json gave, for a file with every field set and for one with the
// optional ones unset and no slices.
func TestAppendJSONIsEncodingJSON(t *testing.T) {
	full := sampleFile()
	for _, f := range []*File{full, {Format: Format, Pid: 1}, {Workers: []Worker{}, Command: []string{}}} {
		want, err := encodingJSON(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("AppendJSON:\n%s\nencoding/json:\n%s", got, want)
		}
	}
}

// TestAppendJSONAllocatesNothingOnceItsBufferIsGrown: the master's writes,
// about one a second, make no garbage.
func TestAppendJSONAllocatesNothingOnceItsBufferIsGrown(t *testing.T) {
	f := sampleFile()
	buf := f.AppendJSON(nil)
	if n := testing.AllocsPerRun(100, func() { buf = f.AppendJSON(buf[:0]) }); n != 0 {
		t.Fatalf("AppendJSON allocates %v times, want 0", n)
	}
}

// FuzzAppendJSONIsEncodingJSON: for any file that Parse's decoding accepts,
// AppendJSON gives the bytes that encoding/json gives (where that encodes
// it at all: a time outside years 0-9999 is its error).
func FuzzAppendJSONIsEncodingJSON(f *testing.F) {
	seed, err := encodingJSON(sampleFile())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"format":1,"pid":1,"command":["a\u0000b","\ud800"],"workers":[{"respawn_at":"0001-01-01T00:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var st File
		if json.Unmarshal(b, &st) != nil {
			return
		}
		want, err := encodingJSON(&st)
		if err != nil {
			return
		}
		if got := st.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("AppendJSON:\n%s\nencoding/json:\n%s", got, want)
		}
	})
}

// TestWriteWithoutRenameat2: a kernel without renameat2 (older than 3.15)
// says ENOSYS, and the write falls back to renameat; a write makes no
// garbage once its buffers have grown.
func TestWriteWithoutRenameat2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spark2", "status.json")
	d, err := OpenDir(path, os.Getuid(), os.Getgid())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f := sampleFile()
	if err := d.Write(f); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() {
		if err := d.Write(f); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("Write allocates %v times, want 0", n)
	}
	defer func(nr uintptr) { sysRenameat2 = nr }(sysRenameat2)
	sysRenameat2 = 1 << 20 // no such system call: ENOSYS
	f.Pid = 4242
	if err := d.Write(f); err != nil {
		t.Fatalf("write without renameat2: %v", err)
	}
	got, err := Read(path)
	if err != nil || got.Pid != 4242 {
		t.Fatalf("after the fallback: %+v, %v; want pid 4242", got, err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Fatalf("temporary files left behind: %v", ents)
	}
}
