package status

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/procfs"
)

// lineBreaks are the characters that end a line in Unicode (LF, CR, VT, FF,
// NEL, LS, PS): a one-line reason holds none of them.
const lineBreaks = "\n\r\v\f\u0085\u2028\u2029"

// FuzzStatusParse feeds random bytes to Parse. It never panics; an error
// names the file; an accepted file has Format 1 and a pid, and marshals to
// JSON that Parse accepts and that marshals to the same bytes again. Check
// never panics on an accepted file, as it is and with this process as its
// master (so that the checks past "is it alive" run too), for both probes,
// and returns one of the documented verdicts (0, 1, 3, 4) with one line
// that says why:
// 3 when the master is not alive or the file says it stopped, 0 only when
// the probe passes (ready: a ready worker, not stopping; live: not
// crash-looping). Report never panics either.
func FuzzStatusParse(f *testing.F) {
	me, err := procfs.ReadStat(os.Getpid())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := Parse(b, "/run/status.json")
		if err != nil {
			if !strings.Contains(err.Error(), "/run/status.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if st.Format != Format || st.Pid <= 0 {
			t.Fatalf("accepted format %d, pid %d", st.Format, st.Pid)
		}
		once, err := json.Marshal(st)
		if err != nil {
			t.Fatalf("accepted file does not marshal: %v", err)
		}
		again, err := Parse(once, "again")
		if err != nil {
			t.Fatalf("re-marshalled file refused: %v\n%s", err, once)
		}
		twice, err := json.Marshal(again)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("marshal, parse, marshal changes the file:\n%s\n%s (%v)", once, twice, err)
		}

		mine := *again
		mine.Pid, mine.StartTime = me.Pid, me.StartTime
		for _, file := range []*File{st, &mine} {
			for _, now := range []time.Time{time.Now(), file.Heartbeat} {
				for _, kind := range []string{Live, Ready} {
					checkVerdict(t, file, kind, now)
				}
			}
			Report(io.Discard, file, time.Now())
		}
	})
}

// checkVerdict fails t unless Check's verdict on f for probe kind at now
// is documented and agrees with f, with a one-line reason.
func checkVerdict(t *testing.T, f *File, kind string, now time.Time) {
	t.Helper()
	verdict, why := Check(f, kind, now, 5*time.Second)
	if !slices.Contains([]int{Healthy, Unhealthy, NotRunning, Unknown}, verdict) {
		t.Fatalf("%s probe: verdict %d", kind, verdict)
	}
	if why == "" || strings.ContainsAny(why, lineBreaks) {
		t.Fatalf("%s probe: verdict %d with a reason that is not one line: %q", kind, verdict, why)
	}
	if f.State == Stopped && verdict != NotRunning {
		t.Fatalf("%s probe of a stopped master: verdict %d %q", kind, verdict, why)
	}
	if verdict != Healthy {
		return
	}
	switch {
	case kind == Ready && (f.ReadyWorkers() == 0 || f.State == Stopping):
		t.Fatalf("ready with %d ready workers in state %q: %q", f.ReadyWorkers(), f.State, why)
	case kind == Live && f.State == CrashLooping:
		t.Fatalf("live while crash-looping: %q", why)
	case now.Sub(f.Heartbeat) > 5*time.Second:
		t.Fatalf("healthy with a stale heartbeat: %q", why)
	}
}

// TestCheckQuotesAnUnknownState: a state that is none of the States is
// quoted in Check's reason, so that it stays on one line (found by the
// seeds of FuzzStatusParse: "run\nning" broke the line of a passing probe).
func TestCheckQuotesAnUnknownState(t *testing.T) {
	f := self(t, "run\nning", true)
	if verdict, why := Check(f, Ready, f.Heartbeat, 5*time.Second); verdict != Healthy || why != `ready: "run\nning", 1 of 2 workers ready` {
		t.Errorf("Check = %d %q", verdict, why)
	}
	f.Workers = nil
	if _, why := Check(f, Ready, f.Heartbeat, 5*time.Second); why != `not ready: no worker is ready (state "run\nning")` {
		t.Errorf("Check = %q", why)
	}
	if _, why := Check(self(t, Running, true), Ready, time.Now(), 5*time.Second); why != "ready: running, 1 of 2 workers ready" {
		t.Errorf("a known state: Check = %q", why)
	}
}
