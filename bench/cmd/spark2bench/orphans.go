package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// orphanRoom returns how many processes the machine can take beyond what runs
// now, keeping a margin, and a description of the limits.
func orphanRoom() (int, string) {
	limit, why := math.MaxInt, []string{}
	add := func(name string, v int) {
		why = append(why, fmt.Sprintf("%s=%d", name, v))
		limit = min(limit, v)
	}
	if v, ok := readInt("/proc/sys/kernel/pid_max"); ok {
		add("pid_max", v)
	}
	if v, ok := readInt("/proc/sys/kernel/threads-max"); ok {
		add("threads-max", v)
	}
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NPROC, &rl) == nil && rl.Cur != unix.RLIM_INFINITY && rl.Cur < math.MaxInt32 {
		add("ulimit -u", int(rl.Cur))
	}
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			f := strings.SplitN(l, ":", 3)
			if len(f) != 3 {
				continue
			}
			var p string
			switch {
			case f[0] == "0" && f[1] == "":
				p = filepath.Join("/sys/fs/cgroup", f[2], "pids.max")
			case strings.Contains(","+f[1]+",", ",pids,"):
				p = filepath.Join("/sys/fs/cgroup/pids", f[2], "pids.max")
			}
			if v, ok := readInt(p); ok && p != "" {
				add("pids.max", v)
			}
		}
	}
	used := 0
	if b, err := os.ReadFile("/proc/loadavg"); err == nil { // "0.1 0.2 0.3 running/total last"
		if f := strings.Fields(string(b)); len(f) > 3 {
			if _, t, ok := strings.Cut(f[3], "/"); ok {
				used, _ = strconv.Atoi(t)
			}
		}
	}
	why = append(why, fmt.Sprintf("threads now=%d", used))
	return limit - used - 2000, strings.Join(why, ", ")
}

func orphansSection(s *settings, r *report) error {
	room, limits := orphanRoom()
	n := min(s.orphans, room)
	if n < 100 {
		return fmt.Errorf("no room for orphans (%s)", limits)
	}
	progress("   %d orphans per run (%s)", n, limits)
	res := map[mode][]orphanResult{}
	began := time.Now()
	var longest time.Duration
	runs := 0
	for i := 0; i < s.orphanRuns; i++ {
		// Modes take turns; a round starts only if it fits the budget, or,
		// for the second round, a quarter more.
		budget := s.orphanBudget
		if i == 1 {
			budget += budget / 4
		}
		if i > 0 && time.Since(began)+time.Duration(len(s.modes))*longest > budget {
			progress("   orphans: time budget (%v) reached after %d round(s)", s.orphanBudget, i)
			break
		}
		for _, md := range s.modes {
			t := time.Now()
			x, err := orphanRun(s, md, n, i)
			if err != nil {
				return fmt.Errorf("%s run %d: %w", md, i+1, err)
			}
			longest = max(longest, time.Since(t))
			progress("   %s: %d orphans: exit storm %.1f ms, then zero zombies after %.1f ms (%d zombies left at the end of the storm); run took %.1f s",
				md, n, x.storm, x.reap, int(x.zombies), time.Since(t).Seconds())
			res[md] = append(res[md], x)
		}
		runs++
	}
	r.detail("### 5. Reaping %d orphans\n\n", n)
	r.detail("Limits checked first: %s; orphans = min(%d, limit − threads now − 2000).\n\n", limits, s.orphans)
	r.detail("The worker (`spark2 --restart no -n 1 spark2bench orphans`) starts two spawners that `fork+exec` %d NAPs (%s) between them without waiting, then exit: the NAPs are orphans of spark2. ", n, s.napKind)
	r.detail("Each NAP blocks reading a pipe whose only write end the worker holds; its stdout is a FIFO the benchmark reads. The worker closes the pipe: all NAPs end at once, and the benchmark's read of the FIFO returns EOF when the last one has ended (its files close just before it becomes a zombie): that is **t_end**. ")
	r.detail("Then `/proc/<spark2>/task/*/children` is polled every 0.2 ms until only the worker is left: **t_zero** (no zombie below spark2; checked once more with a /proc scan). %d run(s) per mode (at most %d, within a %v budget: creating %d processes is slow here).\n\n", runs, s.orphanRuns, s.orphanBudget, n)
	r.detail("| mode | t_end → zero zombies, median | max (each run) | zombies at t_end (median) | release → t_end (exit storm) | spawning %d | spark2 VmHWM after |\n|---|---|---|---|---|---|---|\n", n)
	for _, md := range s.modes {
		var reap, storm, spawn, zomb, hwm []float64
		for _, x := range res[md] {
			reap = append(reap, x.reap)
			storm = append(storm, x.storm)
			spawn = append(spawn, x.spawn)
			zomb = append(zomb, x.zombies)
			hwm = append(hwm, x.hwm)
		}
		a := summarize(reap)
		var each []string
		for _, x := range reap {
			each = append(each, fmt.Sprintf("%.1f", x))
		}
		r.detail("| %s | %.1f ms | %.1f ms (%s) | %.0f | %.1f ms | %.0f ms | %s |\n", md, a.median, a.max, strings.Join(each, ", "), summarize(zomb).median,
			summarize(storm).median, summarize(spawn).median, mib(int(summarize(hwm).max)))
		r.row(fmt.Sprintf("%d orphans ended → zero zombies, %s (median / max of %d)", n, md, a.n),
			fmt.Sprintf("%.1f ms / %.1f ms", a.median, a.max), "≤ 1 s", yes(a.max <= 1000))
	}
	r.detail("\n")
	return nil
}

