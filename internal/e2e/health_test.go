package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-systemd/v22/activation"
	"github.com/coreos/go-systemd/v22/daemon"

	"github.com/spark2/spark2/internal/httpdrain"
	"github.com/spark2/spark2/internal/loadgen"
	"github.com/spark2/spark2/internal/status"
)

// healthWorker is the helper "health DIR": an HTTP server on spark2's socket
// (go-systemd's activation) that says READY=1 and, when go-systemd's
// daemon.SdWatchdogEnabled says so, sends WATCHDOG=1 with daemon.SdNotify
// every half period: a go-systemd program as it is. DIR steers it:
//   - it writes DIR/ready-<slot>-<pid> once ready;
//   - DIR/silent-<pid>: it stops its keep-alives and its serving (it drains
//     its connections, as a stuck worker's would stop being used, so the
//     load measures the others) but stays alive: "silent pid=P";
//   - DIR/period-<pid>: it sends WATCHDOG_USEC=<the file's content> once,
//     with its next keep-alive: "period pid=P usec=N";
//   - DIR/grow: each request keeps 1MiB more memory;
//   - on TERM it prints "term pid=P replacement_ready=B", B saying whether
//     a newer worker of its slot had written its ready file, then drains;
//   - on ABRT it prints "got SIGABRT pid=P" and exits 134.
func healthWorker(args []string) int {
	dir, pid, slot := args[0], os.Getpid(), slotID()
	started := time.Now()
	ls, err := activation.Listeners()
	if err != nil || len(ls) != 1 || ls[0] == nil {
		fmt.Fprintf(os.Stderr, "no socket from spark2: %v\n", err)
		return 3
	}
	var mu sync.Mutex
	var hoard [][]byte
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if _, err := os.Stat(filepath.Join(dir, "grow")); err == nil {
			b := make([]byte, 1<<20)
			for i := range b {
				b[i] = 1
			}
			mu.Lock()
			hoard = append(hoard, b)
			mu.Unlock()
		}
		fmt.Fprintf(w, "pid=%d slot=%s", pid, slot)
	})
	stop := make(chan struct{})
	var stopOnce sync.Once
	drain := func() { stopOnce.Do(func() { close(stop) }) }
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGABRT)
	go func() {
		for s := range sigs {
			if s == syscall.SIGABRT {
				fmt.Printf("got SIGABRT pid=%d\n", pid)
				os.Exit(134)
			}
			fmt.Printf("term pid=%d replacement_ready=%v\n", pid, newerReady(dir, slot, pid, started))
			drain()
		}
	}()
	silent := make(chan struct{})
	go watchdogPings(dir, pid, silent, drain)
	srv := &httpdrain.Server{Handler: mux}
	var once sync.Once
	l := &readyListener{Listener: ls[0], ready: func() {
		once.Do(func() {
			os.WriteFile(filepath.Join(dir, fmt.Sprintf("ready-%s-%d", slot, pid)), nil, 0o644) // before spark2 can hear it
			daemon.SdNotify(false, daemon.SdNotifyReady)
			fmt.Printf("ready slot=%s pid=%d\n", slot, pid)
		})
	}}
	if err := srv.Serve(l, stop); err != nil {
		fmt.Fprintln(os.Stderr, "http:", err)
		return 1
	}
	select {
	case <-silent:
		select {} // hung: alive, saying nothing, until spark2 ends it
	default:
		return 0
	}
}

// watchdogPings sends WATCHDOG=1 every half period, as go-systemd users do,
// until DIR/silent-<pid> appears; then it closes silent and drains.
func watchdogPings(dir string, pid int, silent chan struct{}, drain func()) {
	every, err := daemon.SdWatchdogEnabled(false)
	if err != nil || every == 0 {
		fmt.Printf("no watchdog pid=%d err=%v\n", pid, err)
		return
	}
	fmt.Printf("watchdog pid=%d every=%s\n", pid, every)
	periodSent := false
	for range time.Tick(every / 2) {
		if b, err := os.ReadFile(filepath.Join(dir, "period-"+strconv.Itoa(pid))); err == nil && !periodSent {
			daemon.SdNotify(false, "WATCHDOG_USEC="+string(b))
			fmt.Printf("period pid=%d usec=%s\n", pid, b)
			periodSent = true
		}
		if _, err := os.Stat(filepath.Join(dir, "silent-"+strconv.Itoa(pid))); err == nil {
			fmt.Printf("silent pid=%d\n", pid)
			close(silent)
			drain()
			return
		}
		daemon.SdNotify(false, daemon.SdNotifyWatchdog)
	}
}

