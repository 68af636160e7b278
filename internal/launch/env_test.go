package launch

import (
	"slices"
	"testing"
)

func TestEnvDropsSpark2sOwnActivationVars(t *testing.T) {
	base := []string{"PATH=/bin", "LISTEN_FDS=2", "LISTEN_PID=1", "NOTIFY_SOCKET=/run/x", "A=1"}
	got := Env(base, "A=2", "B=3", "LISTEN_FDS=1")
	want := []string{"PATH=/bin", "A=2", "B=3", "LISTEN_FDS=1"}
	if !slices.Equal(got, want) {
		t.Fatalf("Env = %q, want %q", got, want)
	}
	if base[1] != "LISTEN_FDS=2" {
		t.Fatal("Env modified base")
	}
}

// TestEnvDropsSpark2sOwnWatchdog: systemd's watchdog of spark2 itself
// (WatchdogSec= in spark2's unit) is not the workers'; spark2's --watchdog
// gives them their own.
func TestEnvDropsSpark2sOwnWatchdog(t *testing.T) {
	base := []string{"PATH=/bin", "WATCHDOG_USEC=30000000", "WATCHDOG_PID=1"}
	if got, want := Env(base), []string{"PATH=/bin"}; !slices.Equal(got, want) {
		t.Fatalf("Env = %q, want %q", got, want)
	}
	if got, want := Env(base, "WATCHDOG_USEC=1000000"), []string{"PATH=/bin", "WATCHDOG_USEC=1000000"}; !slices.Equal(got, want) {
		t.Fatalf("Env with --watchdog = %q, want %q", got, want)
	}
}

func TestWithKeepsEverything(t *testing.T) {
	env := []string{"LISTEN_FDS=1", "X=1"}
	got := With(env, "X=2", "Y=3")
	if want := []string{"LISTEN_FDS=1", "X=2", "Y=3"}; !slices.Equal(got, want) {
		t.Fatalf("With = %q, want %q", got, want)
	}
	if env[1] != "X=1" {
		t.Fatal("With modified env")
	}
}
