package supervisor

import (
	"fmt"
	"time"
)

// Backoff paces the respawns of a slot whose workers keep dying. A worker that
// ran at least Healthy is respawned at once and clears the slot's record. The
// first quick death is also respawned at once; the next waits Base, then each
// wait doubles up to Max. A slot with CrashLoop quick deaths in a row is
// crash-looping, and the log says so.
type Backoff struct {
	Base      time.Duration
	Max       time.Duration
	Healthy   time.Duration
	CrashLoop int
}

// DefaultBackoff is spark2's pacing: about seven spawns in the first five
// seconds of a crash loop, then one every ten seconds.
var DefaultBackoff = Backoff{Base: 100 * time.Millisecond, Max: 10 * time.Second, Healthy: 10 * time.Second, CrashLoop: 3}

// delay returns the wait before the next spawn of a slot that has seen
// failures quick deaths in a row (counting the one just seen); 0 means now.
func (b Backoff) delay(failures int) time.Duration {
	if failures <= 1 {
		return 0
	}
	d := b.Base
	for i := 2; i < failures && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// scheduleRespawn refills sl after its worker ended having run for uptime.
func (s *Supervisor) scheduleRespawn(sl *slot, uptime time.Duration) {
	if uptime >= s.opt.Backoff.Healthy {
		sl.failures = 0
	}
	sl.failures++
	sl.restarts++
	s.counts.Restarts++
	delay := s.opt.Backoff.delay(sl.failures)
	if sl.failures >= s.opt.Backoff.CrashLoop {
		s.log.Warn("worker is crash-looping; backing off", "slot", sl.id, "deaths_in_a_row", sl.failures, "next_spawn_in", delay)
	}
	if delay == 0 {
		s.spawn(sl, false)
		return
	}
	sl.spawnAt = s.os.Now().Add(delay)
}

// Policy says which workers that ended on their own are respawned. The
// zero value is RespawnAlways.
type Policy int

// The respawn policies.
const (
	RespawnAlways    Policy = iota // every one, whatever its exit status
	RespawnOnFailure               // one that failed: a non-zero exit, or killed by a signal
	RespawnNever                   // none: Run returns once every worker has ended
)

// String names p for logs, in the words of --restart, which users know.
func (p Policy) String() string {
	switch p {
	case RespawnAlways:
		return "always"
	case RespawnOnFailure:
		return "on-failure"
	case RespawnNever:
		return "no"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// respawns says whether policy refills a slot whose worker ended with code.
func respawns(policy Policy, code int) bool {
	switch policy {
	case RespawnNever:
		return false
	case RespawnOnFailure:
		return code != 0
	}
	return true
}