// newerReady reports whether a worker of slot other than pid wrote its ready
// file after this one started.
func newerReady(dir, slot string, pid int, started time.Time) bool {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, "ready-"+slot+"-") || name == fmt.Sprintf("ready-%s-%d", slot, pid) {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().After(started) {
			return true
		}
	}
	return false
}

// healthRun starts spark2 with n health workers and the given options, and
// waits until they are ready; it returns the master, the port, the status
// file and the workers' DIR.
func healthRun(t *testing.T, n int, opts ...string) (*master, string, string, string) {
	t.Helper()
	dir := t.TempDir()
	env, path := statusEnv(t)
	args := append([]string{"-n", strconv.Itoa(n), "-p", "0", "--ready", "notify", "--stop-timeout", "3s"}, opts...)
	m := run(t, plain, env, append(args, helper("health", dir)...)...)
	m.readyWorkers(n)
	waitReady(t, path, n)
	f := readStatus(t, path)
	_, port, _ := strings.Cut(f.Listen, ":")
	if strings.HasPrefix(f.Listen, "[") {
		port = f.Listen[strings.LastIndex(f.Listen, ":")+1:]
	}
	return m, port, path, dir
}

// TestWatchdogSilentWorkerReplaced: a go-systemd worker that sent READY=1
// and WATCHDOG=1 and then falls silent (alive, socket held) gets SIGABRT
// and is replaced within 2 × DURATION; the others serve a keep-alive load
// meanwhile with 0 failed requests. go-systemd's SdWatchdogEnabled saw
// WATCHDOG_USEC and WATCHDOG_PID as spark2 set them.
func TestWatchdogSilentWorkerReplaced(t *testing.T) {
	const d = time.Second
	m, port, path, dir := healthRun(t, 2, "--watchdog", d.String())
	if w := m.seen("watchdog pid="); !strings.Contains(w, "every="+d.String()) {
		t.Fatalf("go-systemd saw %q, want every=%s", w, d)
	}
	l := startLoad(t, "http://127.0.0.1:"+port+"/", loadgen.KeepAlive, 8, time.Minute)
	within(t, 20*time.Second, "load flowing", func() bool { return l.ok() > 100 })
	victim := readStatus(t, path).Workers[0].Pid
	if err := os.WriteFile(filepath.Join(dir, "silent-"+strconv.Itoa(victim)), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	m.seen(fmt.Sprintf("silent pid=%d", victim))
	silentAt := time.Now()
	m.seen(fmt.Sprintf("got SIGABRT pid=%d", victim))
	var f *status.File
	within(t, 10*time.Second, "slot 0 replaced and ready", func() bool {
		f = readStatus(t, path)
		return f.Workers[0].Pid != victim && f.Workers[0].Ready
	})
	took := time.Since(silentAt)
	before := l.ok()
	within(t, 20*time.Second, "more load", func() bool { return l.ok() > before+100 })
	l.finishClean()
	if took > 2*d {
		t.Errorf("replaced %v after the worker fell silent, want within 2 × %v", took, d)
	}
	if w := f.Workers[0]; w.LastReason != "hung" || w.Replaced.Hung != 1 || f.Totals.Replaced.Hung != 1 {
		t.Errorf("status: slot 0 %+v, totals %+v; want last_reason hung, replaced.hung 1", w, f.Totals)
	}
	if !strings.Contains(m.Stderr(), "worker is hung") || !strings.Contains(m.Stderr(), "silent_for=") {
		t.Errorf("no log line about the hung worker:\n%s", tail(m.Stderr(), 20))
	}
	if code, out := control(t, []string{"SPARK2_STATUS_FILE=" + path}, "--status"); code != 0 || !strings.Contains(out, "hung 1") || !strings.Contains(out, "hung") {
		t.Errorf("--status (%d) does not show the hang:\n%s", code, out)
	}
}

// TestWorkerTurnsItsWatchdogOff: a go-systemd worker that sends
// WATCHDOG_USEC=0, as systemd lets a service change its own watchdog, and
// then falls silent is not treated as hung; spark2 logs the change.
func TestWorkerTurnsItsWatchdogOff(t *testing.T) {
	const d = time.Second
	m, _, path, dir := healthRun(t, 1, "--watchdog", d.String())
	pid := readStatus(t, path).Workers[0].Pid
	if err := os.WriteFile(filepath.Join(dir, "period-"+strconv.Itoa(pid)), []byte("0"), 0o644); err != nil {
		t.Fatal(err)
	}
	m.seen(fmt.Sprintf("period pid=%d usec=0", pid))
	within(t, 10*time.Second, "the log line about it", func() bool { return strings.Contains(m.Stderr(), "sets its own watchdog period") })
	if err := os.WriteFile(filepath.Join(dir, "silent-"+strconv.Itoa(pid)), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	m.seen(fmt.Sprintf("silent pid=%d", pid))
	time.Sleep(3 * d) // three periods of silence: long hung, were its watchdog on
	if f := readStatus(t, path); f.Workers[0].Pid != pid || f.Totals.Replaced.Hung != 0 || slices.ContainsFunc(m.Stdout(), func(l string) bool { return strings.HasPrefix(l, "got SIGABRT") }) {
		t.Fatalf("the worker that turned its watchdog off was replaced: slot 0 %+v, totals %+v", f.Workers[0], f.Totals)
	}
}

// TestWatchdogNodeBlockedEventLoop: a node app whose handler blocks the
// event loop stops the bootstrap's keep-alives and is replaced.
func TestWatchdogNodeBlockedEventLoop(t *testing.T) {
	app := `module.exports = require('http').createServer((req, res) => {
  if (req.url === '/block') { for (;;) {} }
  res.end('hello from ' + process.pid);
});
`
	env, path := statusEnv(t)
	m := run(t, plain, env, "-C", appDir(t, app), "-n", "2", "--watchdog", "500ms", "--stop-timeout", "1s")
	port, _ := m.banners(2)
	waitReady(t, path, 2)
	before := readStatus(t, path)
	c := &http.Client{Timeout: 500 * time.Millisecond}
	go get(c, "http://127.0.0.1:"+port+"/block") // one worker takes it and blocks; no answer comes
	var f *status.File
	within(t, 15*time.Second, "a hung node worker replaced", func() bool {
		f = readStatus(t, path)
		return f.Totals.Replaced.Hung == 1 && f.ReadyWorkers() == 2
	})
	m.banners(1)
	if !strings.Contains(m.Stderr(), "worker is hung") {
		t.Errorf("no hung line:\n%s", tail(m.Stderr(), 20))
	}
	changed := 0
	for i := range f.Workers {
		if f.Workers[i].Pid != before.Workers[i].Pid {
			changed++
		}
	}
	if changed != 1 || f.Totals.Replaced.Crashed != 0 {
		t.Errorf("%d workers changed, want the blocked one only; status %+v", changed, f.Totals)
	}
	body, err := get(httpClient(), "http://127.0.0.1:"+port+"/")
	if err != nil || !strings.HasPrefix(body, "hello from") {
		t.Errorf("after the replacement: %q, %v", body, err)
	}
}

// TestMaxMemoryGrowingWorkerReplaced: workers that grow past --max-memory
// under a keep-alive load are replaced readiness-gated: each replacement was
// ready before the old worker got TERM, and no request failed.
func TestMaxMemoryGrowingWorkerReplaced(t *testing.T) {
	// Well above a worker's own use under this load: built with -race (as
	// README's test command does) one takes about 55MiB without growing.
	m, port, path, dir := healthRun(t, 2, "--max-memory", "128MiB")
	grow := filepath.Join(dir, "grow")
	if err := os.WriteFile(grow, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l := startLoad(t, "http://127.0.0.1:"+port+"/", loadgen.KeepAlive, 8, time.Minute)
	within(t, 30*time.Second, "a worker replaced for its memory", func() bool { return readStatus(t, path).Totals.Replaced.Memory >= 1 })
	os.Remove(grow)
	f := m.settled(path, 2, 30*time.Second)
	before := l.ok()
	within(t, 20*time.Second, "more load", func() bool { return l.ok() > before+100 })
	l.finishClean()
	terms := 0
	for _, line := range m.Stdout() {
		if strings.HasPrefix(line, "term ") {
			terms++
			if !strings.Contains(line, "replacement_ready=true") {
				t.Errorf("a worker got TERM before its replacement was ready: %q", line)
			}
		}
	}
	if terms == 0 || !strings.Contains(m.Stderr(), "more memory than --max-memory") {
		t.Errorf("%d TERMs; log:\n%s", terms, tail(m.Stderr(), 20))
	}
	if f.Totals.Replaced.Crashed != 0 || f.Totals.Replaced.Hung != 0 {
		t.Errorf("totals %+v: memory replacements only", f.Totals)
	}
	for _, w := range f.Workers {
		t.Logf("settled: slot %d rss_bytes %d", w.Slot, w.RSS)
		if w.RSS == 0 || w.RSS > 200<<20 {
			t.Errorf("slot %d rss_bytes %d", w.Slot, w.RSS)
		}
	}
}

// TestMaxLifetimeUnderLoad: --max-lifetime 2s -n 3 for 10 s under a
// keep-alive load: workers are replaced one at a time, at least 3 are ready
// in every sample of the status file, and no request fails.
func TestMaxLifetimeUnderLoad(t *testing.T) {
	m, port, path, _ := healthRun(t, 3, "--max-lifetime", "2s")
	l := startLoad(t, "http://127.0.0.1:"+port+"/", loadgen.KeepAlive, 8, time.Minute)
	end := time.Now().Add(10 * time.Second)
	samples := 0
	for time.Now().Before(end) {
		f, err := status.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		samples++
		if n := f.ReadyWorkers(); n < 3 {
			t.Fatalf("%d ready workers at %s, want at least 3: %+v", n, f.Heartbeat, f.Workers)
		}
		replacing := 0
		for _, w := range f.Workers {
			if w.Replacement != 0 {
				replacing++
			}
		}
		if replacing > 1 {
			t.Fatalf("%d slots being replaced at once: %+v", replacing, f.Workers)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := l.finishClean()
	f := readStatus(t, path)
	t.Logf("%d samples, %d requests; replaced %+v", samples, r.OK, f.Totals.Replaced)
	if f.Totals.Replaced.Lifetime < 6 || f.Totals.Replaced.Crashed != 0 {
		t.Errorf("replaced %+v; want at least 6 for lifetime in 10 s, none crashed", f.Totals.Replaced)
	}
	for _, line := range m.Stdout() {
		if strings.HasPrefix(line, "term ") && !strings.Contains(line, "replacement_ready=true") {
			t.Errorf("a worker got TERM before its replacement was ready: %q", line)
		}
	}
}

// TestHealthOptionsBadInput: every bad value exits 2 with one line naming
// the option (flag, env var or config file key) and what is accepted.
func TestHealthOptionsBadInput(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "spark2.json")
	os.WriteFile(cfg, []byte(`{"max-lifetime": "30"}`), 0o644)
	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--max-memory", "12XB"}, nil, `invalid value "12XB" for --max-memory: want 0 (off), or a size of at least 1MiB`},
		{[]string{"--watchdog", "50ms"}, nil, `invalid value "50ms" for --watchdog: want 0 (off), or a duration with a unit from 100ms to 1h`},
		{[]string{"--watchdog", "-1s"}, nil, `invalid value "-1s" for --watchdog`},
		{[]string{"--max-lifetime", "3600"}, nil, `invalid value "3600" for --max-lifetime: want 0 (off), or a duration with a unit`},
		{nil, []string{"SPARK2_WATCHDOG=5"}, `for env var SPARK2_WATCHDOG: want 0 (off), or a duration with a unit`},
		{nil, []string{"SPARK2_MAX_MEMORY=1.5XiB"}, `for env var SPARK2_MAX_MEMORY`},
		{nil, []string{"SPARK2_MAX_LIFETIME=-2h"}, `for env var SPARK2_MAX_LIFETIME`},
		{[]string{"-c", cfg}, nil, `max-lifetime`},
	} {
		c := execSpark2(append(tc.args, helper("serve")...), tc.env)
		out, _ := c.CombinedOutput()
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if code := c.ProcessState.ExitCode(); code != 2 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
			t.Errorf("%v %v: exit %d, output %q; want exit 2 and one line with %q", tc.args, tc.env, code, out, tc.want)
		}
	}
	// Good values from every layer start (and --help lists the options).
	c := execSpark2([]string{"--help"}, nil)
	out, _ := c.CombinedOutput()
	for _, want := range []string{"--watchdog DURATION", "SPARK2_WATCHDOG", "--max-lifetime DURATION", "SPARK2_MAX_LIFETIME", "--max-memory SIZE", "SPARK2_MAX_MEMORY"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

// TestWatchdogFromEveryLayer: --watchdog from the env var and from the
// config file reaches go-systemd as WATCHDOG_USEC, with WATCHDOG_PID its pid.
func TestWatchdogFromEveryLayer(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		file string
		want string
	}{
		{"env", []string{"SPARK2_WATCHDOG=1500ms"}, "", "every=1.5s"},
		{"file", nil, `{"watchdog": "2s", "max-memory": "1GiB", "max-lifetime": "1h"}`, "every=2s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"-p", "0"}
			if tc.file != "" {
				cfg := filepath.Join(dir, "spark2.json")
				os.WriteFile(cfg, []byte(tc.file), 0o644)
				args = append(args, "-c", cfg)
			}
			m := run(t, plain, tc.env, append(args, helper("health", dir)...)...)
			if w := m.seen("watchdog pid="); !strings.Contains(w, tc.want) {
				t.Fatalf("go-systemd saw %q, want %s", w, tc.want)
			}
		})
	}
}

// execSpark2 is a command running spark2 with args and env added to a clean
// environment.
func execSpark2(args, env []string) *exec.Cmd {
	c := exec.Command(spark2Bin, args...)
	c.Env = append(cleanEnv(), env...)
	return c
}
