package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/contract"
	"github.com/spark2/spark2/internal/exitcode"
	"github.com/spark2/spark2/internal/launch"
	"github.com/spark2/spark2/internal/listener"
	"github.com/spark2/spark2/internal/logs"
	"github.com/spark2/spark2/internal/nodeapp"
	"github.com/spark2/spark2/internal/privdrop"
	"github.com/spark2/spark2/internal/ready"
	"github.com/spark2/spark2/internal/sdnotify"
	"github.com/spark2/spark2/internal/status"
	"github.com/spark2/spark2/internal/supervisor"
	"github.com/spark2/spark2/internal/tlsfiles"
)

// master holds what setup prepared for the supervisor.
type master struct {
	workers   *workers
	ln        *listener.Listener // nil with --no-listen or --balance reuseport
	group     *listener.Group    // --balance reuseport's sockets; nil without
	id        *privdrop.Identity // nil without -u/-g
	notify    chan ready.Message
	keepAlive *supervisor.KeepAlives // the plain WATCHDOG=1 datagrams, noted off the loop
	sock      *ready.Socket
	statusDir *status.Dir      // nil when the status file cannot be written
	pidDone   func()           // removes the pid file
	parent    *sdnotify.Parent // spark2's own supervisor's NOTIFY_SOCKET; nil without
	procs     *procView        // the master's one view of /proc
}

// setup does, in order, everything that may need root: find what to run,
// bind the port, read the TLS files, open the access log and the notify
// socket; then it drops privileges. On failure it has released what it
// opened and printed one line, and returns nil and the exit code.
func setup(c config.Config, stdout io.Writer, errs *logs.Sink, log hclog.Logger) (*master, int) {
	m := &master{workers: &workers{errs: errs, log: log}, procs: newProcView()}
	if code, err := m.prepare(c, stdout, log); err != nil {
		if m.statusDir != nil {
			m.statusDir.Close() // once running, the status writer owns and closes it
		}
		m.close()
		fmt.Fprintf(errs, "spark2: %v\n", err)
		return nil, code
	}
	return m, exitcode.OK
}

// prepare is setup's work. On failure it returns the exit code and the
// error, and leaves open what it opened: setup closes it, in one place.
func (m *master) prepare(c config.Config, stdout io.Writer, log hclog.Logger) (int, error) {
	w := m.workers
	if code, err := w.command(c); err != nil {
		return code, err
	}
	var err error
	if m.id, err = privdrop.Resolve(c.User, c.Group); err != nil {
		return exitcode.Usage, err
	}
	env := []string{contract.Env + "=" + c.Env, contract.NodeEnv + "=" + c.Env}
	if !c.NoListen {
		port, err := m.bind(c)
		if err != nil {
			return exitcode.Failure, err
		}
		env = append(env, listenEnv(c.Host, port)...)
	}
	if c.SSLKey != "" {
		pair, err := tlsfiles.Load(c.SSLKey, c.SSLCrt)
		if err != nil {
			return exitcode.Usage, err
		}
		env = append(env, pair.Env()...)
	}
	if w.out, err = openOut(c.AccessLog, m.id, stdout); err != nil {
		return exitcode.Usage, err
	}
	if m.sock, err = ready.Listen(); err != nil {
		log.Warn("no NOTIFY_SOCKET for workers; only --ready fd or DURATION can tell when they are ready", "error", err)
	} else {
		m.notify, m.keepAlive = make(chan ready.Message, 64), new(supervisor.KeepAlives)
		go m.sock.Serve(m.notify, notifyFilter(m.procs, log), func(pid int) { m.keepAlive.Note(pid, time.Now()) })
		env = append(env, contract.NotifySocket+"="+m.sock.Addr)
	}
	env = append(env, m.watchdogEnv(c, log)...)
	if err := m.openStatus(c, log); err != nil {
		return exitcode.Usage, err
	}
	if m.pidDone, err = writePidFile(c.PidFile, m.id); err != nil {
		return exitcode.Usage, err
	}
	// Before the drop: the supervisor's socket file may be root's alone.
	if m.parent, err = sdnotify.Open(os.LookupEnv, os.Getpid()); err != nil {
		log.Warn("cannot tell spark2's own supervisor (systemd, podman) when it is ready", "error", err)
	} else if m.parent != nil && m.parent.Watchdog > 0 && m.parent.Watchdog < minParentWatchdog {
		log.Warn("the supervisor's watchdog period for spark2 is short: its keep-alives come with the loop's sweep, about once a second",
			"watchdog", m.parent.Watchdog, "advice", "WatchdogSec=3s or more")
	}
	if err := privdrop.Apply(m.id); err != nil {
		return exitcode.Usage, err
	}
	w.spec.NoNewPrivs = m.id != nil
	w.env = launch.Env(os.Environ(), append(env, c.Set...)...)
	// As the workers' user, in their PATH: a COMMAND that cannot run is one
	// line and exit 127 or 126 now, not a worker that fails after the banner.
	if err := launch.Check(w.spec.Command[0], w.env); err != nil {
		var ee *launch.ExecError
		if errors.As(err, &ee) {
			return ee.Code, err
		}
		return exitcode.Failure, err
	}
	return exitcode.OK, nil
}

