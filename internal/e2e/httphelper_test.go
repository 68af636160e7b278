package e2e

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/coreos/go-systemd/v22/activation"
	"github.com/coreos/go-systemd/v22/daemon"
)

// httpWorker is the helper "http READY [CRASHFILE]": an HTTP server on the
// socket spark2 hands over, found with go-systemd's activation package (which
// insists on LISTEN_PID == its pid). It says ready per READY: "notify"
// (NOTIFY_SOCKET, via go-systemd), "fd" (a newline to SPARK2_READY_FD) or
// "none". If CRASHFILE exists it exits 1 at once instead (a broken release).
// GET / answers "pid=P slot=S"; GET /slow waits 300 ms first. On TERM it
// stops accepting, finishes every request it accepted, then exits 0.
func httpWorker(args []string) int {
	if len(args) > 1 {
		if _, err := os.Stat(args[1]); err == nil {
			fmt.Fprintln(os.Stderr, "crashing on purpose:", args[1], "exists")
			return 1
		}
	}
	ls, err := activation.Listeners()
	if err != nil || len(ls) != 1 || ls[0] == nil {
		fmt.Fprintf(os.Stderr, "no socket from spark2: %v %v (LISTEN_PID=%s pid=%d)\n", ls, err, os.Getenv("LISTEN_PID"), os.Getpid())
		return 3
	}
	body := fmt.Sprintf("pid=%d slot=%s", os.Getpid(), slotID())
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		fmt.Fprint(w, body)
	})
	conns := &connTracker{states: map[net.Conn]http.ConnState{}}
	srv := &http.Server{Handler: mux, ConnState: conns.track}
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	stopped := make(chan struct{})
	go func() {
		<-term
		// Not srv.Shutdown: it drops a request read after it began. Stop
		// accepting (queued connections stay in spark2's backlog for the
		// next worker), answer every request with Connection: close, and
		// wait until each accepted connection has had its answer.
		ls[0].Close()
		srv.SetKeepAlivesEnabled(false) // also closes the idle ones: clients retry those
		conns.waitIdle(5 * time.Second)
		close(stopped)
	}()
	var once sync.Once
	say := func() {
		once.Do(func() {
			switch args[0] {
			case "notify":
				daemon.SdNotify(false, daemon.SdNotifyReady)
			case "fd":
				n, _ := strconv.Atoi(os.Getenv("SPARK2_READY_FD"))
				f := os.NewFile(uintptr(n), "ready")
				f.Write([]byte("\n"))
				f.Close()
			}
			fmt.Printf("ready slot=%s pid=%d port=%s\n", slotID(), os.Getpid(), os.Getenv("PORT"))
		})
	}
	l := &readyListener{Listener: ls[0], ready: say}
	srv.Serve(l) // returns once the listener is closed
	<-stopped
	return 0
}

// connTracker knows the state of every open connection.
type connTracker struct {
	mu     sync.Mutex
	states map[net.Conn]http.ConnState
}

func (c *connTracker) track(conn net.Conn, st http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st == http.StateClosed || st == http.StateHijacked {
		delete(c.states, conn)
		return
	}
	c.states[conn] = st
}

// waitIdle closes idle connections until none is open, or timeout.
func (c *connTracker) waitIdle(timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		for conn, st := range c.states {
			if st == http.StateIdle {
				conn.Close()
			}
		}
		n := len(c.states)
		c.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// readyListener says ready on its first Accept call: by then the server is
// accepting.
type readyListener struct {
	net.Listener
	ready func()
}

func (l *readyListener) Accept() (net.Conn, error) {
	l.ready()
	return l.Listener.Accept()
}
