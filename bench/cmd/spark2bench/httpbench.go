package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// httpReady is one "http-ready PID ADDR HOW" line of an http worker.
type httpReady struct {
	pid  int
	addr string
	how  string
}

func parseHTTPReady(l string) (httpReady, bool) {
	f := strings.Fields(l)
	if len(f) != 4 || f[0] != "http-ready" {
		return httpReady{}, false
	}
	pid, err := strconv.Atoi(f[1])
	return httpReady{pid: pid, addr: f[2], how: f[3]}, err == nil
}

// waitHTTPReady reads m's output until n http workers have said ready.
func (m *master) waitHTTPReady(n int, timeout time.Duration) ([]httpReady, error) {
	deadline := time.Now().Add(timeout)
	var out []httpReady
	for len(out) < n {
		l, err := m.next(time.Until(deadline))
		if err != nil {
			return out, err
		}
		if h, ok := parseHTTPReady(l); ok {
			if h.how != "fd3" {
				return out, fmt.Errorf("the worker did not get spark2's socket as fd 3 (%q)", l)
			}
			out = append(out, h)
		}
	}
	return out, nil
}

// directHTTP is the http worker started by the benchmark itself, on a port of
// its own.
type directHTTP struct {
	p     *os.Process
	ready httpReady
	took  time.Duration // exec → its "http-ready" line
	done  chan struct{}
}

func startDirectHTTP(self string) (*directHTTP, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		pw.Close()
		return nil, err
	}
	defer null.Close()
	env := os.Environ()
	clean := env[:0:0]
	for _, e := range env { // this one runs on its own: nothing of spark2's
		if !strings.HasPrefix(e, "LISTEN_") && !strings.HasPrefix(e, "NOTIFY_SOCKET=") && !strings.HasPrefix(e, "SPARK2_READY_FD=") {
			clean = append(clean, e)
		}
	}
	t0 := time.Now()
	p, err := os.StartProcess(self, []string{self, "http"}, &os.ProcAttr{Env: clean, Files: []*os.File{null, pw, os.Stderr}})
	pw.Close()
	if err != nil {
		return nil, err
	}
	track(p.Pid)
	d := &directHTTP{p: p, done: make(chan struct{})}
	go func() {
		p.Wait()
		untrack(p.Pid)
		close(d.done)
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if _, ok := parseHTTPReady(sc.Text()); ok {
				lines <- sc.Text()
				return
			}
		}
		close(lines)
	}()
	select {
	case l, ok := <-lines:
		d.took = time.Since(t0)
		if !ok {
			d.stop()
			return nil, errors.New("the direct http server exited before it was ready")
		}
		d.ready, _ = parseHTTPReady(l)
		return d, nil
	case <-time.After(10 * time.Second):
		d.stop()
		return nil, errors.New("the direct http server was not ready within 10 s")
	}
}

func (d *directHTTP) stop() {
	d.p.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(6 * time.Second):
		d.p.Kill()
		<-d.done
	}
}

// ---- status file ----

// statusDoc is the part of spark2's status file the benchmark reads.
type statusDoc struct {
	Pid     int    `json:"pid"`
	State   string `json:"state"`
	Wanted  int    `json:"workers_wanted"`
	Workers []struct {
		Slot        int  `json:"slot"`
		Pid         int  `json:"pid"`
		Ready       bool `json:"ready"`
		Replacement int  `json:"replacement"`
	} `json:"workers"`
	Totals struct {
		FailedReloads int `json:"failed_reloads"`
	} `json:"totals"`
}

// allNewReady: every slot has a ready worker whose pid is not in old, no
// replacement is pending, and the master is no longer reloading.
func (d *statusDoc) allNewReady(old map[int]bool) bool {
	if d.State == "reloading" || len(d.Workers) != d.Wanted || d.Wanted == 0 {
		return false
	}
	for _, w := range d.Workers {
		if w.Pid == 0 || !w.Ready || w.Replacement != 0 || old[w.Pid] {
			return false
		}
	}
	return true
}

func (d *statusDoc) pids() map[int]bool {
	m := map[int]bool{}
	for _, w := range d.Workers {
		m[w.Pid] = true
	}
	return m
}

// rollReadyTimeout is spark2's --ready-timeout in the rolling figures: a
// replacement that is not counted ready by then fails the rolling respawn
// (the old workers keep serving), and the benchmark goes on.
const rollReadyTimeout = 5 * time.Second

// httpMaster is a spark2 -n N --ready notify spark2bench http with its
// status file at statusPath (SPARK2_STATUS_FILE).
type httpMaster struct {
	*master
	w    *statusWatch
	addr string // where the workers serve
	// said: the workers that printed "http-ready", which they do once their
	// READY=1 has been sent.
	mu   sync.Mutex
	said map[int]bool
}

