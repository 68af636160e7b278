package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// heartbeat is the worker of the health figures: it says READY=1 on
// NOTIFY_SOCKET and prints "ready PID", then, when spark2 set WATCHDOG_USEC,
// sends WATCHDOG=1 every half period, as go-systemd users do. With a
// SILENT_AFTER duration it falls silent that long after its ready (alive,
// socket kept) and prints "silent PID UNIX_NS", the clock at its last
// WATCHDOG=1; on SIGABRT it prints "abort PID UNIX_NS" and exits 134.
func heartbeat(args []string) int {
	var silentAfter time.Duration
	if len(args) > 0 {
		d, err := time.ParseDuration(args[0])
		if err != nil {
			fmt.Fprintf(os.Stderr, "spark2bench heartbeat: bad SILENT_AFTER %q: want a duration such as 2s\n", args[0])
			return 2
		}
		silentAfter = d
	}
	aborts := make(chan os.Signal, 1)
	signal.Notify(aborts, syscall.SIGABRT)
	sock := os.Getenv("NOTIFY_SOCKET")
	if sock == "" {
		fmt.Fprintln(os.Stderr, "spark2bench heartbeat: no NOTIFY_SOCKET: run me under spark2 --ready notify")
		return 2
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		fmt.Fprintf(os.Stderr, "spark2bench heartbeat: dial NOTIFY_SOCKET %s: %v\n", sock, err)
		return 1
	}
	if _, err := c.Write([]byte("READY=1")); err != nil {
		fmt.Fprintf(os.Stderr, "spark2bench heartbeat: READY=1: %v\n", err)
		return 1
	}
	pid := os.Getpid()
	readyAt := time.Now()
	fmt.Printf("ready %d\n", pid)
	var tick <-chan time.Time
	if usec, _ := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64); usec > 0 {
		t := time.NewTicker(time.Duration(usec) * time.Microsecond / 2)
		defer t.Stop()
		tick = t.C
	}
	var silent <-chan time.Time
	if silentAfter > 0 {
		silent = time.After(silentAfter)
	}
	var last time.Time
	for {
		select {
		case <-tick:
			if _, err := c.Write([]byte("WATCHDOG=1")); err != nil {
				fmt.Fprintf(os.Stderr, "spark2bench heartbeat: WATCHDOG=1: %v\n", err)
				return 1
			}
			last = time.Now()
		case <-silent:
			tick, silent = nil, nil
			if last.IsZero() {
				last = readyAt // the watchdog counts from the ready
			}
			fmt.Printf("silent %d %d\n", pid, last.UnixNano())
		case <-aborts:
			fmt.Printf("abort %d %d\n", pid, time.Now().UnixNano())
			return 134
		}
	}
}
