package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// initKind is one PID 1 under test.
type initKind struct {
	name string
	// cmd returns the command line that runs worker under this init. port is
	// the port spark2 binds for the worker (0: no socket, --no-listen).
	cmd func(port int, worker []string) []string
}

func inits(s *settings) []initKind {
	spark2Of := func(bin string) func(int, []string) []string {
		return func(port int, w []string) []string { return spark2Args(bin, port, w) }
	}
	wrap := func(bin string) func(int, []string) []string {
		return func(_ int, w []string) []string { return append([]string{bin, "--"}, w...) }
	}
	all := []initKind{
		{"spark2", spark2Of(s.spark2)},
		{"spark2-before", spark2Of(s.spark2Before)},
		{"tini", wrap("tini")},
		{"tini-static", wrap("tini-static")},
		{"dumb-init", wrap("dumb-init")},
		{"catatonit", wrap("catatonit")},
		{"none", func(_ int, w []string) []string { return w }},
	}
	var out []initKind
	for _, k := range all {
		if s.initsOnly != nil && !s.initsOnly[k.name] {
			continue
		}
		if k.name == "spark2" || k.name == "none" || s.have[k.name] || k.name == "spark2-before" && s.spark2Before != "" {
			out = append(out, k)
		}
	}
	return out
}

// spark2Args is the command line that runs worker under the spark2 binary
// bin (port: see initKind.cmd).
func spark2Args(bin string, port int, w []string) []string {
	a := []string{bin, "-n", "1", "--stop-timeout", "1s"}
	if port > 0 {
		a = append(a, "-p", strconv.Itoa(port), "-H", "127.0.0.1")
	} else {
		a = append(a, "--no-listen", "--restart", "no")
	}
	return append(append(a, "--"), w...)
}

// rotate returns xs rotated by i and, every other round, reversed: so that
// no peer always runs first or right after the same one.
func rotate[T any](xs []T, i int) []T {
	out := make([]T, len(xs))
	for j := range xs {
		out[j] = xs[(i+j)%len(xs)]
	}
	if i%2 == 1 {
		for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
			out[a], out[b] = out[b], out[a]
		}
	}
	return out
}

func (s *settings) env(extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=/root", "LANG=C.UTF-8"}
	return append(env, extra...)
}

// ---- 1. Init RSS and start-to-first-request ----

type startupResult struct {
	lat                      float64 // ms
	rss, anon, file, hwm, th int     // kB (th: threads)
}

func startupRun(s *settings, k initKind, i int) (startupResult, error) {
	var x startupResult
	port, err := freePort()
	if err != nil {
		return x, err
	}
	env := s.env("PEERBENCH_PORT="+strconv.Itoa(port),
		"SPARK2_STATUS_FILE="+filepath.Join(s.tmp, fmt.Sprintf("status-startup-%s-%d.json", k.name, i)))
	argv := k.cmd(port, []string{s.self, "serve"})
	t0 := time.Now()
	n, err := startNS(argv, env, nil)
	if err != nil {
		return x, err
	}
	defer n.kill()
	t1, err := firstAnswer("127.0.0.1:"+strconv.Itoa(port), 10*time.Second)
	if err != nil {
		return x, fmt.Errorf("%w; stderr: %s", err, tail(n.stderr.String()))
	}
	x.lat = ms(t1.Sub(t0))
	pid, err := n.findInit(2 * time.Second)
	if err != nil {
		return x, err
	}
	// Let the init settle (the Go runtime of spark2 grows a little after its
	// start), then read its memory.
	time.Sleep(300 * time.Millisecond)
	m := statusKB(pid)
	x.rss, x.anon, x.file, x.hwm = m["VmRSS"], m["RssAnon"], m["RssFile"]+m["RssShmem"], m["VmHWM"]
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Threads:"); ok {
				x.th, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
	}
	return x, nil
}

