// Package launch starts worker processes, keeping the worker contract: fds
// exactly 0..n (stdin /dev/null, stdout and stderr pipes, the listening
// socket, the ready fd), LISTEN_PID and WATCHDOG_PID set to the worker's own
// pid, every signal unblocked and at its default action, a new process group,
// no_new_privs under -u, and "command not found" (127) or "cannot execute"
// (126) known at once, never mistaken for a worker that ran and exited 127.
//
// A worker gets SIGKILL from the kernel when the master dies (the parent
// death signal): a master that is KILLed (the OOM killer, kill -9) outside a
// PID namespace leaves no worker holding its port. The signal is tied to the
// thread that forked; the master never ends a thread (it locks none to a
// goroutine), so only the master's death sends it. Exec keeps it, and the
// master has dropped to -u before any fork, so no change of ids clears it.
//
// The clone that makes a worker also makes a pidfd on it (CLONE_PIDFD;
// Process.PidFD), which names that process however soon it ends and its pid
// is given to another: the master tells a worker's own exit by it.
//
// Go cannot run code between fork and exec, and the pid is only known after
// the fork, so something must run in the child first. On amd64 and arm64
// that is the exec stub: a static ELF program of about 600 bytes
// (stub/amd64.S, stub/arm64.S; stub/gen.sh assembles them, CI checks that
// the committed bytes are what the sources make), which the master writes
// once into a sealed memfd and execs as /proc/self/fd/N. It sets every
// variable whose value is OwnPID to its pid, resets the signal mask and
// dispositions (exec keeps a blocked mask and ignored signals that spark2's
// parent may have set), marks every fd from the exec report fd up
// close-on-exec, sets no_new_privs when asked, and execve's COMMAND, which
// the master looked up in the worker's PATH beforehand. If execve fails it
// writes the errno (one byte) to the report pipe and exits 127 or 126; the
// master turns that into the message. The whole detour costs one extra
// execve of a tiny static file: no dynamic loader, no runtime, no
// allocation. The master's fds are close-on-exec already (Go opens them so,
// and app marks the ones spark2 inherited), so the stub's close_range is a
// second line, not the only one.
//
// The Go trampoline stays as the fallback: spark2 re-execs itself in a
// hidden mode (Child) that does the same work in Go, at the price of a whole
// Go runtime start per worker (about 10 ms on a busy 2-core machine). It is
// used on other architectures, when the memfd cannot be made or exec'd
// (kernels before 3.17, vm.memfd_noexec=2, no /proc), and when COMMAND is
// not found in the master's lookup, so the error message and the code are
// Child's, as before.
//
// Trade-offs: the stub is assembly, reviewed by reading rather than by the
// compiler, and kept small for that reason; its tests run it directly
// (arm64 under qemu-aarch64). The master's PATH lookup happens before the
// fork, so a file that appears or vanishes in between is seen by execve
// (ENOENT gives 127 with the kernel's message). The memfd costs one fd of
// the master for its whole life.
package launch

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/contract"
	"github.com/spark2/spark2/internal/exitcode"
	"github.com/spark2/spark2/internal/procfs"
)

// ChildArg is the first argument that puts spark2 into its hidden child mode.
const ChildArg = "__spark2_exec"

// Spec describes one worker to start.
type Spec struct {
	Self    string     // path of the spark2 binary (os.Executable)
	Command []string   // COMMAND and its arguments; Command[0] is looked up in the Env's PATH
	Env     []string   // the worker's whole environment
	Dir     string     // working directory; "" means the master's
	Files   []*os.File // inherited as fd 3 (contract.ListenFD), 4, ...; nil for none
	// ReadyFD gives the worker one more fd, after Files, and its number in
	// SPARK2_READY_FD: writing anything to it says "ready" (Reports.Ready).
	ReadyFD bool
	// ReadyPings keeps reading the ready fd after the first write: each
	// later write is a watchdog keep-alive (Reports.Ping). Needs ReadyFD.
	ReadyPings bool
	// NoNewPrivs sets no_new_privs in the worker: exec can never gain
	// privileges (setuid binaries, file capabilities).
	NoNewPrivs bool
	// Report receives what the launcher learns of the worker after Start
	// has returned its pid.
	Report Reports
}

// Reports are where Start reports on a worker, all from one goroutine of
// the launcher per worker, in this order: Exec, then (with Spec.ReadyFD,
// once COMMAND runs) Ready, then Ping for each later write. That goroutine
// ends when the ready fd is closed (without one, after Exec). A call may
// block: the worker's later reports wait for it, nothing else does. A nil
// field is not called.
type Reports struct {
	// Exec is called once, with nil once COMMAND has been exec'd, or with
	// an *ExecError when it could not be (the process then exits with its
	// Code).
	Exec func(pid int, err error)
	// Ready is called once the worker writes to its ready fd; never if it
	// closes the fd unwritten (it ended, or closed it).
	Ready func(pid int)
	// Ping is called for each later write to the ready fd (Spec.ReadyPings);
	// writes that pile up while a call blocks are one ping.
	Ping func(pid int)
}

