package app

import (
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/launch"
	"github.com/spark2/spark2/internal/logs"
	"github.com/spark2/spark2/internal/nodeapp"
	"github.com/spark2/spark2/internal/supervisor"
)

// workers starts worker processes and forwards their output.
type workers struct {
	spec        launch.Spec      // everything but the per-slot parts
	env         []string         // the workers' environment, without SPARK2_WORKER_ID
	node        *nodeapp.Options // the seed's kind of app; nil when running a COMMAND
	readyNotify bool             // workers say when they are ready
	out         *logs.Sink       // workers' stdout: spark2's stdout or the access log
	errs        *logs.Sink       // workers' stderr: spark2's stderr
	log         hclog.Logger
	wg          sync.WaitGroup
}

// start is the supervisor's OS.Start.
func (w *workers) start(slot int) (supervisor.Proc, error) {
	spec := w.spec
	env := launch.With(w.env, "SPARK2_WORKER_ID="+strconv.Itoa(slot))
	if w.node != nil {
		var extra []string
		spec.Command, extra = nodeapp.Command(*w.node, slot, env)
		env = launch.With(env, extra...)
	}
	spec.Env = env
	p, err := launch.Start(spec)
	if err != nil {
		return supervisor.Proc{}, err
	}
	w.wg.Add(2)
	go w.forward(p.Stdout, w.out, p.Pid)
	go w.forward(p.Stderr, w.errs, p.Pid)
	ended, release := pidfdOf(p.Pid, p.StartTime)
	return supervisor.Proc{Pid: p.Pid, StartTime: p.StartTime, Exec: p.Exec, Ready: p.Ready, Ended: ended, Release: release}, nil
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
