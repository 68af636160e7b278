package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/procfs"
)

// Tests of how spark2 stops workers: the stop signal, the family of a worker
// (process group and descendants that left it) and what it may not signal.
// Issue 9 items 2 and 4, issue 10 items 6, 7, 8, 9, 12 and 16.

// gone reports whether pid has ended (a zombie counts: only its reaping is
// left).
func gone(pid int) bool {
	st, err := procfs.ReadStat(pid)
	return err != nil || st.State == 'Z'
}

// shScript is a worker running script with /bin/sh.
func shScript(script string) []string { return []string{"/bin/sh", "-c", script} }

// quitWorker stops on QUIT only (nginx's graceful stop) and reports TERM.
const quitWorker = `trap 'echo "got QUIT slot=$SPARK2_WORKER_ID pid=$$"; exit 0' QUIT
trap 'echo "got TERM slot=$SPARK2_WORKER_ID pid=$$"' TERM
echo "ready slot=$SPARK2_WORKER_ID pid=$$"
while :; do sleep 0.1; done`

// TestStopSignalIsWhatWorkersGet: with --stop-signal QUIT a TERM to spark2
// stops it, and its workers get QUIT (not TERM), on the stop and in a rolling
// respawn (issue 9 item 2).
func TestStopSignalIsWhatWorkersGet(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		m := run(t, md, []string{"SPARK2_READY=0"}, append([]string{"-n", "2", "--stop-signal", "SIGQUIT", "--stop-timeout", "30s", "--"}, shScript(quitWorker)...)...)
		first := m.readyWorkers(2)
		m.signal(syscall.SIGHUP)
		// the old workers get QUIT and the new ones have their trap set
		eventually(t, "two replacements ready", func() bool { return m.count("ready ") == 4 && m.count("got QUIT") == 2 })
		eventually(t, "the old workers gone", func() bool { return gone(first[0]) && gone(first[1]) })
		m.signal(syscall.SIGTERM)
		if code := m.wait(); code != 0 {
			t.Fatalf("exit %d, want 0; stderr:\n%s", code, m.Stderr())
		}
		eventually(t, "the new workers got QUIT", func() bool { return m.count("got QUIT") == 4 })
		for _, l := range m.Stdout() {
			if strings.HasPrefix(l, "got TERM") {
				t.Fatalf("a worker got TERM: %q", l)
			}
		}
	})
}

// TestStopSignalRefusesJobControl: STOP, TSTP, TTIN, TTOU pause a process;
// they are refused with exit 2 and one line.
func TestStopSignalRefusesJobControl(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--stop-signal", "STOP"}, nil, `invalid value "STOP" for --stop-signal: SIGSTOP pauses a process`},
		{nil, []string{"SPARK2_STOP_SIGNAL=ttou"}, `invalid value "ttou" for env var SPARK2_STOP_SIGNAL: SIGTTOU pauses a process`},
		{[]string{"--stop-signal", "NOPE"}, nil, `invalid value "NOPE" for --stop-signal: want a signal name`},
	} {
		code, _, stderr := cli(t, t.TempDir(), tc.env, append(tc.args, "/bin/true")...)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v %v: exit %d, %q; want 2 and one line with %q", tc.args, tc.env, code, stderr, tc.want)
		}
	}
	// The README's row: option, env var, default.
	code, help, _ := cli(t, t.TempDir(), nil, "--help")
	for _, want := range []string{"--stop-signal SIGNAL", "SPARK2_STOP_SIGNAL", "default: TERM"} {
		if code != 0 || !strings.Contains(help, want) {
			t.Errorf("--help (exit %d) lacks %q", code, want)
		}
	}
}

// TestStoppedWorkerStopsGracefully: a worker paused with SIGSTOP gets CONT
// right after the stop signal, so it stops gracefully instead of being
// killed at the stop timeout (issue 10 item 9).
func TestStoppedWorkerStopsGracefully(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		m := run(t, md, nil, append([]string{"--stop-timeout", "40s", "--"}, helper("serve")...)...)
		pid := m.readyWorkers(1)[0]
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the worker stopped", func() bool { st, err := procfs.ReadStat(pid); return err == nil && st.State == 'T' })
		start := time.Now()
		m.signal(syscall.SIGTERM)
		if code := m.wait(); code != 0 {
			t.Fatalf("exit %d, want 0: the paused worker was not continued; stderr:\n%s", code, m.Stderr())
		}
		if took := time.Since(start); took > 30*time.Second {
			t.Fatalf("the stop took %v: it waited for the stop timeout", took)
		}
	})
}

