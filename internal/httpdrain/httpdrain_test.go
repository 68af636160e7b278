package httpdrain

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/loadgen"
)

// shared returns two listeners on one socket, as two spark2 workers have.
func shared(t *testing.T) (net.Listener, net.Listener) {
	t.Helper()
	a, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := a.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := net.FileListener(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func answer(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "%s\n", name) })
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// serveOne serves s on a new socket and returns a connection to it, the
// channel that stops s and the one that gets Serve's result.
func serveOne(t *testing.T, s *Server) (net.Conn, chan struct{}, chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() { done <- s.Serve(ln, stop) }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, stop, done
}

// A worker that drains under load, with another worker on the same socket:
// no request fails, in either mode, and the drained worker's Serve returns.
func TestDrainUnderLoadFailsNothing(t *testing.T) {
	for _, mode := range loadgen.Modes {
		t.Run(mode.String(), func(t *testing.T) {
			a, b := shared(t)
			old, next := &Server{Handler: answer("old"), Grace: time.Second}, &Server{Handler: answer("new")}
			stopOld, stopNext := make(chan struct{}), make(chan struct{})
			oldDone, nextDone := make(chan error, 1), make(chan error, 1)
			go func() { oldDone <- old.Serve(a, stopOld) }()
			l, err := loadgen.Start(loadgen.Config{URL: "http://" + a.Addr().String() + "/", Mode: mode, Conns: 20, Duration: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Stop()
			eventually(t, "load on the old worker", func() bool { return l.Progress().OK() > 500 })
			go func() { nextDone <- next.Serve(b, stopNext) }()
			close(stopOld)
			if err := <-oldDone; err != nil {
				t.Fatalf("old worker's Serve: %v", err)
			}
			before := l.Progress().OK()
			eventually(t, "load on the new worker", func() bool { return l.Progress().OK() > before+500 })
			r := l.Stop()
			t.Log(r)
			close(stopNext)
			<-nextDone
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			if r.ByKey["old"] == 0 || r.ByKey["new"] == 0 {
				t.Fatalf("want answers from both workers: %v", r.ByKey)
			}
		})
	}
}

// A keep-alive connection idle when the drain begins is not closed under the
// client's feet: its next request is answered, with Connection: close, and
// the server closes it after that answer.
func TestIdleConnectionGetsItsNextAnswer(t *testing.T) {
	s := &Server{Handler: answer("x")}
	c, stop, done := serveOne(t, s)
	br := bufio.NewReader(c)
	get := func() *http.Response {
		t.Helper()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		fmt.Fprint(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("GET on the connection: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := get(); resp.Close {
		t.Fatal("first answer already says Connection: close")
	}
	close(stop)
	eventually(t, "the drain", s.Draining)
	if resp := get(); !resp.Close {
		t.Fatal("answer during the drain lacks Connection: close")
	}
	if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("after the closing answer: read %d, %v; want EOF", n, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A connection that never says anything is closed after the grace, and the
// drain ends.
func TestSilentConnectionClosedAfterGrace(t *testing.T) {
	s := &Server{Handler: answer("x"), Grace: 100 * time.Millisecond}
	c, stop, done := serveOne(t, s)
	eventually(t, "the connection tracked", func() bool { s.mu.Lock(); defer s.mu.Unlock(); return len(s.conns) == 1 })
	close(stop)
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil || os.IsTimeout(err) {
		t.Fatalf("silent connection: read %d, %v; want it closed", n, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