// startHTTPMaster starts one and waits until all N workers are ready in the
// status file.
func startHTTPMaster(s *settings, n int, statusPath string, env []string) (*httpMaster, error) {
	m, err := startMasterEnv(plain, s.spark2, nil, append([]string{"SPARK2_STATUS_FILE=" + statusPath}, env...),
		"-n", strconv.Itoa(n), "--ready", "notify", "--ready-timeout", rollReadyTimeout.String(), "--stop-timeout", "8s", s.self, "http")
	if err != nil {
		return nil, err
	}
	hs, err := m.waitHTTPReady(n, 15*time.Second)
	if err != nil {
		m.kill()
		return nil, err
	}
	h := &httpMaster{master: m, addr: hs[0].addr, said: map[int]bool{}}
	for _, x := range hs {
		h.said[x.pid] = true
	}
	go func() { // the rest of its output, until it closes
		for l := range m.lines {
			if x, ok := parseHTTPReady(l); ok {
				h.mu.Lock()
				h.said[x.pid] = true
				h.mu.Unlock()
			}
		}
	}()
	if h.w, err = newStatusWatch(statusPath); err != nil {
		m.kill()
		return nil, err
	}
	if _, _, err := h.w.wait(func(d *statusDoc) bool { return d.allNewReady(nil) }, 3*rollReadyTimeout); err != nil {
		h.close()
		return nil, err
	}
	return h, nil
}

func (h *httpMaster) close() {
	h.w.close()
	h.stop(10 * time.Second)
}

func (h *httpMaster) saidReady(pid int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.said[pid]
}

// rollResult is one rolling respawn: SIGHUP → the status file shows every
// slot with a new ready worker, or the rollout failed.
type rollResult struct {
	took             time.Duration
	failed           bool  // spark2 gave up (a replacement not ready within --ready-timeout)
	lost             []int // replacements that had sent READY=1 but were never counted ready
	spawnAt, readyAt []time.Duration
	started          []int // the new workers
}

// roll sends SIGHUP and waits until the rollout is done or has failed. Per
// slot it notes when the status file first showed its replacement and its
// new worker ready.
func (h *httpMaster) roll() (*rollResult, error) {
	cur, err := readStatusDoc(h.w.path)
	if err != nil {
		return nil, err
	}
	old, failed0, n := cur.pids(), cur.Totals.FailedReloads, len(cur.Workers)
	res := &rollResult{spawnAt: make([]time.Duration, n), readyAt: make([]time.Duration, n)}
	repl := map[int]bool{}
	t0 := time.Now()
	if err := syscall.Kill(h.pid, syscall.SIGHUP); err != nil {
		return nil, err
	}
	doc, at, err := h.w.wait(func(d *statusDoc) bool {
		el := time.Since(t0)
		for _, wk := range d.Workers {
			if wk.Replacement != 0 && !old[wk.Replacement] {
				repl[wk.Replacement] = true
			}
			if wk.Slot < 0 || wk.Slot >= n {
				continue
			}
			if res.spawnAt[wk.Slot] == 0 && ((wk.Replacement != 0 && !old[wk.Replacement]) || (wk.Pid != 0 && !old[wk.Pid])) {
				res.spawnAt[wk.Slot] = el
			}
			if res.readyAt[wk.Slot] == 0 && wk.Pid != 0 && !old[wk.Pid] && wk.Ready {
				res.readyAt[wk.Slot] = el
			}
		}
		return d.allNewReady(old) || d.Totals.FailedReloads > failed0
	}, 3*rollReadyTimeout)
	if err != nil {
		return nil, fmt.Errorf("rolling respawn: %w; spark2's stderr:\n%s", err, tail(h.stderr.String()))
	}
	res.took = at.Sub(t0)
	for _, wk := range doc.Workers {
		if !old[wk.Pid] {
			res.started = append(res.started, wk.Pid)
		}
	}
	if doc.Totals.FailedReloads > failed0 {
		res.failed = true
		time.Sleep(200 * time.Millisecond) // its last output line, if any, has arrived
		for p := range repl {
			if h.saidReady(p) && !doc.pids()[p] {
				res.lost = append(res.lost, p)
			}
		}
		progress("   a rolling respawn failed after %v (replacements that had sent READY=1 but were not counted ready: %v)", res.took.Round(time.Millisecond), res.lost)
	}
	return res, nil
}

// ---- figures 7 and 8: requests per second, and sharing between workers ----