func startupSection(s *settings, r *report) error {
	ks := inits(s)
	res := map[string][]startupResult{}
	var raw [][]string
	began := time.Now()
	rounds := 0
	for round := 0; round <= s.startupRuns; round++ { // round 0 warms up
		if rounds >= 3 && time.Since(began) > s.startupBudget {
			progress("startup: budget %v reached after %d rounds", s.startupBudget, rounds)
			break
		}
		if round > 0 {
			rounds++
		}
		for _, k := range rotate(ks, round) {
			x, err := startupRun(s, k, round)
			if err != nil {
				return fmt.Errorf("start-up under %s: %w", k.name, err)
			}
			if round == 0 {
				continue
			}
			res[k.name] = append(res[k.name], x)
			raw = append(raw, []string{strconv.Itoa(round), k.name, fmt.Sprintf("%.3f", x.lat), strconv.Itoa(x.rss), strconv.Itoa(x.anon), strconv.Itoa(x.file), strconv.Itoa(x.hwm)})
		}
	}
	if err := csvFile(s.out, "startup.csv", []string{"round", "init", "first_answer_ms", "vmrss_kb", "rssanon_kb", "rssfile_kb", "vmhwm_kb"}, raw); err != nil {
		return err
	}
	r.p("## 1. Init memory and start-to-first-request, as PID 1\n\n")
	r.p("Each init runs as PID 1 of a new PID namespace (`unshare --pid --fork --mount-proc --kill-child INIT -- WORKER`) with the same worker: `peerbench serve`, a small static Go net/http server. Under spark2 (`spark2 -n 1 -p PORT -H 127.0.0.1`) the worker takes the socket spark2 bound (fd 3, `LISTEN_FDS=1`); under the others it binds 127.0.0.1:PORT itself; **none** is the worker alone as PID 1 (no init: the floor). ")
	r.p("Latency: from just before the exec of `unshare` to the first `200` answer to `GET /` (refused connects are retried every 0.2 ms; against spark2 the connect succeeds at once and the request waits in the socket's backlog until the worker accepts). Memory: `/proc/<init>/status` of the init process alone (for **none**, of the worker), 0.3 s after that first answer. %d rounds after a warm-up, the inits taking turns in a rotating order.\n\n", rounds)
	var rows [][]string
	base := summarize(lat(res["none"])).med
	for _, k := range ks {
		xs := res[k.name]
		l := summarize(lat(xs))
		rss := summarize(kb(xs, func(x startupResult) int { return x.rss }))
		anon := summarize(kb(xs, func(x startupResult) int { return x.anon }))
		file := summarize(kb(xs, func(x startupResult) int { return x.file }))
		hwm := summarize(kb(xs, func(x startupResult) int { return x.hwm }))
		extra := "–"
		if k.name != "none" && !math.IsNaN(base) {
			extra = fmt.Sprintf("%+.1f ms", l.med-base)
		}
		name := k.name
		if k.name == "none" {
			name = "none (worker as PID 1)"
		}
		rows = append(rows, []string{name, f(l.med) + " ms", f(l.min) + "–" + f(l.max), extra,
			mib(rss.med), mib(rss.min) + "–" + mib(rss.max), mib(anon.med), mib(file.med), mib(hwm.med), strconv.Itoa(xs[len(xs)-1].th)})
	}
	r.table([]string{"PID 1", "first answer, median", "min–max (ms)", "vs none", "VmRSS median", "VmRSS min–max", "RssAnon", "RssFile", "VmHWM", "threads"}, rows)
	s.facts["startup"] = res
	return nil
}

func lat(xs []startupResult) []float64 {
	var out []float64
	for _, x := range xs {
		out = append(out, x.lat)
	}
	return out
}

func kb(xs []startupResult, g func(startupResult) int) []float64 {
	var out []float64
	for _, x := range xs {
		out = append(out, float64(g(x)))
	}
	return out
}

// ---- 2. Reaping orphans ----

// orphanRoom is how many processes fit beside what runs now, with a margin.
func orphanRoom() (int, string) {
	limit := math.MaxInt
	var why []string
	lim := func(name string, v int) {
		if v > 0 {
			why = append(why, fmt.Sprintf("%s=%d", name, v))
			limit = min(limit, v)
		}
	}
	readN := func(p string) int {
		b, err := os.ReadFile(p)
		if err != nil {
			return 0
		}
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return n
	}
	lim("pid_max", readN("/proc/sys/kernel/pid_max"))
	lim("threads-max", readN("/proc/sys/kernel/threads-max"))
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NPROC, &rl) == nil && rl.Cur != unix.RLIM_INFINITY && rl.Cur < math.MaxInt32 {
		lim("ulimit -u", int(rl.Cur))
	}
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if p, ok := strings.CutPrefix(l, "0::"); ok {
				lim("pids.max", readN(filepath.Join("/sys/fs/cgroup", p, "pids.max")))
			}
		}
	}
	used := 0
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if fs := strings.Fields(string(b)); len(fs) > 3 {
			_, t, _ := strings.Cut(fs[3], "/")
			used, _ = strconv.Atoi(t)
		}
	}
	why = append(why, fmt.Sprintf("threads now=%d", used))
	return limit - used - 3000, strings.Join(why, ", ")
}

