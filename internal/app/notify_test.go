package app

import "testing"

func TestBelowChild(t *testing.T) {
	// 1 is the master (PID 1 of a container); 10 a worker, 11 its child, 12
	// a grandchild; 20 came from docker exec (parent 0, outside the
	// namespace's tree); 21 its child; 30 a loop in a corrupt table.
	parents := map[int]int{10: 1, 11: 10, 12: 11, 20: 0, 21: 20, 30: 31, 31: 30}
	parent := func(pid int) int { return parents[pid] }
	for pid, want := range map[int]bool{10: true, 11: true, 12: true, 20: false, 21: false, 0: false, 1: false, 30: false, 99: false} {
		if got := belowChild(pid, 1, parent); got != want {
			t.Errorf("belowChild(%d) = %v, want %v", pid, got, want)
		}
	}
}
