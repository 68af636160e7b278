package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

// serveLife bounds how long a worker lives if every cleanup failed.
const serveLife = 3 * time.Minute

// serve is the start-up figure's worker: a net/http server answering every
// request with "ok". Under spark2 it takes the socket spark2 bound (fd 3, the
// systemd convention); under the other inits it binds its own port, as a
// server under tini does.
func serve() int {
	var l net.Listener
	var err error
	if os.Getenv("LISTEN_FDS") == "1" && os.Getenv("LISTEN_PID") == strconv.Itoa(os.Getpid()) {
		f := os.NewFile(3, "listener")
		l, err = net.FileListener(f)
		f.Close()
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:"+os.Getenv("PEERBENCH_PORT"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 1
	}
	go func() {
		time.Sleep(serveLife)
		os.Exit(0)
	}()
	err = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	}))
	fmt.Fprintln(os.Stderr, "serve:", err)
	return 1
}
