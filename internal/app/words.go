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

// statusReasons are the reasons a worker was replaced, in the status
// file's words.
var statusReasons = map[supervisor.ReplaceReason]string{
	supervisor.ReasonCrashed: status.ReasonCrashed, supervisor.ReasonHung: status.ReasonHung,
	supervisor.ReasonMemory: status.ReasonMemory, supervisor.ReasonLifetime: status.ReasonLifetime,
	supervisor.ReasonRespawn: status.ReasonRespawn,
}

// statusReason is why a worker was replaced, in the status file's words; ""
// when it never was.
func statusReason(r supervisor.ReplaceReason) string { return statusReasons[r] }

// statusReplaced is the supervisor's replacement counts in the status file.
func statusReplaced(r supervisor.Replacements) status.Replaced {
	return status.Replaced{Crashed: r.Crashed, Hung: r.Hung, Memory: r.Memory, Lifetime: r.Lifetime, Respawn: r.Respawn}
}

// statusStates are the supervisor's states in the status file's words.
var statusStates = map[supervisor.State]string{
	supervisor.StateStarting: status.Starting, supervisor.StateRunning: status.Running,
	supervisor.StateReloading: status.Reloading, supervisor.StateDegraded: status.Degraded,
	supervisor.StateCrashLooping: status.CrashLooping, supervisor.StateStopping: status.Stopping,
}

// statusState is the supervisor's state in the status file's words.
func statusState(s supervisor.State) string { return statusStates[s] }
