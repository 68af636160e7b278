// Package status is spark2's status file: what the master writes (atomically,
// on every change and on a heartbeat about once a second) and what the
// control commands and Kubernetes probes read. A probe only reads this file
// and /proc/<pid>/stat: it never forks, signals or writes.
//
// The file is JSON; Format is its version, raised on any incompatible change.
// Readers refuse a Format they do not know.
package status

import (
	"fmt"
	"os"
	"time"
)

// Format is the version of the status file's layout.
const Format = 1

// States of the master, in File.State.
const (
	Starting     = "starting"      // no worker has been ready yet
	Running      = "running"       // every slot has a ready worker
	Reloading    = "reloading"     // a rolling respawn is in progress
	Degraded     = "degraded"      // some slots have no ready worker, at least one has
	CrashLooping = "crash-looping" // no ready worker, and a slot keeps dying
	Stopping     = "stopping"      // a stop signal was received
	Stopped      = "stopped"       // the master has exited (ExitCode says how)
)

// File is the status file's content.
type File struct {
	Format        int       `json:"format"`
	Pid           int       `json:"pid"`
	StartTime     uint64    `json:"start_time_ticks"` // with Pid, names the master for ever (/proc/<pid>/stat field 22)
	Started       time.Time `json:"started"`
	Version       string    `json:"version"`
	Heartbeat     time.Time `json:"heartbeat"` // when the master's loop last published
	State         string    `json:"state"`
	ExitCode      *int      `json:"exit_code,omitempty"`       // set once State is Stopped
	StopTimeoutMS int64     `json:"stop_timeout_ms,omitempty"` // the master's --stop-timeout: --kill waits by it
	Listen        string    `json:"listen"`                    // "*:3000", or "" with --no-listen
	Env           string    `json:"env"`
	Command       []string  `json:"command"`
	WorkersWanted int       `json:"workers_wanted"`
	Workers       []Worker  `json:"workers"`
	Totals        Totals    `json:"totals"`
	Master        Usage     `json:"master"`
}

// Worker is one slot's worker.
type Worker struct {
	Slot        int       `json:"slot"`
	Pid         int       `json:"pid"` // 0 while the slot is empty (backing off)
	Started     time.Time `json:"started"`
	Ready       bool      `json:"ready"`
	Restarts    int       `json:"restarts"`              // respawns of this slot after a worker ended on its own
	LastExit    string    `json:"last_exit,omitempty"`   // how its last worker ended, e.g. "exited 1"
	Replacement int       `json:"replacement,omitempty"` // pid of its replacement during a rolling respawn
	RSS         uint64    `json:"rss_bytes"`             // resident memory of the worker's process tree
	LastReason  string    `json:"last_reason,omitempty"` // why its worker was last replaced: crashed, hung, memory, lifetime or respawn
	Replaced    Replaced  `json:"replaced"`              // replacements of this slot's worker by reason
	RespawnAt   time.Time `json:"respawn_at,omitzero"`   // a respawn waiting out its back-off
	Deaths      int       `json:"deaths_in_a_row"`       // quick deaths in a row
}

// Totals are counts over the master's life.
type Totals struct {
	Spawned       int      `json:"spawned"`
	Restarts      int      `json:"restarts"`
	FailedReloads int      `json:"failed_reloads"`
	Replaced      Replaced `json:"replaced"` // replacements of workers by reason, over every slot
}

// Why a worker was replaced: Worker.LastReason's words, each counted in
// Replaced.
const (
	ReasonCrashed  = "crashed"  // it ended on its own, or was not ready in time
	ReasonHung     = "hung"     // the watchdog found it silent
	ReasonMemory   = "memory"   // its process tree used more than --max-memory
	ReasonLifetime = "lifetime" // it reached --max-lifetime
	ReasonRespawn  = "respawn"  // a rolling respawn
)

// Replaced counts replacements of workers by reason (Worker.LastReason's
// words). A hung worker (the watchdog) and a crash are failures; memory
// (--max-memory), lifetime (--max-lifetime) and respawn (a rolling respawn)
// are healthy, readiness-gated replacements.
type Replaced struct {
	Crashed  int `json:"crashed"`
	Hung     int `json:"hung"`
	Memory   int `json:"memory"`
	Lifetime int `json:"lifetime"`
	Respawn  int `json:"respawn"`
}

// Usage is the master's own resource use.
type Usage struct {
	FDs       int    `json:"fds"`
	Pipes     int    `json:"pipes"`
	RSS       uint64 `json:"rss_bytes"`
	VSize     uint64 `json:"vsize_bytes"`
	HeapTotal uint64 `json:"heap_total_bytes"`
	HeapUsed  uint64 `json:"heap_used_bytes"`
	Threads   int    `json:"threads"`
	Goroutine int    `json:"goroutines"` // a leak shows here first
}

// Read reads and parses the status file at path, with none of the checks of
// ReadTrusted (which the control commands and probes use): for tests and
// tools that know where the file comes from. A missing file is an error
// wrapping os.ErrNotExist; an unparsable one or an unknown Format is an error
// that names the path.
func Read(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(b, path)
}

// Parse parses a status file's bytes; name is used in errors.
func Parse(b []byte, name string) (*File, error) {
	var f File
	if err := decode(b, &f); err != nil {
		return nil, fmt.Errorf("status file %s is not valid: %v", name, err)
	}
	if f.Format != Format {
		return nil, fmt.Errorf("status file %s has format %d; this spark2 reads format %d", name, f.Format, Format)
	}
	if f.Pid <= 0 {
		return nil, fmt.Errorf("status file %s names no master pid", name)
	}
	return &f, nil
}

// ReadyWorkers counts the workers that are ready.
func (f *File) ReadyWorkers() int {
	n := 0
	for _, w := range f.Workers {
		if w.Ready {
			n++
		}
	}
	return n
}
