package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spark2/spark2/internal/loadgen"
)

// The load of the HTTP figures is internal/loadgen's, the one load client of
// the repository: conns connections, one request at a time on each, "GET /"
// and the whole answer read, until the time is up (or a cap on requests is
// reached). It never retries: a request whose keep-alive connection a
// stopping worker closes under it is failed, as a user behind a proxy that
// does not retry sees it (wrk counts it as a socket error too).

// loadResult is what one load run saw, in the figures' terms.
type loadResult struct {
	elapsed   time.Duration
	requests  int             // answered (2xx)
	lat       []time.Duration // per answered request, sorted
	perPid    map[int]int     // answered requests per server pid (X-Pid)
	connPid   map[int]int     // connections per server pid (the first answer on each)
	dials     int             // connections opened
	refused   int             // requests whose connect(2) was refused
	failed    int             // requests that got no complete answer, refused ones included
	non2xx    int             // answers that were not 2xx
	failNotes []string        // a few of the errors, for the report
}

type loadOpts struct {
	addr     string
	conns    int
	duration time.Duration
	maxReqs  int64 // cap on requests over all connections (a bound, not a target)
	// closeEach sends "Connection: close": a new connection per request.
	closeEach bool
}

// runLoad runs one load; stop (may be nil) ends it early when closed.
func runLoad(o loadOpts, stop <-chan struct{}) *loadResult {
	mode := loadgen.KeepAlive
	if o.closeEach {
		mode = loadgen.NewConnection
	}
	l, err := loadgen.Start(loadgen.Config{URL: "http://" + o.addr + "/", Mode: mode, Conns: o.conns,
		Requests: o.maxReqs, Duration: o.duration, KeyHeader: "X-Pid"})
	if err != nil {
		return &loadResult{failed: 1, failNotes: []string{err.Error()}}
	}
	if stop != nil {
		finished := make(chan struct{})
		defer close(finished)
		go func() {
			select {
			case <-stop:
				l.Stop()
			case <-finished:
			}
		}()
	}
	r := l.Wait()
	res := &loadResult{elapsed: r.Elapsed, requests: int(r.OK), lat: r.Latencies, perPid: pids(r.ByKey), connPid: pids(r.ConnsByKey),
		dials: int(r.Connects), refused: int(r.Refused()), failed: int(r.Failed), non2xx: int(r.NotOK), failNotes: r.Errors}
	if len(res.failNotes) > 5 {
		res.failNotes = res.failNotes[:5]
	}
	return res
}

// pids turns counts keyed by an X-Pid value into counts by pid; an answer
// without a pid counts under 0.
func pids(byKey map[string]int64) map[int]int {
	m := map[int]int{}
	for k, n := range byKey {
		pid, _ := strconv.Atoi(k)
		m[pid] += int(n)
	}
	return m
}

func (r *loadResult) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	return loadgen.Result{Latencies: sorted}.Percentile(p)
}

// sortDurations returns d: loadgen's latencies come sorted.
func sortDurations(d []time.Duration) []time.Duration { return d }

// loadCmd is "load ADDR CONNS DURATION [close]": one load run, by hand.
func loadCmd(args []string) int {
	if len(args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: spark2bench load ADDR CONNS DURATION [close]")
		return 2
	}
	d, err := time.ParseDuration(args[2])
	if err != nil || d <= 0 || d > 10*time.Minute {
		fmt.Fprintln(os.Stderr, "load: a DURATION up to 10m, e.g. 5s")
		return 2
	}
	res := runLoad(loadOpts{addr: args[0], conns: atoi(args[1]), duration: d, maxReqs: maxLoadReqs, closeEach: len(args) > 3 && args[3] == "close"}, nil)
	lat := res.lat
	fmt.Printf("%.0f rps, %d requests in %.2f s; p50 %v p99 %v max %v; failed %d (refused %d) non-2xx %d; connections %d\n",
		res.rps(), res.requests, res.elapsed.Seconds(), percentile(lat, 50), percentile(lat, 99), percentile(lat, 100),
		res.failed, res.refused, res.non2xx, res.dials)
	for pid, n := range res.perPid {
		fmt.Printf("pid %d: %d requests, %d connections\n", pid, n, res.connPid[pid])
	}
	for _, n := range res.failNotes {
		fmt.Println("error:", n)
	}
	if res.failed+res.non2xx > 0 {
		return 1
	}
	return 0
}
