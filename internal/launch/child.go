package launch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
)

// Child is spark2's hidden child mode: args are what Start put after ChildArg
// ("<report fd> -- COMMAND ARG..."). It makes the process what the worker
// contract promises, then execs COMMAND in place, so Child only returns on
// failure, with the exit code to use: 127 when COMMAND is not found, 126 when
// it cannot be executed, 2 when args are malformed. The reason is written to
// the report fd for the master, and to stderr for the user.
func Child(args []string) int {
	runtime.LockOSThread() // the signal mask we clear is this thread's
	if len(args) < 3 || args[1] != "--" {
		fmt.Fprintln(os.Stderr, "spark2: "+ChildArg+" is internal to spark2; it is not for direct use")
		return 2
	}
	fd, err := strconv.Atoi(args[0])
	if err != nil || fd < 3 {
		fmt.Fprintf(os.Stderr, "spark2: "+ChildArg+": bad report fd %q\n", args[0])
		return 2
	}
	report := os.NewFile(uintptr(fd), "spark2-exec-report")
	command := args[2:]
	path, code, err := lookPath(command[0])
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

// lookPath finds the executable as a shell would, with 127 for "not found" and
// 126 for "found, but not executable".
func lookPath(name string) (string, int, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, 0, nil
	}
	if errors.Is(err, exec.ErrDot) {
		return path, 0, nil // "./app" style names in PATH: the user asked for it
	}
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return "", 127, fmt.Errorf("not found (PATH=%s)", os.Getenv("PATH"))
	}
	var ee *exec.Error
	if errors.As(err, &ee) {
		err = ee.Err
	}
	return "", 126, err
}

func execCode(err error) int {
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
		return 127
	}
	return 126
}
