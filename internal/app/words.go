package app

import (
	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/status"
	"github.com/spark2/spark2/internal/supervisor"
)

// The supervisor speaks its own language; these put the configuration's
// words into it, and its words into the status file's.

// respawnPolicy is --restart as the supervisor's policy.
func respawnPolicy(r config.Restart) supervisor.Policy {
	switch r {
	case config.RestartOnFailure:
		return supervisor.RespawnOnFailure
	case config.RestartNo:
		return supervisor.RespawnNever
	}
	return supervisor.RespawnAlways // config.RestartAlways, the default
}

// statusReason is why a worker was replaced, in the status file's words; ""
// when it never was.
func statusReason(r supervisor.ReplaceReason) string {
	switch r {
	case supervisor.ReasonCrashed:
		return status.ReasonCrashed
	case supervisor.ReasonHung:
		return status.ReasonHung
	case supervisor.ReasonMemory:
		return status.ReasonMemory
	case supervisor.ReasonLifetime:
		return status.ReasonLifetime
	case supervisor.ReasonRespawn:
		return status.ReasonRespawn
	}
	return ""
}

// statusReplaced is the supervisor's replacement counts in the status file.
func statusReplaced(r supervisor.Replacements) status.Replaced {
	return status.Replaced{Crashed: r.Crashed, Hung: r.Hung, Memory: r.Memory, Lifetime: r.Lifetime, Respawn: r.Respawn}
}

// statusState is the supervisor's state in the status file's words.
func statusState(s supervisor.State) string {
	switch s {
	case supervisor.StateRunning:
		return status.Running
	case supervisor.StateReloading:
		return status.Reloading
	case supervisor.StateDegraded:
		return status.Degraded
	case supervisor.StateCrashLooping:
		return status.CrashLooping
	case supervisor.StateStopping:
		return status.Stopping
	}
	return status.Starting // supervisor.StateStarting
}
