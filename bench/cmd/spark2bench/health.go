package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// healthSettings are the knobs of "spark2bench health" (bench/health.sh).
type healthSettings struct {
	spark2    string
	self      string
	tmp       string
	md        mode
	watchdog  time.Duration
	rounds    int           // watchdog-latency rounds
	workers   int           // idle workers for the CPU figure
	window    time.Duration // CPU measuring window
	cpuRounds int           // CPU rounds per variant, variants taking turns
	maxMemory string
}

// health measures issue 11's two figures: the time from a worker's last
// WATCHDOG=1 to its SIGABRT, and the master's CPU time with idle workers,
// without and with --watchdog and --max-memory. A Markdown report goes to
// stdout.
func health(args []string) int {
	var s healthSettings
	fs := flag.NewFlagSet("health", flag.ExitOnError)
	fs.StringVar(&s.spark2, "spark2", "", "spark2 binary under test (required)")
	md := fs.String("mode", "plain", "how spark2 runs: plain (child subreaper) or pid1 (PID 1 under unshare)")
	fs.DurationVar(&s.watchdog, "watchdog", time.Second, "--watchdog of the runs")
	fs.IntVar(&s.rounds, "rounds", 7, "watchdog-latency rounds (one spark2 -n 1 each)")
	fs.IntVar(&s.workers, "workers", 16, "idle workers for the CPU figure")
	fs.DurationVar(&s.window, "window", 15*time.Second, "CPU measuring window")
	fs.IntVar(&s.cpuRounds, "cpu-rounds", 7, "CPU rounds per variant (variants take turns)")
	fs.StringVar(&s.maxMemory, "max-memory", "1GiB", "--max-memory of the third variant (high enough never to trigger)")
	fs.Parse(args)
	if s.spark2 == "" {
		fmt.Fprintln(os.Stderr, "spark2bench health: -spark2 is required")
		return 2
	}
	if s.md = mode(*md); s.md != plain && s.md != pid1 {
		fmt.Fprintf(os.Stderr, "spark2bench health: -mode %q: want plain or pid1\n", *md)
		return 2
	}
	if s.rounds < 1 || s.workers < 1 || s.cpuRounds < 1 || s.window < time.Second {
		fmt.Fprintln(os.Stderr, "spark2bench health: -rounds, -workers and -cpu-rounds must be >= 1, -window >= 1s")
		return 2
	}
	var err error
	if s.self, err = os.Executable(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if s.tmp, err = os.MkdirTemp("", "spark2bench-health-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(s.tmp)
	if err := becomeSubreaper(); err != nil {
		progress("warning: cannot become a child subreaper: %v", err)
	}
	defer cleanup()
	var out bytes.Buffer
	rc := 0
	if err := watchdogLatency(&s, &out); err != nil {
		progress("watchdog latency: %v", err)
		rc = 1
	}
	if err := healthCPU(&s, &out); err != nil {
		progress("master CPU: %v", err)
		rc = 1
	}
	os.Stdout.Write(out.Bytes())
	return rc
}

// healthMaster starts spark2 with notify readiness, its status file in tmp
// and no socket, running "spark2bench heartbeat" with extra.
func healthMaster(s *healthSettings, name string, opts []string, extra ...string) (*master, error) {
	args := append([]string{"--no-listen", "--ready", "notify", "--status-file", filepath.Join(s.tmp, name+".json")}, opts...)
	args = append(append(args, "--", s.self, "heartbeat"), extra...)
	return startMaster(s.md, s.spark2, nil, args...)
}

// watchdogLatency: rounds of one worker that pings every half period, falls
// silent after a while and reports when it got SIGABRT.
func watchdogLatency(s *healthSettings, out *bytes.Buffer) error {
	var lat []float64
	for i := 0; i < s.rounds; i++ {
		// Silent at a different phase of the master's timers each round.
		silentAfter := 1500*time.Millisecond + time.Duration(i)*s.watchdog/time.Duration(s.rounds)
		m, err := healthMaster(s, "latency", []string{"-n", "1", "--watchdog", s.watchdog.String(), "--stop-timeout", "2s"}, silentAfter.String())
		if err != nil {
			return err
		}
		ms, err := oneSilence(m, silentAfter+s.watchdog+10*time.Second)
		m.stop(10 * time.Second)
		if err != nil {
			return err
		}
		progress("watchdog round %d: %.1f ms from the last WATCHDOG=1 to SIGABRT", i+1, ms)
		lat = append(lat, ms)
	}
	sort.Float64s(lat)
	budget := float64(s.watchdog+s.watchdog/2) / 1e6
	fmt.Fprintf(out, "### Watchdog: last WATCHDOG=1 → SIGABRT (--watchdog %v)\n\n", s.watchdog)
	fmt.Fprintf(out, "A worker (`spark2bench heartbeat`, spark2 `-n 1 --ready notify --watchdog %v`) sends WATCHDOG=1 every %v, falls silent (alive, socket kept) 1.5 s to 2.5 s after its ready, and stamps its SIGABRT handler's clock. %d rounds, one spark2 each.\n\n",
		s.watchdog, s.watchdog/2, s.rounds)
	fmt.Fprintf(out, "| min | median | max | goal (DURATION + 1 heartbeat) | met |\n|---|---|---|---|---|\n")
	fmt.Fprintf(out, "| %.1f ms | %.1f ms | %.1f ms | ≤ %.0f ms | %s |\n\nEach round, ms: %s\n\n",
		lat[0], lat[len(lat)/2], lat[len(lat)-1], budget, yesNo(lat[len(lat)-1] <= budget), joinF(lat, "%.1f"))
	return nil
}

// oneSilence waits for the worker's silent and abort lines and returns the
// time between them in ms.
func oneSilence(m *master, timeout time.Duration) (float64, error) {
	deadline := time.Now().Add(timeout)
	var lastPing int64
	for {
		l, err := m.next(time.Until(deadline))
		if err != nil {
			return 0, err
		}
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		ns, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "silent":
			lastPing = ns
		case "abort":
			if lastPing == 0 {
				return 0, fmt.Errorf("SIGABRT before the worker fell silent (line %q)", l)
			}
			return float64(ns-lastPing) / 1e6, nil
		}
	}
}

// cpuVariant is one configuration of the CPU figure.
type cpuVariant struct {
	name string
	opts []string
}

// healthCPU measures the master's CPU time (utime+stime of /proc/PID/stat,
// and the sum of its threads' schedstat run time) over a window with idle
// workers, per variant, variants taking turns.
func healthCPU(s *healthSettings, out *bytes.Buffer) error {
	n := strconv.Itoa(s.workers)
	variants := []cpuVariant{
		{"base", []string{"-n", n}},
		{"--watchdog " + s.watchdog.String(), []string{"-n", n, "--watchdog", s.watchdog.String()}},
		{"--watchdog " + s.watchdog.String() + " --max-memory " + s.maxMemory, []string{"-n", n, "--watchdog", s.watchdog.String(), "--max-memory", s.maxMemory}},
	}
	ticks := make([][]float64, len(variants)) // % of one core, from stat
	sched := make([][]float64, len(variants)) // % of one core, from schedstat
	procs := 0
	for r := 0; r < s.cpuRounds; r++ {
		for i, v := range variants {
			t, sc, np, err := cpuOnce(s, v)
			if err != nil {
				return fmt.Errorf("%s: %w", v.name, err)
			}
			progress("cpu round %d, %s: %.2f %% (stat), %.2f %% (schedstat), %d processes in /proc", r+1, v.name, t, sc, np)
			ticks[i] = append(ticks[i], t)
			sched[i] = append(sched[i], sc)
			procs = max(procs, np)
		}
	}
	fmt.Fprintf(out, "### The master's CPU with %d idle workers\n\n", s.workers)
	fmt.Fprintf(out, "spark2 (%s mode) runs `-n %d --ready notify` workers (`spark2bench heartbeat`: READY=1, then WATCHDOG=1 every half period when asked). Once all are ready and 1 s has passed, the master's CPU time is read over %v: utime+stime from /proc/PID/stat (10 ms ticks) and the sum of its threads' run time from /proc/PID/task/*/schedstat (ns). %d rounds per variant, variants taking turns; up to %d processes were visible in /proc (spark2 walks them). Median of the rounds, %% of one core:\n\n",
		s.md, s.workers, s.window, s.cpuRounds, procs)
	fmt.Fprintf(out, "| variant | CPU (stat) | CPU (schedstat) | over base (schedstat) | goal | met |\n|---|---|---|---|---|---|\n")
	base := median(sched[0])
	for i, v := range variants {
		over, goal, met := "", "", ""
		if i > 0 {
			d := median(sched[i]) - base
			over, goal, met = fmt.Sprintf("+%.2f %%", d), "≤ +0.5 %", yesNo(d <= 0.5)
		}
		fmt.Fprintf(out, "| %s | %.2f %% | %.2f %% | %s | %s | %s |\n", v.name, median(ticks[i]), median(sched[i]), over, goal, met)
	}
	fmt.Fprintln(out)
	for i, v := range variants {
		fmt.Fprintf(out, "- %s, each round (schedstat): %s %%\n", v.name, joinF(sched[i], "%.2f"))
	}
	fmt.Fprintln(out)
	return nil
}

// cpuOnce runs one variant: it returns the master's CPU use over the window
// in % of one core from stat and from schedstat, and how many processes
// /proc listed.
func cpuOnce(s *healthSettings, v cpuVariant) (float64, float64, int, error) {
	m, err := healthMaster(s, "cpu", v.opts)
	if err != nil {
		return 0, 0, 0, err
	}
	defer m.stop(10 * time.Second)
	deadline := time.Now().Add(30 * time.Second)
	for ready := 0; ready < s.workers; {
		l, err := m.next(time.Until(deadline))
		if err != nil {
			return 0, 0, 0, err
		}
		if strings.HasPrefix(l, "ready ") {
			ready++
		}
	}
	time.Sleep(time.Second) // the ready handshakes settle; nothing to poll for
	t0, s0, w0 := statTicks(m.pid), cpuMs(m.pid), time.Now()
	time.Sleep(s.window)
	t1, s1, w1 := statTicks(m.pid), cpuMs(m.pid), time.Now()
	if t0 < 0 || t1 < 0 {
		return 0, 0, 0, fmt.Errorf("spark2 (pid %d) ended during the window; stderr:\n%s", m.pid, tail(m.stderr.String()))
	}
	wall := w1.Sub(w0).Seconds()
	names, _ := filepath.Glob("/proc/[0-9]*")
	return float64(t1-t0) / 100 / wall * 100, (s1 - s0) / 1e3 / wall * 100, len(names), nil
}

// statTicks returns utime+stime of pid from /proc/PID/stat, in clock ticks
// (USER_HZ, 100 on Linux), or -1 when it is gone.
func statTicks(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	f := bytes.Fields(b[bytes.LastIndexByte(b, ')')+1:])
	if len(f) < 13 {
		return -1
	}
	u, _ := strconv.ParseInt(string(f[11]), 10, 64)
	st, _ := strconv.ParseInt(string(f[12]), 10, 64)
	return u + st
}

func median(xs []float64) float64 {
	c := append([]float64(nil), xs...)
	sort.Float64s(c)
	return c[len(c)/2]
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "**NO**"
}
