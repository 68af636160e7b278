package sig

import (
	"syscall"
	"testing"
)

func TestNeverChildOrURG(t *testing.T) {
	for _, s := range Handled() {
		if s == syscall.SIGCHLD || s == syscall.SIGURG || s == syscall.SIGKILL || s == syscall.SIGSTOP ||
			s == syscall.SIGPROF || s == syscall.SIGPIPE || s == syscall.Signal(32) || s == syscall.Signal(33) || s == syscall.Signal(34) {
			t.Errorf("Handled() includes %v", s)
		}
	}
}

func TestActions(t *testing.T) {
	cases := map[syscall.Signal]Action{
		syscall.SIGTERM: Stop, syscall.SIGINT: Stop, syscall.SIGCONT: Respawn, syscall.SIGHUP: Respawn,
		syscall.SIGTTIN: ScaleUp, syscall.SIGTTOU: ScaleDown, syscall.SIGUSR1: Reopen,
		syscall.SIGTSTP: Ignore, syscall.SIGQUIT: Forward, syscall.SIGWINCH: Forward,
		syscall.Signal(37): Forward, syscall.Signal(64): Forward,
		syscall.SIGSEGV: Forward, syscall.SIGABRT: Forward, syscall.SIGILL: Forward, syscall.SIGTRAP: Forward,
		syscall.SIGBUS: Forward, syscall.SIGFPE: Forward, syscall.SIGSTKFLT: Forward,
		syscall.SIGXCPU: Log, syscall.SIGXFSZ: Log,
		syscall.SIGPIPE: Ignore, syscall.SIGPROF: Ignore, syscall.SIGURG: Ignore, syscall.SIGCHLD: Ignore,
		syscall.Signal(32): Ignore, syscall.Signal(33): Ignore, syscall.Signal(34): Ignore, syscall.Signal(35): Forward,
	}
	for s, want := range cases {
		if got := Of(s); got != want {
			t.Errorf("Of(%v) = %v, want %v", s, got, want)
		}
	}
}