// Process is a started worker.
type Process struct {
	Pid       int
	StartTime uint64 // from /proc/<pid>/stat; 0 if the process was already gone
	// PidFD is a pidfd on the worker, made by the clone that started it
	// (CLONE_PIDFD), so it names that process and no later one with its
	// pid; -1 where the kernel has none (before Linux 5.2). The caller
	// closes it.
	PidFD  int
	Stdout *os.File // read end of the worker's stdout pipe; the caller drains and closes it
	Stderr *os.File // read end of the worker's stderr pipe; the caller drains and closes it
	// ViaStub says the worker was started through the exec stub, not Child.
	ViaStub bool
}

// ExecError says why COMMAND could not be executed.
type ExecError struct {
	Code int    // exitcode.NotFound or exitcode.CannotExecute (found but not executable)
	Msg  string // one line, naming the command
}

func (e *ExecError) Error() string { return e.Msg }

// Start starts one worker: stdin is /dev/null, stdout and stderr are new pipes,
// spec.Files follow as fd 3 and up, and the worker leads a new process group
// (its pgid is its pid, so a signal to -pid reaches its children too). It does
// not wait for the process: the reaper does that; it reports the exec and
// the ready fd to spec.Report. An error means nothing was started, every
// pipe is closed and nothing is reported; it is an *ExecError (126) when
// exec refused the command line and environment as too long (E2BIG), which
// no retry mends.
func Start(spec Spec) (*Process, error) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return nil, fmt.Errorf("open %s for the worker's stdin: %w", os.DevNull, withFileLimit(err))
	}
	defer devnull.Close()
	var reads []*os.File // the master's ends
	var writes []int     // the worker's ends, closed here once it has them
	defer func() {
		for _, w := range writes {
			unix.Close(w)
		}
	}()
	closeReads := func() {
		for _, r := range reads {
			r.Close()
		}
	}
	pipe := func() (r *os.File, w int) {
		if err != nil {
			return nil, -1
		}
		if r, w, err = newPipe(); err == nil {
			reads, writes = append(reads, r), append(writes, w)
		}
		return r, w
	}
	outR, outW := pipe()
	errR, errW := pipe()
	execR, execW := pipe()
	var readyR *os.File
	readyW := -1
	if spec.ReadyFD {
		readyR, readyW = pipe()
	}
	if err != nil {
		closeReads()
		return nil, fmt.Errorf("create pipes for a worker: %w", withFileLimit(err))
	}
	fds := []uintptr{devnull.Fd(), uintptr(outW), uintptr(errW)}
	for _, f := range spec.Files {
		fds = append(fds, f.Fd())
	}
	env := spec.Env
	if readyW >= 0 {
		env = append(env[:len(env):len(env)], contract.ReadyFD+"="+strconv.Itoa(len(fds)))
		fds = append(fds, uintptr(readyW))
	}
	fds = append(fds, uintptr(execW))
	env = markOwnPID(env)
	pid, pidfd, viaStub, err := startProcess(spec, env, fds)
	runtime.KeepAlive(devnull) // its fd and spec.Files' must stay open until the child has them
	runtime.KeepAlive(spec.Files)
	if err != nil {
		closeReads()
		if errors.Is(err, syscall.E2BIG) { // 126, as in a shell
			return nil, &ExecError{Code: exitcode.CannotExecute, Msg: fmt.Sprintf("cannot run %q: its arguments and environment are too long for exec (E2BIG): shorten the --set values, the arguments or the environment spark2 was given", strings.Join(spec.Command, " "))}
		}
		return nil, fmt.Errorf("start worker %q: %w", strings.Join(spec.Command, " "), withFileLimit(err))
	}
	p := &Process{Pid: pid, PidFD: pidfd, Stdout: outR, Stderr: errR, ViaStub: viaStub}
	if st, err := procfs.ReadStat(p.Pid); err == nil {
		p.StartTime = st.StartTime
	}
	go report(p.Pid, spec, execR, readyR)
	return p, nil
}

// report is the launcher's one goroutine for a worker: it reads the exec
// report, then the ready fd (nil: none), and tells spec.Report. Only
// COMMAND writes to the ready fd, so nothing can be missed by reading it
// after the exec report.
func report(pid int, spec Spec, execR, readyR *os.File) {
	r := spec.Report
	err := readExecResult(execR, spec.Command[0])
	if r.Exec != nil {
		r.Exec(pid, err)
	}
	if readyR == nil {
		return
	}
	defer readyR.Close()
	if err == nil {
		awaitReady(readyR, pid, spec.ReadyPings, r)
	}
}

