package launch

import (
	"os"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// prepare gives the worker a clean slate just before exec: every signal
// unblocked and at its default action (exec resets caught signals but keeps
// ignored ones and the mask, which a parent of spark2 may have set), and every
// fd from keepBelow up marked close-on-exec, so the worker inherits exactly
// fds 0..keepBelow-1.
func prepare(keepBelow int) error {
	var empty unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, &empty, nil); err != nil {
		return err
	}
	var dfl sigaction // zero: SIG_DFL, no flags, empty mask
	for s := 1; s <= 64; s++ {
		if s == int(unix.SIGKILL) || s == int(unix.SIGSTOP) {
			continue
		}
		// Errors are for signal numbers the kernel reserves; nothing to reset there.
		unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(s), uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0)
	}
	return cloexecFrom(keepBelow)
}

// sigaction is the kernel's struct sigaction on amd64 and arm64.
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// cloexecFrom marks every fd >= lo close-on-exec: close_range where the kernel
// has it (5.11+), else one fcntl per fd listed in /proc/self/fd.
func cloexecFrom(lo int) error {
	if err := unix.CloseRange(uint(lo), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err == nil {
		return nil
	}
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return err
	}
	for _, n := range names {
		if fd, err := strconv.Atoi(n); err == nil && fd >= lo {
			unix.CloseOnExec(fd)
		}
	}
	return nil
}

// HideInherited marks every fd from 3 up close-on-exec in the master, once,
// before anything of spark2's own is open: fds that spark2's parent leaked to
// it (a shell's, a runtime's) then never reach a worker, whichever way it is
// started. Go opens its own fds close-on-exec already.
func HideInherited() error { return cloexecFrom(3) }
