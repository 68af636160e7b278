package app

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/contract"
	"github.com/spark2/spark2/internal/launch"
	"github.com/spark2/spark2/internal/listener"
	"github.com/spark2/spark2/internal/logs"
	"github.com/spark2/spark2/internal/nodeapp"
	"github.com/spark2/spark2/internal/reap"
	"github.com/spark2/spark2/internal/supervisor"
)

// workers starts worker processes and forwards their output.
type workers struct {
	spec        launch.Spec      // everything but the per-slot parts
	group       *listener.Group  // --balance reuseport: slot i gets socket i as fd 3; nil without
	env         []string         // the workers' environment, without SPARK2_WORKER_ID
	node        *nodeapp.Options // the seed's kind of app; nil when running a COMMAND
	readyNotify bool             // workers say when they are ready
	watchdog    time.Duration    // --watchdog, 0 when off (also when workers cannot ping)
	out         *logs.Sink       // workers' stdout: spark2's stdout or the access log
	errs        *logs.Sink       // workers' stderr: spark2's stderr
	log         hclog.Logger
	wg          sync.WaitGroup
}

// start is the supervisor's OS.Start: the launcher reports into the
// supervisor's loop directly.
func (w *workers) start(slot int, report supervisor.Reports) (supervisor.Proc, error) {
	spec := w.spec
	spec.Report = launch.Reports{Exec: report.Exec, Ready: report.Ready, Ping: report.Ping}
	if w.group != nil {
		f := w.group.File(slot)
		if f == nil {
			return supervisor.Proc{}, fmt.Errorf("no socket for slot %d (--balance reuseport bound %d)", slot, w.group.Cap())
		}
		spec.Files = []*os.File{f}
	}
	env := launch.With(w.env, contract.WorkerID+"="+strconv.Itoa(slot))
	if w.node != nil {
		var extra []string
		spec.Command, extra = nodeapp.Command(*w.node, slot, env)
		env = launch.With(env, extra...)
	}
	spec.Env = env
	var p *launch.Process
	err := reap.Track(func() (int, error) {
		var err error
		if p, err = launch.Start(spec); err != nil {
			return 0, err
		}
		return p.Pid, nil
	})
	if err != nil {
		return supervisor.Proc{}, err
	}
	w.wg.Add(2)
	go w.forward(p.Stdout, w.out, p.Pid)
	go w.forward(p.Stderr, w.errs, p.Pid)
	ended, release := pidfdEnded(p.PidFD)
	return supervisor.Proc{Pid: p.Pid, StartTime: p.StartTime, Ended: ended, Release: release}, nil
}

func (w *workers) forward(r io.ReadCloser, sink *logs.Sink, pid int) {
	defer w.wg.Done()
	if _, err := logs.Forward(r, sink); err != nil {
		w.log.Warn("lost worker output", "pid", pid, "error", err)
	}
}

// drain waits until every worker's output has been forwarded, or timeout.
func (w *workers) drain(timeout time.Duration) {
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		w.log.Warn("some worker output was not forwarded before exit: a process still holds its pipe", "waited", timeout)
	}
}