// newPipe makes a pipe whose read end is the master's, read through Go's
// poller, and whose write end is a worker's, blocking (a worker's stdout must
// not give EAGAIN) and never registered with the poller: os.Pipe registers
// both ends, and passing its write end to the child sets it blocking again,
// about six system calls a pipe for nothing, four pipes a worker start.
func newPipe() (*os.File, int, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return nil, -1, os.NewSyscallError("pipe2", err)
	}
	if err := unix.SetNonblock(p[0], true); err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return nil, -1, os.NewSyscallError("fcntl", err)
	}
	return os.NewFile(uintptr(p[0]), "|0"), p[1], nil
}

// withFileLimit adds to an EMFILE error the limit that was reached and how
// to raise it; other errors are returned as they are.
func withFileLimit(err error) error {
	var rl syscall.Rlimit
	if !errors.Is(err, syscall.EMFILE) || syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) != nil {
		return err
	}
	return fmt.Errorf("%w: spark2 reached its open file limit (RLIMIT_NOFILE %d); raise it (ulimit -n, docker run --ulimit nofile=N) or run fewer workers", err, rl.Cur)
}

// awaitReady reports Ready once the worker writes to its ready fd f; with
// pings, it then reads on and reports a Ping for each read that got
// something (writes that piled up are one keep-alive) until f is closed.
func awaitReady(f *os.File, pid int, pings bool, r Reports) {
	var b [64]byte
	n, _ := f.Read(b[:1])
	if n == 0 {
		return
	}
	if r.Ready != nil {
		r.Ready(pid)
	}
	for pings && n > 0 {
		if n, _ = f.Read(b[:]); n > 0 && r.Ping != nil {
			r.Ping(pid)
		}
	}
}

// readExecResult reads the child's report: nothing before EOF means COMMAND
// was exec'd (the pipe is close-on-exec); one byte is the exec stub's errno;
// otherwise Child's "<code> <message>".
func readExecResult(r *os.File, name string) error {
	defer r.Close()
	b, _ := io.ReadAll(io.LimitReader(r, 4096))
	switch len(b) {
	case 0:
		return nil
	case 1:
		errno := syscall.Errno(b[0])
		return &ExecError{Code: execCode(errno), Msg: fmt.Sprintf("exec %s: %v", name, errno)}
	}
	code, msg, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	n, err := strconv.Atoi(code)
	if err != nil {
		return &ExecError{Code: exitcode.CannotExecute, Msg: strings.TrimSpace(string(b))}
	}
	return &ExecError{Code: n, Msg: msg}
}

// startProcess forks the worker and execs the exec stub in it, or Child where
// there is no stub or COMMAND is not found (Child then says why). When the
// stub fails to start and Child does not, the kernel will not exec the stub
// (no /proc, a noexec memfd policy, a security module): Child it is from then
// on. files ends with the exec report fd. It returns the worker's pid and
// its pidfd (-1: none), and whether the stub was used.
func startProcess(spec Spec, env []string, files []uintptr) (pid, pidfd int, viaStub bool, err error) {
	report := len(files) - 1
	var stubErr error
	if exe := stubPath(); exe != "" {
		if path := findCommand(spec.Command[0], env, spec.Dir); path != "" {
			pid, pidfd, err := forkExec(exe, stubArgv(report, spec.NoNewPrivs, path, spec.Command), spec.Dir, env, files)
			if err == nil {
				return pid, pidfd, true, nil
			}
			stubErr = err
		}
	}
	argv := []string{spec.Self, ChildArg, strconv.Itoa(report)}
	if spec.NoNewPrivs {
		argv = append(argv, optNoNewPrivs)
	}
	argv = append(append(argv, "--"), spec.Command...)
	pid, pidfd, err = forkExec(spec.Self, argv, spec.Dir, env, files)
	if err == nil && stubErr != nil {
		disableStub()
	}
	return pid, pidfd, false, err
}

// forkExec starts path with argv, in a new process group that gets SIGKILL
// if the master dies, with files as fds 0 and up; it asks clone for a
// pidfd on the child (CLONE_PIDFD). It calls syscall.ForkExec rather than
// os.StartProcess: that probes the kernel's pidfd calls first, forking a
// child only to see that clone gives one, and opens a pidfd spark2 would
// not use (it waits through the reaper). A kernel that refuses the flag
// (EINVAL) gets the start again without it, and no pidfd.
func forkExec(path string, argv []string, dir string, env []string, fds []uintptr) (pid, pidfd int, err error) {
	pidfd = -1
	sys := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, PidFD: &pidfd}
	attr := &syscall.ProcAttr{Dir: dir, Env: env, Files: fds, Sys: sys}
	pid, err = syscall.ForkExec(path, argv, attr)
	if err == syscall.EINVAL {
		sys.PidFD, pidfd = nil, -1
		pid, err = syscall.ForkExec(path, argv, attr)
	}
	if err != nil {
		return 0, -1, &os.PathError{Op: "fork/exec", Path: path, Err: err}
	}
	return pid, pidfd, nil
}
