package launch

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// stubFDFloor is the lowest fd the stub's memfd may have: far above the fds
// a worker gets (0..5) and the ones Go's fork moves them through, so
// /proc/self/fd/N still names the stub in the child when it execs it.
const stubFDFloor = 64

var stub struct {
	once     sync.Once
	path     string // "/proc/self/fd/N"; "" when there is no usable stub
	disabled atomic.Bool
}

// stubPath returns the path that execs the stub, loading it into a sealed
// memfd on first use; "" when this architecture has none or the kernel
// refused the memfd (then workers start through Child).
func stubPath() string {
	stub.once.Do(func() {
		if len(stubELF) > 0 {
			stub.path, _ = loadStub(stubELF)
		}
	})
	if stub.disabled.Load() {
		return ""
	}
	return stub.path
}

// disableStub makes every later start use Child: the kernel would not exec
// the stub (no /proc, a noexec memfd policy, a security module).
func disableStub() { stub.disabled.Store(true) }

// loadStub writes elf to a new memfd, seals it (nobody, not even spark2,
// can change it afterwards) and returns the path that execs it.
func loadStub(elf []byte) (string, error) {
	fd, err := unix.MemfdCreate("spark2-exec", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING|unix.MFD_EXEC)
	if err == unix.EINVAL { // before Linux 6.3, which has no MFD_EXEC: memfds are executable
		fd, err = unix.MemfdCreate("spark2-exec", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	}
	if err != nil {
		return "", err
	}
	f := os.NewFile(uintptr(fd), "spark2-exec")
	defer f.Close()
	if _, err := f.Write(elf); err != nil {
		return "", err
	}
	if err := f.Chmod(0o555); err != nil {
		return "", err
	}
	seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		return "", err
	}
	high, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, stubFDFloor)
	if err != nil {
		return "", err
	}
	return "/proc/self/fd/" + strconv.Itoa(high), nil
}

// stubArgv is the stub's argv: "<report fd>[n]", then the path to exec,
// then COMMAND's argv (see stub/amd64.S).
func stubArgv(reportFD int, noNewPrivs bool, path string, command []string) []string {
	ctl := strconv.Itoa(reportFD)
	if noNewPrivs {
		ctl += "n"
	}
	return append([]string{ctl, path}, command...)
}

// findCommand finds what the stub is to exec for name as a shell would: a
// name with a slash as it is, else the first executable regular file in the
// worker's PATH (relative entries are taken from dir, the worker's working
// directory, "" for the master's). "" means none: Child then finds out why
// and says so, with 127 or 126.
func findCommand(name string, env []string, dir string) string {
	if strings.Contains(name, "/") {
		return name
	}
	for _, d := range filepath.SplitList(lookupEnv(env, "PATH")) {
		if d == "" {
			d = "."
		}
		p := d + "/" + name
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		if executable(p) {
			return p
		}
	}
	return ""
}

// executable says whether path is a regular file this process may execute.
func executable(path string) bool {
	var st unix.Stat_t
	if unix.Stat(path, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return false
	}
	return unix.Faccessat(unix.AT_FDCWD, path, unix.X_OK, unix.AT_EACCESS) == nil
}
