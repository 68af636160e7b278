package app

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestParseStoppableStopsAtOnceAndHoldsTheRest: while a config file keeps
// the parse waiting (a FIFO nobody writes), a TERM returns at once; signals
// that came before it are back on the channel, in order, for the master.
func TestParseStoppableStopsAtOnceAndHoldsTheRest(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "spark2.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	defer func() { // let the parse that waits in open(2) end
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	}()
	signals := make(chan os.Signal, 8)
	signals <- syscall.SIGHUP
	signals <- syscall.SIGUSR1
	signals <- syscall.SIGTERM
	type result struct {
		stop syscall.Signal
		err  error
	}
	got := make(chan result, 1)
	go func() {
		_, stop, err := parseStoppable([]string{"-c", fifo, "--", "/bin/true"}, dir, signals, func() {})
		got <- result{stop, err}
	}()
	select {
	case r := <-got:
		if r.stop != syscall.SIGTERM || r.err != nil {
			t.Fatalf("parseStoppable = %v, %v; want SIGTERM and no error", r.stop, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("parseStoppable waited for the config file despite a TERM")
	}
	for _, want := range []os.Signal{syscall.SIGHUP, syscall.SIGUSR1} {
		select {
		case s := <-signals:
			if s != want {
				t.Fatalf("held signal %v, want %v", s, want)
			}
		default:
			t.Fatalf("%v was not put back for the master", want)
		}
	}
}

// TestParseStoppableReturnsTheParse: with no stop signal, parseStoppable is
// the parse, and leaves the signals alone.
func TestParseStoppableReturnsTheParse(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "spark2.json"), []byte(`{"workers": 3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	signals := make(chan os.Signal, 8)
	res, stop, err := parseStoppable([]string{"--no-listen", "--", "/bin/true"}, dir, signals, func() {})
	if err != nil || stop != 0 || res.Config.Workers != 3 {
		t.Fatalf("parseStoppable = workers %d, %v, %v; want 3 from the file, no stop, no error", res.Config.Workers, stop, err)
	}
	if _, _, err := parseStoppable([]string{"-n", "0", "--", "/bin/true"}, dir, signals, func() {}); err == nil {
		t.Fatal("-n 0: no error")
	}
	if len(signals) != 0 {
		t.Fatalf("%d signals appeared on the channel", len(signals))
	}
}
