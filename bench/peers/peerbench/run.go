package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

type settings struct {
	spark2, spark2bench, self, gunicorn, curl string
	spark2Before                              string // diagnosis: another spark2 build, run beside spark2 as PID 1
	nap, napKind, app, tmp, out               string
	have                                      map[string]bool
	only                                      map[string]bool

	startupRuns               int
	startupBudget             time.Duration
	orphans, orphanRuns       int
	orphanBudget              time.Duration
	reloads, rate             int
	reloadSlugs               []string
	steady, gap, reloadBudget time.Duration
	tpRounds, wrkRounds       int
	conns                     int
	tpDur                     time.Duration
	probeRuns                 int
	probeBudget               time.Duration
	reloadWhich               map[string]bool // diagnosis: reload only these (the others only carry load)
	initsOnly                 map[string]bool // diagnosis: only these PID 1s (nil: every one installed)

	facts    map[string]any
	began    time.Time
	deadline time.Time // -total from the start
	reserve  time.Duration
}

func run(args []string) int {
	s := &settings{facts: map[string]any{}, have: map[string]bool{}}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.StringVar(&s.spark2, "spark2", "", "spark2 binary (required)")
	fs.StringVar(&s.spark2Before, "spark2-before", "", "diagnosis: another spark2 binary (e.g. main's) run as PID 1 beside -spark2, as spark2-before, in the start-up, orphans and exit figures")
	fs.StringVar(&s.spark2bench, "spark2bench", "", "bench/cmd/spark2bench binary (its orphans mode is the reaping worker)")
	fs.StringVar(&s.nap, "nap", "/bin/cat", "the orphan program: blocks reading stdin, exits at EOF")
	fs.StringVar(&s.napKind, "nap-kind", "/bin/cat", "how to describe -nap in the report")
	fs.StringVar(&s.app, "app", "", "directory with app.py and gunicorn_ready.py")
	fs.StringVar(&s.tmp, "tmp", os.TempDir(), "scratch directory")
	fs.StringVar(&s.out, "out", ".", "where CSV files go")
	only := fs.String("only", "startup,exit,orphans,throughput,probe,reload", "sections to run")
	fs.IntVar(&s.startupRuns, "startup-runs", 7, "start-up rounds (after one warm-up)")
	fs.IntVar(&s.orphans, "orphans", 10000, "orphans per reaping run")
	fs.IntVar(&s.orphanRuns, "orphan-runs", 2, "reaping rounds at most")
	fs.DurationVar(&s.orphanBudget, "orphan-budget", 160*time.Second, "reaping: start another round only within this")
	fs.IntVar(&s.reloads, "reloads", 20, "reloads per server")
	fs.IntVar(&s.rate, "rate", 200, "requests per second per server during the reloads")
	reloadSlugs := fs.String("reload-servers", "gunicorn-w2,spark2", "servers of the reload figure (add spark2-ready: spark2 with READY=1 from gunicorn's worker, bench/peers/gunicorn_ready.py)")
	fs.DurationVar(&s.steady, "steady", 3*time.Second, "steady load before the first and after the last reload")
	fs.DurationVar(&s.gap, "gap", 300*time.Millisecond, "reload window after done; the next reload starts then")
	fs.DurationVar(&s.reloadBudget, "reload-budget", 240*time.Second, "reload figure: no reload starts after this")
	fs.IntVar(&s.tpRounds, "tp-rounds", 6, "throughput rounds")
	fs.IntVar(&s.wrkRounds, "wrk-rounds", 3, "wrk cross-check rounds")
	fs.IntVar(&s.conns, "conns", 16, "throughput: concurrent clients")
	fs.DurationVar(&s.tpDur, "tp-dur", 1500*time.Millisecond, "throughput: one run's length")
	fs.IntVar(&s.probeRuns, "probe-runs", 200, "probe rounds (after 10 warm-ups)")
	fs.DurationVar(&s.probeBudget, "probe-budget", 60*time.Second, "probe: no new round after this, once 100 rounds are done")
	fs.DurationVar(&s.startupBudget, "startup-budget", 45*time.Second, "start-up: no new round after this, once 3 rounds are done")
	total := fs.Duration("total", 450*time.Second, "the whole run's budget: the reload figure gets what is left but -reserve")
	fs.DurationVar(&s.reserve, "reserve", 120*time.Second, "time kept for the figures after the reload figure")
	factsPath := fs.String("facts", "", "write the PID 1 figures (start-up, memory, reaping per init) as JSON to this file")
	which := fs.String("reload-which", "", "diagnosis: reload only these servers (default: all of -reload-servers)")
	initsOnly := fs.String("inits", "", "diagnosis: only these PID 1s in the start-up, orphans and exit figures, e.g. spark2,tini (default: every one installed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	s.reloadSlugs = strings.Split(*reloadSlugs, ",")
	s.began = time.Now()
	s.deadline = s.began.Add(*total)
	if *which != "" {
		s.reloadWhich = map[string]bool{}
		for _, x := range strings.Split(*which, ",") {
			s.reloadWhich[x] = true
		}
	}
	if *initsOnly != "" {
		s.initsOnly = map[string]bool{}
		for _, x := range strings.Split(*initsOnly, ",") {
			s.initsOnly[strings.TrimSpace(x)] = true
		}
	}
	s.only = map[string]bool{}
	for _, x := range strings.Split(*only, ",") {
		s.only[strings.TrimSpace(x)] = true
	}
	if s.spark2 == "" {
		fmt.Fprintln(os.Stderr, "peerbench run: -spark2 is required")
		return 2
	}
	var err error
	if s.self, err = os.Executable(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, b := range []string{"tini", "tini-static", "dumb-init", "catatonit", "gunicorn", "wrk", "curl", "unshare"} {
		if p, err := exec.LookPath(b); err == nil {
			s.have[b] = true
			switch b {
			case "gunicorn":
				s.gunicorn = p
			case "curl":
				s.curl = p
			}
		}
	}
	if s.spark2bench == "" {
		delete(s.only, "orphans")
	}
	if !s.have["unshare"] || os.Geteuid() != 0 {
		progress("not root or no unshare: the PID 1 figures are skipped")
		delete(s.only, "startup")
		delete(s.only, "exit")
		delete(s.only, "orphans")
	}
	if !s.have["gunicorn"] || s.app == "" {
		progress("no gunicorn (or no -app): the HTTP figures are skipped")
		delete(s.only, "throughput")
		delete(s.only, "probe")
		delete(s.only, "reload")
	}
	os.MkdirAll(s.out, 0o755)

	defer cleanupAll()

	var emitOnce sync.Once
	var emit func(note string) // prints the report (so far, with note)
	var repMu sync.Mutex
	reps := map[string]*report{}
	rep := func(name string) *report {
		repMu.Lock()
		defer repMu.Unlock()
		if reps[name] == nil {
			reps[name] = &report{}
		}
		return reps[name]
	}
	emit = func(note string) {
		var out report
		if note != "" {
			out.p("%s\n\n", note)
		} else {
			summaryAndReading(s, &out, rep("reading"))
		}
		for _, name := range []string{"startup", "orphans", "exit", "reload", "throughput", "probe", "web", "reading"} {
			repMu.Lock()
			r := reps[name]
			repMu.Unlock()
			if r != nil {
				out.p("%s", r.String())
			}
		}
		fmt.Print(out.String())
	}
	becomeSubreaper()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	go func() {
		sig := <-sigs
		progress("%v: cleaning up", sig)
		cleanupAll()
		if emit != nil {
			emitOnce.Do(func() {
				emit(fmt.Sprintf("**This run was interrupted (%v) before it ended: the figures below are what it had measured by then.**", sig))
			})
		}
		os.Exit(128 + int(sig.(syscall.Signal)))
	}()
	type section struct {
		name string
		fn   func() error
	}
	var ws map[string]*webServer
	var web []string // servers the HTTP sections need
	need := func(xs ...string) {
		for _, x := range xs {
			if !slices.Contains(web, x) {
				web = append(web, x)
			}
		}
	}
	if s.only["throughput"] {
		need("gunicorn-w1", "gunicorn-w2", "spark2")
	}
	if s.only["probe"] {
		need("gunicorn-w2", "spark2")
	}
	if s.only["reload"] {
		need(s.reloadSlugs...)
	}
	// Run order: the reload figure, the longest, gets what is left of the
	// total budget but -reserve (for throughput and probes, after it).
	sections := []section{
		{"startup", func() error { return startupSection(s, rep("startup")) }},
		{"orphans", func() error { return orphansSection(s, rep("orphans")) }},
		{"exit", func() error { return exitSection(s, rep("exit")) }},
		{"web", func() error {
			var err error
			ws, err = startWeb(s, web)
			if err == nil {
				time.Sleep(2 * time.Second) // let the fresh interpreters settle
			}
			return err
		}},
		{"reload", func() error {
			// Leave time for the throughput and probe figures that follow.
			if left := time.Until(s.deadline) - s.reserve; left < s.reloadBudget {
				s.reloadBudget = max(left, 20*time.Second)
				progress("reload: budget cut to %v by -total", s.reloadBudget.Round(time.Second))
			}
			return reloadSection(s, rep("reload"), ws, s.reloadSlugs)
		}},
		{"throughput", func() error {
			return throughputSection(s, rep("throughput"), ws, []string{"gunicorn-w1", "gunicorn-w2", "spark2"})
		}},
		{"probe", func() error { return probeSection(s, rep("probe"), ws) }},
	}
	failed := false
	for _, sec := range sections {
		if sec.name == "web" {
			if len(web) == 0 {
				continue
			}
		} else if !s.only[sec.name] {
			continue
		}
		t := time.Now()
		progress("%s … (%.0f s so far)", sec.name, time.Since(s.began).Seconds())
		if err := sec.fn(); err != nil {
			progress("%s FAILED: %v", sec.name, err)
			rep(sec.name).p("## %s: FAILED\n\n```\n%v\n```\n\n", sec.name, err)
			failed = true
			if sec.name == "web" {
				break
			}
		}
		progress("%s done in %.1f s", sec.name, time.Since(t).Seconds())
	}
	if ws != nil {
		for _, w := range ws {
			if w.srv != nil && !w.srv.alive() {
				progress("%s ended during the run; log: %s", w.title, w.srv.logTail())
				failed = true
			}
		}
		stopWeb(ws)
	}
	emitOnce.Do(func() { emit("") })
	if *factsPath != "" {
		if err := writeFacts(s, *factsPath); err != nil {
			progress("writing the facts: %v", err)
			failed = true
		}
	}
	if failed {
		return 1
	}
	return 0
}
