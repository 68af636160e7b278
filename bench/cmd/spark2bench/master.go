package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// mode is how spark2 runs: a plain process (a child subreaper), or PID 1 of a
// new PID namespace under unshare.
type mode string

const (
	plain mode = "plain"
	pid1  mode = "pid1"
)

// master is one running spark2.
type master struct {
	cmd    *exec.Cmd
	pid    int // spark2's pid in the benchmark's namespace
	mode   mode
	t0     time.Time   // just before the exec
	lines  chan string // its stdout lines, when captured
	stderr *lockedBuffer
	done   chan struct{} // closed once it has been waited for
	state  *os.ProcessState
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 {
		return len(p), nil // keep the tail out: enough to diagnose
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// live tracks what the benchmark started, for the emergency cleanup.
var live = struct {
	sync.Mutex
	pids map[int]bool
}{pids: map[int]bool{}}

func track(pid int)   { live.Lock(); live.pids[pid] = true; live.Unlock() }
func untrack(pid int) { live.Lock(); delete(live.pids, pid); live.Unlock() }

// unshareArgs runs a command as PID 1 of a new PID namespace with its own
// /proc; --kill-child takes the whole namespace down if unshare dies.
var unshareArgs = []string{"unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "--"}

// spark2Base goes before the arguments of every spark2 the benchmark starts:
// a listening socket on a free loopback port, when spark2 has one, so that
// masters never fight for a port and the socket hand-over is measured too.
var spark2Base []string

// startMaster starts spark2 with args. With stdout nil, its stdout is
// captured line by line into m.lines; otherwise it goes to stdout.
func startMaster(md mode, spark2 string, stdout *os.File, args ...string) (*master, error) {
	return startMasterEnv(md, spark2, stdout, nil, args...)
}

// startMasterEnv is startMaster with env added to the benchmark's own
// environment.
func startMasterEnv(md mode, spark2 string, stdout *os.File, env []string, args ...string) (*master, error) {
	argv := append(append([]string{spark2}, spark2Base...), args...)
	if md == pid1 {
		argv = append(append([]string{}, unshareArgs...), argv...)
	}
	m := &master{mode: md, stderr: &lockedBuffer{}, done: make(chan struct{})}
	m.cmd = exec.Command(argv[0], argv[1:]...)
	m.cmd.Stderr = m.stderr
	if env != nil {
		m.cmd.Env = append(os.Environ(), env...)
	}
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var pr, pw *os.File
	if stdout == nil {
		var err error
		if pr, pw, err = os.Pipe(); err != nil {
			return nil, err
		}
		m.cmd.Stdout = pw
		m.lines = make(chan string, 1<<16)
	} else {
		m.cmd.Stdout = stdout
	}
	m.t0 = time.Now()
	err := m.cmd.Start()
	if pw != nil {
		pw.Close()
	}
	if err != nil {
		if pr != nil {
			pr.Close()
		}
		return nil, err
	}
	track(m.cmd.Process.Pid)
	if pr != nil {
		go func() {
			sc := bufio.NewScanner(pr)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				m.lines <- sc.Text()
			}
			pr.Close()
			close(m.lines)
		}()
	}
	go func() {
		m.cmd.Wait()
		m.state = m.cmd.ProcessState
		untrack(m.cmd.Process.Pid)
		close(m.done)
	}()
	m.pid = m.cmd.Process.Pid
	if md == pid1 {
		deadline := time.Now().Add(15 * time.Second) // a busy shared machine can take seconds
		for {
			if k := children(m.cmd.Process.Pid); len(k) > 0 {
				m.pid = k[0]
				break
			}
			if time.Now().After(deadline) {
				m.kill()
				return nil, errors.New("unshare did not start spark2: " + m.stderr.String())
			}
			time.Sleep(200 * time.Microsecond)
		}
	}
	return m, nil
}

// next returns the next stdout line, or an error after timeout or EOF.
func (m *master) next(timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case l, ok := <-m.lines:
		if !ok {
			return "", fmt.Errorf("spark2 closed its stdout (exited?); stderr:\n%s", tail(m.stderr.String()))
		}
		return l, nil
	case <-t.C:
		return "", fmt.Errorf("no output from spark2 within %v; stderr:\n%s", timeout, tail(m.stderr.String()))
	}
}

// stop asks spark2 to stop (TERM) and waits; after timeout it kills it.
func (m *master) stop(timeout time.Duration) error {
	syscall.Kill(m.pid, syscall.SIGTERM)
	select {
	case <-m.done:
		return nil
	case <-time.After(timeout):
		m.kill()
		return fmt.Errorf("spark2 did not stop within %v after SIGTERM", timeout)
	}
}

// kill kills spark2 (and with it, as PID 1, its namespace) and waits.
func (m *master) kill() {
	syscall.Kill(m.pid, syscall.SIGKILL)
	m.cmd.Process.Kill()
	select {
	case <-m.done:
	case <-time.After(5 * time.Second):
	}
}

// wait waits for spark2 to exit by itself and returns its exit code.
func (m *master) wait(timeout time.Duration) (int, error) {
	select {
	case <-m.done:
		return m.state.ExitCode(), nil
	case <-time.After(timeout):
		m.kill()
		return -1, fmt.Errorf("spark2 did not exit within %v", timeout)
	}
}

// hostPid maps a pid as a worker of m sees it to the benchmark's pid for it.
func (m *master) hostPid(inner int) int {
	if m.mode == plain {
		return inner
	}
	for _, k := range children(m.pid) {
		if ns := nsPids(k); len(ns) > 0 && ns[len(ns)-1] == inner {
			return k
		}
	}
	return 0
}

type stampLine struct {
	slot string
	pid  int
	ns   int64
}

func parseStamp(l string) (stampLine, bool) {
	f := strings.Fields(l)
	if len(f) != 4 || f[0] != "stamp" {
		return stampLine{}, false
	}
	pid, err1 := strconv.Atoi(f[2])
	ns, err2 := strconv.ParseInt(f[3], 10, 64)
	return stampLine{slot: f[1], pid: pid, ns: ns}, err1 == nil && err2 == nil
}

// nextStamp skips lines until a stamp.
func (m *master) nextStamp(timeout time.Duration) (stampLine, error) {
	deadline := time.Now().Add(timeout)
	for {
		l, err := m.next(time.Until(deadline))
		if err != nil {
			return stampLine{}, err
		}
		if s, ok := parseStamp(l); ok {
			return s, nil
		}
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}

// cleanup kills every process below the benchmark (it is a child subreaper, so
// orphans of a spark2 that died come back to it), then reaps them.
func cleanup() {
	live.Lock()
	for pid := range live.pids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	live.Unlock()
	for i := 0; i < 50; i++ {
		ds := descendants(os.Getpid())
		alive := 0
		for _, d := range ds {
			if d.state != 'Z' {
				syscall.Kill(d.pid, syscall.SIGKILL)
				alive++
			}
		}
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
		if len(ds) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func becomeSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// devNull opens /dev/null for writing.
func devNull() *os.File {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	return f
}

var _ io.Writer = (*lockedBuffer)(nil)
