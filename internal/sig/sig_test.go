package sig

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestNeverChildOrURG(t *testing.T) {
	for _, s := range Handled() {
		if s == syscall.SIGCHLD || s == syscall.SIGURG || s == syscall.SIGKILL || s == syscall.SIGSTOP ||
			s == syscall.SIGPROF || s == syscall.SIGPIPE || s == syscall.Signal(32) || s == syscall.Signal(33) || s == syscall.Signal(34) {
			t.Errorf("Handled() includes %v", s)
		}
	}
}

func TestActions(t *testing.T) {
	cases := map[syscall.Signal]Action{
		syscall.SIGTERM: Stop, syscall.SIGINT: Stop, syscall.SIGCONT: Respawn, syscall.SIGHUP: Respawn,
		syscall.SIGTTIN: ScaleUp, syscall.SIGTTOU: ScaleDown, syscall.SIGUSR1: Reopen,
		syscall.SIGTSTP: Ignore, syscall.SIGQUIT: Forward, syscall.SIGWINCH: Forward,
		syscall.Signal(37): Forward, syscall.Signal(64): Forward,
		syscall.SIGSEGV: Forward, syscall.SIGABRT: Forward, syscall.SIGILL: Forward, syscall.SIGTRAP: Forward,
		syscall.SIGBUS: Forward, syscall.SIGFPE: Forward, syscall.SIGSTKFLT: Forward,
		syscall.SIGXCPU: Log, syscall.SIGXFSZ: Log,
		syscall.SIGPIPE: Ignore, syscall.SIGPROF: Ignore, syscall.SIGURG: Ignore, syscall.SIGCHLD: Ignore,
		syscall.Signal(32): Ignore, syscall.Signal(33): Ignore, syscall.Signal(34): Ignore, syscall.Signal(35): Forward,
	}
	for s, want := range cases {
		if got := Of(s); got != want {
			t.Errorf("Of(%v) = %v, want %v", s, got, want)
		}
	}
}

// Notify's wait returns with the early signals subscribed (a TERM right after it
// reaches the channel, it does not end the process), and after Subscribed
// every handled signal reaches the channel.
func TestNotifySubscribesEveryHandledSignal(t *testing.T) {
	c := make(chan os.Signal, 64)
	Notify(c)()
	defer Unsubscribe(c)
	expect := func(s os.Signal) {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), s.(syscall.Signal)); err != nil {
			t.Fatal(err)
		}
		timeout := time.After(5 * time.Second)
		for {
			select {
			case got := <-c:
				if got == s {
					return
				}
			case <-timeout:
				t.Fatalf("%v did not reach the channel", s)
			}
		}
	}
	for _, s := range earlySignals {
		expect(s)
	}
	Subscribed()
	for _, s := range Handled() {
		expect(s)
	}
}

// TestNotifyWithOnePSubscribesEarlySignalsItself: with GOMAXPROCS 1 a
// subscribing goroutine would run only once the caller blocks, so Notify
// subscribes the early signals before it returns: a TERM sent right after,
// with no wait, reaches the channel (unsubscribed, it would end this test
// binary).
func TestNotifyWithOnePSubscribesEarlySignalsItself(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	c := make(chan os.Signal, 64)
	wait := Notify(c)
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-c:
		if s != syscall.SIGTERM {
			t.Fatalf("got %v, want TERM", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("TERM did not reach the channel")
	}
	wait()
	Unsubscribe(c)
}

// TestNotifyIgnoresSIGPIPEAtOnce: when Notify's wait returns, before the late
// subscriptions are done, SIGPIPE is ignored (the kernel's SigIgn says so):
// a reader of spark2's output that goes away must not kill it, and the
// master needs no call of os/signal of its own after Notify, which would
// wait for the late subscriptions.
func TestNotifyIgnoresSIGPIPEAtOnce(t *testing.T) {
	c := make(chan os.Signal, 64)
	Notify(c)()
	defer signal.Reset(syscall.SIGPIPE)
	defer Unsubscribe(c)
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	var ign uint64
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "SigIgn:\t"); ok {
			ign, _ = strconv.ParseUint(v, 16, 64)
		}
	}
	if ign&(1<<(syscall.SIGPIPE-1)) == 0 {
		t.Fatalf("SigIgn %016x: SIGPIPE is not ignored when Notify returns", ign)
	}
}

// Every handled signal that Notify subscribes to late is dropped by Go's
// runtime while it is not subscribed: a process that subscribed to none of
// them lives through each, neither ended nor stopped.
func TestLateSignalsAreHarmlessBeforeTheirSubscription(t *testing.T) {
	if os.Getenv("SPARK2_SIG_TEST_CHILD") == "1" {
		// Echo lines until stdin closes: the parent's proof of life.
		io.Copy(os.Stdout, os.Stdin)
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLateSignalsAreHarmlessBeforeTheirSubscription$")
	cmd.Env = append(os.Environ(), "SPARK2_SIG_TEST_CHILD=1")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewReader(out)
	alive := func(after string) {
		t.Helper()
		fmt.Fprintln(in, after)
		done := make(chan string, 1)
		go func() { l, _ := lines.ReadString('\n'); done <- l }()
		select {
		case l := <-done:
			if l != after+"\n" {
				t.Fatalf("after %s the child answered %q: it ended", after, l)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("after %s the child did not answer in 5 s: it is stopped", after)
		}
	}
	alive("start")
	for _, s := range late() {
		if err := cmd.Process.Signal(s); err != nil {
			t.Fatal(err)
		}
		alive(s.String())
	}
	if slices.ContainsFunc(late(), func(s os.Signal) bool { return slices.Contains(earlySignals, s) }) {
		t.Fatal("late() overlaps earlySignals")
	}
	if len(late())+len(earlySignals) != len(Handled()) {
		t.Fatalf("late %d + earlySignals %d != handled %d", len(late()), len(earlySignals), len(Handled()))
	}
}

// BenchmarkNotify is the time a master's start waits for its subscription:
// Notify's wait returns once the early signals are subscribed to. BenchmarkNotifyAll
// is the same for every handled signal at once, as spark2 did before.
func BenchmarkNotify(b *testing.B) {
	for b.Loop() {
		c := make(chan os.Signal, 128)
		Notify(c)()
		b.StopTimer()
		Unsubscribe(c)
		b.StartTimer()
	}
}

func BenchmarkNotifyAll(b *testing.B) {
	for b.Loop() {
		c := make(chan os.Signal, 128)
		signal.Notify(c, Handled()...)
		b.StopTimer()
		signal.Stop(c)
		b.StartTimer()
	}
}
