package loadgen

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// server is a tiny in-test HTTP server that does what serve says with each
// request it reads: serve gets the connection's writer, the request's
// number on the connection (from 1) and its head, and returns false to
// close the connection at once.
type server struct {
	ln       net.Listener
	accepted atomic.Int64
	wg       sync.WaitGroup
}

func newServer(t *testing.T, serve func(w net.Conn, n int, head string) bool) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{ln: ln}
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer conn.Close()
				br := bufio.NewReader(conn)
				for n := 1; ; n++ {
					head, err := readHead(br)
					if err != nil || !serve(conn, n, head) {
						return
					}
				}
			}()
		}
	}()
	return s
}

func readHead(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return "", err
		}
		b.WriteString(line)
		if line == "\r\n" {
			return b.String(), nil
		}
	}
}

func (s *server) url() string { return "http://" + s.ln.Addr().String() + "/x" }

func ok(w net.Conn, body string, extra ...string) bool {
	fmt.Fprintf(w, "HTTP/1.1 200 OK\r\n%sContent-Length: %d\r\n\r\n%s", strings.Join(extra, ""), len(body), body)
	return true
}

func run(t *testing.T, cfg Config) Result {
	t.Helper()
	r, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(r)
	if r.Sent != r.OK+r.NotOK+r.Failed {
		t.Errorf("sent %d != ok %d + not-ok %d + failed %d", r.Sent, r.OK, r.NotOK, r.Failed)
	}
	return r
}

func TestKeepAliveReusesConnections(t *testing.T) {
	s := newServer(t, func(w net.Conn, n int, head string) bool {
		if !strings.HasPrefix(head, "GET /x HTTP/1.1\r\n") || strings.Contains(head, "Connection: close") {
			return false
		}
		return ok(w, fmt.Sprintf("conn-%p n=%d", w, n))
	})
	r := run(t, Config{URL: s.url(), Conns: 4, Requests: 400})
	// The 400 requests are shared: on a busy machine a connection may find
	// them all taken before it connects, so "at most 4" is what holds.
	c := int(r.Connects)
	if r.Sent != 400 || r.OK != 400 || r.Failed != 0 || c < 1 || c > 4 || s.accepted.Load() != int64(c) {
		t.Fatalf("want 400 OK on at most 4 connections, got %v (accepted %d)", r, s.accepted.Load())
	}
	if len(r.ByKey) != c || len(r.ConnsByKey) != c || len(r.Latencies) != 400 || r.Err() != nil {
		t.Fatalf("want 4 keys (one per connection) and 400 latencies: %v", r)
	}
}

func TestNewConnectionModeSaysClose(t *testing.T) {
	s := newServer(t, func(w net.Conn, n int, head string) bool {
		if !strings.Contains(head, "\r\nConnection: close\r\n") {
			return ok(w, "no-close-header")
		}
		ok(w, "fine", "Connection: close\r\n")
		return false
	})
	r := run(t, Config{URL: s.url(), Mode: NewConnection, Conns: 3, Requests: 60})
	if r.OK != 60 || r.Failed != 0 || r.Connects != 60 || r.Closes != 60 || r.ByKey["fine"] != 60 {
		t.Fatalf("want 60 OK, each on its own connection: %v", r)
	}
}

// A server that says Connection: close is obeyed: a new connection for the
// next request, and no failure.
func TestReconnectsAfterConnectionClose(t *testing.T) {
	s := newServer(t, func(w net.Conn, n int, head string) bool {
		if n == 3 {
			ok(w, "last", "Connection: close\r\n")
			return false
		}
		return ok(w, "more")
	})
	r := run(t, Config{URL: s.url(), Conns: 1, Requests: 30})
	if r.OK != 30 || r.Failed != 0 || r.Connects != 10 || r.Closes != 10 {
		t.Fatalf("want 30 OK on 10 connections of 3 requests: %v", r)
	}
}

// A server that closes a connection after an answer, without saying so (the
// drain bug of issue 9): the next request on it fails, and is not retried.
func TestClosedIdleConnectionFailsTheNextRequest(t *testing.T) {
	s := newServer(t, func(w net.Conn, n int, head string) bool {
		ok(w, "once")
		return false
	})
	r := run(t, Config{URL: s.url(), Conns: 1, Requests: 20})
	if r.OK != 10 || r.Failed != 10 || r.ByReason[EOF]+r.ByReason[Reset] != 10 || r.Connects != 10 {
		t.Fatalf("want every second request failed (eof or reset), none retried: %v", r)
	}
	if r.Err() == nil {
		t.Fatal("Err() is nil for a load with failures")
	}
}