func httpSection(s *settings, r *report) error {
	d, err := startDirectHTTP(s.self)
	if err != nil {
		return err
	}
	defer d.stop()
	// A second direct server: direct vs direct2 is the noise floor of the
	// method (an A/A comparison).
	d2, err := startDirectHTTP(s.self)
	if err != nil {
		return err
	}
	defer d2.stop()
	m, err := startMaster(plain, s.spark2, nil, "-n", "1", "--ready", "notify", "--stop-timeout", "8s", s.self, "http")
	if err != nil {
		return err
	}
	defer m.stop(10 * time.Second)
	hs, err := m.waitHTTPReady(1, 15*time.Second)
	if err != nil {
		return err
	}
	sides := []string{"direct", "spark2", "direct2"}
	addrs := map[string]string{"direct": d.ready.addr, "spark2": hs[0].addr, "direct2": d2.ready.addr}
	wantPid := map[string]int{"direct": d.ready.pid, "spark2": hs[0].pid, "direct2": d2.ready.pid}
	progress("   RPS: %d conns, %d × %v per server, in turns (direct on %s, spark2 on %s, direct2 on %s)", s.httpConns, s.httpRuns, s.httpDur, addrs["direct"], addrs["spark2"], addrs["direct2"])
	rps := map[string][]float64{}
	cpuPerReq := map[string][]float64{} // the server's CPU µs per request
	var ratios, aa, both []float64
	var bad []string
	check := func(name string, res *loadResult) {
		if res.failed+res.refused+res.non2xx > 0 || len(res.perPid) != 1 || res.perPid[wantPid[name]] != res.requests {
			bad = append(bad, fmt.Sprintf("%s: failed %d, refused %d, non-2xx %d, pids %v %v", name, res.failed, res.refused, res.non2xx, res.perPid, res.failNotes))
		}
	}
	// One warm-up each, then rounds of one run per server, in an order that
	// rotates and reverses (each server goes first, second and third, after
	// each other one), so that a drift in the machine's load hits all alike.
	for _, name := range sides {
		runLoad(loadOpts{addr: addrs[name], conns: s.httpConns, duration: s.httpDur, maxReqs: maxLoadReqs}, nil)
	}
	masterCPU0, began := cpuMs(m.pid), time.Now()
	for i := 0; i < s.httpRuns; i++ {
		order := append(append([]string{}, sides[i%3:]...), sides[:i%3]...)
		if (i/3)%2 == 1 {
			order[0], order[2] = order[2], order[0]
		}
		got := map[string]float64{}
		for _, name := range order {
			c0 := cpuMs(wantPid[name])
			res := runLoad(loadOpts{addr: addrs[name], conns: s.httpConns, duration: s.httpDur, maxReqs: maxLoadReqs}, nil)
			c1 := cpuMs(wantPid[name])
			check(name, res)
			got[name] = res.rps()
			rps[name] = append(rps[name], res.rps())
			if res.requests > 0 {
				cpuPerReq[name] = append(cpuPerReq[name], (c1-c0)*1000/float64(res.requests))
			}
		}
		ratios = append(ratios, got["spark2"]/got["direct"])
		aa = append(aa, got["direct2"]/got["direct"])
	}
	// Both at once: the same moments, so the same noise, for both.
	for i := 0; i < s.httpBothRuns; i++ {
		out := map[string]*loadResult{}
		done := make(chan struct{})
		pair := []string{"direct", "spark2"}
		if i%2 == 1 {
			pair = []string{"spark2", "direct"}
		}
		var mu sync.Mutex
		for _, name := range pair {
			go func() {
				res := runLoad(loadOpts{addr: addrs[name], conns: s.httpConns, duration: s.httpBothDur, maxReqs: maxLoadReqs}, nil)
				mu.Lock()
				check(name, res)
				out[name] = res
				mu.Unlock()
				done <- struct{}{}
			}()
		}
		<-done
		<-done
		both = append(both, out["spark2"].rps()/out["direct"].rps())
	}
	masterCPU, span := cpuMs(m.pid)-masterCPU0, time.Since(began)
	m.stop(10 * time.Second)
	d.stop()
	d2.stop()
	di, sp, d2s := summarize(rps["direct"]), summarize(rps["spark2"]), summarize(rps["direct2"])
	ra, aas, bo := summarize(ratios), summarize(aa), summarize(both)
	cd, cs, cd2 := summarize(cpuPerReq["direct"]), summarize(cpuPerReq["spark2"]), summarize(cpuPerReq["direct2"])
	progress("   rps median: direct %.0f, spark2 %.0f, direct2 %.0f (spark2 ×%.3f, direct2 ×%.3f; both at once ×%.3f)", di.median, sp.median, d2s.median, sp.median/di.median, d2s.median/di.median, bo.median)

	r.detail("### 7. HTTP requests per second through spark2\n\n")
	r.detail("The server is this program in `http` mode: Go's net/http answering `GET /` with `pid=PID` (and an `X-Pid` header); it takes fd 3 when `LISTEN_FDS=1` (from spark2), else binds its own 127.0.0.1 port (**direct**). ")
	r.detail("**spark2**: `spark2 -n 1 --ready notify spark2bench http`. **direct2**: a second direct server, the control: direct2 ÷ direct shows how far two identical servers differ by chance in this method on this machine at this time. The three run side by side, idle but for the run at hand. ")
	r.detail("The load is this program's own HTTP/1.1 client, in the same process as the benchmark: %d keep-alive connections, one request at a time on each, for %v per run; ", s.httpConns, s.httpDur)
	r.detail("one warm-up run per server, then %d rounds of one run per server, in turns (the order rotates and reverses from round to round). ", s.httpRuns)
	r.detail("Client and server share the machine's %d CPUs, and other work on the machine shows up as noise (short runs, close together, so that a round sees about the same machine). ", runtime.NumCPU())
	r.detail("spark2's master is not on the data path (the worker accepts on the socket itself), so the goal is a ratio ≥ 0.98. ")
	r.detail("Two checks that noise touches less: **both at once** (%d runs of %v: a load on direct and one on spark2 at the same time, %d connections each, so both see the same moments of the machine) and the **server's CPU time per request** (the worker process's, all threads, from `/proc/<pid>/task/*/schedstat`, over each run).\n\n", s.httpBothRuns, s.httpBothDur, s.httpConns)
	r.detail("| server | median rps | min–max rps | ÷ direct (medians) | ÷ direct, median per round | server CPU per request (median) | runs (rps) |\n|---|---|---|---|---|---|---|\n")
	r.detail("| direct | %.0f | %.0f–%.0f | 1 | 1 | %.1f µs | %s |\n", di.median, di.min, di.max, cd.median, joinF(rps["direct"], "%.0f"))
	r.detail("| spark2 -n 1 | %.0f | %.0f–%.0f | **%.3f** | %.3f | %.1f µs | %s |\n", sp.median, sp.min, sp.max, sp.median/di.median, ra.median, cs.median, joinF(rps["spark2"], "%.0f"))
	r.detail("| direct2 (control) | %.0f | %.0f–%.0f | %.3f | %.3f | %.1f µs | %s |\n", d2s.median, d2s.min, d2s.max, d2s.median/di.median, aas.median, cd2.median, joinF(rps["direct2"], "%.0f"))
	r.detail("\nPer round, spark2 ÷ direct: %s; direct2 ÷ direct: %s. ", joinF(ratios, "%.2f"), joinF(aa, "%.2f"))
	r.detail("Both at once, spark2 ÷ direct, median of %d: **%.3f** (%s). Server CPU per request, spark2 ÷ direct: %.3f (direct2 ÷ direct %.3f). ", bo.n, bo.median, joinF(both, "%.3f"), cs.median/cd.median, cd2.median/cd.median)
	r.detail("The spark2 master itself used %.1f ms of CPU over those %.1f s of load (%.2f%% of one CPU: its once-a-second status file heartbeat).", masterCPU, span.Seconds(), masterCPU/span.Seconds()/10)
	if dev := math.Abs(1 - d2s.median/di.median); dev > 0.02 {
		r.detail(" **The control differs from direct by %.1f%%**: at this noise, alternating runs cannot resolve a 2%% difference; the both-at-once ratio and the CPU per request are the better guides.", 100*dev)
	}
	r.detail("\n\n")
	if len(bad) > 0 {
		r.detail("**Errors:** %s\n\n", strings.Join(bad, "; "))
	}
	ratio := sp.median / di.median
	r.row(fmt.Sprintf("HTTP rps, %d keep-alive conns: spark2 -n 1 vs the same server direct (medians of %d × %v, in turns; control: a 2nd direct server)", s.httpConns, sp.n, s.httpDur),
		fmt.Sprintf("%.0f vs %.0f rps: ×%.3f (per round ×%.3f; control direct2 ×%.3f)", sp.median, di.median, ratio, ra.median, d2s.median/di.median), "≥ 0.98", yes(ratio >= 0.98 && len(bad) == 0))
	r.row(fmt.Sprintf("HTTP rps, both loads at once, spark2 ÷ direct (median of %d × %v); server CPU per request; master CPU during the load", bo.n, s.httpBothDur),
		fmt.Sprintf("×%.3f; %.1f vs %.1f µs; %.1f ms in %.0f s", bo.median, cs.median, cd.median, masterCPU, span.Seconds()), "≥ 0.98", yes(bo.median >= 0.98 && len(bad) == 0))
	if len(bad) > 0 {
		return fmt.Errorf("requests failed: %s", strings.Join(bad, "; "))
	}
	return httpShare(s, r)
}

