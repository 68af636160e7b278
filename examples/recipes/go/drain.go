package main

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// idleGrace is how long a connection may stay idle once the drain has
// begun: below spark2's default --stop-timeout (8 s).
const idleGrace = 2 * time.Second

// drainingServer serves HTTP and, once stopped, drains without failing a
// request. net/http's Shutdown is not enough: it closes idle keep-alive
// connections at once, racing the request a client may be sending on one.
type drainingServer struct {
	handler  http.Handler
	grace    time.Duration
	draining atomic.Bool
	mu       sync.Mutex
	idle     map[net.Conn]time.Time // idle or new connections, and since when
	open     int                    // every open connection
}

// serve serves on ln until stop is closed, then drains:
//   - closes ln: connections not yet accepted wait in the kernel's queue
//     for another worker;
//   - answers every request it reads from then on with "Connection: close"
//     (net/http then closes the connection after the answer);
//   - closes a connection that stays idle for the grace (a keep-alive
//     client sends its next request long before that);
//
// and returns nil once no connection is left. An error of Serve before stop
// is returned as it is.
func (s *drainingServer) serve(ln net.Listener, stop <-chan struct{}) error {
	s.idle = map[net.Conn]time.Time{}
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
	<-served // every connection accepted is tracked from here on
	for !s.closeIdle(began) {
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

func (s *drainingServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		w.Header().Set("Connection", "close")
	}
	s.handler.ServeHTTP(w, r)
}

func (s *drainingServer) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case http.StateNew:
		s.open++
		s.idle[c] = time.Now()
	case http.StateIdle:
		s.idle[c] = time.Now()
	case http.StateActive:
		delete(s.idle, c)
	case http.StateClosed, http.StateHijacked:
		s.open--
		delete(s.idle, c)
	}
}

// closeIdle closes the connections idle for the grace, counted from the
// later of the drain's beginning and their last request, and reports
// whether none is left.
func (s *drainingServer) closeIdle(began time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c, since := range s.idle {
		if since.Before(began) {
			since = began
		}
		if time.Since(since) >= s.grace {
			c.Close() // net/http reports StateClosed
		}
	}
	return s.open == 0
}
