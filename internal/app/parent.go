package app

import (
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/sdnotify"
	"github.com/spark2/spark2/internal/sig"
	"github.com/spark2/spark2/internal/status"
	"github.com/spark2/spark2/internal/supervisor"
)

// minParentWatchdog is the shortest watchdog period of spark2's supervisor
// that spark2 can feed without a warning: its keep-alives go with the
// supervisor's snapshots, which come at least once a second (the sweep).
const minParentWatchdog = 2 * time.Second

// parentTeller tells spark2's own supervisor (systemd, podman: see package
// sdnotify) about the supervisor's snapshots, on a goroutine of its own:
// apart from the status file's, so that a slow disk never delays the
// watchdog's keep-alives, and off the loop, which never waits for it.
type parentTeller struct {
	p      *sdnotify.Parent
	snaps  mailbox
	done   chan struct{}
	log    hclog.Logger
	warned bool // a failed send was logged
	wanted int  // workers wanted, as the last snapshot said
}

func newParentTeller(p *sdnotify.Parent, log hclog.Logger) *parentTeller {
	t := &parentTeller{p: p, snaps: newMailbox(), done: make(chan struct{}), log: log}
	go t.run()
	return t
}

// run tells each snapshot, the first once every signal spark2 handles is
// subscribed to: after READY=1 the supervisor may send any of them.
func (t *parentTeller) run() {
	defer close(t.done)
	sig.Subscribed()
	for s := range t.snaps {
		t.wanted = len(s.Slots)
		t.tell(parentState(s))
	}
}

// close tells the last snapshot and that spark2 has stopped.
func (t *parentTeller) close() {
	close(t.snaps)
	<-t.done
	t.tell(sdnotify.State{Name: status.Stopped, Wanted: t.wanted, Stopping: true})
	if n := t.p.Dropped(); n > 0 {
		t.log.Warn("messages to spark2's own supervisor were dropped", "dropped", n, "notify_socket", t.p.Addr)
	}
}

func (t *parentTeller) tell(st sdnotify.State) {
	if err := t.p.Tell(st, time.Now()); err != nil && !t.warned {
		t.log.Warn("cannot tell spark2's own supervisor its state (said once)", "error", err)
		t.warned = true
	}
}

// parentState is what a snapshot tells spark2's supervisor.
func parentState(s supervisor.Snapshot) sdnotify.State {
	st := sdnotify.State{Name: statusState(s.State), Wanted: len(s.Slots),
		Reloading: s.State == supervisor.StateReloading, Reloads: s.Counts.Reloads, Stopping: s.State == supervisor.StateStopping}
	for _, sl := range s.Slots {
		if sl.Worker.Ready {
			st.Ready++
		}
	}
	return st
}

// mailbox holds the newest snapshot not yet taken: put never blocks, it
// replaces an older one. put must be called from one goroutine only.
type mailbox chan supervisor.Snapshot

func newMailbox() mailbox { return make(mailbox, 1) }

func (m mailbox) put(s supervisor.Snapshot) {
	select {
	case m <- s:
	default:
		select {
		case <-m:
		default:
		}
		m <- s
	}
}