// httpShare is figure 8: how the kernel shares connections (and so requests)
// between two workers accepting on one socket (--balance shared, the
// default) and, when this spark2 has --balance, on a socket each
// (--balance reuseport). The modes' runs take turns.
func httpShare(s *settings, r *report) error {
	balances := []string{""}
	if help, err := exec.Command(s.spark2, "--help").Output(); err == nil && bytes.Contains(help, []byte("--balance")) {
		balances = []string{"shared", "reuseport"}
	}
	type side struct {
		balance string
		addr    string
		workers []int
	}
	var sides []side
	for _, b := range balances {
		args := []string{"-n", "2", "--ready", "notify", "--stop-timeout", "8s"}
		if b != "" {
			args = append(args, "--balance", b)
		}
		m, err := startMaster(plain, s.spark2, nil, append(args, s.self, "http")...)
		if err != nil {
			return err
		}
		defer m.stop(10 * time.Second)
		hs, err := m.waitHTTPReady(2, 15*time.Second)
		if err != nil {
			return fmt.Errorf("spark2 -n 2 %s: %w", strings.Join(args[2:], " "), err)
		}
		sides = append(sides, side{b, hs[0].addr, []int{hs[0].pid, hs[1].pid}})
	}
	type shareRun struct {
		balance, name string
		reqs, conns   [2]int
		rps           float64
	}
	var runs []shareRun
	var bad []string
	type variant struct {
		name  string
		close bool
	}
	var variants []variant
	for i := 0; i < s.shareRuns; i++ {
		variants = append(variants, variant{"keep-alive", false})
	}
	variants = append(variants, variant{"new connection per request", true})
	for i, v := range variants {
		for k := range sides {
			sd := sides[(i+k)%len(sides)] // rotating order
			res := runLoad(loadOpts{addr: sd.addr, conns: s.shareConns, duration: s.shareDur, maxReqs: maxLoadReqs, closeEach: v.close}, nil)
			if res.failed+res.refused+res.non2xx > 0 {
				bad = append(bad, fmt.Sprintf("%s %s: failed %d, refused %d, non-2xx %d %v", sd.balance, v.name, res.failed, res.refused, res.non2xx, res.failNotes))
			}
			sr := shareRun{balance: sd.balance, name: v.name, rps: res.rps()}
			for i, p := range sd.workers {
				sr.reqs[i], sr.conns[i] = res.perPid[p], res.connPid[p]
			}
			if sr.reqs[0]+sr.reqs[1] != res.requests {
				bad = append(bad, fmt.Sprintf("%s %s: answers from unknown pids %v (workers %v)", sd.balance, v.name, res.perPid, sd.workers))
			}
			runs = append(runs, sr)
			progress("   share (%s %s): requests %d / %d, connections %d / %d", sd.balance, v.name, sr.reqs[0], sr.reqs[1], sr.conns[0], sr.conns[1])
		}
	}
	ratio := func(a [2]int) float64 {
		lo, hi := min(a[0], a[1]), max(a[0], a[1])
		if lo == 0 {
			return math.Inf(1) // one worker got nothing
		}
		return float64(hi) / float64(lo)
	}
	fmtRatio := func(a [2]int) string {
		if min(a[0], a[1]) == 0 {
			return "∞ (one worker got nothing)"
		}
		return fmt.Sprintf("%.2f", ratio(a))
	}
	r.detail("### 8. How two workers share the load\n\n")
	if len(sides) == 1 {
		r.detail("`spark2 -n 2 --ready notify spark2bench http`: both workers accept on the one socket spark2 bound; the kernel gives each new connection to whichever worker's accept(2) takes it first. ")
		r.detail("(This spark2 has no `--balance`.) ")
	} else {
		r.detail("`spark2 -n 2 --ready notify --balance shared|reuseport spark2bench http`, both masters at once, their runs taking turns. With `shared` both workers accept on the one socket spark2 bound, and the kernel gives each new connection to whichever worker's accept(2) takes it first; ")
		r.detail("with `reuseport` each slot has its own SO_REUSEPORT socket on the same port, and spark2's eBPF program hands new connections to them in turn (at random where it cannot be loaded: without CAP_BPF). ")
	}
	r.detail("%d connections at once for %v per run; each answer names the worker that served it (`X-Pid`), so the client counts requests and connections (by the first answer on each) per worker. ", s.shareConns, s.shareDur)
	r.detail("With keep-alive, a connection stays with the worker that accepted it, so the split of the %d connections, made in the first milliseconds, decides the split of the requests; ", s.shareConns)
	r.detail("the last run opens a new connection for every request (`Connection: close`), so every request goes through accept(2) again.\n\n")
	r.detail("| run | balance | rps | requests worker A / B | share of A | max ÷ min | connections A / B |\n|---|---|---|---|---|---|---|\n")
	kaRatios := map[string][]float64{}
	kaRPS := map[string][]float64{}
	lastOf := map[string]shareRun{}
	for i, x := range runs {
		tot := x.reqs[0] + x.reqs[1]
		share := 0.0
		if tot > 0 {
			share = float64(x.reqs[0]) / float64(tot)
		}
		bal := x.balance
		if bal == "" {
			bal = "(one socket)"
		}
		r.detail("| %d. %s | %s | %.0f | %d / %d | %.1f%% | %s | %d / %d |\n", i+1, x.name, bal, x.rps, x.reqs[0], x.reqs[1], 100*share, fmtRatio(x.reqs), x.conns[0], x.conns[1])
		if x.name == "keep-alive" {
			kaRatios[x.balance] = append(kaRatios[x.balance], ratio(x.reqs))
			kaRPS[x.balance] = append(kaRPS[x.balance], x.rps)
		} else {
			lastOf[x.balance] = x
		}
	}
	r.detail("\n")
	if len(bad) > 0 {
		r.detail("**Errors:** %s\n\n", strings.Join(bad, "; "))
	}
	for _, sd := range sides {
		ka := summarize(kaRatios[sd.balance])
		rps := summarize(kaRPS[sd.balance])
		key := sd.balance
		if key == "" {
			key = "shared"
		}
		fact("share_ka."+key, ka.median)
		fact("share_ka_max."+key, ka.max)
		fact("share_rps."+key, rps.median)
		label := ""
		if sd.balance != "" {
			label = " --balance " + sd.balance
		}
		r.row(fmt.Sprintf("Requests per worker, spark2 -n 2%s, %d conns: max ÷ min (keep-alive: median of %d runs, rps; new conn per request)", label, s.shareConns, ka.n),
			strings.ReplaceAll(fmt.Sprintf("keep-alive %.2f (runs: %s), %.0f rps; per-request conns %s", ka.median, joinF(kaRatios[sd.balance], "%.2f"), rps.median, fmtRatio(lastOf[sd.balance].reqs)), "+Inf", "∞"), "", nil)
	}
	if len(bad) > 0 {
		return fmt.Errorf("requests failed: %s", strings.Join(bad, "; "))
	}
	return nil
}

