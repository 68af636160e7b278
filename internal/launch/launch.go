// Package launch starts worker processes. A worker is started through spark2
// itself: the master forks and execs its own binary in a hidden mode (see
// Child), which cleans what a fork leaves behind (signal mask, ignored
// signals, stray file descriptors), resolves COMMAND in PATH and execs it,
// keeping its pid. The master learns from a close-on-exec pipe whether that
// exec happened, so "command not found" is known at once and never mistaken
// for a worker that ran and exited 127.
package launch

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

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
	Files   []*os.File // inherited as fd 3, 4, ...; nil for none
	// ReadyFD gives the worker one more fd, after Files, and its number in
	// SPARK2_READY_FD: writing anything to it says "ready" (Process.Ready).
	ReadyFD bool
	// NoNewPrivs sets no_new_privs in the worker: exec can never gain
	// privileges (setuid binaries, file capabilities).
	NoNewPrivs bool
}

// Process is a started worker.
type Process struct {
	Pid       int
	StartTime uint64   // from /proc/<pid>/stat; 0 if the process was already gone
	Stdout    *os.File // read end of the worker's stdout pipe; the caller drains and closes it
	Stderr    *os.File // read end of the worker's stderr pipe; the caller drains and closes it
	// Exec receives exactly one value: nil once COMMAND has been exec'd, or an
	// *ExecError when it could not be (the process then exits with its Code).
	Exec <-chan error
	// Ready receives exactly one value: true when the worker writes to its
	// ready fd, false when the fd is closed unwritten (the worker ended, or
	// closed it). nil without Spec.ReadyFD.
	Ready <-chan bool
}

// ExecError says why COMMAND could not be executed.
type ExecError struct {
	Code int    // 127: not found; 126: found but not executable
	Msg  string // one line, naming the command
}

func (e *ExecError) Error() string { return e.Msg }

// Start starts one worker: stdin is /dev/null, stdout and stderr are new pipes,
// spec.Files follow as fd 3 and up, and the worker leads a new process group
// (its pgid is its pid, so a signal to -pid reaches its children too). It does
// not wait for the process: the reaper does that. An error means nothing was
// started and every pipe is closed.
func Start(spec Spec) (*Process, error) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return nil, fmt.Errorf("open %s for the worker's stdin: %w", os.DevNull, withFileLimit(err))
	}
	var opened []*os.File
	closeAll := func() {
		for _, f := range opened {
			f.Close()
		}
	}
	defer devnull.Close()
	pipe := func() (r, w *os.File) {
		if err != nil {
			return nil, nil
		}
		if r, w, err = os.Pipe(); err == nil {
			opened = append(opened, r, w)
		}
		return r, w
	}
	outR, outW := pipe()
	errR, errW := pipe()
	execR, execW := pipe()
	var readyR, readyW *os.File
	if spec.ReadyFD {
		readyR, readyW = pipe()
	}
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("create pipes for a worker: %w", withFileLimit(err))
	}
	files := append([]*os.File{devnull, outW, errW}, spec.Files...)
	env := spec.Env
	if readyW != nil {
		env = append(env[:len(env):len(env)], "SPARK2_READY_FD="+strconv.Itoa(len(files)))
		files = append(files, readyW)
	}
	files = append(files, execW)
	argv := []string{spec.Self, ChildArg, strconv.Itoa(len(files) - 1)}
	if spec.NoNewPrivs {
		argv = append(argv, optNoNewPrivs)
	}
	argv = append(append(argv, "--"), spec.Command...)
	proc, err := os.StartProcess(spec.Self, argv, &os.ProcAttr{
		Dir:   spec.Dir,
		Env:   env,
		Files: files,
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	})
	for _, w := range []*os.File{outW, errW, execW, readyW} {
		if w != nil {
			w.Close()
		}
	}
	if err != nil {
		for _, r := range []*os.File{outR, errR, execR, readyR} {
			if r != nil {
				r.Close()
			}
		}
		return nil, fmt.Errorf("start worker %q: %w", strings.Join(spec.Command, " "), withFileLimit(err))
	}
	p := &Process{Pid: proc.Pid, Stdout: outR, Stderr: errR}
	if readyR != nil {
		ready := make(chan bool, 1)
		p.Ready = ready
		go awaitReady(readyR, ready)
	}
	// The reaper waits for the process; Release drops Go's handle (a pidfd on
	// recent kernels) without waiting.
	proc.Release()
	if st, err := procfs.ReadStat(p.Pid); err == nil {
		p.StartTime = st.StartTime
	}
	ch := make(chan error, 1)
	p.Exec = ch
	go func() { ch <- readExecResult(execR) }()
	return p, nil
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

// awaitReady reports whether the worker wrote to its ready fd before closing it.
func awaitReady(r *os.File, ready chan<- bool) {
	defer r.Close()
	var b [1]byte
	n, _ := r.Read(b[:])
	ready <- n > 0
}

// readExecResult reads the child's report: nothing before EOF means COMMAND
// was exec'd (the pipe is close-on-exec); otherwise "<code> <message>".
func readExecResult(r *os.File) error {
	defer r.Close()
	b, _ := io.ReadAll(io.LimitReader(r, 4096))
	if len(b) == 0 {
		return nil
	}
	code, msg, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	n, err := strconv.Atoi(code)
	if err != nil {
		return &ExecError{Code: 126, Msg: strings.TrimSpace(string(b))}
	}
	return &ExecError{Code: n, Msg: msg}
}
