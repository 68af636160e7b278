package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// procStat is the part of /proc/<pid>/stat the benchmark uses.
type procStat struct {
	pid, ppid int
	state     byte
}

func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return procStat{}, false
	}
	f := bytes.Fields(b[end+1:])
	if len(f) < 2 || len(f[0]) != 1 {
		return procStat{}, false
	}
	ppid, _ := strconv.Atoi(string(f[1]))
	return procStat{pid: pid, ppid: ppid, state: f[0][0]}, true
}

// allStats reads the stat of every process in /proc.
func allStats() []procStat {
	names, _ := filepath.Glob("/proc/[0-9]*")
	out := make([]procStat, 0, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(filepath.Base(n))
		if err != nil {
			continue
		}
		if st, ok := readStat(pid); ok {
			out = append(out, st)
		}
	}
	return out
}

// descendants returns every process below pid, zombies included.
func descendants(pid int) []procStat {
	all := allStats()
	kids := make(map[int][]procStat, len(all))
	for _, st := range all {
		kids[st.ppid] = append(kids[st.ppid], st)
	}
	var out []procStat
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range kids[p] {
			if k.pid != pid {
				out = append(out, k)
				queue = append(queue, k.pid)
			}
		}
	}
	return out
}

// children lists the children of pid, zombies included, from
// /proc/<pid>/task/*/children (one small read per thread); without that file
// (CONFIG_PROC_CHILDREN off) it scans /proc.
func children(pid int) []int {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	if len(tasks) == 0 {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
			var out []int
			for _, st := range allStats() {
				if st.ppid == pid {
					out = append(out, st.pid)
				}
			}
			return out
		}
		return nil
	}
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range bytes.Fields(b) {
			if n, err := strconv.Atoi(string(f)); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// statusKB returns the named "kB" fields of /proc/<pid>/status.
func statusKB(pid int, names ...string) map[string]int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	out := map[string]int{}
	if err != nil {
		return out
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		for _, n := range names {
			if k == n {
				f := strings.Fields(v)
				if len(f) > 0 {
					out[n], _ = strconv.Atoi(f[0])
				}
			}
		}
	}
	return out
}

// nsPids returns the NSpid line of /proc/<pid>/status: the pid in this
// namespace first, the pid in the innermost one last.
func nsPids(pid int) []int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return nil
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "NSpid:"); ok {
			var out []int
			for _, f := range strings.Fields(v) {
				n, _ := strconv.Atoi(f)
				out = append(out, n)
			}
			return out
		}
	}
	return nil
}

func readInt(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return n, err == nil
}

func comm(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return strings.TrimSpace(string(b))
}

// cpuMs returns the CPU time pid has used so far, all its threads, in ms
// (from /proc/<pid>/task/*/schedstat, in ns; threads that have ended are not
// counted).
func cpuMs(pid int) float64 {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/schedstat")
	var ns int64
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			ns += n
		}
	}
	return float64(ns) / 1e6
}
