// Package procfs reads the few facts spark2 needs about processes from /proc:
// a process's parent, state and start time (the start time tells a live pid
// from a reused one), and the descendants of a process.
package procfs

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
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
	b, err := os.ReadFile(fmt.Sprintf("%s/%d/stat", Root, pid))
	if err != nil {
		return Stat{}, err
	}
	return ParseStat(b)
}

// ParseStat parses the contents of a /proc/<pid>/stat file. The command name,
// field 2, may hold spaces and parentheses, so fields are counted from the
// last ')'.
func ParseStat(b []byte) (Stat, error) {
	var st Stat
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 1 || end < open {
		return st, fmt.Errorf("parse /proc stat: no command name in %q", trim(b))
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil {
		return st, fmt.Errorf("parse /proc stat: bad pid in %q", trim(b))
	}
	// After ") " come field 3 (state) onwards; start time is field 22.
	f := bytes.Fields(b[end+1:])
	if len(f) < 20 || len(f[0]) != 1 {
		return st, fmt.Errorf("parse /proc stat of pid %d: %d fields after the name, want at least 20", pid, len(f))
	}
	st.Pid, st.State = pid, f[0][0]
	if st.PPid, err = strconv.Atoi(string(f[1])); err != nil {
		return st, fmt.Errorf("parse /proc stat of pid %d: bad ppid: %w", pid, err)
	}
	if st.PGrp, err = strconv.Atoi(string(f[2])); err != nil {
		return st, fmt.Errorf("parse /proc stat of pid %d: bad pgrp: %w", pid, err)
	}
	if st.StartTime, err = strconv.ParseUint(string(f[19]), 10, 64); err != nil {
		return st, fmt.Errorf("parse /proc stat of pid %d: bad start time: %w", pid, err)
	}
	return st, nil
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
