package e2e

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coreos/go-systemd/v22/activation"
	"github.com/coreos/go-systemd/v22/daemon"

	"github.com/spark2/spark2/internal/httpdrain"
)

// httpWorker is the helper "http READY [CRASHFILE]": an HTTP server on the
// socket spark2 hands over, found with go-systemd's activation package (which
// insists on LISTEN_PID == its pid). It says ready per READY: "notify"
// (NOTIFY_SOCKET, via go-systemd), "fd" (a newline to SPARK2_READY_FD) or
// "none". If CRASHFILE exists it exits 1 at once instead (a broken release);
// "{slot}" in CRASHFILE is the worker's slot.
// GET / answers "pid=P slot=S"; GET /slow waits 300 ms first. On TERM it
// drains as internal/httpdrain does (stop accepting, answer every later
// request with Connection: close, close idle connections after a grace),
// then exits 0.
func httpWorker(args []string) int {
	if len(args) > 1 {
		crash := strings.ReplaceAll(args[1], "{slot}", slotID())
		if _, err := os.Stat(crash); err == nil {
			fmt.Fprintln(os.Stderr, "crashing on purpose:", crash, "exists")
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
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	stop := make(chan struct{})
	go func() {
		<-term
		close(stop)
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
	srv := &httpdrain.Server{Handler: mux}
	if err := srv.Serve(&readyListener{Listener: ls[0], ready: say}, stop); err != nil {
		fmt.Fprintln(os.Stderr, "http:", err)
		return 1
	}
	return 0
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

// get does one GET with c (a single request, not a load: loads go through
// internal/loadgen) and returns the body; a status other than 200 is an
// error.
func get(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = errors.New(resp.Status)
	}
	return string(b), err
}

func httpClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }
