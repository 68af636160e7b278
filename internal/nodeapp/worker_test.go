package nodeapp

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// timeout bounds every wait of these tests; none of them sleeps.
const timeout = 20 * time.Second

// worker is a node worker started as spark2 would start it: the argv and env
// of Command, a listening socket as fd 3 with LISTEN_FDS=1, and a pipe as
// SPARK2_READY_FD.
type worker struct {
	t      *testing.T
	cmd    *exec.Cmd
	port   int           // the port of the socket on fd 3; 0 when stand-alone
	lines  chan string   // stdout, line by line; closed at EOF
	seen   []string      // stdout lines consumed so far, for failure messages
	ready  *os.File      // read end of the SPARK2_READY_FD pipe
	stderr syncBuffer    // everything node wrote to stderr
	exited chan struct{} // closed once Wait returned
	state  *os.ProcessState
}

// spawn starts a worker for the app in dir with o (o.App is filled in) and
// the extra "KEY=VALUE" entries of env. standalone leaves out fd 3 and
// LISTEN_FDS. The worker is killed, if still running, when the test ends.
func spawn(t *testing.T, dir string, o Options, standalone bool, env ...string) *worker {
	t.Helper()
	requireNode(t)
	if o.App == "" {
		app, err := Find(dir)
		if err != nil {
			t.Fatal(err)
		}
		o.App = app
	}
	base := cleanEnv()
	argv, extra := Command(o, 0, base)
	w := &worker{t: t, lines: make(chan string, 64), exited: make(chan struct{})}
	w.cmd = exec.Command(argv[0], argv[1:]...)
	w.cmd.Dir = dir
	w.cmd.Env = append(append(base, extra...), "SPARK2_WORKER_ID=0")
	w.cmd.Stderr = &w.stderr
	var parentEnds []*os.File
	if !standalone {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() }) // like the master, the test keeps the socket open
		f, err := ln.(*net.TCPListener).File()
		if err != nil {
			t.Fatal(err)
		}
		w.port = ln.Addr().(*net.TCPAddr).Port
		w.cmd.ExtraFiles = append(w.cmd.ExtraFiles, f)
		w.cmd.Env = append(w.cmd.Env, "LISTEN_FDS=1", "PORT="+strconv.Itoa(w.port))
		parentEnds = append(parentEnds, f)
	}
	r, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.ready = r
	t.Cleanup(func() { r.Close() })
	w.cmd.ExtraFiles = append(w.cmd.ExtraFiles, wr)
	w.cmd.Env = append(w.cmd.Env, "SPARK2_READY_FD="+strconv.Itoa(2+len(w.cmd.ExtraFiles)))
	parentEnds = append(parentEnds, wr)
	w.cmd.Env = append(w.cmd.Env, env...)
	stdout, err := w.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for _, f := range parentEnds {
		f.Close()
	}
	go w.read(stdout)
	t.Cleanup(func() {
		select {
		case <-w.exited:
		default:
			w.cmd.Process.Kill()
			<-w.exited
		}
		if t.Failed() {
			t.Logf("node stdout:\n%s\nnode stderr:\n%s", strings.Join(w.seen, "\n"), w.stderr.String())
		}
	})
	return w
}

// read forwards stdout lines, then waits for the process (Wait must follow
// the last read of the pipe).
func (w *worker) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		w.lines <- sc.Text()
	}
	close(w.lines)
	w.cmd.Wait()
	w.state = w.cmd.ProcessState
	close(w.exited)
}

// waitLine consumes stdout lines until one satisfies match, and returns it.
func (w *worker) waitLine(what string, match func(string) bool) string {
	w.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-w.lines:
			if !ok {
				w.t.Fatalf("stdout ended before %s; stderr: %s", what, w.stderr.String())
			}
			w.seen = append(w.seen, line)
			if match(line) {
				return line
			}
		case <-deadline:
			w.t.Fatalf("no %s on stdout within %v; lines so far: %q", what, timeout, w.seen)
		}
	}
}

// waitText waits for a stdout line equal to text.
func (w *worker) waitText(text string) {
	w.t.Helper()
	w.waitLine(strconv.Quote(text), func(line string) bool { return line == text })
}

// waitReady asserts that the ready fd receives exactly "\n" and is closed.
func (w *worker) waitReady() {
	w.t.Helper()
	w.ready.SetReadDeadline(time.Now().Add(timeout))
	b, err := io.ReadAll(w.ready)
	if err != nil || string(b) != "\n" {
		w.t.Fatalf("ready fd: got %q, %v; want \"\\n\" then EOF; stderr: %s", b, err, w.stderr.String())
	}
}

// waitExit waits for node to exit and returns its exit code.
func (w *worker) waitExit() int {
	w.t.Helper()
	select {
	case <-w.exited:
		return w.state.ExitCode()
	case <-time.After(timeout):
		w.t.Fatalf("node did not exit within %v", timeout)
		return -1
	}
}

// signal sends sig to node.
func (w *worker) signal(sig syscall.Signal) {
	w.t.Helper()
	if err := w.cmd.Process.Signal(sig); err != nil {
		w.t.Fatalf("signal %v: %v", sig, err)
	}
}

func (w *worker) addr() string { return "127.0.0.1:" + strconv.Itoa(w.port) }

// requireNode skips the test where node is not installed, except in CI.
func requireNode(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node is needed: %v", err)
		}
		t.Skipf("node is needed: %v", err)
	}
}

// cleanEnv is the test's environment without what would change a worker.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "SPARK2_") || strings.HasPrefix(k, "LISTEN_") || strings.HasPrefix(k, "NODE_") ||
			k == "NOTIFY_SOCKET" || k == "PORT" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// writeApp writes files (name -> content) into a new temporary directory.
func writeApp(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// syncBuffer is a bytes.Buffer safe for exec's copying goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
