package main

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

	"github.com/spark2/spark2/internal/httpdrain"
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
// On SIGTERM or SIGINT it drains as internal/httpdrain does: it closes its
// copy of the listening socket (connections not yet accepted wait in the
// kernel's queue for another worker), answers every request it reads from
// then on with "Connection: close" and closes that connection after the
// answer, closes a connection that stays idle for 2 s, and exits 0 when the
// last one is closed. It does not use http.Server.Shutdown, which closes
// idle keep-alive connections under their clients.
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
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Pid"] = pidHdr
		h["Content-Type"] = ctype
		w.Write(body)
	})
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM, syscall.SIGINT)
	stop := make(chan struct{})
	go func() {
		<-term
		close(stop)
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
	srv := &httpdrain.Server{Handler: handler}
	if err := srv.Serve(&announcingListener{Listener: ln, first: ready}, stop); err != nil {
		fmt.Fprintln(os.Stderr, "http:", err)
		return 1
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
