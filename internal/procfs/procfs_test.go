package procfs

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"testing"
)

func TestParseStatNameWithSpacesAndParens(t *testing.T) {
	line := "4242 (we ird) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615\n"
	st, err := ParseStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	want := Stat{Pid: 4242, State: 'S', PPid: 1, PGrp: 4242, StartTime: 987654}
	if st != want {
		t.Fatalf("got %+v, want %+v", st, want)
	}
}

func TestParseStatRejectsGarbage(t *testing.T) {
	for _, in := range []string{"", "12", "x (a) S 1", "12 (a) S 1 2 3"} {
		if _, err := ParseStat([]byte(in)); err == nil {
			t.Errorf("ParseStat(%q) succeeded, want an error", in)
		}
	}
}

func TestAliveSelfAndReusedPid(t *testing.T) {
	st, err := ReadStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !Alive(st.Pid, st.StartTime) {
		t.Fatal("this process is not alive")
	}
	if Alive(st.Pid, st.StartTime+1) {
		t.Fatal("a different start time must mean another process")
	}
}

func TestDescendants(t *testing.T) {
	procs := []Stat{{Pid: 1}, {Pid: 10, PPid: 1}, {Pid: 11, PPid: 10}, {Pid: 12, PPid: 11}, {Pid: 20, PPid: 1}, {Pid: 30, PPid: 0}}
	got := Descendants(procs, 10)
	if len(got) != 2 || got[0].Pid != 11 || got[1].Pid != 12 {
		t.Fatalf("Descendants(10) = %+v, want 11 then 12", got)
	}
	if n := len(Descendants(procs, 1)); n != 4 {
		t.Fatalf("Descendants(1) has %d, want 4", n)
	}
}

func TestReaderWalkFindsThisProcessAndItsChild(t *testing.T) {
	c := exec.Command("sleep", "60")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { c.Process.Kill(); c.Wait() }()
	var r Reader
	tab, err := r.Walk()
	if err != nil {
		t.Fatal(err)
	}
	me, ok := tab.Get(os.Getpid())
	if !ok || me.State == 'Z' || me.PPid != os.Getppid() {
		t.Fatalf("this process in the table: %+v, %v; want it running, parent %d", me, ok, os.Getppid())
	}
	kid, ok := tab.Get(c.Process.Pid)
	if !ok || kid.PPid != os.Getpid() {
		t.Fatalf("the child in the table: %+v, %v", kid, ok)
	}
	if d := tab.Descendants(os.Getpid()); !slices.ContainsFunc(d, func(s Stat) bool { return s.Pid == c.Process.Pid }) {
		t.Fatalf("Descendants of this process %+v lack the child %d", d, c.Process.Pid)
	}
	if _, ok := tab.Get(1 << 30); ok {
		t.Fatal("a pid that cannot exist is in the table")
	}
}

func TestTableDescendantsAgreesWithDescendants(t *testing.T) {
	procs := []Stat{{Pid: 1}, {Pid: 10, PPid: 1}, {Pid: 11, PPid: 10}, {Pid: 12, PPid: 11}, {Pid: 20, PPid: 1}, {Pid: 30, PPid: 0}, {Pid: 13, PPid: 10}}
	tab := NewTable(procs)
	for _, pid := range []int{0, 1, 10, 11, 12, 99} {
		if got, want := tab.Descendants(pid), Descendants(procs, pid); !slices.Equal(got, want) {
			t.Errorf("Descendants(%d): table %+v, list %+v", pid, got, want)
		}
	}
}

func TestReaderRSSOfThisProcess(t *testing.T) {
	var r Reader
	rss, err := r.RSS(os.Getpid(), uint64(os.Getpagesize()))
	if err != nil || rss < 1<<20 {
		t.Fatalf("RSS of this process: %d, %v; want at least 1 MiB", rss, err)
	}
	if _, err := r.RSS(1<<30, 4096); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("RSS of a pid that cannot exist: %v, want not-exist", err)
	}
}

func TestParseStatAllocatesNothing(t *testing.T) {
	line := []byte("4242 (we ird) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615\n")
	if n := testing.AllocsPerRun(100, func() { ParseStat(line) }); n != 0 {
		t.Fatalf("ParseStat allocates %v times, want 0", n)
	}
}