// familyWorker starts a member of its group and one that left it (setsid),
// both ignoring TERM, then serves.
const familyWorker = `setsid sh -c 'trap "" TERM; echo "escapee pid=$$"; while :; do sleep 0.2; done' &
sh -c 'trap "" TERM; echo "member pid=$$"; while :; do sleep 0.2; done' &
trap 'exit 0' TERM
echo "ready slot=$SPARK2_WORKER_ID pid=$$"
while :; do sleep 0.2; done`

// TestReplacedWorkersFamilyIsKilled: after a rolling respawn, the old
// worker's group member and its descendant that setsid'd away, both
// ignoring TERM, are killed at the stop timeout although the leader itself
// ended at once (issue 10 item 6).
func TestReplacedWorkersFamilyIsKilled(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		m := run(t, md, []string{"SPARK2_READY=0"}, append([]string{"--stop-timeout", "500ms", "--"}, shScript(familyWorker)...)...)
		m.readyWorkers(1)
		esc, _ := strconv.Atoi(fields(m.seen("escapee "))["pid"])
		mem, _ := strconv.Atoi(fields(m.seen("member "))["pid"])
		esc, mem = m.hostPid(esc), m.hostPid(mem)
		m.signal(syscall.SIGCONT)
		m.readyWorkers(1)
		eventually(t, "the old worker's group member and escapee gone", func() bool { return gone(esc) && gone(mem) })
		// The master's log lines pass through a bounded queue: poll.
		eventually(t, "a log line saying it killed what the worker left", func() bool { return strings.Contains(m.Stderr(), "killing them") })
	})
}

// bgWorker starts its server in the background (a TERM-ignoring one) and
// ends.
const bgWorker = `sh -c 'trap "" TERM; echo "bg pid=$$"; while :; do sleep 0.2; done' &
echo "ready slot=$SPARK2_WORKER_ID pid=$$"
sleep 0.3`

// TestSelfEndedWorkersLeftoversAreStopped: a worker that leaves a background
// server behind and ends does not pile up servers: each gets TERM, then KILL
// at the stop timeout, and the log names its pid (issue 10 item 7).
func TestSelfEndedWorkersLeftoversAreStopped(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		m := run(t, md, []string{"SPARK2_READY=0"}, append([]string{"--stop-timeout", "300ms", "--"}, shScript(bgWorker)...)...)
		var bgs []int
		for len(bgs) < 3 {
			pid, _ := strconv.Atoi(fields(m.line("bg "))["pid"])
			bgs = append(bgs, pid)
		}
		eventually(t, "the first background servers gone", func() bool {
			return !m.hasLiveProcess(bgs[0]) && !m.hasLiveProcess(bgs[1])
		})
		eventually(t, "a log line naming the leftover "+strconv.Itoa(bgs[0]), func() bool {
			return strings.Contains(m.Stderr(), "left processes behind") && strings.Contains(m.Stderr(), strconv.Itoa(bgs[0]))
		})
		m.signal(syscall.SIGTERM)
		m.wait()
	})
}

