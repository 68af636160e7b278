package app

import (
	"testing"
	"time"

	"github.com/spark2/spark2/internal/status"
)

func TestSameStateIgnoresHeartbeatAndUsage(t *testing.T) {
	base := func() *status.File {
		return &status.File{State: status.Running, WorkersWanted: 2, Heartbeat: time.Unix(1, 0),
			Workers: []status.Worker{{Slot: 0, Pid: 10, Ready: true, RSS: 100}, {Slot: 1, Pid: 11}}}
	}
	a := base()
	b := base()
	b.Heartbeat, b.Master.RSS, b.Workers[0].RSS = time.Unix(9, 0), 4096, 200
	if !sameState(a, b) {
		t.Fatal("a new heartbeat and new resource figures count as a change")
	}
	changes := map[string]func(f *status.File){
		"state":      func(f *status.File) { f.State = status.Stopping },
		"wanted":     func(f *status.File) { f.WorkersWanted = 3 },
		"totals":     func(f *status.File) { f.Totals.Spawned++ },
		"ready":      func(f *status.File) { f.Workers[1].Ready = true },
		"pid":        func(f *status.File) { f.Workers[1].Pid = 12 },
		"one worker": func(f *status.File) { f.Workers = f.Workers[:1] },
	}
	for what, change := range changes {
		c := base()
		change(c)
		if sameState(a, c) {
			t.Errorf("a change of %s is not seen", what)
		}
	}
}