type orphanResult struct {
	n                  int     // orphans made
	reap, storm, spawn float64 // ms
	zombies            int     // left when the last orphan had ended
	initCPU            float64 // ms of CPU the init used from the release to zero zombies
}

// cpuMs is the CPU time (user+system) pid has used, all threads.
func cpuMs(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return math.NaN()
	}
	i := strings.LastIndexByte(string(b), ')')
	fs := strings.Fields(string(b[i+1:]))
	if len(fs) < 13 {
		return math.NaN()
	}
	u, _ := strconv.Atoi(fs[11])
	sy, _ := strconv.Atoi(fs[12])
	return float64(u+sy) * 1000 / 100 // USER_HZ is 100 on Linux
}

// orphanRun: the worker is spark2bench's "orphans" mode (the colleague's
// benchmark program, run as is): it starts two spawners that fork+exec n NAPs
// and exit, so every NAP is an orphan of the init; each NAP blocks reading a
// pipe the worker holds, with a FIFO we read as its stdout. The worker prints
// "orphaned N NS", waits 300 ms, closes the pipe and prints "released T": all
// NAPs end; our read of the FIFO sees EOF when the last has ended (t_end).
// Then the init's children are polled until only the worker is left.
func orphanRun(s *settings, k initKind, n, i int) (orphanResult, error) {
	x := orphanResult{n: n}
	fifo := filepath.Join(s.tmp, fmt.Sprintf("orphans-%s-%d", k.name, i))
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return x, err
	}
	defer os.Remove(fifo)
	fd, err := syscall.Open(fifo, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return x, err
	}
	fdOpen := true
	defer func() {
		if fdOpen {
			syscall.Close(fd)
		}
	}()
	pr, pw := io.Pipe()
	argv := k.cmd(0, []string{s.spark2bench, "orphans", strconv.Itoa(n), fifo, s.nap})
	ns, err := startNS(argv, s.env("SPARK2_STATUS_FILE="+filepath.Join(s.tmp, fmt.Sprintf("status-orphans-%s-%d.json", k.name, i))), pw)
	if err != nil {
		return x, err
	}
	defer func() {
		ns.kill()
		pw.Close()
	}()
	init, err := ns.findInit(5 * time.Second)
	if err != nil {
		return x, err
	}
	lines := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
	}()
	next := func(d time.Duration) (string, error) {
		select {
		case l, ok := <-lines:
			if !ok {
				return "", fmt.Errorf("the worker's output ended; stderr: %s", tail(ns.stderr.String()))
			}
			return l, nil
		case <-time.After(d):
			return "", fmt.Errorf("no line from the worker within %v; stderr: %s", d, tail(ns.stderr.String()))
		}
	}
	l, err := next(90 * time.Second)
	if err != nil {
		return x, err
	}
	fs := strings.Fields(l)
	if len(fs) != 3 || fs[0] != "orphaned" {
		return x, fmt.Errorf("unexpected line %q", l)
	}
	spawnNs, _ := strconv.ParseInt(fs[2], 10, 64)
	x.spawn = float64(spawnNs) / 1e6
	if err := unix.SetNonblock(fd, false); err != nil {
		return x, err
	}
	watchFrom := time.Now()
	cpu0 := cpuMs(init)
	ended := make(chan time.Time, 1)
	fdOpen = false
	go func() {
		var b [256]byte
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
	if l, err = next(10 * time.Second); err != nil {
		return x, err
	}
	fs = strings.Fields(l)
	if len(fs) != 2 || fs[0] != "released" {
		return x, fmt.Errorf("unexpected line %q", l)
	}
	rel, _ := strconv.ParseInt(fs[1], 10, 64)
	if watchFrom.UnixNano() > rel {
		return x, errors.New("late to watch the FIFO")
	}
	var tEnd time.Time
	select {
	case tEnd = <-ended:
	case <-time.After(30 * time.Second):
		return x, errors.New("the orphans did not all end within 30 s")
	}
	x.storm = float64(tEnd.UnixNano()-rel) / 1e6
	first := true
	deadline := tEnd.Add(30 * time.Second)
	for {
		left := len(kidsOf(init)) - 1 // the worker stays
		if first {
			x.zombies, first = max(left, 0), false
		}
		if left <= 0 {
			x.reap = ms(time.Since(tEnd))
			break
		}
		if time.Now().After(deadline) {
			return x, fmt.Errorf("%d zombies left under %s 30 s after the orphans ended", left, k.name)
		}
		time.Sleep(200 * time.Microsecond)
	}
	x.initCPU = cpuMs(init) - cpu0
	for _, p := range treeBelow(init) {
		if st, _, ok := statOf(p); ok && st == 'Z' {
			return x, fmt.Errorf("zombie %d left under %s", p, k.name)
		}
	}
	return x, nil
}

