package app

import (
	"testing"

	"github.com/spark2/spark2/internal/supervisor"
)

// TestSlotServes: which slots --balance reuseport sends new connections to,
// from the supervisor's view of each slot.
func TestSlotServes(t *testing.T) {
	ready := supervisor.WorkerState{Pid: 10, Running: true, Ready: true}
	starting := supervisor.WorkerState{Pid: 11, Running: true}
	hung := supervisor.WorkerState{Pid: 12, Running: true, Stopping: true}
	for _, tc := range []struct {
		name string
		sl   supervisor.SlotState
		want bool
	}{
		{"ready worker", supervisor.SlotState{Worker: ready}, true},
		{"ready worker after deaths", supervisor.SlotState{Worker: ready, DeathsInARow: 3}, true},
		{"first worker starting (start-up, TTIN)", supervisor.SlotState{Worker: starting}, true},
		{"worker starting after a death", supervisor.SlotState{Worker: starting, DeathsInARow: 1}, false},
		{"no worker: waiting out the back-off", supervisor.SlotState{DeathsInARow: 2}, false},
		{"worker being stopped (a hang)", supervisor.SlotState{Worker: hung}, false},
		{"rolling respawn, replacement starting", supervisor.SlotState{Worker: ready, Replacement: starting}, true},
		{"old worker stopping, replacement ready", supervisor.SlotState{Worker: hung, Replacement: ready}, true},
	} {
		if got := slotServes(tc.sl); got != tc.want {
			t.Errorf("%s: slotServes = %v, want %v", tc.name, got, tc.want)
		}
	}
}
