package app

import (
	"testing"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/status"
	"github.com/spark2/spark2/internal/supervisor"
)

func TestRespawnPolicy(t *testing.T) {
	for r, want := range map[config.Restart]supervisor.Policy{
		config.RestartAlways:    supervisor.RespawnAlways,
		config.RestartOnFailure: supervisor.RespawnOnFailure,
		config.RestartNo:        supervisor.RespawnNever,
	} {
		if got := respawnPolicy(r); got != want {
			t.Errorf("--restart %s: policy %v, want %v", r, got, want)
		}
		if got := respawnPolicy(r).String(); got != string(r) {
			t.Errorf("--restart %s is logged as %q, want the option's word", r, got)
		}
	}
}

// TestStatusState: each of the supervisor's states has its own word in the
// status file.
func TestStatusState(t *testing.T) {
	want := map[supervisor.State]string{
		supervisor.StateStarting:     status.Starting,
		supervisor.StateRunning:      status.Running,
		supervisor.StateReloading:    status.Reloading,
		supervisor.StateDegraded:     status.Degraded,
		supervisor.StateCrashLooping: status.CrashLooping,
		supervisor.StateStopping:     status.Stopping,
	}
	for st, w := range want {
		if got := statusState(st); got != w {
			t.Errorf("state %v: status file says %q, want %q", st, got, w)
		}
	}
}
