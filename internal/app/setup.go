package app

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/launch"
	"github.com/spark2/spark2/internal/listener"
	"github.com/spark2/spark2/internal/logs"
	"github.com/spark2/spark2/internal/nodeapp"
	"github.com/spark2/spark2/internal/privdrop"
	"github.com/spark2/spark2/internal/ready"
	"github.com/spark2/spark2/internal/status"
	"github.com/spark2/spark2/internal/tlsfiles"
)

// master holds what setup prepared for the supervisor.
type master struct {
	workers   *workers
	ln        *listener.Listener // nil with --no-listen
	id        *privdrop.Identity // nil without -u/-g
	notify    chan ready.Message
	sock      *ready.Socket
	statusDir *status.Dir // nil when the status file cannot be written
	pidDone   func()      // removes the pid file
}

// setup does, in order, everything that may need root: find what to run,
// bind the port, read the TLS files, open the access log and the notify
// socket; then it drops privileges. On failure it has printed one line and
// returns nil and the exit code.
func setup(c config.Config, stdout io.Writer, errs *logs.Sink, log hclog.Logger) (*master, int) {
	fail := func(code int, err error) (*master, int) {
		fmt.Fprintf(errs, "spark2: %v\n", err)
		return nil, code
	}
	self, err := selfPath()
	if err != nil {
		return fail(ExitFailure, fmt.Errorf("find spark2's own binary, needed to start workers: %w", err))
	}
	m := &master{workers: &workers{spec: launch.Spec{Self: self, Command: c.Command, ReadyFD: true}, errs: errs, log: log}}
	w := m.workers
	if len(c.Command) == 0 {
		cwd, _ := os.Getwd()
		app, err := nodeapp.Find(cwd)
		if err != nil {
			return fail(ExitUsage, err)
		}
		w.node = &nodeapp.Options{App: app, Eval: c.Eval, Include: c.Include, Debug: c.Debug, Comment: c.Comment}
		w.spec.Command = []string{"node", app}
	}
	w.readyNotify = c.ReadyNotify || (w.node != nil && !c.ReadyGiven)
	if m.id, err = privdrop.Resolve(c.User, c.Group); err != nil {
		return fail(ExitUsage, err)
	}
	env := []string{"SPARK2_ENV=" + c.Env, "NODE_ENV=" + c.Env}
	if !c.NoListen {
		if m.ln, err = listener.Listen(c.Host, c.Port); err != nil {
			return fail(ExitFailure, err)
		}
		w.spec.Files = []*os.File{m.ln.File}
		env = append(env, "LISTEN_FDS=1", "LISTEN_FDNAMES=spark2", "PORT="+strconv.Itoa(m.ln.Port))
		if c.Host != "" {
			env = append(env, "SPARK2_HOST="+c.Host)
		}
	}
	if c.SSLKey != "" {
		pair, err := tlsfiles.Load(c.SSLKey, c.SSLCrt)
		if err != nil {
			m.close()
			return fail(ExitUsage, err)
		}
		env = append(env, pair.Env()...)
	}
	if w.out, err = openOut(c.AccessLog, stdout); err != nil {
		m.close()
		return fail(ExitUsage, err)
	}
	if m.sock, err = ready.Listen(); err != nil {
		log.Warn("no NOTIFY_SOCKET for workers; they can still say ready on SPARK2_READY_FD", "error", err)
	} else {
		m.notify = make(chan ready.Message, 64)
		go m.sock.Serve(m.notify)
		env = append(env, "NOTIFY_SOCKET="+m.sock.Addr)
	}
	m.openStatus(c, log)
	if m.pidDone, err = writePidFile(c.PidFile); err != nil {
		m.close()
		return fail(ExitUsage, err)
	}
	if err := privdrop.Apply(m.id); err != nil {
		m.close()
		return fail(ExitUsage, err)
	}
	w.spec.NoNewPrivs = m.id != nil
	w.env = launch.Env(os.Environ(), append(env, c.Set...)...)
	return m, ExitOK
}

// openStatus prepares the status file's directory, for the user spark2 will
// run as. Without it spark2 still serves, and says why probes will fail.
func (m *master) openStatus(c config.Config, log hclog.Logger) {
	path, err := statusPath(c)
	if err == nil {
		uid, gid := os.Getuid(), os.Getgid()
		if m.id != nil {
			uid, gid = m.id.UID, m.id.GID
		}
		m.statusDir, err = status.OpenDir(path, uid, gid)
	}
	if err != nil {
		log.Error("no status file: spark2 --status and the probes will say it is not running", "error", err)
		return
	}
	log.Debug("status file", "path", path)
}

// selfPath is how workers re-run spark2 (see launch.Child): /proc/self/exe,
// which stays executable after the drop to -u even when the directory spark2
// was started from is not searchable by that user; else spark2's path.
func selfPath() (string, error) {
	const procSelf = "/proc/self/exe"
	if _, err := os.Stat(procSelf); err == nil {
		return procSelf, nil
	}
	return os.Executable()
}

// openOut returns where workers' stdout goes: the access log, or stdout.
func openOut(accessLog string, stdout io.Writer) (*logs.Sink, error) {
	if accessLog == "" {
		return logs.NewSink(stdout), nil
	}
	s, err := logs.OpenFileSink(accessLog)
	if err != nil {
		return nil, fmt.Errorf("open the access log (--accesslog): %w", err)
	}
	return s, nil
}

// close releases what setup opened; the listener last, so that connections
// wait in its backlog until the very end.
func (m *master) close() {
	if m.pidDone != nil {
		m.pidDone()
	}
	if m.workers.out != nil {
		m.workers.out.Close()
	}
	if m.sock != nil {
		m.sock.Close()
	}
	if m.ln != nil {
		m.ln.Close()
	}
}

func (m *master) listenAddr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.String()
}

func (m *master) identity() string {
	if m.id == nil {
		return "unchanged (uid " + strconv.Itoa(os.Getuid()) + ")"
	}
	return fmt.Sprintf("%s uid=%d gid=%d groups=%v", m.id.Name, m.id.UID, m.id.GID, m.id.Groups)
}
