package e2e

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/spark2/spark2/internal/status"
)

// notifyFlood is the helper "notifyflood N": it says READY=1 on
// NOTIFY_SOCKET, prints "ready slot=S pid=P", then on each USR2 sends N more
// READY=1 datagrams (nothing new for spark2) and prints "flooded N".
func notifyFlood(args []string) int {
	n, _ := strconv.Atoi(args[0])
	c := make(chan os.Signal, 4)
	signal.Notify(c, syscall.SIGUSR2)
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: os.Getenv("NOTIFY_SOCKET"), Net: "unixgram"})
	if err != nil {
		fmt.Println("notifyflood:", err)
		return 1
	}
	conn.Write([]byte("READY=1"))
	fmt.Printf("ready slot=%s pid=%d\n", slotID(), os.Getpid())
	for range c {
		sent := flood(conn, n)
		fmt.Printf("flooded %d slot=%s pid=%d\n", sent, slotID(), os.Getpid())
	}
	return 0
}

// slowReady is the helper "slowready EXTEND WAIT": it sends
// EXTEND_TIMEOUT_USEC=EXTEND (microseconds) on NOTIFY_SOCKET, waits WAIT,
// then says READY=1 and serves.
func slowReady(args []string) int {
	wait, _ := time.ParseDuration(args[1])
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: os.Getenv("NOTIFY_SOCKET"), Net: "unixgram"})
	if err != nil {
		fmt.Println("slowready:", err)
		return 1
	}
	conn.Write([]byte("EXTEND_TIMEOUT_USEC=" + args[0]))
	time.Sleep(wait)
	conn.Write([]byte("READY=1"))
	return serve(false)
}

// A worker that needs longer than --ready-timeout asks for it with
// EXTEND_TIMEOUT_USEC, and is ready when it says so, not stopped.
func TestExtendTimeoutLetsASlowWorkerGetReady(t *testing.T) {
	env, path := statusEnv(t)
	m := run(t, plain, env, append([]string{"--no-listen", "--ready", "notify", "--ready-timeout", "1s"}, helper("slowready", "4000000", "2s")...)...)
	m.readyWorkers(1) // its "ready" line, printed after the 2 s
	waitReady(t, path, 1)
	f, err := status.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Workers[0].Restarts != 0 || f.Totals.Spawned != 1 {
		t.Fatalf("the slow worker was replaced: %+v", f.Workers[0])
	}
	if !strings.Contains(m.Stderr(), "worker asks for more time to get ready (EXTEND_TIMEOUT_USEC)") {
		t.Fatalf("no log line for the extension; stderr:\n%s", m.Stderr())
	}
}

// flood sends up to n READY=1 datagrams on conn within 20 s; it returns how
// many were sent.
func flood(conn *net.UnixConn, n int) int {
	conn.SetWriteDeadline(time.Now().Add(20 * time.Second))
	msg := []byte("READY=1\nSTATUS=flooding")
	for i := 0; i < n; i++ {
		if _, err := conn.Write(msg); err != nil {
			return i
		}
	}
	return n
}

// renames counts the status file's replacements (rename onto its path, as
// status.Dir.Write does) while f runs, with inotify on its directory.
func renames(t *testing.T, path string, f func()) int {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if _, err := unix.InotifyAddWatch(fd, filepath.Dir(path), unix.IN_MOVED_TO); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	count := make(chan int)
	go func() {
		n := 0
		buf := make([]byte, 64<<10)
		name := []byte(filepath.Base(path) + "\x00")
		for done := false; ; {
			k, _ := unix.Read(fd, buf)
			for off := 0; off+unix.SizeofInotifyEvent <= k; {
				ev := (*unix.InotifyEvent)(unsafePointer(buf[off:]))
				nameAt := off + unix.SizeofInotifyEvent
				if bytes.HasPrefix(buf[nameAt:nameAt+int(ev.Len)], name) {
					n++
				}
				off = nameAt + int(ev.Len)
			}
			if done && k <= 0 {
				count <- n
				return
			}
			select {
			case <-stop:
				done = true
			default:
				if k <= 0 {
					time.Sleep(5 * time.Millisecond)
				}
			}
		}
	}()
	f()
	close(stop)
	return <-count
}