func orphansSection(s *settings, r *report) error {
	room, limits := orphanRoom()
	n := min(s.orphans, room)
	if n < 500 {
		return fmt.Errorf("no room for orphans (%s)", limits)
	}
	var ks []initKind
	for _, k := range inits(s) {
		if k.name != "none" && k.name != "tini-static" { // tini-static reaps with tini's code
			ks = append(ks, k)
		}
	}
	res := map[string][]orphanResult{}
	var raw [][]string
	began := time.Now()
	var longest time.Duration
	rounds := 0
	for round := 0; round < s.orphanRuns; round++ {
		// Another round only within the section's budget, and if it leaves
		// the reload figure (2 min) and the last figures (-reserve) their time.
		if round > 0 && (time.Since(began)+time.Duration(len(ks))*longest > s.orphanBudget ||
			time.Until(s.deadline) < time.Duration(len(ks))*longest+2*time.Minute+s.reserve) {
			progress("orphans: budget %v reached after %d round(s)", s.orphanBudget, round)
			break
		}
		for _, k := range rotate(ks, round) {
			t := time.Now()
			x, err := orphanRun(s, k, n, round)
			if err != nil {
				return fmt.Errorf("orphans under %s: %w", k.name, err)
			}
			longest = max(longest, time.Since(t))
			progress("orphans: %s: %d ended → zero zombies in %.1f ms (%d zombies at the end; run %.1f s)", k.name, n, x.reap, x.zombies, time.Since(t).Seconds())
			res[k.name] = append(res[k.name], x)
			raw = append(raw, []string{strconv.Itoa(round + 1), k.name, strconv.Itoa(n), fmt.Sprintf("%.3f", x.reap), strconv.Itoa(x.zombies), fmt.Sprintf("%.1f", x.storm), fmt.Sprintf("%.0f", x.spawn), fmt.Sprintf("%.0f", x.initCPU)})
		}
		rounds++
	}
	if err := csvFile(s.out, "orphans.csv", []string{"round", "init", "orphans", "end_to_zero_zombies_ms", "zombies_at_end", "exit_storm_ms", "spawn_ms", "init_cpu_ms"}, raw); err != nil {
		return err
	}
	r.p("## 2. Reaping %d orphans as PID 1\n\n", n)
	r.p("Limits checked first: %s; orphans = min(%d, limit − threads now − 3000). ", limits, s.orphans)
	r.p("The worker under each init is `spark2bench orphans` (bench/cmd/spark2bench, run as a program): two spawners fork+exec %d NAPs (%s) and exit, so every NAP is an orphan of PID 1; the NAPs block on one pipe, and end together when the worker closes it. ", n, s.napKind)
	r.p("Their stdout is a FIFO this benchmark reads: EOF comes when the last NAP has ended (t_end). From t_end, `/proc/<init>/task/*/children` is polled every 0.2 ms until only the worker is left (zero zombies), and a /proc scan confirms it. spark2 runs `spark2 --no-listen --restart no -n 1 -- WORKER`. %d round(s), inits in turns (at most %d rounds, within a %v budget: creating the processes is most of each run).\n\n", rounds, s.orphanRuns, s.orphanBudget)
	var rows [][]string
	for _, k := range ks {
		var reap, zomb, storm, cpu []float64
		var each []string
		for _, x := range res[k.name] {
			reap = append(reap, x.reap)
			zomb = append(zomb, float64(x.zombies))
			storm = append(storm, x.storm)
			cpu = append(cpu, x.initCPU)
			each = append(each, f(x.reap))
		}
		a := summarize(reap)
		rows = append(rows, []string{k.name, f(a.med) + " ms", f(a.max) + " ms", strings.Join(each, ", "), f(summarize(zomb).med), f(summarize(storm).med) + " ms", f(summarize(cpu).med) + " ms"})
	}
	r.table([]string{"PID 1", "t_end → zero zombies, median", "max", "each run (ms)", "zombies left at t_end", "release → t_end (exit storm)", "init CPU, release → zero"}, rows)
	s.facts["orphans"] = res
	return nil
}