// command sets what the workers run: COMMAND, else the seed's kind of app
// (app.js, else server.js, of the working directory) with node.
func (w *workers) command(c config.Config) (int, error) {
	self, err := selfPath()
	if err != nil {
		return exitcode.Failure, fmt.Errorf("find spark2's own binary, needed to start workers: %w", err)
	}
	w.spec = launch.Spec{Self: self, Command: c.Command, ReadyFD: c.ReadyFD}
	if len(c.Command) == 0 {
		cwd, err := os.Getwd()
		if err != nil {
			return exitcode.Failure, fmt.Errorf("find the working directory, to look for app.js or server.js there: %w; give a COMMAND, or -C DIR", err)
		}
		app, err := nodeapp.Find(cwd)
		if err != nil {
			return exitcode.Usage, err
		}
		w.node = &nodeapp.Options{App: app, Eval: c.Eval, Include: c.Include, Debug: c.Debug, Comment: c.Comment}
		w.spec.Command = []string{"node", app}
		w.spec.ReadyFD = true // the bootstrap says ready on it
	}
	w.readyNotify = c.ReadyNotify || (w.node != nil && !c.ReadyGiven)
	return exitcode.OK, nil
}

// listenEnv is the workers' part of systemd's socket activation, and where
// spark2 listens: the socket itself is their fd contract.ListenFD, and
// launch sets LISTEN_PID. host is -H ("" without: no SPARK2_HOST).
func listenEnv(host string, port int) []string {
	env := []string{contract.ListenFDs + "=1", contract.ListenFDNames + "=" + contract.ListenFDName, contract.Port + "=" + strconv.Itoa(port)}
	if host != "" {
		env = append(env, contract.Host+"="+host)
	}
	return env
}

// openStatus prepares the status file's directory, for the user spark2 will
// run as. Without it spark2 still serves, and says why probes will fail;
// but a directory that fails status.OpenDir's checks (another user's, one
// that user cannot write, a link) is a configuration to fix: the error
// returned then makes spark2 exit 2.
func (m *master) openStatus(c config.Config, log hclog.Logger) error {
	uid, gid, groups := os.Getuid(), os.Getgid(), []int(nil)
	if m.id != nil {
		uid, gid, groups = m.id.UID, m.id.GID, m.id.Groups
	}
	path, err := statusPath(c, uid)
	if err == nil {
		m.statusDir, err = status.OpenDir(path, uid, gid, groups...)
	}
	if errors.Is(err, status.ErrRefused) {
		return err
	}
	if err != nil {
		log.Error("no status file: spark2 --status and the probes will say it is not running", "error", err)
		return nil
	}
	log.Debug("status file", "path", path)
	if n := m.statusDir.Stale; n > 0 {
		log.Info("removed temporary status files that a master killed mid-write left", "path", path, "count", n)
	}
	return nil
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
// The access log is opened as root, never through a symbolic link, and
// must be a regular file; under -u (id not nil) its directory must let that
// user create files (else log rotation, which reopens the file after the
// drop, would fail), and the file is given to that user.
func openOut(accessLog string, id *privdrop.Identity, stdout io.Writer) (*logs.Sink, error) {
	if accessLog == "" {
		return logs.NewSink(stdout), nil
	}
	if id != nil {
		dir := filepath.Dir(accessLog)
		var st unix.Stat_t
		if err := unix.Stat(dir, &st); err != nil {
			return nil, fmt.Errorf("check the directory of the access log %s (--accesslog): %w", accessLog, err)
		}
		if !id.CanCreateIn(&st) {
			return nil, fmt.Errorf("the directory %s of the access log (--accesslog) is not writable by uid %d (-u): after a rotation spark2 could not create the new file there; make it writable by that user, or choose another --accesslog", dir, id.UID)
		}
	}
	s, err := logs.OpenFileSink(accessLog)
	if err != nil {
		return nil, fmt.Errorf("open the access log (--accesslog): %w", err)
	}
	if id != nil {
		if err := s.Chown(id.UID, id.GID); err != nil {
			s.Close()
			return nil, fmt.Errorf("give the access log %s (--accesslog) to uid %d (-u): %w", accessLog, id.UID, err)
		}
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
	if m.parent != nil {
		m.parent.Close()
	}
	if m.ln != nil {
		m.ln.Close()
	}
	if m.group != nil {
		m.group.Close()
	}
}

func (m *master) listenAddr() string {
	if m.group != nil {
		return m.group.String()
	}
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

// watchdogEnv is the workers' part of the watchdog protocol: WATCHDOG_USEC
// (launch then sets WATCHDOG_PID to each worker's own pid). Node apps ping
// through their ready fd, which stays open for it; other workers need
// NOTIFY_SOCKET: without one, the watchdog is off (every worker would be
// hung), and the log says so.
func (m *master) watchdogEnv(c config.Config, log hclog.Logger) []string {
	if c.Watchdog <= 0 {
		return nil
	}
	w := m.workers
	if w.node == nil && m.sock == nil {
		log.Warn("--watchdog is off: workers have no NOTIFY_SOCKET to send WATCHDOG=1 to")
		w.watchdog = 0
		return nil
	}
	w.watchdog = c.Watchdog
	w.spec.ReadyPings = w.node != nil
	return []string{contract.WatchdogUSec + "=" + strconv.FormatInt(c.Watchdog.Microseconds(), 10)}
}