// maxLoadReqs bounds every load run's count (its duration bounds its time).
const maxLoadReqs = 20_000_000

// ---- figures 9 and 10: rolling respawns ----

// rollWindow is a load during back-to-back rolling respawns.
type rollWindow struct {
	name    string
	load    *loadResult
	rollMs  []float64 // each completed rolling respawn, SIGHUP → all new workers ready
	failed  int       // rolling respawns that failed
	lost    []int     // replacements whose READY=1 was lost
	started int       // workers started in all
}

// rollUnderLoad runs a load against h while it sends SIGHUP n times, each
// once the previous rolling respawn has finished in the status file.
func rollUnderLoad(s *settings, name string, h *httpMaster, n int) (*rollWindow, error) {
	runLoad(loadOpts{addr: h.addr, conns: s.httpConns, duration: 500 * time.Millisecond, maxReqs: maxLoadReqs}, nil) // warm-up
	stopLoad := make(chan struct{})
	resc := make(chan *loadResult, 1)
	go func() {
		resc <- runLoad(loadOpts{addr: h.addr, conns: s.httpConns, duration: s.rollBudget, maxReqs: maxLoadReqs}, stopLoad)
	}()
	time.Sleep(200 * time.Millisecond) // the load is going
	rw := &rollWindow{name: name}
	var rollErr error
	spawned := map[int]bool{}
	began := time.Now()
	for i := 0; i < n && time.Since(began) < s.rollBudget; i++ {
		res, err := h.roll()
		if err != nil {
			rollErr = fmt.Errorf("%s: rolling respawn %d: %w", name, i+1, err)
			break
		}
		for _, p := range res.started {
			spawned[p] = true
		}
		if res.failed {
			rw.failed++
			rw.lost = append(rw.lost, res.lost...)
			continue
		}
		rw.rollMs = append(rw.rollMs, float64(res.took.Microseconds())/1000)
	}
	close(stopLoad)
	rw.load = <-resc
	rw.started = len(spawned)
	return rw, rollErr
}

