//go:build race

package procfs

// raceEnabled: under the race detector, sync.Pool drops a share of what is
// put back on purpose, so a pooled Reader is sometimes a new one.
const raceEnabled = true