func TestClosedMidAnswerFails(t *testing.T) {
	s := newServer(t, func(w net.Conn, n int, head string) bool {
		fmt.Fprint(w, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
		return false
	})
	r := run(t, Config{URL: s.url(), Conns: 2, Requests: 10})
	if r.OK != 0 || r.Failed != 10 || r.ByReason[EOF] != 10 || r.Connects != 10 {
		t.Fatalf("want 10 failed by EOF: %v", r)
	}
}

func TestRefusedConnectsFail(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := run(t, Config{URL: "http://" + addr + "/", Conns: 2, Requests: 6})
	if r.Sent != 6 || r.Failed != 6 || r.Refused() != 6 || r.Connects != 0 {
		t.Fatalf("want 6 refused: %v", r)
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	s := newServer(t, func(w net.Conn, n int, head string) bool {
		io.Copy(io.Discard, w) // no answer, until the client gives up
		return false
	})
	r := run(t, Config{URL: s.url(), Conns: 2, Requests: 2, Timeout: 100 * time.Millisecond})
	if r.Failed != 2 || r.ByReason[Timeout] != 2 {
		t.Fatalf("want 2 timeouts: %v", r)
	}
}

func TestStatusesAndBodiesToEOF(t *testing.T) {
	s := newServer(t, func(w net.Conn, n int, head string) bool {
		if n%2 == 1 {
			fmt.Fprint(w, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy")
			return true
		}
		fmt.Fprint(w, "HTTP/1.1 200 OK\r\nX-Pid: 77\r\n\r\nuntil the end")
		return false
	})
	r := run(t, Config{URL: s.url(), Conns: 1, Requests: 10, KeyHeader: "X-Pid"})
	if r.OK != 5 || r.NotOK != 5 || r.Failed != 0 || r.Closes != 5 || r.ByKey["77"] != 5 {
		t.Fatalf("want 5 OK keyed 77 and 5 not OK: %v", r)
	}
	if r.Err() == nil {
		t.Fatal("Err() is nil for a load with 503s")
	}
}

// Stopping a load lets the requests in flight finish: a stop is never a
// failure.
func TestStopFinishesRequestsInFlight(t *testing.T) {
	s := newServer(t, func(w net.Conn, n int, head string) bool {
		time.Sleep(20 * time.Millisecond)
		return ok(w, "slow")
	})
	l, err := Start(Config{URL: s.url(), Conns: 8, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for l.Progress().OK() < 16 {
		time.Sleep(5 * time.Millisecond)
	}
	r := l.Stop()
	t.Log(r)
	if r.Failed != 0 || r.OK != r.Sent || r.OK < 16 {
		t.Fatalf("a stop made failures: %v", r)
	}
	if again := l.Wait(); again.Sent != r.Sent {
		t.Fatalf("Wait after Stop changed the result: %v", again)
	}
}

func TestDurationBoundsTheLoad(t *testing.T) {
	s := newServer(t, func(w net.Conn, n int, head string) bool { return ok(w, "x") })
	r := run(t, Config{URL: s.url(), Conns: 2, Duration: 200 * time.Millisecond})
	if r.OK == 0 || r.Failed != 0 || r.Elapsed > 10*time.Second {
		t.Fatalf("want a short clean load: %v", r)
	}
}

func TestBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{URL: "http://127.0.0.1:1/", Conns: 0, Requests: 1},
		{URL: "http://127.0.0.1:1/", Conns: 1},
		{URL: "http://127.0.0.1:1/", Conns: 1, Requests: -1},
		{URL: "ftp://127.0.0.1:1/", Conns: 1, Requests: 1},
		{URL: "https://127.0.0.1:1/", Conns: 1, Requests: 1},
		{URL: "http:///nohost", Conns: 1, Requests: 1},
		{URL: "://", Conns: 1, Requests: 1},
	} {
		if _, err := Start(cfg); err == nil {
			t.Errorf("Start(%+v) accepted a bad config", cfg)
		} else if !strings.HasPrefix(err.Error(), "loadgen: ") {
			t.Errorf("error %q does not name loadgen", err)
		}
	}
}
