// Package httpdrain serves HTTP on a socket shared with other workers and
// stops without failing a client's request: the drain every Go worker of
// spark2's tests, benches and examples uses, the same as the node
// bootstrap's (internal/nodeapp/bootstrap.js).
//
// The drain, once stop is closed:
//   - the server stops accepting: it closes its copy of the socket, and the
//     connections the kernel has queued wait there for another worker;
//   - every request it reads from then on, on a connection it had already
//     accepted, is answered, with "Connection: close", and the connection
//     is closed right after that answer, so the client knows not to send
//     another request on it;
//   - a connection that stays idle (or silent since it was accepted) for
//     the grace period is closed: a keep-alive client sends its next request
//     long before that, and gets its answer with "Connection: close";
//     closing an idle connection at once would race that request;
//   - Serve returns when the last connection is closed.
//
// The grace (DefaultGrace, 2 s) is below spark2's default --stop-timeout
// (8 s), so a worker that drains is never killed for it.
package httpdrain

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultGrace is how long a connection may stay idle during a drain.
const DefaultGrace = 2 * time.Second

// poll is how often a drain looks for idle connections to close.
const poll = 20 * time.Millisecond

// Server is an HTTP server that drains. The zero value is not usable: set
// Handler.
type Server struct {
	// Handler answers every request.
	Handler http.Handler
	// Grace is how long a connection may stay idle once the drain has
	// begun; 0 means DefaultGrace.
	Grace time.Duration

	draining atomic.Bool
	mu       sync.Mutex
	conns    map[net.Conn]*conn
}

// conn is what the drain knows of a connection.
type conn struct {
	state http.ConnState
	since time.Time // of the last change of state
}

// Serve serves on ln until stop is closed, then drains (see the package
// doc) and returns nil once every connection is closed. If serving fails
// before stop, it returns that error. Serve closes ln.
func (s *Server) Serve(ln net.Listener, stop <-chan struct{}) error {
	s.mu.Lock()
	s.conns = map[net.Conn]*conn{}
	s.mu.Unlock()
	srv := &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ConnState: s.track, ReadHeaderTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-stop:
	}
	began := time.Now()
	s.draining.Store(true)
	ln.Close()
	<-served // from here on no connection is new: each is in s.conns
	grace := s.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	for !s.closeIdle(began, grace) {
		time.Sleep(poll)
	}
	return nil
}

// Draining reports whether the drain has begun.
func (s *Server) Draining() bool { return s.draining.Load() }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		// net/http closes the connection after an answer that says so.
		w.Header().Set("Connection", "close")
	}
	s.Handler.ServeHTTP(w, r)
}

func (s *Server) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == http.StateClosed || st == http.StateHijacked {
		delete(s.conns, c)
		return
	}
	s.conns[c] = &conn{state: st, since: time.Now()}
}

// closeIdle closes every connection idle or silent for grace, counting from
// the later of its last change and the drain's beginning, and reports
// whether no connection is left.
func (s *Server) closeIdle(began time.Time, grace time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c, info := range s.conns {
		if info.state != http.StateIdle && info.state != http.StateNew {
			continue
		}
		since := info.since
		if since.Before(began) {
			since = began
		}
		if time.Since(since) >= grace {
			c.Close() // net/http reports StateClosed, which removes it
		}
	}
	return len(s.conns) == 0
}
