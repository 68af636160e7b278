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

// TestStatusReason: each reason for a replacement has its own word in the
// status file, and the counts keep their reasons.
func TestStatusReason(t *testing.T) {
	want := map[supervisor.ReplaceReason]string{
		"":                        "",
		supervisor.ReasonCrashed:  status.ReasonCrashed,
		supervisor.ReasonHung:     status.ReasonHung,
		supervisor.ReasonMemory:   status.ReasonMemory,
		supervisor.ReasonLifetime: status.ReasonLifetime,
		supervisor.ReasonRespawn:  status.ReasonRespawn,
	}
	for r, w := range want {
		if got := statusReason(r); got != w {
			t.Errorf("reason %q: status file says %q, want %q", r, got, w)
		}
	}
	got := statusReplaced(supervisor.Replacements{Crashed: 1, Hung: 2, Memory: 3, Lifetime: 4, Respawn: 5})
	if got != (status.Replaced{Crashed: 1, Hung: 2, Memory: 3, Lifetime: 4, Respawn: 5}) {
		t.Errorf("replaced %+v", got)
	}
}
