package launch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/exitcode"
)

// optNoNewPrivs is Child's option for Spec.NoNewPrivs.
const optNoNewPrivs = "no-new-privs"

// Child is spark2's hidden child mode: args are what Start put after ChildArg
// ("<report fd> [no-new-privs] -- COMMAND ARG..."). It makes the process what
// the worker contract promises (every variable whose value is OwnPID gets its
// pid; a clean signal state; only the fds below the report fd), then execs
// COMMAND in place, so Child only returns on failure, with the exit code to
// use: exitcode.NotFound (127) when COMMAND is not found,
// exitcode.CannotExecute (126) when it cannot be executed, exitcode.Usage (2)
// when args are malformed. The reason is written to the report fd for the
// master, and to stderr for the user.
func Child(args []string) int {
	runtime.LockOSThread() // the signal mask and no_new_privs we set are this thread's
	sep := slices.Index(args, "--")
	if sep < 1 || sep == len(args)-1 {
		fmt.Fprintln(os.Stderr, "spark2: "+ChildArg+" is internal to spark2; it is not for direct use")
		return exitcode.Usage
	}
	fd, err := strconv.Atoi(args[0])
	if err != nil || fd < 3 {
		fmt.Fprintln(os.Stderr, "spark2: "+ChildArg+" is internal to spark2; it is not for direct use")
		return exitcode.Usage
	}
	report := os.NewFile(uintptr(fd), "spark2-exec-report")
	command := args[sep+1:]
	setOwnPID()
	path, code, err := lookPath(command[0])
	if err == nil && slices.Contains(args[1:sep], optNoNewPrivs) {
		err = unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
		code = exitcode.CannotExecute
	}
	if err == nil {
		if err = prepare(fd); err == nil {
			err = syscall.Exec(path, command, os.Environ())
		}
		code = execCode(err)
	}
	msg := fmt.Sprintf("exec %s: %v", command[0], err)
	fmt.Fprintf(report, "%d %s\n", code, msg)
	fmt.Fprintf(os.Stderr, "spark2: %s\n", msg)
	return code
}

// lookPath finds the executable as a shell would, with exitcode.NotFound for
// "not found" and exitcode.CannotExecute for "found, but not executable".
func lookPath(name string) (string, int, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, 0, nil
	}
	if errors.Is(err, exec.ErrDot) {
		return path, 0, nil // "./app" style names in PATH: the user asked for it
	}
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return "", exitcode.NotFound, fmt.Errorf("not found (PATH=%s)", os.Getenv("PATH"))
	}
	var ee *exec.Error
	if errors.As(err, &ee) {
		err = ee.Err
	}
	return "", exitcode.CannotExecute, err
}

func execCode(err error) int {
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
		return exitcode.NotFound
	}
	return exitcode.CannotExecute
}