func rollingSection(s *settings, r *report) error {
	stDir := s.tmp + "/status"
	if err := os.MkdirAll(stDir, 0o700); err != nil {
		return err
	}
	// Figure 9: latency during rolling respawns under load, vs steady state.
	statusPath := stDir + "/rolling.json"
	h, err := startHTTPMaster(s, 2, statusPath, nil)
	if err != nil {
		return err
	}
	defer h.close()
	// The status file the benchmark watches is the one spark2 --status reads.
	cmd := exec.Command(s.spark2, "--status", "--json")
	cmd.Env = append(os.Environ(), "SPARK2_STATUS_FILE="+statusPath)
	if out, err := cmd.Output(); err != nil || !strings.Contains(string(out), fmt.Sprintf(`"pid": %d`, h.pid)) {
		return fmt.Errorf("spark2 --status --json with SPARK2_STATUS_FILE=%s does not show master %d: %v\n%s", statusPath, h.pid, err, out)
	}
	during, err := rollUnderLoad(s, "rolling respawns", h, s.rollouts)
	if err != nil {
		return err
	}
	steady := &rollWindow{name: "steady", load: runLoad(loadOpts{addr: h.addr, conns: s.httpConns, duration: during.load.elapsed, maxReqs: maxLoadReqs}, nil)}
	h.close()
	windows := []*rollWindow{during, steady}

	// Figure 10: one rolling respawn of 4 workers that are ready at once.
	h4, err := startHTTPMaster(s, 4, stDir+"/four.json", nil)
	if err != nil {
		return err
	}
	defer h4.close()
	var fourMs, floorMs, firstSpawnMs, slotMs, gapMs []float64
	var fourFailed int
	var fourLost []int
	msOf := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for i := 0; i <= s.roll4Runs+fourFailed && i <= 2*s.roll4Runs; i++ {
		time.Sleep(300 * time.Millisecond) // the previous round's old workers have gone
		res, err := h4.roll()
		if err != nil {
			return fmt.Errorf("rolling respawn of 4: %w", err)
		}
		if res.failed {
			fourFailed++
			fourLost = append(fourLost, res.lost...)
			continue
		}
		// The floor: the same worker started directly, exec → ready.
		d, err := startDirectHTTP(s.self)
		if err != nil {
			return err
		}
		d.stop()
		if i == 0 { // a warm-up
			continue
		}
		fourMs = append(fourMs, msOf(res.took))
		floorMs = append(floorMs, msOf(d.took))
		firstSpawnMs = append(firstSpawnMs, msOf(res.spawnAt[0]))
		for k := range res.spawnAt {
			if res.spawnAt[k] > 0 && res.readyAt[k] >= res.spawnAt[k] {
				slotMs = append(slotMs, msOf(res.readyAt[k]-res.spawnAt[k]))
			}
			if k > 0 && res.spawnAt[k] > 0 && res.readyAt[k-1] > 0 {
				gapMs = append(gapMs, msOf(res.spawnAt[k]-res.readyAt[k-1]))
			}
		}
	}
	h4.close()

	// Report.
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
	r.detail("### 9. Latency during rolling respawns\n\n")
	r.detail("`SPARK2_STATUS_FILE=… spark2 -n 2 --ready notify --ready-timeout %v spark2bench http`: the worker says `READY=1` on `NOTIFY_SOCKET` once it accepts; on SIGTERM it drains (`internal/httpdrain`): it closes its copy of the socket, answers every request it reads from then on with `Connection: close` and closes that connection after the answer, closes a connection that stays idle for 2 s, and exits when the last one is closed (not `http.Server.Shutdown`). ", rollReadyTimeout)
	r.detail("Under a load of %d keep-alive connections (this program's client), the benchmark sends SIGHUP %d times, one after another: before each next one it waits until the status file (the one `spark2 --status --json` reads, same `SPARK2_STATUS_FILE`; watched with inotify) shows every slot with a new, ready worker and the master no longer `reloading`, or a failed rolling respawn (`totals.failed_reloads`). ", s.httpConns, s.rollouts)
	r.detail("Then the same load for the same time with no respawn (**steady**). Latency: from a request's first byte written to its answer's last byte read.\n\n")
	r.detail("The client is `internal/loadgen`, which never retries: **failed** counts every request written (or that could not be written) without a complete answer, refused connects included; **refused**: of those, the connects that were refused. A request on a keep-alive connection that a stopping worker closed under it is failed, as wrk counts it.\n\n")
	r.detail("| window | duration | requests | rps | p50 | p99 | p99.9 | max | failed | refused | new connections | rolling respawns: done, median (min–max); failed |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	ok := true
	rollsOK := fourFailed == 0
	var lost []int
	for _, x := range windows {
		lat := sortDurations(x.load.lat)
		roll := "–"
		if len(x.rollMs)+x.failed > 0 {
			rs := summarize(x.rollMs)
			roll = fmt.Sprintf("%d, %.1f ms (%.1f–%.1f); %d failed; %d workers started", len(x.rollMs), rs.median, rs.min, rs.max, x.failed, x.started)
		}
		r.detail("| %s | %.2f s | %d | %.0f | %s | %s | %s | %s | %d | %d | %d | %s |\n", x.name, x.load.elapsed.Seconds(), x.load.requests, x.load.rps(),
			ms(percentile(lat, 50)), ms(percentile(lat, 99)), ms(percentile(lat, 99.9)), ms(percentile(lat, 100)), x.load.failed, x.load.refused, x.load.dials, roll)
		if x.load.failed+x.load.refused+x.load.non2xx > 0 {
			ok = false
			r.detail("\n**Failures (%s):** %d failed, %d refused, %d non-2xx %v\n\n", x.name, x.load.failed, x.load.refused, x.load.non2xx, x.load.failNotes)
		}
		rollsOK = rollsOK && x.failed == 0
		lost = append(lost, x.lost...)
	}
	r.detail("\nA rolling respawn's time: SIGHUP → the status file shows 2 new ready workers, under that load.\n\n")
	lost = append(lost, fourLost...)
	if !rollsOK {
		r.detail("**Rolling respawns failed** (here and in figure 10): spark2 gave up on a replacement that was not counted ready within `--ready-timeout %v`, and the old workers kept serving. %d of those replacements (pids %v) had sent `READY=1` (they print their `http-ready` line once the send has succeeded). ", rollReadyTimeout, len(lost), lost)
		r.detail("A cause seen on a busy machine: the exec report and the notify datagram reach spark2's supervisor loop by different goroutines, and a ready message that came before the exec report was dropped silently (`onNotify` / `onSaidReady` in `internal/supervisor` took it only with `w.execDone`).\n\n")
	}
	dl, st := sortDurations(during.load.lat), sortDurations(steady.load.lat)
	r.row(fmt.Sprintf("Latency p50 / p99 / max during %d rolling respawns (-n 2, %d conns) vs steady, same duration", len(during.rollMs)+during.failed, s.httpConns),
		fmt.Sprintf("%s / %s / %s vs %s / %s / %s", ms(percentile(dl, 50)), ms(percentile(dl, 99)), ms(percentile(dl, 100)), ms(percentile(st, 50)), ms(percentile(st, 99)), ms(percentile(st, 100))), "", nil)
	res := fmt.Sprintf("%d / %d of %d (a client that never retries)", during.load.failed, during.load.refused, during.load.requests+during.load.failed+during.load.non2xx)
	r.row(fmt.Sprintf("Failed / refused requests during %d rolling respawns", len(during.rollMs)+during.failed), res, "0", yes(ok))
	totalRolls, totalFailed := len(fourMs)+fourFailed, fourFailed
	for _, x := range windows {
		totalRolls += len(x.rollMs) + x.failed
		totalFailed += x.failed
	}
	r.row("Rolling respawns that failed (a replacement not counted ready within --ready-timeout), figures 9 and 10",
		fmt.Sprintf("%d of %d (READY=1 sent but dropped: %d)", totalFailed, totalRolls, len(lost)), "0", yes(rollsOK))

	fs, fl := summarize(fourMs), summarize(floorMs)
	r.detail("### 10. One rolling respawn of 4 workers\n\n")
	r.detail("`spark2 -n 4 --ready notify spark2bench http`, no load: each worker is ready as soon as it accepts. From just before SIGHUP to the status file (inotify) showing 4 new, ready workers and the master no longer `reloading`; one warm-up, then %d runs, 300 ms apart", s.roll4Runs)
	if fourFailed > 0 {
		r.detail(" (plus %d that failed, not counted)", fourFailed)
	}
	r.detail(". spark2 replaces one slot at a time: start a worker, wait for its `READY=1`, stop the old one, next slot. **floor**: the same worker started directly by the benchmark, exec → its `http-ready` line (one worker; ×4 is what 4 one-at-a-time starts cost here).\n\n")
	r.detail("| | median | min | max | runs (ms) |\n|---|---|---|---|---|\n")
	r.detail("| rolling respawn of 4 | %.1f ms | %.1f | %.1f | %s |\n", fs.median, fs.min, fs.max, joinF(fourMs, "%.1f"))
	r.detail("| floor: 1 worker exec → ready, direct | %.1f ms | %.1f | %.1f | %s |\n\n", fl.median, fl.min, fl.max, joinF(floorMs, "%.1f"))
	a, b, c := summarize(firstSpawnMs), summarize(slotMs), summarize(gapMs)
	r.detail("Where the time goes, from the versions of the status file seen (medians over all runs and slots): SIGHUP → the first replacement shown %.1f ms; a replacement shown → shown ready %.1f ms (%d samples: spark2's fork, its exec trampoline, the worker's start, `READY=1`); one slot ready → the next slot's replacement shown %.1f ms%s.\n\n", a.median, b.median, b.n, c.median, sameVersion(c.median))
	r.row(fmt.Sprintf("Rolling respawn of 4 workers ready at once, SIGHUP → status file shows 4 new ready (median / max of %d)", fs.n),
		fmt.Sprintf("%.1f ms / %.1f ms (%.1f ms per worker; direct exec → ready %.1f ms)", fs.median, fs.max, fs.median/4, fl.median), "", nil)
	if !ok {
		return fmt.Errorf("requests failed during rolling respawns")
	}
	if !rollsOK {
		return fmt.Errorf("%d rolling respawn(s) failed (READY=1 dropped: %d)", totalFailed, len(lost))
	}
	return nil
}

// ---- figure 11: probe cost ----

func probeSection(s *settings, r *report) error {
	stDir := s.tmp + "/status"
	if err := os.MkdirAll(stDir, 0o700); err != nil {
		return err
	}
	statusPath := stDir + "/probe.json"
	m, err := startHTTPMaster(s, 2, statusPath, nil)
	if err != nil {
		return err
	}
	defer m.close()
	env := append(os.Environ(), "SPARK2_STATUS_FILE="+statusPath)
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	cmds := []struct {
		name string
		argv []string
	}{
		{"/bin/true", []string{"/bin/true"}},
		{"spark2 --version", []string{s.spark2, "--version"}},
		{"spark2 --probe ready", []string{s.spark2, "--probe", "ready"}},
	}
	if s.empty != "" {
		cmds = append(cmds, struct {
			name string
			argv []string
		}{"empty static Go program", []string{s.empty}})
	}
	if _, err := os.Stat("/bin/true"); err != nil {
		cmds[0].argv = []string{s.self, "true"}
		cmds[0].name = "spark2bench true (no /bin/true)"
	}
	times := make([][]float64, len(cmds))
	deadline := time.Now().Add(s.probeBudget)
	rounds := 0
	for i := 0; i < s.probeRuns+10 && time.Now().Before(deadline); i++ {
		for k, c := range cmds {
			t0 := time.Now()
			p, err := os.StartProcess(c.argv[0], c.argv, &os.ProcAttr{Env: env, Files: []*os.File{null, null, null}})
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			st, err := p.Wait()
			d := time.Since(t0)
			if err != nil || !st.Success() {
				out, _ := exec.Command(c.argv[0], c.argv[1:]...).CombinedOutput()
				return fmt.Errorf("%s: %v %v: %s", c.name, st, err, out)
			}
			if i >= 10 { // 10 warm-ups
				times[k] = append(times[k], float64(d.Microseconds())/1000)
			}
		}
		if i >= 10 {
			rounds++
		}
	}
	m.stop(10 * time.Second)

	r.detail("### 11. Probe cost\n\n")
	r.detail("`SPARK2_STATUS_FILE=… spark2 --probe ready` against a running `spark2 -n 2` (exit 0 every time), next to `/bin/true` and `spark2 --version` for scale: wall time from just before the fork+exec (Go's `os.StartProcess`) to the return of wait4, stdin/stdout/stderr on /dev/null. ")
	r.detail("10 warm-up rounds, then %d rounds of the %d, interleaved. The probe's own work is about its row minus the `--version` row (the same Go binary's start-up); the empty static Go program (`func main() {}`, built like spark2), where timed, is the floor of any Go program's start.\n\n", rounds, len(cmds))
	r.detail("| command | median | p99 | min | max |\n|---|---|---|---|---|\n")
	med := make([]float64, len(cmds))
	factName := []string{"true", "version", "probe", "empty"}
	for k, c := range cmds {
		x := summarize(times[k])
		med[k] = x.median
		fact("probe_ms."+factName[k], x.median)
		r.detail("| `%s` | %.2f ms | %.2f ms | %.2f ms | %.2f ms |\n", c.name, x.median, p99f(times[k]), x.min, x.max)
	}
	r.detail("\n")
	floorName, floor := "", ""
	if len(med) > 3 {
		floorName, floor = "; an empty static Go program", fmt.Sprintf("; %.2f ms", med[3])
	}
	r.row(fmt.Sprintf("`spark2 --probe ready` wall time, median / p99 of %d (`/bin/true`; `spark2 --version`%s)", rounds, floorName),
		fmt.Sprintf("%.2f ms / %.2f ms (%.2f ms; %.2f ms%s)", med[2], p99f(times[2]), med[0], med[1], floor), "", nil)
	if rounds < s.probeRuns {
		r.detail("Only %d rounds within the %v budget.\n\n", rounds, s.probeBudget)
	}

	// The Go benchmarks of the status file.
	if s.repo == "" {
		return nil
	}
	progress("   go test -bench ./internal/status/")
	gt := exec.Command("go", "test", "-run", "^$", "-bench", ".", "-benchmem", "./internal/status/")
	gt.Dir = s.repo
	outp, err := runBounded(gt, 150*time.Second)
	r.detail("`go test -run '^$' -bench . -benchmem ./internal/status/` (Go's own iteration counts; Probe = read and parse the status file of a master with 16 workers, read /proc/<pid>/stat, judge; Write = one status file update: marshal, temporary file, rename):\n\n")
	var tb strings.Builder
	bt := benchTable(strings.NewReader(outp), &tb)
	r.detail("%s\n", tb.String())
	if err != nil || bt != 0 {
		return fmt.Errorf("go test -bench ./internal/status/ failed: %v", err)
	}
	return nil
}

func p99f(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(0.99*float64(len(s))+0.5) - 1
	return s[max(0, min(len(s)-1, i))]
}

func joinF(xs []float64, f string) string {
	var out []string
	for _, x := range xs {
		out = append(out, fmt.Sprintf(f, x))
	}
	return strings.Join(out, " ")
}

func sameVersion(ms float64) string {
	if ms < 0.5 {
		return " (the same version of the status file: spark2 starts the next slot's replacement in the step that takes the ready message)"
	}
	return ""
}