func BenchmarkWalk(b *testing.B) {
	var r Reader
	for range b.N {
		if _, err := r.Walk(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAll(b *testing.B) {
	for range b.N {
		if _, err := All(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseStat(b *testing.B) {
	line := []byte("4242 (we ird) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615\n")
	for range b.N {
		ParseStat(line)
	}
}

func TestTableGetInAnyOrder(t *testing.T) {
	procs := []Stat{{Pid: 30, PPid: 1}, {Pid: 10, PPid: 1, State: 'S'}, {Pid: 20, PPid: 10}, {Pid: 10, PPid: 1, State: 'R'}, {Pid: 1}}
	tab := NewTable(procs)
	for _, want := range []Stat{{Pid: 30, PPid: 1}, {Pid: 20, PPid: 10}, {Pid: 1}} {
		if got, ok := tab.Get(want.Pid); !ok || got != want {
			t.Errorf("Get(%d) = %+v, %v; want %+v", want.Pid, got, ok, want)
		}
	}
	if got, ok := tab.Get(10); !ok || got.State != 'R' {
		t.Errorf("Get(10) = %+v, %v; want the last of the two (state R)", got, ok)
	}
	for _, pid := range []int{0, 2, 15, 31, -1} {
		if got, ok := tab.Get(pid); ok {
			t.Errorf("Get(%d) = %+v, want none", pid, got)
		}
	}
	for _, pid := range []int{1, 10, 20, 2} {
		if got, want := tab.Descendants(pid), Descendants(procs, pid); !slices.Equal(got, want) {
			t.Errorf("Descendants(%d): table %+v, list %+v", pid, got, want)
		}
	}
	if empty := NewTable(nil); len(empty.Descendants(1)) != 0 {
		t.Error("an empty table has descendants")
	}
	if _, ok := NewTable(nil).Get(1); ok {
		t.Error("an empty table has pid 1")
	}
}

// TestReaderWalkStopsWhenAsked: a Stop that says true ends the walk with
// ErrStopped, asked before the first process and then every stopEvery; one
// that never does changes nothing.
func TestReaderWalkStopsWhenAsked(t *testing.T) {
	asked := 0
	r := Reader{Stop: func() bool { asked++; return true }}
	if tab, err := r.Walk(); !errors.Is(err, ErrStopped) || tab != nil || asked != 1 {
		t.Fatalf("Walk with a Stop that says true: %v, %v after %d questions; want ErrStopped after 1", tab, err, asked)
	}
	asked = 0
	r.Stop = func() bool { asked++; return false }
	tab, err := r.Walk()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tab.Get(os.Getpid()); !ok {
		t.Fatal("a walk whose Stop never says true misses this process")
	}
	if want := (len(tab.Procs) + stopEvery - 1) / stopEvery; asked < want {
		t.Fatalf("Stop asked %d times over %d processes; want at least %d", asked, len(tab.Procs), want)
	}
}

// TestWalkIntoRefillsATableWithoutGarbage: a table refilled by WalkInto holds
// the new walk only, and refilling it again allocates nothing (a process or
// two that start meanwhile may grow it once: AllocsPerRun's mean ignores it).
func TestWalkIntoRefillsATableWithoutGarbage(t *testing.T) {
	tab := NewTable([]Stat{{Pid: 1 << 30, PPid: os.Getpid()}})
	var r Reader
	if err := r.WalkInto(tab); err != nil {
		t.Fatal(err)
	}
	if _, ok := tab.Get(1 << 30); ok {
		t.Fatal("a refilled table kept a process of its last content")
	}
	if me, ok := tab.Get(os.Getpid()); !ok || me.PPid != os.Getppid() {
		t.Fatalf("this process in the refilled table: %+v, %v", me, ok)
	}
	if d := tab.Descendants(os.Getpid()); slices.ContainsFunc(d, func(s Stat) bool { return s.Pid == 1<<30 }) {
		t.Fatal("a refilled table's parent index kept a process of its last content")
	}
	if n := testing.AllocsPerRun(100, func() {
		if err := r.WalkInto(tab); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("WalkInto allocates %v times a walk, want 0", n)
	}
}
