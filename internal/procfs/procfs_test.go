package procfs

import (
	"os"
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