// ---- 3. Exit codes ----

var exitCases = []struct{ name, head, script string }{
	{"exit 0", "worker exit 0", "exit 0"},
	{"exit 3", "worker exit 3", "exit 3"},
	{"exit 255", "worker exit 255", "exit 255"},
	{"SIGKILL", "worker killed by SIGKILL", "kill -KILL $$"},
	{"stop", "`docker stop`: SIGTERM to PID 1, worker `sleep 60`", ""},
}

// hasExeBelow: some process below pid runs exe.
func hasExeBelow(pid int, exe string) bool {
	for _, p := range append([]int{pid}, treeBelow(pid)...) {
		if l, err := os.Readlink("/proc/" + strconv.Itoa(p) + "/exe"); err == nil && (l == exe || l == "/bin/sleep") {
			return true
		}
	}
	return false
}

func exitSection(s *settings, r *report) error {
	ks := inits(s)
	var rows, raw [][]string
	got := map[string][]string{}
	for _, k := range ks {
		row := []string{k.name}
		if k.name == "none" {
			row[0] = "none (sh as PID 1)"
		}
		if k.name == "spark2" {
			row[0] = "spark2 `--restart no`"
		}
		for _, c := range exitCases {
			worker := []string{"/bin/sh", "-c", c.script}
			if c.name == "stop" {
				worker = []string{"/bin/sleep", "60"}
			}
			ns, err := startNS(k.cmd(0, worker), s.env("SPARK2_STATUS_FILE="+filepath.Join(s.tmp, "status-exit-"+k.name+".json")), nil)
			if err != nil {
				return err
			}
			limit := 10 * time.Second
			if c.name == "stop" {
				// Once the worker runs (the init has a child), TERM the init.
				init, err := ns.findInit(5 * time.Second)
				if err != nil {
					return err
				}
				for t := time.Now(); time.Since(t) < 5*time.Second; time.Sleep(time.Millisecond) {
					if k.name == "none" || hasExeBelow(init, "/usr/bin/sleep") {
						break
					}
				}
				time.Sleep(100 * time.Millisecond)
				syscall.Kill(init, syscall.SIGTERM)
				limit = 4 * time.Second
			}
			out := ""
			if !ns.wait(limit) {
				ns.kill()
				out = fmt.Sprintf("still running after %v", limit)
			} else {
				out = describe(ns.ws)
			}
			row = append(row, out)
			got[k.name] = append(got[k.name], out)
			raw = append(raw, []string{k.name, c.name, strings.ReplaceAll(out, " ", "_")})
		}
		rows = append(rows, row)
	}
	if err := csvFile(s.out, "exitcodes.csv", []string{"init", "worker", "init_ended"}, raw); err != nil {
		return err
	}
	r.p("## 3. Exit-code propagation\n\n")
	r.p("The worker is `/bin/sh -c SCRIPT` under each init as PID 1 (`unshare --pid --fork --mount-proc`; unshare exits as its child did, re-raising a signal). What the init itself ended with (what `docker run` or Kubernetes reports):\n\n")
	head := []string{"PID 1"}
	for _, c := range exitCases {
		head = append(head, c.head)
	}
	r.table(head, rows)
	r.p("`killed by SIGKILL` is `sh -c 'kill -KILL $$'`. With no init, that sh is PID 1 of its namespace, and the kernel does not deliver a signal to a namespace's PID 1 from inside it unless PID 1 has a handler (SIGKILL never has one): the kill is ignored and sh ends normally. The same protection makes `sleep` as PID 1 ignore `docker stop`'s SIGTERM (Docker then waits 10 s and SIGKILLs it from outside). `docker stop`: SIGTERM to the init once the worker runs; spark2 stops its workers gracefully (TERM to each worker's process group) and exits 0 when they are gone within `--stop-timeout` (README: \"graceful stop finished within the stop timeout: 0\"); tini and catatonit forward the TERM to the child and exit as it did (143 = 128 + SIGTERM), dumb-init forwards it to the child's process group, with the same result.\n\n")
	s.facts["exit"] = got
	return nil
}
