package launch

import (
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/contract"
)

// startAndWait starts spec and returns its output, exec result and exit code.
func startAndWait(t testing.TB, spec Spec) (*Process, string, error, int) {
	t.Helper()
	type execReport struct {
		pid int
		err error
	}
	execs := make(chan execReport, 1)
	spec.Report.Exec = func(pid int, err error) { execs <- execReport{pid, err} }
	p, err := Start(spec)
	if err != nil {
		t.Fatal(err)
	}
	if p.PidFD >= 0 {
		unix.Close(p.PidFD)
	}
	out, _ := io.ReadAll(p.Stdout)
	p.Stdout.Close()
	p.Stderr.Close()
	r := <-execs
	if r.pid != p.Pid {
		t.Errorf("exec report for pid %d, want %d", r.pid, p.Pid)
	}
	execErr := r.err
	var ws unix.WaitStatus
	if _, err := unix.Wait4(p.Pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	return p, string(out), execErr, ws.ExitStatus()
}

// TestStartGivesTheWorkersPidfd: Process.PidFD is a pidfd on the worker
// itself (its fdinfo names the worker's pid), that signals it and that
// shows its end.
func TestStartGivesTheWorkersPidfd(t *testing.T) {
	self, _ := os.Executable()
	p, err := Start(Spec{Self: self, Env: []string{"PATH=/usr/bin:/bin"}, Command: []string{"sleep", "100"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stdout.Close()
	defer p.Stderr.Close()
	if p.PidFD < 0 {
		t.Fatal("no pidfd from clone")
	}
	defer unix.Close(p.PidFD)
	info, _ := os.ReadFile("/proc/self/fdinfo/" + strconv.Itoa(p.PidFD))
	if !strings.Contains(string(info), "\nPid:\t"+strconv.Itoa(p.Pid)+"\n") {
		t.Fatalf("fdinfo of the pidfd:\n%s\nwant Pid: %d", info, p.Pid)
	}
	if err := unix.PidfdSendSignal(p.PidFD, unix.SIGKILL, nil, 0); err != nil {
		t.Fatalf("pidfd_send_signal: %v", err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(p.Pid, &ws, 0, nil); err != nil || ws.Signal() != unix.SIGKILL {
		t.Fatalf("wait4: %v, %v; want killed by SIGKILL", err, ws)
	}
	fds := []unix.PollFd{{Fd: int32(p.PidFD), Events: unix.POLLIN}}
	if n, err := unix.Poll(fds, 0); n != 1 || err != nil {
		t.Fatalf("poll of the pidfd after the end: %d, %v; want readable", n, err)
	}
}

func TestStartGoesThroughTheStub(t *testing.T) {
	self, _ := os.Executable()
	env := []string{"PATH=/usr/bin:/bin", "LISTEN_FDS=1", "WATCHDOG_USEC=1000000"}
	p, out, execErr, code := startAndWait(t, Spec{Self: self, Env: env, Files: []*os.File{os.Stdin},
		Command: []string{"sh", "-c", `echo $LISTEN_PID $WATCHDOG_PID $$; ls /proc/self/fd`}})
	if execErr != nil || code != 0 {
		t.Fatalf("exec %v, code %d", execErr, code)
	}
	wantStub := runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64"
	if p.ViaStub != wantStub {
		t.Errorf("ViaStub = %v on %s, want %v", p.ViaStub, runtime.GOARCH, wantStub)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	pid := strconv.Itoa(p.Pid)
	if lines[0] != pid+" "+pid+" "+pid {
		t.Errorf("LISTEN_PID WATCHDOG_PID $$ = %q, want %s three times", lines[0], pid)
	}
	if fds := strings.Join(lines[1:], " "); fds != "0 1 2 3 4" { // 4: ls's own
		t.Errorf("fds %q, want 0 1 2 3 and ls's own", fds)
	}
}

func TestStartReportsCommandsThatCannotRun(t *testing.T) {
	self, _ := os.Executable()
	dir := t.TempDir()
	cases := []struct {
		cmd      string
		code     int
		viaStub  bool
		contains string
	}{
		{"definitely-not-a-command-spark2", 127, false, "not found"}, // not in PATH: Child says so
		{dir + "/missing", 127, true, "no such file"},
		{dir, 126, true, "permission denied"},
	}
	for _, c := range cases {
		p, _, execErr, code := startAndWait(t, Spec{Self: self, Env: []string{"PATH=/bin"}, Command: []string{c.cmd}})
		var ee *ExecError
		if !errors.As(execErr, &ee) || ee.Code != c.code || code != c.code || !strings.Contains(ee.Msg, c.contains) {
			t.Errorf("%s: exec %v, exit %d; want code %d and %q", c.cmd, execErr, code, c.code, c.contains)
		}
		if p.ViaStub != (c.viaStub && len(stubELF) > 0) {
			t.Errorf("%s: ViaStub = %v", c.cmd, p.ViaStub)
		}
	}
}

// TestStartRefusesWhatExecCannotTake: an environment string longer than
// contract.MaxEnvLen makes exec fail with E2BIG, which no retry mends: Start
// returns an *ExecError with code 126 (a shell's) that names the command, and
// leaves nothing running. One of MaxEnvLen bytes runs.
func TestStartRefusesWhatExecCannotTake(t *testing.T) {
	self, _ := os.Executable()
	long := "BIG=" + strings.Repeat("x", contract.MaxEnvLen-len("BIG="))
	_, _, execErr, code := startAndWait(t, Spec{Self: self, Env: []string{"PATH=/bin", long}, Command: []string{"true"}})
	if execErr != nil || code != 0 {
		t.Fatalf("an environment string of MaxEnvLen bytes: exec %v, exit %d; want it to run", execErr, code)
	}
	_, err := Start(Spec{Self: self, Env: []string{"PATH=/bin", long + "x"}, Command: []string{"true"}})
	var ee *ExecError
	if !errors.As(err, &ee) || ee.Code != 126 || !strings.Contains(ee.Msg, `"true"`) || !strings.Contains(ee.Msg, "E2BIG") {
		t.Fatalf("an environment string of MaxEnvLen+1 bytes: %v; want an *ExecError, code 126, naming the command and E2BIG", err)
	}
}

// TestMain lets the test binary be the Go trampoline, as spark2 is.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == ChildArg {
		os.Exit(Child(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// TestFilesStartAtListenFD: Spec.Files[0] is the worker's fd
// contract.ListenFD, and the ready fd, named by SPARK2_READY_FD, comes
// right after the files.
func TestFilesStartAtListenFD(t *testing.T) {
	self, _ := os.Executable()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fd := strconv.Itoa(contract.ListenFD)
	_, out, execErr, code := startAndWait(t, Spec{Self: self, Env: []string{"PATH=/usr/bin:/bin"}, Files: []*os.File{w}, ReadyFD: true,
		Command: []string{"sh", "-c", `echo socket >&` + fd + `; echo $` + contract.ReadyFD}})
	w.Close()
	if execErr != nil || code != 0 {
		t.Fatalf("exec %v, code %d", execErr, code)
	}
	if got, _ := io.ReadAll(r); string(got) != "socket\n" {
		t.Errorf("fd %s of the worker wrote %q to Files[0], want \"socket\\n\"", fd, got)
	}
	if want := strconv.Itoa(contract.ListenFD + 1); strings.TrimSpace(out) != want {
		t.Errorf("%s = %q, want %s", contract.ReadyFD, strings.TrimSpace(out), want)
	}
}

// TestWorkersPipesAreBlocking: the worker's stdin, stdout, stderr and ready
// fd are in blocking mode (a worker that writes to a non-blocking stdout
// gets EAGAIN: Python's print raises BlockingIOError), while the master's
// ends are read through Go's poller.
func TestWorkersPipesAreBlocking(t *testing.T) {
	self, _ := os.Executable()
	p, err := Start(Spec{Self: self, Env: []string{"PATH=/usr/bin:/bin"}, ReadyFD: true, Command: []string{"sleep", "100"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		unix.Kill(p.Pid, unix.SIGKILL)
		var ws unix.WaitStatus
		unix.Wait4(p.Pid, &ws, 0, nil)
		p.Stdout.Close()
		p.Stderr.Close()
		if p.PidFD >= 0 {
			unix.Close(p.PidFD)
		}
	}()
	flags := func(pid, fd int) (int64, bool) {
		info, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/fdinfo/" + strconv.Itoa(fd))
		if err != nil {
			return 0, false
		}
		for _, l := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(l, "flags:"); ok {
				n, err := strconv.ParseInt(strings.TrimSpace(v), 8, 64)
				return n, err == nil
			}
		}
		return 0, false
	}
	deadline := time.Now().Add(10 * time.Second)
	for { // until the worker is sleep, past the stub's exec
		if comm, _ := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/comm"); strings.TrimSpace(string(comm)) == "sleep" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the worker never became sleep")
		}
		time.Sleep(time.Millisecond)
	}
	for _, fd := range []int{0, 1, 2, 3} { // 3: the ready fd (no files)
		f, ok := flags(p.Pid, fd)
		if !ok {
			t.Fatalf("no flags for the worker's fd %d", fd)
		}
		if f&unix.O_NONBLOCK != 0 {
			t.Errorf("the worker's fd %d is non-blocking (flags %o)", fd, f)
		}
	}
	for name, f := range map[string]*os.File{"stdout": p.Stdout, "stderr": p.Stderr} {
		rc, err := f.SyscallConn() // Fd would set it blocking
		if err != nil {
			t.Fatalf("the master's end of the worker's %s: %v", name, err)
		}
		var fl int64
		var ok bool
		rc.Control(func(fd uintptr) { fl, ok = flags(os.Getpid(), int(fd)) })
		if !ok || fl&unix.O_NONBLOCK == 0 {
			t.Errorf("the master's end of the worker's %s is blocking (flags %o, %v): it must be read through the poller", name, fl, ok)
		}
	}
}
