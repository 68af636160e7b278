package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// kidsOf lists the children of pid (zombies included) from
// /proc/PID/task/*/children: every thread's list, since a multi-threaded
// parent's children are spread over its threads.
func kidsOf(pid int) []int {
	files, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	var out []int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, w := range strings.Fields(string(b)) {
			if k, err := strconv.Atoi(w); err == nil {
				out = append(out, k)
			}
		}
	}
	return out
}

// statField returns /proc/PID/stat's state letter and parent pid.
func statOf(pid int) (state byte, ppid int, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	return f[0][0], ppid, true
}

// treeBelow returns every process below pid (a /proc scan), deepest last.
func treeBelow(pid int) []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	kids := map[int][]int{}
	for _, d := range dirs {
		p, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if _, pp, ok := statOf(p); ok {
			kids[pp] = append(kids[pp], p)
		}
	}
	var out []int
	q := []int{pid}
	for len(q) > 0 {
		p := q[0]
		q = q[1:]
		for _, k := range kids[p] {
			out = append(out, k)
			q = append(q, k)
		}
	}
	return out
}

// statusKB reads "Key: N kB" lines of /proc/PID/status.
func statusKB(pid int) map[string]int {
	out := map[string]int{}
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return out
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		fs := strings.Fields(v)
		if len(fs) == 2 && fs[1] == "kB" {
			n, _ := strconv.Atoi(fs[0])
			out[k] = n
		}
	}
	return out
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tracked remembers every process group and PID-namespace init this program
// started, so that cleanup can end them whatever happened.
var tracked struct {
	sync.Mutex
	pgids map[int]bool // process groups (servers)
	inits map[int]bool // host pids of namespace inits
}

func track(pgid int, init bool) {
	tracked.Lock()
	defer tracked.Unlock()
	if tracked.pgids == nil {
		tracked.pgids, tracked.inits = map[int]bool{}, map[int]bool{}
	}
	if init {
		tracked.inits[pgid] = true
	} else {
		tracked.pgids[pgid] = true
	}
}

func untrack(pgid int, init bool) {
	tracked.Lock()
	defer tracked.Unlock()
	if init {
		delete(tracked.inits, pgid)
	} else {
		delete(tracked.pgids, pgid)
	}
}

// cleanupAll kills every namespace init (the kernel then kills the whole
// namespace), TERMs every server process group, gives them 3 s, then KILLs
// whatever is still below this process (it is a child subreaper, so orphans
// of its children are below it too).
func cleanupAll() {
	tracked.Lock()
	inits, pgids := tracked.inits, tracked.pgids
	tracked.inits, tracked.pgids = map[int]bool{}, map[int]bool{}
	tracked.Unlock()
	for p := range inits {
		syscall.Kill(p, syscall.SIGKILL)
	}
	for g := range pgids {
		syscall.Kill(-g, syscall.SIGTERM)
	}
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) && len(treeBelow(os.Getpid())) > 0 {
		reapAll()
		time.Sleep(50 * time.Millisecond)
	}
	for i := 0; i < 3; i++ {
		below := treeBelow(os.Getpid())
		if len(below) == 0 {
			break
		}
		for _, p := range below {
			syscall.Kill(p, syscall.SIGKILL)
		}
		time.Sleep(100 * time.Millisecond)
		reapAll()
	}
}

// reapAll collects zombie children that no exec.Cmd waits for (orphans that
// came back to this subreaper). It only waits for pids no Cmd owns: waiting
// for any child (-1) would steal exit statuses from exec.Cmd.Wait.
func reapAll() {
	for _, k := range kidsOf(os.Getpid()) {
		if st, _, ok := statOf(k); ok && st == 'Z' && !owned(k) {
			var ws syscall.WaitStatus
			syscall.Wait4(k, &ws, syscall.WNOHANG, nil)
		}
	}
}

var owners struct {
	sync.Mutex
	m map[int]bool
}

func own(pid int, yes bool) {
	owners.Lock()
	defer owners.Unlock()
	if owners.m == nil {
		owners.m = map[int]bool{}
	}
	if yes {
		owners.m[pid] = true
	} else {
		delete(owners.m, pid)
	}
}

func owned(pid int) bool {
	owners.Lock()
	defer owners.Unlock()
	return owners.m[pid]
}

