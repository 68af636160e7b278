package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is spark2 running a recipe, or gunicorn alone.
type server struct {
	cmd  *exec.Cmd
	hup  bool
	port string
	tmp  string
	mu   sync.Mutex
	out  bytes.Buffer // stdout and stderr
	done chan struct{}
}

func (sv *server) Write(b []byte) (int, error) {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return sv.out.Write(b)
}

func (sv *server) count(s string) int {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return bytes.Count(sv.out.Bytes(), []byte(s))
}

func (sv *server) tail() string {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(sv.out.String()), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, "\n")
}

var listenAddr = regexp.MustCompile(`listen="[^"]*:(\d+)"`)

// start runs r and waits until it answers a GET.
func start(s *settings, r recipe) (*server, error) {
	sv := &server{hup: r.hup, done: make(chan struct{})}
	var err error
	if sv.tmp, err = os.MkdirTemp("", "reloadbench-"); err != nil {
		return nil, err
	}
	os.Chmod(sv.tmp, 0o755) // nginx's worker runs as nobody
	var argv []string
	if r.hup {
		if sv.port, err = freePort(); err != nil {
			return nil, err
		}
		n := len(r.args)
		argv = append(append(append([]string{}, r.args[:n-1]...), "-b", "127.0.0.1:"+sv.port), r.args[n-1])
	} else {
		argv = append([]string{s.spark2, "-p", "0", "-n", fmt.Sprint(s.workers)}, r.args...)
	}
	sv.cmd = exec.Command(argv[0], argv[1:]...)
	sv.cmd.Dir = r.dir
	sv.cmd.Env = append(os.Environ(), "TMPDIR="+sv.tmp)
	sv.cmd.Stdout, sv.cmd.Stderr = sv, sv
	sv.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := sv.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { sv.cmd.Wait(); close(sv.done) }()
	up := func() bool {
		if sv.port == "" {
			sv.mu.Lock()
			if f := listenAddr.FindSubmatch(sv.out.Bytes()); f != nil {
				sv.port = string(f[1])
			}
			sv.mu.Unlock()
		}
		return sv.port != "" && answers(sv.url())
	}
	if err := sv.until("it answers", up); err != nil {
		sv.stop()
		return nil, err
	}
	return sv, nil
}

func (sv *server) url() string { return "http://127.0.0.1:" + sv.port + "/" }

// until polls cond until it holds, the server ends, or deadline passes.
func (sv *server) until(what string, cond func() bool) error {
	for end := time.Now().Add(deadline); !cond(); time.Sleep(10 * time.Millisecond) {
		select {
		case <-sv.done:
			return fmt.Errorf("ended before %s:\n%s", what, sv.tail())
		default:
		}
		if time.Now().After(end) {
			return fmt.Errorf("not %s within %v:\n%s", what, deadline, sv.tail())
		}
	}
	return nil
}

// reload sends the i-th (from 0) reload and waits until it is done: for
// spark2 its rolling respawn is done; for gunicorn both new workers have
// booted and both old ones have exited.
func (sv *server) reload(i int) error {
	if !sv.hup {
		sv.cmd.Process.Signal(syscall.SIGCONT)
		return sv.until("the rolling respawn done", func() bool { return sv.count("rolling respawn done") >= i+1 })
	}
	sv.cmd.Process.Signal(syscall.SIGHUP)
	return sv.until("the reload done", func() bool {
		return sv.count("Booting worker") >= 2*(i+2) && sv.count("Worker exiting") >= 2*(i+1)
	})
}

// stop stops the server with TERM, then KILLs its process group.
func (sv *server) stop() {
	sv.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-sv.done:
	case <-time.After(15 * time.Second):
	}
	syscall.Kill(-sv.cmd.Process.Pid, syscall.SIGKILL)
	<-sv.done
	os.RemoveAll(sv.tmp)
}

// answers reports whether url gives a 200 to one GET.
func answers(url string) bool {
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", addr)
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "HTTP/1.1 200")
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, nil
}
