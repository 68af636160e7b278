package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// settings are the run's knobs; the defaults keep the whole run near a minute
// and a half on 2 cores.
type settings struct {
	spark2       string
	self         string
	tmp          string
	nap          string
	napKind      string
	modes        []mode
	runs         int           // start-up runs per N (after one warm-up)
	slots        int           // respawn samples per mode (one kill per slot)
	healthy      time.Duration // spark2's healthy-uptime threshold
	orphans      int           // orphans per reaping run
	orphanRuns   int           // reaping runs per mode, at most
	orphanBudget time.Duration // time for the reaping runs
	lines        int           // lines per worker for throughput
	lineSize     int           // bytes per line, newline included
	perLine      int           // lines per worker for the one-write-per-line variant
	tpRuns       int           // throughput runs per variant (after one warm-up)
	rssSamples   int
	rssSettle    time.Duration
	sectionsSel  map[string]bool

	repo         string        // the repository, for go test -bench ./internal/status/
	httpConns    int           // keep-alive connections for requests per second and rolling respawns
	httpRuns     int           // runs per side for requests per second (after one warm-up)
	httpDur      time.Duration // length of one such run
	httpBothRuns int           // runs with both loads at once
	httpBothDur  time.Duration
	shareConns   int           // connections for the sharing figure
	shareRuns    int           // keep-alive runs for the sharing figure
	shareDur     time.Duration // length of one sharing run
	rollouts     int           // rolling respawns under load
	rollBudget   time.Duration // the load under rolling respawns ends by then at the latest
	roll4Runs    int           // rolling respawns of 4 workers (after one warm-up)
	probeRuns    int           // rounds of the three commands of the probe figure
	probeBudget  time.Duration // time for those rounds
	empty        string        // an empty static Go program, a floor for the probe and start-up ("": none)
	libFloor     string        // bench/libfloor built like spark2: the floor of its size and memory ("": none)
	factsPath    string        // where the key figures go as JSON ("": nowhere)
}

// allSections are the sections of the report, in order.
var allSections = []string{"size", "rss", "startup", "respawn", "trampoline", "orphans", "throughput", "http", "rolling", "probe"}

