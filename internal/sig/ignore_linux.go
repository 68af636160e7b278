package sig

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// uncatchable are the signals Go's runtime neither catches nor lets
// os/signal catch or ignore, and so leaves at their default action, which
// ends the process: 32 (glibc's SIGCANCEL) and 34 (glibc's SIGRTMIN, musl's
// SIGSYNCCALL). 33 is the runtime's own and handled by it.
var uncatchable = []int{32, 34}

// ignoreUncatchable sets the uncatchable signals to SIG_IGN with
// rt_sigaction, so that a kill -34 cannot end spark2. Workers get them back
// at their default action (launch.Child resets every signal before exec).
func ignoreUncatchable() {
	ign := sigaction{handler: 1} // SIG_IGN
	for _, s := range uncatchable {
		// An error would mean the kernel reserves the number: nothing to do.
		unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(s), uintptr(unsafe.Pointer(&ign)), 0, 8, 0, 0)
	}
}

// sigaction is the kernel's struct sigaction on amd64 and arm64.
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}
