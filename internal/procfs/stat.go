// Package procfs reads the few facts spark2 needs about processes from /proc:
// a process's parent, state and start time (the start time tells a live pid
// from a reused one), and the descendants of a process. The master reads
// /proc every second (its liveness sweep, --max-memory), so a Reader does it
// with raw open/read/close into buffers it keeps and parses without
// allocating, and a Table indexes one walk of every process by pid and by
// parent.
package procfs

import (
	"bytes"
	"fmt"
	"sync"
)

// Stat is the part of /proc/<pid>/stat that spark2 uses.
type Stat struct {
	Pid       int
	State     byte   // R, S, D, Z, T, ...
	PPid      int    // parent pid
	PGrp      int    // process group id
	StartTime uint64 // clock ticks since boot; with Pid, it names one process for ever
}

// Root is the mount point of procfs; tests may point it elsewhere.
var Root = "/proc"

// ReadStat returns the stat of pid. It returns an error wrapping os.ErrNotExist
// when no such process exists (or it has been reaped), and a parse error naming
// the pid when the file is not in the kernel's format.
func ReadStat(pid int) (Stat, error) {
	r := readers.Get().(*Reader)
	defer readers.Put(r)
	return r.Stat(pid)
}

// readers keeps Readers (4 KiB each) for ReadStat and Alive, which the
// master calls for each worker every second (its liveness sweep): a new
// Reader a call was most of an idle master's garbage.
var readers = sync.Pool{New: func() any { return new(Reader) }}

// ParseStat parses the contents of a /proc/<pid>/stat file. The command name,
// field 2, may hold spaces and parentheses, so fields are counted from the
// last ')'. It does not allocate unless the contents are not in the kernel's
// format.
func ParseStat(b []byte) (Stat, error) {
	var st Stat
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 1 || end < open {
		return st, fmt.Errorf("parse /proc stat: no command name in %q", trim(b))
	}
	pid, ok := uintField(b, 0)
	if !ok || b[open-1] != ' ' || bytes.IndexByte(b[:open-1], ' ') >= 0 {
		return st, fmt.Errorf("parse /proc stat: bad pid in %q", trim(b))
	}
	st.Pid = int(pid)
	// After ") " come field 3 (state) onwards; start time is field 22.
	var at [20]int // where fields 3..22 start
	n := 0
	for i := end + 1; i < len(b) && n < len(at); i++ {
		if b[i] != ' ' && b[i] != '\n' && (b[i-1] == ' ' || b[i-1] == ')') {
			at[n] = i
			n++
		}
	}
	if n < len(at) || at[1]-at[0] != 2 {
		return st, fmt.Errorf("parse /proc stat of pid %d: %d fields after the name, want at least 20", st.Pid, n)
	}
	st.State = b[at[0]]
	ppid, ok1 := intField(b, at[1])
	pgrp, ok2 := intField(b, at[2])
	start, ok3 := uintField(b, at[19])
	switch {
	case !ok1:
		return st, fmt.Errorf("parse /proc stat of pid %d: bad ppid %q", st.Pid, word(b, at[1]))
	case !ok2:
		return st, fmt.Errorf("parse /proc stat of pid %d: bad pgrp %q", st.Pid, word(b, at[2]))
	case !ok3:
		return st, fmt.Errorf("parse /proc stat of pid %d: bad start time %q", st.Pid, word(b, at[19]))
	}
	st.PPid, st.PGrp, st.StartTime = int(ppid), int(pgrp), start
	return st, nil
}

// uintField parses the decimal number that starts at b[i] and ends at a
// space, a newline or the end of b.
func uintField(b []byte, i int) (uint64, bool) {
	var n uint64
	digits := 0
	for ; i < len(b) && b[i] != ' ' && b[i] != '\n'; i++ {
		c := b[i]
		if c < '0' || c > '9' || n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		digits++
	}
	return n, digits > 0
}

// intField is uintField that also takes a leading '-' (a pgrp of -1 is
// never written, but ppid 0 and negative values must not be misread).
func intField(b []byte, i int) (int64, bool) {
	if i < len(b) && b[i] == '-' {
		n, ok := uintField(b, i+1)
		return -int64(n), ok
	}
	n, ok := uintField(b, i)
	return int64(n), ok
}

// word is the field that starts at b[i], for an error message.
func word(b []byte, i int) []byte {
	j := i
	for j < len(b) && b[j] != ' ' && b[j] != '\n' {
		j++
	}
	return b[i:j]
}

// Alive reports whether the process pid that started at startTime still exists
// and is not a zombie. A pid now used by another process is not alive.
func Alive(pid int, startTime uint64) bool {
	st, err := ReadStat(pid)
	return err == nil && st.StartTime == startTime && st.State != 'Z'
}

func trim(b []byte) []byte {
	if len(b) > 80 {
		return b[:80]
	}
	return b
}
