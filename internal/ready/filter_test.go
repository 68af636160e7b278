package ready

import (
	"net"
	"os"
	"testing"
	"time"
)

func TestFilterDropsStrangersBeforeTheLoop(t *testing.T) {
	s, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := make(chan Message, 16)
	reports := make(chan [2]int, 16)
	allow := false
	served := make(chan struct{})
	go func() {
		defer close(served)
		s.Serve(out, Filter{
			Allow:  func(pid int) bool { return allow && pid == os.Getpid() },
			Report: func(n, pid int) { reports <- [2]int{n, pid} },
			Every:  time.Hour,
		}, nil)
	}()
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: s.Addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 100; i++ {
		if _, err := c.Write([]byte("READY=1")); err != nil {
			t.Fatal(err)
		}
	}
	// The first drop is reported at once, the next 99 wait for the hour.
	if r := <-reports; r != [2]int{1, os.Getpid()} {
		t.Fatalf("report %v, want 1 dropped from pid %d", r, os.Getpid())
	}
	s.Close()
	<-served
	if len(out) != 0 || len(reports) != 0 {
		t.Fatalf("%d messages and %d more reports got through, want none", len(out), len(reports))
	}
}

func TestDropReportsAreRateLimited(t *testing.T) {
	now := time.Unix(0, 0)
	var got [][2]int
	asked := 0
	d := &dropCounter{f: Filter{
		Allow:  func(pid int) bool { asked++; return pid == 7 },
		Report: func(n, pid int) { got = append(got, [2]int{n, pid}) },
		Every:  10 * time.Second,
		Now:    func() time.Time { return now },
	}}
	if !d.allowed(7) {
		t.Fatal("pid 7 dropped")
	}
	for i := 0; i < 1000; i++ {
		d.allowed(9)
		now = now.Add(time.Millisecond) // 1000 drops over 1 s
	}
	now = now.Add(9 * time.Second)
	d.allowed(8) // 10 s after the first report
	want := [][2]int{{1, 9}, {1000, 8}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("reports %v, want %v", got, want)
	}
	// pid 7 once; pid 9 once for its 1000 datagrams within a second; pid 8 once.
	if asked != 3 {
		t.Fatalf("Allow asked %d times, want 3: a refused pid is remembered for a second", asked)
	}
}