// becomeSubreaper makes orphans of this program's children its own.
func becomeSubreaper() {
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// nsProc is one "unshare --pid --fork --mount-proc --kill-child INIT ..."; the
// init is PID 1 of a new PID namespace and unshare's only child.
type nsProc struct {
	cmd    *exec.Cmd
	init   int // host pid of the init, 0 until known
	done   chan struct{}
	ws     syscall.WaitStatus
	stderr *capped
}

// capped keeps the last bytes written to it.
type capped struct {
	mu sync.Mutex
	b  []byte
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.b = append(c.b, p...)
	if len(c.b) > 8192 {
		c.b = append([]byte(nil), c.b[len(c.b)-8192:]...)
	}
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.b)
}

// startNS starts argv as PID 1 of a new PID namespace (with its own /proc).
// stdout may be nil (discarded).
func startNS(argv, env []string, stdout io.Writer) (*nsProc, error) {
	full := append([]string{"unshare", "--pid", "--fork", "--mount-proc", "--kill-child"}, argv...)
	c := exec.Command(full[0], full[1:]...)
	c.Env = env
	c.Stdout = stdout
	n := &nsProc{cmd: c, done: make(chan struct{}), stderr: &capped{}}
	c.Stderr = n.stderr
	if err := c.Start(); err != nil {
		return nil, err
	}
	own(c.Process.Pid, true)
	go func() {
		c.Wait()
		if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); ok {
			n.ws = ws
		}
		own(c.Process.Pid, false)
		close(n.done)
	}()
	return n, nil
}

// findInit waits until unshare has forked the init and returns its host pid.
func (n *nsProc) findInit(timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		if k := kidsOf(n.cmd.Process.Pid); len(k) > 0 {
			n.init = k[0]
			track(n.init, true)
			return n.init, nil
		}
		select {
		case <-n.done:
			return 0, fmt.Errorf("unshare ended before its child was seen (%s); stderr: %s", describe(n.ws), tail(n.stderr.String()))
		default:
		}
		if time.Now().After(deadline) {
			return 0, errors.New("unshare's child not seen within " + timeout.String())
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// kill ends the namespace: SIGKILL to its init makes the kernel kill every
// process in it. Then it waits for unshare.
func (n *nsProc) kill() {
	if n.init > 0 {
		syscall.Kill(n.init, syscall.SIGKILL)
		untrack(n.init, true)
	} else {
		n.cmd.Process.Kill() // --kill-child takes the init with it
	}
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
		n.cmd.Process.Kill()
		<-n.done
	}
}

// wait waits for unshare to end, at most timeout.
func (n *nsProc) wait(timeout time.Duration) bool {
	select {
	case <-n.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// describe says how a process ended, as a shell would: "exit N" or
// "killed by SIGNAL".
func describe(ws syscall.WaitStatus) string {
	switch {
	case ws.Exited():
		return "exit " + strconv.Itoa(ws.ExitStatus())
	case ws.Signaled():
		return "killed by " + sigName(ws.Signal())
	}
	return fmt.Sprintf("status %#x", uint32(ws))
}

func sigName(s syscall.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return n
	}
	return "signal " + strconv.Itoa(int(s))
}

func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 600 {
		s = "…" + s[len(s)-600:]
	}
	return s
}

// server is a long-running process started in its own process group, its
// output going to a log file.
type server struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func startServer(name string, argv, env []string, dir, logPath string) (*server, error) {
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	c := exec.Command(argv[0], argv[1:]...)
	c.Env, c.Dir = env, dir
	c.Stdout, c.Stderr = lf, lf
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	lf.Close()
	own(c.Process.Pid, true)
	track(c.Process.Pid, false)
	s := &server{name: name, cmd: c, log: logPath, done: make(chan struct{})}
	go func() {
		c.Wait()
		own(c.Process.Pid, false)
		close(s.done)
	}()
	return s, nil
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func (s *server) alive() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// stop TERMs the server's process group, then KILLs it after grace.
func (s *server) stop(grace time.Duration) {
	syscall.Kill(-s.pid(), syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(grace):
		syscall.Kill(-s.pid(), syscall.SIGKILL)
		for _, p := range treeBelow(s.pid()) {
			syscall.Kill(p, syscall.SIGKILL)
		}
		<-s.done
	}
	untrack(s.pid(), false)
}

func (s *server) logTail() string {
	b, _ := os.ReadFile(s.log)
	return tail(string(b))
}
