package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/procfs"
)

// master is a running spark2 under test.
type master struct {
	t      *testing.T
	cmd    *exec.Cmd
	pid    int  // spark2's pid as this test sees it
	ns     bool // PID 1 of a new PID namespace (under unshare)
	lines  chan string
	mu     sync.Mutex
	out    []string     // every stdout line so far
	stderr bytes.Buffer // guarded by mu
	done   chan struct{}
	code   int
}

// mode says how spark2 is run: as a plain process or as PID 1.
type mode bool

const (
	plain mode = false
	pid1  mode = true
)

func (m mode) String() string {
	if m {
		return "pid1"
	}
	return "plain"
}

// bothModes runs f once as a plain process and once as PID 1 of a namespace.
func bothModes(t *testing.T, f func(t *testing.T, m mode)) {
	for _, md := range []mode{plain, pid1} {
		t.Run(md.String(), func(t *testing.T) {
			if md == pid1 && os.Getuid() != 0 {
				t.Skip("a new PID namespace needs root (CI runs as root)")
			}
			f(t, md)
		})
	}
}

// run starts spark2 with args; env entries are added to the test's environment.
func run(t *testing.T, md mode, env []string, args ...string) *master {
	t.Helper()
	return runVia(t, md, nil, env, args...)
}

// runVia is run with spark2 started by wrapper (e.g. a shell that ignores
// some signals first, then execs "$0" "$@").
func runVia(t *testing.T, md mode, wrapper, env []string, args ...string) *master {
	t.Helper()
	argv := append(append(wrapper[:len(wrapper):len(wrapper)], spark2Bin), args...)
	if md == pid1 {
		argv = append([]string{"unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "--"}, argv...)
	}
	m := &master{t: t, ns: bool(md), lines: make(chan string, 100000), done: make(chan struct{})}
	m.cmd = exec.Command(argv[0], argv[1:]...)
	// PORT=0 (the lowest layer for the port): any free port, unless the test says.
	m.cmd.Env = append(append(cleanEnv(), "PORT=0"), env...)
	m.cmd.Stderr = lockedWriter{m}
	stdout, err := m.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go m.read(stdout)
	m.pid = m.cmd.Process.Pid
	if m.ns {
		m.pid = m.waitChild()
	}
	t.Cleanup(m.kill)
	return m
}

type lockedWriter struct{ m *master }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	return w.m.stderr.Write(b)
}

func (m *master) read(r interface{ Read([]byte) (int, error) }) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		m.mu.Lock()
		m.out = append(m.out, l)
		m.mu.Unlock()
		m.lines <- l
	}
	err := m.cmd.Wait()
	m.code = m.cmd.ProcessState.ExitCode()
	if ws, ok := m.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		m.code = 128 + int(ws.Signal())
	}
	_ = err
	close(m.done)
}

// waitChild finds spark2, the child of unshare; 0 if spark2 has already
// exited (a short run), with unshare.
func (m *master) waitChild() int {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-m.done:
			return 0
		default:
		}
		all, _ := procfs.All()
		for _, st := range all {
			if st.PPid == m.cmd.Process.Pid {
				return st.Pid
			}
		}
		time.Sleep(time.Millisecond)
	}
	m.t.Fatal("unshare did not start spark2")
	return 0
}

// Stderr returns what spark2 wrote to stderr so far.
func (m *master) Stderr() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stderr.String()
}

// Stdout returns the stdout lines so far.
func (m *master) Stdout() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.out...)
}

// line waits for the next stdout line that starts with prefix, skipping others.
func (m *master) line(prefix string) string {
	m.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l := <-m.lines:
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			m.t.Fatalf("no line %q on stdout; stderr:\n%s", prefix, m.Stderr())
		}
	}
}

// readyWorkers waits for n "ready" lines and returns slot -> pid (as this test
// sees the pid, namespace or not).
func (m *master) readyWorkers(n int) map[int]int {
	m.t.Helper()
	got := map[int]int{}
	for len(got) < n {
		f := fields(m.line("ready "))
		slot, _ := strconv.Atoi(f["slot"])
		pid, _ := strconv.Atoi(f["pid"])
		got[slot] = m.hostPid(pid)
	}
	return got
}

// fields parses "word k=v k=v" into a map.
func fields(line string) map[string]string {
	f := map[string]string{}
	for _, w := range strings.Fields(line) {
		if k, v, ok := strings.Cut(w, "="); ok {
			f[k] = v
		}
	}
	return f
}

// hostPid maps a pid seen inside spark2's namespace to this test's view.
func (m *master) hostPid(pid int) int {
	if !m.ns {
		return pid
	}
	for _, st := range m.descendants() {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", st.Pid))
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "NSpid:"); ok {
				f := strings.Fields(v)
				if f[len(f)-1] == strconv.Itoa(pid) {
					return st.Pid
				}
			}
		}
	}
	m.t.Fatalf("no process has pid %d in spark2's namespace", pid)
	return 0
}

// descendants lists the processes below spark2.
func (m *master) descendants() []procfs.Stat {
	all, _ := procfs.All()
	return procfs.Descendants(all, m.pid)
}

func (m *master) zombies() int {
	n := 0
	for _, st := range m.descendants() {
		if st.State == 'Z' {
			n++
		}
	}
	return n
}

func (m *master) signal(s syscall.Signal) {
	m.t.Helper()
	if err := syscall.Kill(m.pid, s); err != nil {
		m.t.Fatalf("signal spark2: %v", err)
	}
}

// wait waits for spark2 to exit and returns its exit code.
func (m *master) wait() int {
	m.t.Helper()
	select {
	case <-m.done:
		return m.code
	case <-time.After(60 * time.Second):
		m.t.Fatalf("spark2 did not exit; stderr:\n%s", m.Stderr())
	}
	return -1
}

// kill ends spark2 and whatever it left, if the test has not.
func (m *master) kill() {
	select {
	case <-m.done:
		return
	default:
	}
	left := m.descendants()
	syscall.Kill(m.pid, syscall.SIGKILL)
	for _, st := range left {
		syscall.Kill(st.Pid, syscall.SIGKILL)
	}
	<-m.done
}

// eventually polls cond until it holds or 30 s pass (the machine may be busy).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
