// Command go is the Go net/http recipe for spark2: a server that takes its
// socket from spark2 the systemd way (go-systemd's activation: fd 3,
// LISTEN_FDS, LISTEN_PID), says READY=1 on NOTIFY_SOCKET once it accepts,
// and drains on SIGTERM (see drain.go), so a rolling respawn fails no
// request, keep-alive or not:
//
//	go build -o hello ./examples/recipes/go
//	spark2 -n 4 --ready notify ./hello
//
// Run by hand (no LISTEN_FDS) it listens on $PORT (3000 when unset).
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/coreos/go-systemd/v22/activation"
	"github.com/coreos/go-systemd/v22/daemon"
)

func main() {
	log.SetFlags(0)
	ln, err := listener()
	if err != nil {
		log.Fatalf("go recipe: %v", err)
	}
	stop := make(chan struct{})
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		close(stop)
	}()
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from go, worker %s (pid %d)\n", os.Getenv("SPARK2_WORKER_ID"), os.Getpid())
	})
	s := &drainingServer{handler: hello, grace: idleGrace}
	served := make(chan error, 1)
	go func() { served <- s.serve(ln, stop) }()
	// The socket is listening already (spark2 bound it): from here on a
	// connection is accepted as soon as the serving goroutine runs.
	if _, err := daemon.SdNotify(false, daemon.SdNotifyReady); err != nil {
		log.Printf("go recipe: notify ready: %v", err)
	}
	if err := <-served; err != nil {
		log.Fatalf("go recipe: serve: %v", err)
	}
}

// listener returns the socket spark2 (or systemd) passed, else a new one on
// $PORT.
func listener() (net.Listener, error) {
	lns, err := activation.Listeners()
	if err != nil {
		return nil, fmt.Errorf("take the socket from LISTEN_FDS: %w", err)
	}
	if len(lns) > 0 && lns[0] != nil {
		return lns[0], nil
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	return net.Listen("tcp", ":"+port)
}
