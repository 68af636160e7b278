package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// runHelper runs one helper program; each is a worker with a known behaviour.
//
//	serve [ignore-term]   print "ready slot=S pid=P", then "got SIG slot=S" for each
//	                      signal; exit 0 on TERM unless ignore-term
//	family                serve, with a child (same process group) that ignores TERM
//	exit N                exit with status N at once
//	lines N SIZE          print N lines of SIZE bytes, then exit 0
//	describe              print one line "describe ..." of what the worker sees, then serve
//	orphans N             make N short-lived orphans (double fork), print "orphaned N", then serve
//	nap DURATION          sleep, then exit 0
//	notifyflood N         say ready on NOTIFY_SOCKET, then on each USR2 send N
//	                      READY=1 datagrams and print "flooded N"
//	signals               catch every signal it can, say ready on NOTIFY_SOCKET, print
//	                      "got N slot=S pid=P" per signal; "bye" and exit 0 on TERM
//	http READY [CRASH]    an HTTP server on the socket from spark2 (see httpWorker)
//	zombie-then-exec PROGRAM ARG...
//	                      leave a zombie child, print "zombie pid=N", exec PROGRAM
//	health DIR            an HTTP server with go-systemd's watchdog (see healthWorker)
func runHelper(name string, args []string) int {
	selfBin, _ = os.Executable()
	switch name {
	case "serve":
		return serve(len(args) > 0 && args[0] == "ignore-term")
	case "family":
		c := exec.Command(selfBin, "helper", "serve", "ignore-term")
		c.Stdout, c.Stderr = os.Stdout, os.Stderr
		if err := c.Start(); err != nil {
			fmt.Println("family:", err)
			return 1
		}
		return serve(true)
	case "exit":
		n, _ := strconv.Atoi(args[0])
		return n
	case "lines":
		return lines(args)
	case "describe":
		fmt.Println("describe " + describe())
		return serve(false)
	case "orphans":
		n, _ := strconv.Atoi(args[0])
		for i := 0; i < n; i++ {
			// sh forks sleep into the background and exits: sleep is orphaned.
			if err := exec.Command("/bin/sh", "-c", "sleep 0.2 &").Run(); err != nil {
				fmt.Println("orphans:", err)
				return 1
			}
		}
		fmt.Printf("orphaned %d\n", n)
		return serve(false)
	case "http":
		return httpWorker(args)
	case "health": // health_test.go
		return healthWorker(args)
	case "catchall": // stresshelpers_test.go
		return catchAll()
	case "signals": // signals_test.go
		return reportSignals()
	case "notifyflood": // notify_test.go
		return notifyFlood(args)
	case "slowready": // notify_test.go
		return slowReady(args)
	case "zombie-then-exec": // reap_test.go
		return zombieThenExec(args)
	case "nap":
		d, _ := time.ParseDuration(args[0])
		time.Sleep(d)
		return 0
	}
	fmt.Fprintf(os.Stderr, "unknown helper %q\n", name)
	return 2
}

func slotID() string { return os.Getenv("SPARK2_WORKER_ID") }

func serve(ignoreTerm bool) int {
	c := make(chan os.Signal, 16)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1,
		syscall.SIGUSR2, syscall.SIGQUIT, syscall.SIGWINCH, syscall.SIGCONT)
	fmt.Printf("ready slot=%s pid=%d\n", slotID(), os.Getpid())
	for s := range c {
		fmt.Printf("got %s slot=%s pid=%d\n", sigName(s), slotID(), os.Getpid())
		if s == syscall.SIGTERM && !ignoreTerm {
			return 0
		}
	}
	return 0
}

func sigName(s os.Signal) string { return unix.SignalName(s.(syscall.Signal)) }

func lines(args []string) int {
	n, _ := strconv.Atoi(args[0])
	size, _ := strconv.Atoi(args[1])
	w := os.Stdout
	for i := 0; i < n; i++ {
		head := fmt.Sprintf("line slot=%s seq=%d ", slotID(), i)
		fmt.Fprintln(w, head+strings.Repeat("x", size-len(head)-1))
	}
	return 0
}

// describe reports fds, ids, process group, signal state and spark2's
// variables, as "key=value" words.
func describe() string {
	fds := openFds()
	status, _ := os.ReadFile("/proc/self/status")
	field := func(name string) string {
		for _, l := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(l, name+":"); ok {
				return strings.TrimSpace(v)
			}
		}
		return ""
	}
	pgid, _ := syscall.Getpgid(0)
	return fmt.Sprintf("pid=%d pgid=%d fds=%s sigblk=%s sigign=%s worker_id=%s spark2_env=%s node_env=%s foo=%s listen_pid=%s ready_fd=%s",
		os.Getpid(), pgid, strings.Join(fds, ","), field("SigBlk"), field("SigIgn"),
		os.Getenv("SPARK2_WORKER_ID"), os.Getenv("SPARK2_ENV"), os.Getenv("NODE_ENV"), os.Getenv("FOO"), os.Getenv("LISTEN_PID"), os.Getenv("SPARK2_READY_FD"))
}

// openFds lists the open fds with raw syscalls, so that the Go runtime opens
// no fd of its own (os.ReadDir would start the network poller's epoll fd).
func openFds() []string {
	dir, err := syscall.Open("/proc/self/fd", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return []string{"error:" + err.Error()}
	}
	defer syscall.Close(dir)
	buf := make([]byte, 8192)
	var fds []string
	for {
		n, err := syscall.ReadDirent(dir, buf)
		if err != nil || n == 0 {
			break
		}
		var names []string
		_, _, names = syscall.ParseDirent(buf[:n], -1, names)
		for _, name := range names {
			// Not inherited: the directory being read, and the cgroup CPU files
			// that Go's own runtime (1.25+) keeps open in every Go program.
			target, _ := os.Readlink("/proc/self/fd/" + name)
			if name != strconv.Itoa(dir) && !strings.HasPrefix(target, "/sys/fs/cgroup/") {
				fds = append(fds, name)
			}
		}
	}
	return fds
}