// orphanResult is one reaping run, in ms (hwm in kB).
type orphanResult struct{ reap, storm, spawn, zombies, hwm float64 }

func orphanRun(s *settings, md mode, n, i int) (orphanResult, error) {
	var x orphanResult
	fifo := filepath.Join(s.tmp, fmt.Sprintf("ended-%s-%d", md, i))
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return x, err
	}
	defer os.Remove(fifo)
	fd, err := syscall.Open(fifo, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return x, err
	}
	closeFd := true
	defer func() {
		if closeFd {
			syscall.Close(fd)
		}
	}()
	m, err := startMaster(md, s.spark2, nil, "--restart", "no", "-n", "1", "--stop-timeout", "2s",
		s.self, "orphans", strconv.Itoa(n), fifo, s.nap)
	if err != nil {
		return x, err
	}
	defer m.stop(10 * time.Second)
	l, err := m.next(60 * time.Second)
	if err != nil {
		return x, err
	}
	f := strings.Fields(l)
	if len(f) != 3 || f[0] != "orphaned" {
		return x, fmt.Errorf("unexpected worker line %q; stderr:\n%s", l, tail(m.stderr.String()))
	}
	spawnNs, _ := strconv.ParseInt(f[2], 10, 64)
	x.spawn = float64(spawnNs) / 1e6
	if err := unix.SetNonblock(fd, false); err != nil {
		return x, err
	}
	readFrom := time.Now()
	ended := make(chan time.Time, 1)
	closeFd = false // the reader closes it
	go func() {
		var b [512]byte
		for {
			k, err := syscall.Read(fd, b[:])
			if err == syscall.EINTR {
				continue
			}
			if k <= 0 {
				break
			}
		}
		ended <- time.Now()
		syscall.Close(fd)
	}()
	l, err = m.next(10 * time.Second)
	if err != nil {
		return x, err
	}
	f = strings.Fields(l)
	if len(f) != 2 || f[0] != "released" {
		return x, fmt.Errorf("unexpected worker line %q", l)
	}
	relNs, _ := strconv.ParseInt(f[1], 10, 64)
	if readFrom.UnixNano() > relNs {
		return x, errors.New("the benchmark was late to watch the FIFO; rerun")
	}
	var tEnd time.Time
	select {
	case tEnd = <-ended:
	case <-time.After(20 * time.Second):
		return x, errors.New("the orphans did not all end within 20 s")
	}
	x.storm = float64(tEnd.UnixNano()-relNs) / 1e6
	first := true
	deadline := tEnd.Add(20 * time.Second)
	for {
		k := len(children(m.pid)) - 1 // the worker is the one child that stays
		if first {
			x.zombies, first = float64(max(k, 0)), false
		}
		if k <= 0 {
			x.reap = float64(time.Since(tEnd).Nanoseconds()) / 1e6
			break
		}
		if time.Now().After(deadline) {
			return x, fmt.Errorf("%d zombies still below spark2 20 s after the orphans ended", k)
		}
		time.Sleep(200 * time.Microsecond)
	}
	for _, d := range descendants(m.pid) {
		if d.state == 'Z' {
			return x, fmt.Errorf("zombie %d below spark2 after its children list emptied", d.pid)
		}
	}
	x.hwm = float64(statusKB(m.pid, "VmHWM")["VmHWM"])
	return x, nil
}
