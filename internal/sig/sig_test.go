package sig

import (
	"syscall"
	"testing"
)

func TestNeverChildOrURG(t *testing.T) {
	for _, s := range Handled() {
		if s == syscall.SIGCHLD || s == syscall.SIGURG || s == syscall.SIGKILL || s == syscall.SIGSTOP {
			t.Errorf("Handled() includes %v", s)
		}
	}
}

func TestActions(t *testing.T) {
	cases := map[syscall.Signal]Action{
		syscall.SIGTERM: Stop, syscall.SIGINT: Stop, syscall.SIGCONT: Respawn, syscall.SIGHUP: Respawn,
		syscall.SIGTTIN: ScaleUp, syscall.SIGTTOU: ScaleDown, syscall.SIGUSR1: Reopen,
		syscall.SIGTSTP: Ignore, syscall.SIGQUIT: Forward, syscall.SIGWINCH: Forward,
		syscall.Signal(37): Forward,
	}
	for s, want := range cases {
		if got := Of(s); got != want {
			t.Errorf("Of(%v) = %v, want %v", s, got, want)
		}
	}
}