func run(args []string) int {
	var s settings
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	fs.StringVar(&s.spark2, "spark2", "", "spark2 binary under test (required)")
	modes := fs.String("modes", "plain,pid1", "how spark2 runs: plain (child subreaper), pid1 (PID 1 under unshare)")
	fs.IntVar(&s.runs, "runs", 7, "start-up runs per N, after one warm-up")
	fs.IntVar(&s.slots, "respawn-slots", 8, "respawn samples per mode")
	fs.DurationVar(&s.healthy, "healthy", 10*time.Second, "spark2's healthy uptime (Backoff.Healthy)")
	fs.IntVar(&s.orphans, "orphans", 10000, "orphans per reaping run (lowered to fit pid_max, threads-max, ulimit -u, pids.max)")
	fs.IntVar(&s.orphanRuns, "orphan-runs", 3, "reaping runs per mode, at most")
	fs.DurationVar(&s.orphanBudget, "orphan-budget", 70*time.Second, "no new round of reaping runs starts that would end past this (a second round gets a quarter more; one round at least)")
	fs.IntVar(&s.lines, "lines", 2000000, "lines for throughput (-n 4: a quarter per worker)")
	fs.IntVar(&s.lineSize, "line-size", 100, "bytes per line, newline included")
	fs.IntVar(&s.perLine, "per-line", 100000, "lines per worker for the one-write-per-line variant (0: skip)")
	fs.IntVar(&s.tpRuns, "tp-runs", 5, "throughput runs per variant, after one warm-up")
	fs.IntVar(&s.rssSamples, "rss-samples", 8, "VmRSS samples, 250 ms apart")
	fs.DurationVar(&s.rssSettle, "rss-settle", time.Minute, "read the plain master's memory again this long after its start, with its heap at its steady size (0: skip)")
	fs.StringVar(&s.repo, "repo", ".", "the spark2 repository, for go test -bench ./internal/status/ (\"\": skip it)")
	fs.IntVar(&s.httpConns, "http-conns", 16, "keep-alive connections for requests per second and rolling respawns")
	fs.IntVar(&s.httpRuns, "http-runs", 15, "requests-per-second rounds (one run per server each), after one warm-up")
	fs.DurationVar(&s.httpDur, "http-dur", 500*time.Millisecond, "length of one requests-per-second run")
	fs.IntVar(&s.httpBothRuns, "http-both-runs", 4, "requests-per-second runs with both loads at once")
	fs.DurationVar(&s.httpBothDur, "http-both-dur", time.Second, "length of one such run")
	fs.IntVar(&s.shareConns, "share-conns", 64, "connections for the sharing figure (spark2 -n 2)")
	fs.IntVar(&s.shareRuns, "share-runs", 3, "keep-alive runs for the sharing figure")
	fs.DurationVar(&s.shareDur, "share-dur", 1500*time.Millisecond, "length of one sharing run")
	fs.IntVar(&s.rollouts, "rollouts", 20, "rolling respawns under load, one after another")
	fs.DurationVar(&s.rollBudget, "roll-budget", 60*time.Second, "the load during the rolling respawns stops by then at the latest")
	fs.IntVar(&s.roll4Runs, "roll4-runs", 7, "rolling respawns of 4 workers, after one warm-up")
	fs.IntVar(&s.probeRuns, "probe-runs", 200, "rounds of /bin/true, spark2 --version, spark2 --probe ready")
	fs.DurationVar(&s.probeBudget, "probe-budget", 40*time.Second, "time for the probe rounds")
	fs.StringVar(&s.empty, "empty", "", "an empty static Go program (func main() {}), timed beside the probe as the floor of any Go program's start")
	fs.StringVar(&s.libFloor, "libfloor", "", "bench/libfloor built like spark2 (the four required libraries alone), measured beside spark2's size and memory")
	fs.StringVar(&s.factsPath, "facts", "", "write the key figures as JSON to this file, for \"spark2bench goals\"")
	only := fs.String("only", strings.Join(allSections, ","), "sections to run")
	fs.Parse(args)
	if s.spark2 == "" {
		fmt.Fprintln(os.Stderr, "spark2bench run: -spark2 is required")
		return 2
	}
	s.sectionsSel = map[string]bool{}
	known := map[string]bool{}
	for _, x := range allSections {
		known[x] = true
	}
	for _, x := range strings.Split(*only, ",") {
		x = strings.TrimSpace(x)
		if !known[x] {
			fmt.Fprintf(os.Stderr, "spark2bench run: unknown section %q in -only (known: %s)\n", x, strings.Join(allSections, ","))
			return 2
		}
		s.sectionsSel[x] = true
	}
	for _, x := range strings.Split(*modes, ",") {
		switch md := mode(strings.TrimSpace(x)); md {
		case plain, pid1:
			s.modes = append(s.modes, md)
		default:
			fmt.Fprintf(os.Stderr, "spark2bench run: unknown mode %q\n", x)
			return 2
		}
	}
	var err error
	if s.self, err = os.Executable(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if s.tmp, err = os.MkdirTemp("", "spark2bench-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(s.tmp)
	if err := becomeSubreaper(); err != nil {
		progress("warning: cannot become a child subreaper: %v", err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sg := <-sigs
		progress("%v: cleaning up", sg)
		cleanup()
		os.RemoveAll(s.tmp)
		os.Exit(130)
	}()
	defer cleanup()
	for _, md := range s.modes {
		if md == pid1 {
			if _, err := os.Stat("/proc/self/ns/pid"); err != nil || os.Getuid() != 0 {
				progress("pid1 mode needs root and PID namespaces; skipping it")
				s.modes = without(s.modes, pid1)
			}
		}
	}
	s.nap, s.napKind = writeNap(s.tmp)
	if help, err := exec.Command(s.spark2, "--help").Output(); err == nil && bytes.Contains(help, []byte("--port")) {
		spark2Base = []string{"-p", "0", "-H", "127.0.0.1"}
	}

	r := &report{}
	type section struct {
		name string
		f    func(*settings, *report) error
	}
	for _, sec := range []section{
		{"size", sizeSection}, {"rss", rssSection}, {"startup", startupSection},
		{"respawn", respawnSection}, {"trampoline", trampolineSection}, {"orphans", orphansSection}, {"throughput", throughputSection},
		{"http", httpSection}, {"rolling", rollingSection}, {"probe", probeSection},
	} {
		if !s.sectionsSel[sec.name] {
			continue
		}
		began := time.Now()
		progress("== %s", sec.name)
		if err := sec.f(&s, r); err != nil {
			r.failed = true
			r.detail("**%s failed:** %v\n", sec.name, err)
			progress("%s failed: %v", sec.name, err)
		}
		progress("   %s took %.1f s", sec.name, time.Since(began).Seconds())
		cleanup() // nothing of a section outlives it
	}
	r.print(os.Stdout)
	if s.factsPath != "" {
		if err := writeFacts(s.factsPath); err != nil {
			progress("writing the facts: %v", err)
			return 1
		}
	}
	if r.failed {
		return 1
	}
	return 0
}

func without(ms []mode, x mode) []mode {
	var out []mode
	for _, m := range ms {
		if m != x {
			out = append(out, m)
		}
	}
	return out
}

func progress(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "spark2bench: "+format+"\n", a...)
}
