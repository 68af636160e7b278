package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// httpServe is the worker of the HTTP figures: a small net/http server.
//
// Its socket: with LISTEN_FDS=1 and LISTEN_PID its own pid (systemd's
// convention, which spark2 follows), fd 3; otherwise a port of its own on
// 127.0.0.1 (0: any free one, the default), which it prints.
//
// GET / answers "pid=PID\n" with an "X-Pid: PID" header, so a client can
// count who served it.
//
// Readiness, once it accepts (on its first Accept call): "READY=1" in a
// datagram to NOTIFY_SOCKET (a leading '@' means the abstract namespace) when
// that is set, else a byte on the fd named by SPARK2_READY_FD when that is
// set. Either way it then prints "http-ready PID ADDR" on stdout.
//
// On SIGTERM it stops gracefully: it closes its copy of the listening socket
// (connections not yet accepted wait in the kernel's queue for another
// worker), turns keep-alives off (which closes the idle connections and
// makes every later response carry "Connection: close"), waits until every
// connection it accepted has had its answers and is closed (at most 5 s),
// then exits 0. It does not use http.Server.Shutdown, which can close a
// connection whose request has just been read.
//
// With SPARK2BENCH_HTTP_STOP=close-next it stops another way (a diagnosis of
// the figures): it leaves keep-alives on, answers the next request on each
// connection with "Connection: close" (so the server closes that connection
// right after the answer, and the client knows it), and closes a connection
// only once it has been idle for 1 s.
func httpServe(args []string) int {
	ln, how, err := httpListener(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "http:", err)
		return 1
	}
	pid := os.Getpid()
	pidStr := strconv.Itoa(pid)
	pidHdr := []string{pidStr}
	body := []byte("pid=" + pidStr + "\n")
	ctype := []string{"text/plain"}
	closeNext := os.Getenv("SPARK2BENCH_HTTP_STOP") == "close-next"
	var stopping atomic.Bool
	closeHdr := []string{"close"}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Pid"] = pidHdr
		h["Content-Type"] = ctype
		if closeNext && stopping.Load() {
			h["Connection"] = closeHdr // net/http closes the connection after this answer
		}
		w.Write(body)
	})
	conns := &openConns{idle: map[net.Conn]time.Time{}}
	srv := &http.Server{Handler: handler, ConnState: conns.track, ReadHeaderTimeout: 30 * time.Second}

	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-term
		stopping.Store(true)
		ln.Close() // Serve returns once its Accept fails...
		if !closeNext {
			srv.SetKeepAlivesEnabled(false) // ...and no connection is kept for another request
		}
	}()
	// A bound on the helper's life, like the other helpers.
	go func() {
		time.Sleep(workerLife)
		os.Exit(0)
	}()

	var once sync.Once
	ready := func() {
		once.Do(func() {
			if err := sayReady(); err != nil {
				fmt.Fprintln(os.Stderr, "http: cannot say ready:", err)
			}
			fmt.Printf("http-ready %d %s %s\n", pid, ln.Addr(), how)
		})
	}
	srv.Serve(&announcingListener{Listener: ln, first: ready})
	// Serve has returned: every connection it accepted is counted (it marks
	// a connection new before its next Accept). Wait for them to end.
	deadline := time.Now().Add(5 * time.Second)
	for conns.count() > 0 && time.Now().Before(deadline) {
		if closeNext {
			conns.closeIdle(time.Second)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0
}

// httpListener returns the socket spark2 handed over as fd 3, or a new one
// on 127.0.0.1:PORT (args[0], default 0).
func httpListener(args []string) (net.Listener, string, error) {
	if os.Getenv("LISTEN_FDS") == "1" && os.Getenv("LISTEN_PID") == strconv.Itoa(os.Getpid()) {
		f := os.NewFile(3, "listen")
		ln, err := net.FileListener(f) // a dup; fd 3 itself is not needed any more
		f.Close()
		if err != nil {
			return nil, "", fmt.Errorf("fd 3: %w", err)
		}
		return ln, "fd3", nil
	}
	port := "0"
	if len(args) > 0 {
		port = args[0]
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:"+port)
	return ln, "own", err
}

// sayReady tells spark2 the worker is ready: READY=1 on NOTIFY_SOCKET, else a
// byte on SPARK2_READY_FD; nothing when neither is set.
func sayReady() error {
	if sock := os.Getenv("NOTIFY_SOCKET"); sock != "" {
		// The syscall package turns a leading '@' into the abstract
		// namespace's NUL byte.
		c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Write([]byte("READY=1"))
		return err
	}
	if fd := os.Getenv("SPARK2_READY_FD"); fd != "" {
		n, err := strconv.Atoi(fd)
		if err != nil {
			return fmt.Errorf("SPARK2_READY_FD=%q", fd)
		}
		f := os.NewFile(uintptr(n), "ready")
		defer f.Close()
		_, err = f.Write([]byte{'\n'})
		return err
	}
	return nil
}

// announcingListener calls first on its first Accept: by then the server
// accepts connections.
type announcingListener struct {
	net.Listener
	first func()
}

func (l *announcingListener) Accept() (net.Conn, error) {
	l.first()
	return l.Listener.Accept()
}

// openConns counts the server's connections that are not closed yet, and
// knows since when each idle one has been idle.
type openConns struct {
	mu   sync.Mutex
	n    int
	idle map[net.Conn]time.Time
}

func (c *openConns) track(conn net.Conn, st http.ConnState) {
	c.mu.Lock()
	switch st {
	case http.StateNew:
		c.n++
	case http.StateIdle:
		c.idle[conn] = time.Now()
	case http.StateActive:
		delete(c.idle, conn)
	case http.StateClosed, http.StateHijacked:
		delete(c.idle, conn)
		c.n--
	}
	c.mu.Unlock()
}

// closeIdle closes the connections idle for longer than d.
func (c *openConns) closeIdle(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for conn, since := range c.idle {
		if time.Since(since) > d {
			conn.Close()
			delete(c.idle, conn)
		}
	}
}

func (c *openConns) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
