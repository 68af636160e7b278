package launch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/exitcode"
)

// Check looks COMMAND's name up the way Child will, in the PATH of env (the
// workers' environment) when name has no "/", and relative to the working
// directory otherwise, so that spark2 can refuse a COMMAND that cannot run
// before it starts anything. It must be called as the user the workers run as
// (after the privilege drop): executable means executable by that user.
//
// It returns nil when name is a file that user may execute; otherwise an
// *ExecError with Code exitcode.NotFound (not found: "exec NAME: not found
// (PATH=...)") or exitcode.CannotExecute (found, but a directory, not a
// regular file, or not executable).
func Check(name string, env []string) error {
	if strings.Contains(name, "/") {
		return checkFile(name, name, exitcode.NotFound)
	}
	path := lookupEnv(env, "PATH")
	var firstErr error
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "." // an empty PATH entry means the working directory, as for a shell
		}
		err := checkFile(name, filepath.Join(dir, name), 0)
		if err == nil {
			return nil
		}
		if firstErr == nil && !errors.Is(err, errMissing) {
			firstErr = err // found, but not executable: CannotExecute unless a later entry works
		}
	}
	if firstErr != nil {
		return firstErr
	}
	return &ExecError{Code: exitcode.NotFound, Msg: fmt.Sprintf("exec %s: not found (PATH=%s); give its full path, or fix PATH (--set PATH=...)", name, path)}
}

// errMissing marks a candidate that does not exist, for Check's PATH walk.
var errMissing = errors.New("missing")

// checkFile checks that file is a regular file the caller may execute.
// missingCode is the code for a file that does not exist: NotFound for a name
// given with a "/", 0 while walking PATH (then errMissing is returned).
func checkFile(name, file string, missingCode int) error {
	fail := func(code int, why string) error {
		return &ExecError{Code: code, Msg: fmt.Sprintf("exec %s: %s", name, why)}
	}
	st, err := os.Stat(file)
	switch {
	case errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ENOTDIR):
		if missingCode == 0 {
			return errMissing
		}
		return fail(missingCode, "no such file")
	case err != nil:
		return fail(exitcode.CannotExecute, err.Error())
	case st.IsDir() && missingCode == 0:
		return errMissing // a directory in PATH is skipped, as a shell skips it
	case st.IsDir():
		return fail(exitcode.CannotExecute, file+" is a directory")
	case !st.Mode().IsRegular():
		return fail(exitcode.CannotExecute, file+" is not a regular file")
	}
	if err := unix.Faccessat(unix.AT_FDCWD, file, unix.X_OK, unix.AT_EACCESS); err != nil {
		return fail(exitcode.CannotExecute, file+" is not executable ("+err.Error()+"); chmod +x it, or run it through its interpreter")
	}
	return nil
}

// lookupEnv returns the value of key in env (the last one wins, as in
// os/exec), or "" when it is absent.
func lookupEnv(env []string, key string) string {
	v := ""
	for _, e := range env {
		if k, val, ok := strings.Cut(e, "="); ok && k == key {
			v = val
		}
	}
	return v
}