// TestNotifyFloodFromStrangerAndWorker (issue 10 item 13): datagrams on
// NOTIFY_SOCKET from a process that is no worker's (this test) are dropped
// before the master's loop, with a rate-limited log line; a worker that
// floods READY=1 (nothing new) does not make spark2 rewrite its status file
// for each one: the file changes only when something changed, plus the
// heartbeat (at most about twice a second).
func TestNotifyFloodFromStrangerAndWorker(t *testing.T) {
	const n = 100000
	env, path := statusEnv(t)
	m := run(t, plain, env, append([]string{"-p", "0", "--ready", "notify"}, helper("notifyflood", strconv.Itoa(n))...)...)
	worker := m.readyWorkers(1)[0]
	waitReady(t, path, 1)
	environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", worker))
	if err != nil {
		t.Fatal(err)
	}
	var addr string
	for _, kv := range strings.Split(string(environ), "\x00") {
		if v, ok := strings.CutPrefix(kv, "NOTIFY_SOCKET="); ok {
			addr = v
		}
	}
	if addr == "" {
		t.Fatal("the worker has no NOTIFY_SOCKET")
	}

	idle := time.Now()
	base := renames(t, path, func() { time.Sleep(2 * time.Second) })
	idleFor := time.Since(idle)
	t.Logf("idle: %d renames of the status file in %v", base, idleFor.Round(time.Millisecond))

	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cpu0 := cpuTime(t, m.pid)
	start := time.Now()
	var sent int
	stranger := renames(t, path, func() { sent = flood(conn, n) })
	took := time.Since(start)
	cpu := cpuTime(t, m.pid) - cpu0
	t.Logf("stranger: %d datagrams in %v: %d renames, spark2 CPU %v", sent, took.Round(time.Millisecond), stranger, cpu)
	if sent < n/10 {
		t.Fatalf("the stranger could send only %d datagrams", sent)
	}
	// One write per heartbeat (500 ms) at most, plus slack for the sweep.
	if limit := int(took/(500*time.Millisecond)) + 3; stranger > limit {
		t.Errorf("%d renames while a stranger flooded for %v, want at most %d (the heartbeat)", stranger, took, limit)
	}
	eventually(t, "the log line about the stranger", func() bool {
		return strings.Contains(m.Stderr(), "ignoring NOTIFY_SOCKET datagrams from a process that is no worker's")
	})
	if lines := m.logCount("ignoring NOTIFY_SOCKET datagrams"); lines > int(took/(10*time.Second))+2 {
		t.Errorf("%d log lines about the stranger in %v, want at most one per 10 s", lines, took)
	}
	if strings.Contains(m.Stderr(), "notify message from a process that is no worker's") {
		t.Error("a stranger's datagram reached the master's loop")
	}

	cpu0 = cpuTime(t, m.pid)
	start = time.Now()
	var line string
	fromWorker := renames(t, path, func() {
		syscall.Kill(worker, syscall.SIGUSR2)
		line = m.line("flooded ")
	})
	took = time.Since(start)
	cpu = cpuTime(t, m.pid) - cpu0
	t.Logf("worker: %s in %v: %d renames, spark2 CPU %v", strings.Fields(line)[1], took.Round(time.Millisecond), fromWorker, cpu)
	if limit := int(took/(500*time.Millisecond)) + 3; fromWorker > limit {
		t.Errorf("%d renames while a worker repeated READY=1 for %v, want at most %d (the heartbeat)", fromWorker, took, limit)
	}
	if code, out := probe(t, env, "ready"); code != 0 {
		t.Errorf("after the floods: --probe ready %d %q", code, out)
	}
}

func unsafePointer(b []byte) unsafe.Pointer { return unsafe.Pointer(&b[0]) }