// count is the number of stdout lines so far that start with prefix.
func (m *master) count(prefix string) int {
	n := 0
	for _, l := range m.Stdout() {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// seen waits until some stdout line so far starts with prefix, and returns
// the first (m.line skips lines: these may come in any order).
func (m *master) seen(prefix string) string {
	m.t.Helper()
	var found string
	eventually(m.t, "a line "+prefix, func() bool {
		for _, l := range m.Stdout() {
			if strings.HasPrefix(l, prefix) {
				found = l
				return true
			}
		}
		return false
	})
	return found
}

// hasLiveProcess reports whether pid, as seen in spark2's namespace, is a
// live descendant of spark2.
func (m *master) hasLiveProcess(nsPid int) bool {
	for _, st := range m.descendants() {
		if st.State == 'Z' {
			continue
		}
		if !m.ns && st.Pid == nsPid {
			return true
		}
		if m.ns {
			b, _ := os.ReadFile("/proc/" + strconv.Itoa(st.Pid) + "/status")
			for _, l := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(l, "NSpid:"); ok {
					f := strings.Fields(v)
					if f[len(f)-1] == strconv.Itoa(nsPid) {
						return true
					}
				}
			}
		}
	}
	return false
}

// TestRootLeftoverDoesNotDelayTheStop: as PID 1 under -u, a root process left
// in the container (as by "docker exec ... &") cannot be signalled: the stop
// says so, does not wait for it, and exits 0 (issue 10 item 8).
func TestRootLeftoverDoesNotDelayTheStop(t *testing.T) {
	needRoot(t)
	env := []string{"TMPDIR=" + reachable(t), "XDG_RUNTIME_DIR="}
	m := run(t, pid1, env, append([]string{"-u", "65534", "--no-listen", "--stop-timeout", "40s", "--"}, shScript(`echo "ready slot=$SPARK2_WORKER_ID pid=$$"; trap 'exit 0' TERM; while :; do sleep 0.1; done`)...)...)
	m.readyWorkers(1)
	// A root shell in spark2's PID namespace starts a sleep and exits: the
	// sleep is re-parented to spark2, PID 1 there.
	out, err := exec.Command("nsenter", "-t", strconv.Itoa(m.pid), "-p", "--", "/bin/sh", "-c", "sleep 1000 >/dev/null 2>&1 & echo $!").Output()
	if err != nil {
		t.Fatalf("nsenter: %v", err)
	}
	nsPid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	eventually(t, "the root sleep under spark2", func() bool { return m.hasLiveProcess(nsPid) })
	var hostSleep int
	for _, st := range m.descendants() {
		if b, _ := os.ReadFile("/proc/" + strconv.Itoa(st.Pid) + "/comm"); strings.TrimSpace(string(b)) == "sleep" {
			if fi, err := os.Stat("/proc/" + strconv.Itoa(st.Pid)); err == nil && fi.Sys().(*syscall.Stat_t).Uid == 0 {
				hostSleep = st.Pid
			}
		}
	}
	defer syscall.Kill(hostSleep, syscall.SIGKILL)
	start := time.Now()
	m.signal(syscall.SIGTERM)
	if code := m.wait(); code != 0 {
		t.Fatalf("exit %d, want 0: the root process is not spark2's; stderr:\n%s", code, m.Stderr())
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("the stop took %v: it waited for a process it may not signal", took)
	}
	if !strings.Contains(m.Stderr(), "belong to another user") || !strings.Contains(m.Stderr(), strconv.Itoa(nsPid)) {
		t.Fatalf("the log does not name the process it may not signal (%d):\n%s", nsPid, m.Stderr())
	}
}

// TestSignalsToStartingWorkersAreHeld: a USR2 sent while the worker is still
// starting (--ready 10s, not yet ready) reaches it once it is ready, once
// however often it was sent (issue 9 item 4).
func TestSignalsToStartingWorkersAreHeld(t *testing.T) {
	script := `trap 'echo "got USR2"' USR2
echo "starting pid=$$"
while :; do sleep 0.05; done`
	env, path := statusEnv(t)
	m := run(t, plain, env, append([]string{"--ready", "10s", "--log-level", "debug", "--"}, shScript(script)...)...)
	m.line("starting ")
	for i := 1; i <= 2; i++ { // one at a time: the kernel merges a pending signal with the next
		m.signal(syscall.SIGUSR2)
		deadline := time.Now().Add(30 * time.Second)
		for strings.Count(m.Stderr(), "held_for_starting=1") != i {
			if time.Now().After(deadline) {
				t.Fatalf("USR2 number %d was not held for the starting worker; stderr:\n%s", i, m.Stderr())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	m.line("got USR2")
	waitReady(t, path, 1)
	m.signal(syscall.SIGTERM)
	m.wait()
	if n := strings.Count(strings.Join(m.Stdout(), "\n"), "got USR2"); n != 1 {
		t.Fatalf("the worker got USR2 %d times, want once (held and coalesced)", n)
	}
}

// TestReadyNotBelowReadyTimeoutRefused: issue 10 item 12.
func TestReadyNotBelowReadyTimeoutRefused(t *testing.T) {
	code, _, stderr := cli(t, t.TempDir(), []string{"SPARK2_READY=45s"}, "/bin/true")
	if code != 2 || !strings.Contains(stderr, "--ready (env var SPARK2_READY) 45s is not below the default of --ready-timeout 30s") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("SPARK2_READY=45s: exit %d, %q; want 2 and one line", code, stderr)
	}
}

// TestTermWhileReadingTheConfigFile: as PID 1 and not, a TERM that arrives
// while spark2 reads its config file stops it at once, exit 0 and no worker
// started, however long the file's writer takes: whether spark2 waits in
// open(2) for a FIFO nobody writes yet, or in read(2) for the rest of a file
// whose writer never ends it (issue 10 item 16; before, the TERM waited for
// the file, and docker stop for its KILL).
func TestTermWhileReadingTheConfigFile(t *testing.T) {
	for _, phase := range []string{"open", "read"} {
		t.Run(phase, func(t *testing.T) {
			bothModes(t, func(t *testing.T, md mode) {
				fifo := filepath.Join(t.TempDir(), "spark2.json")
				if err := syscall.Mkfifo(fifo, 0o600); err != nil {
					t.Fatal(err)
				}
				m := run(t, md, nil, append([]string{"-c", fifo, "--"}, helper("serve")...)...)
				eventually(t, "spark2 blocked opening the FIFO", func() bool { return blockedOnFifo(m.pid) })
				if phase == "read" {
					w := openWriter(t, m, fifo)
					defer w.Close() // after spark2 has gone: the file never ends before
					w.WriteString(`{"workers": `)
					eventually(t, "spark2 reading the FIFO", func() bool { return !blockedOnFifo(m.pid) })
				}
				m.signal(syscall.SIGTERM)
				select {
				case <-m.done:
				case <-time.After(10 * time.Second):
					t.Fatalf("spark2 still runs 10 s after a TERM while it reads its config file (%s); stderr:\n%s", phase, m.Stderr())
				}
				if code := m.wait(); code != 0 {
					t.Fatalf("exit %d, want 0; stderr:\n%s", code, m.Stderr())
				}
				if !strings.Contains(m.Stderr(), "SIGTERM while reading the configuration: stopping before any worker starts") {
					t.Errorf("stderr does not say why spark2 stopped:\n%s", m.Stderr())
				}
				for _, l := range m.Stdout() {
					if strings.HasPrefix(l, "ready ") {
						t.Fatalf("a worker started after the TERM: %q", l)
					}
				}
			})
		})
	}
}

// blockedOnFifo reports whether a thread of pid waits in open(2) for a FIFO's
// writer.
// openWriter opens fifo for writing without blocking, once spark2 has it
// open for reading. A signal that lands on the thread blocked in open(2)
// makes the kernel drop the reader for a moment before the call restarts
// (ENXIO then): it retries until spark2 reads again or has exited.
func openWriter(t *testing.T, m *master, fifo string) *os.File {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			return w
		}
		select {
		case <-m.done:
			t.Fatalf("spark2 no longer reads its config file (%v): exit %d; stderr:\n%s", err, m.wait(), m.Stderr())
		default:
		}
		if !errors.Is(err, syscall.ENXIO) || time.Now().After(deadline) {
			t.Fatalf("open %s for writing: %v", fifo, err)
		}
		time.Sleep(time.Millisecond)
	}
}

func blockedOnFifo(pid int) bool {
	tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	for _, task := range tasks {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/wchan")
		if string(b) == "wait_for_partner" {
			return true
		}
	}
	return false
}

// TestRespawnAskedDuringAFailingRolloutStillRuns: a respawn asked for while
// a rolling respawn is replacing a worker with broken code, which then
// fails, runs afterwards (after the back-off) and deploys the fixed code
// (issue 10 item 10).
func TestRespawnAskedDuringAFailingRolloutStillRuns(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "broken")
	script := `if [ -e ` + broken + ` ]; then echo "broken pid=$$"; sleep 2; exit 1; fi
trap 'exit 0' TERM
echo "ready slot=$SPARK2_WORKER_ID pid=$$"
while :; do sleep 0.1; done`
	m := run(t, plain, nil, append([]string{"--ready", "4s", "--"}, shScript(script)...)...)
	old := m.readyWorkers(1)[0]
	if err := os.WriteFile(broken, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	m.signal(syscall.SIGHUP)
	m.line("broken ")
	os.Remove(broken) // the fix is saved while the broken code starts
	m.signal(syscall.SIGHUP)
	fixed := m.readyWorkers(1)[0]
	if fixed == old {
		t.Fatalf("no new worker")
	}
	eventually(t, "the old worker replaced by the fixed one", func() bool { return gone(old) })
	eventually(t, "log lines telling the failed respawn and the queued one", func() bool {
		return strings.Contains(m.Stderr(), "rolling respawn failed") && strings.Contains(m.Stderr(), "runs after a back-off")
	})
	m.signal(syscall.SIGTERM)
	if code := m.wait(); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, m.Stderr())
	}
}
