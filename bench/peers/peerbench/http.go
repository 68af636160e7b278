package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// webServer is one way of serving the WSGI app: gunicorn alone, or spark2
// running gunicorn per worker.
type webServer struct {
	slug, title string
	port        int
	status      string // spark2: its status file
	pidfile     string // gunicorn: its --pid file
	spark2      bool
	workers     int
	srv         *server
}

func (w *webServer) addr() string { return "127.0.0.1:" + strconv.Itoa(w.port) }

// startWeb starts the servers named (comma-separated slugs) and waits until
// each answers and, for spark2, reports every worker ready.
func startWeb(s *settings, slugs []string) (map[string]*webServer, error) {
	out := map[string]*webServer{}
	env := s.env("PYTHONDONTWRITEBYTECODE=1")
	for _, slug := range slugs {
		port, err := freePort()
		if err != nil {
			return out, err
		}
		w := &webServer{slug: slug, port: port}
		gun := []string{s.gunicorn, "--chdir", s.app}
		var argv, e []string
		switch slug {
		case "gunicorn-w1":
			w.title, w.workers = "gunicorn -w 1", 1
			argv = append(gun, "-w", "1", "--bind", w.addr(), "app:app")
		case "gunicorn-w2":
			w.title, w.workers = "gunicorn -w 2", 2
			w.pidfile = filepath.Join(s.tmp, "gunicorn-w2.pid")
			argv = append(gun, "-w", "2", "--bind", w.addr(), "--pid", w.pidfile, "app:app")
		case "spark2", "spark2-ready":
			w.title, w.workers, w.spark2 = "spark2 -n 2 (gunicorn -w 1 each)", 2, true
			w.status = filepath.Join(s.tmp, "status-"+slug+".json")
			e = []string{"SPARK2_STATUS_FILE=" + w.status}
			// gunicorn takes spark2's socket from LISTEN_FDS/LISTEN_PID (its
			// systemd socket activation): no --bind. gunicorn 20.1 given
			// both LISTEN_FDS and --bind fd://3 adopts fd 3 twice and dies
			// with EBADF.
			argv = []string{s.spark2, "-n", "2", "-p", strconv.Itoa(port), "-H", "127.0.0.1", "--ready", "notify", "--stop-timeout", "5s", "--"}
			argv = append(argv, gun...)
			if slug == "spark2-ready" {
				w.title = "spark2 -n 2, READY=1 from gunicorn's worker"
				argv = append(argv, "-c", filepath.Join(s.app, "gunicorn_ready.py"))
			}
			argv = append(argv, "-w", "1", "app:app")
		default:
			return out, fmt.Errorf("unknown server %q", slug)
		}
		srv, err := startServer(slug, argv, append(env, e...), s.tmp, filepath.Join(s.tmp, slug+".log"))
		if err != nil {
			return out, err
		}
		w.srv = srv
		out[slug] = w
	}
	for _, slug := range slugs {
		w := out[slug]
		deadline := time.Now().Add(90 * time.Second)
		for {
			if !w.srv.alive() {
				return out, fmt.Errorf("%s ended at start; log: %s", w.title, w.srv.logTail())
			}
			if get(w.addr(), "/", 2*time.Second) == okReq && (!w.spark2 || spark2Settled(w, nil)) {
				break
			}
			if time.Now().After(deadline) {
				return out, fmt.Errorf("%s not serving within 90 s; log: %s", w.title, w.srv.logTail())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return out, nil
}

func stopWeb(ws map[string]*webServer) {
	for _, w := range ws {
		if w.srv != nil {
			w.srv.stop(10 * time.Second)
		}
	}
}

type spark2Status struct {
	State   string `json:"state"`
	Workers []struct {
		Pid   int  `json:"pid"`
		Ready bool `json:"ready"`
	} `json:"workers"`
}

// spark2Settled: the status file shows every slot with a ready worker none
// of which is in old, and the master not reloading.
func spark2Settled(w *webServer, old map[int]bool) bool {
	b, err := os.ReadFile(w.status)
	if err != nil {
		return false
	}
	var st spark2Status
	if json.Unmarshal(b, &st) != nil || st.State != "running" || len(st.Workers) != w.workers {
		return false
	}
	for _, x := range st.Workers {
		if x.Pid <= 0 || !x.Ready || old[x.Pid] {
			return false
		}
	}
	return true
}

func spark2Pids(w *webServer) map[int]bool {
	out := map[int]bool{}
	b, err := os.ReadFile(w.status)
	if err != nil {
		return out
	}
	var st spark2Status
	if json.Unmarshal(b, &st) == nil {
		for _, x := range st.Workers {
			out[x.Pid] = true
		}
	}
	return out
}

// liveKids are pid's children that are not zombies.
func liveKids(pid int) []int {
	var out []int
	for _, k := range kidsOf(pid) {
		if st, _, ok := statOf(k); ok && st != 'Z' {
			out = append(out, k)
		}
	}
	return out
}

// reload signals w (spark2: SIGCONT; gunicorn: SIGHUP) and waits until it is
// done. spark2: its status file shows a new ready worker in every slot and
// the master running (spark2's own readiness). gunicorn has no such notion
// (its HUP starts new workers and stops the old ones at once): it is done
// when it has its workers again, none of the old ones, and each new worker
// has answered a request of the load (served reports that), or 10 s after
// its processes were replaced. It returns whether that fallback was taken.
func reload(w *webServer, served func(pid int) bool, timeout time.Duration) (bool, error) {
	var old map[int]bool
	sig := syscall.SIGHUP
	if w.spark2 {
		old, sig = spark2Pids(w), syscall.SIGCONT
	} else {
		old = map[int]bool{}
		for _, k := range liveKids(w.srv.pid()) {
			old[k] = true
		}
	}
	if err := syscall.Kill(w.srv.pid(), sig); err != nil {
		return false, err
	}
	deadline := time.Now().Add(timeout)
	var replaced time.Time
	for time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		if w.spark2 {
			if spark2Settled(w, old) {
				return false, nil
			}
			continue
		}
		kids := liveKids(w.srv.pid())
		if len(kids) != w.workers || slices.ContainsFunc(kids, func(k int) bool { return old[k] }) {
			continue
		}
		if replaced.IsZero() {
			replaced = time.Now()
		}
		if !slices.ContainsFunc(kids, func(k int) bool { return !served(k) }) {
			return false, nil
		}
		if time.Since(replaced) > 10*time.Second {
			return true, nil
		}
	}
	return false, fmt.Errorf("%s: reload not done within %v; log: %s", w.title, timeout, w.srv.logTail())
}

// treeCPU is the CPU time (ms) used so far by pid and everything below it:
// each live process's own time plus that of its children it has reaped
// (utime, stime, cutime, cstime).
func treeCPU(pid int) float64 {
	total := 0.0
	for _, p := range append([]int{pid}, treeBelow(pid)...) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/stat")
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(b), ')')
		fs := strings.Fields(string(b[i+1:]))
		if len(fs) < 15 {
			continue
		}
		for _, x := range fs[11:15] {
			n, _ := strconv.Atoi(x)
			total += float64(n) * 10 // USER_HZ = 100
		}
	}
	return total
}

// ---- 4. Reload under load ----

// reloadFacts sums up one server's reloads for the reading.
type reloadFacts struct {
	win, quiet, ctl     summary
	failWin, failAll, n int
	ctlFail, ctlN       int     // the other servers' failures and requests in this one's windows
	perMax, ctlPerMax   summary // over the reloads: the slowest request in each window, this server's and the others'

	winN                 int
	reloadMed, reloadMax float64
	cpuMed               float64
	reloads, fallbacks   int
	kinds                map[string]int
}

// reloadEvent is one reload: signal and done in seconds since the load
// started; cpu is the server's CPU (ms) from the signal to the end of the
// window (done + gap); fallback: gunicorn's new workers did not all answer.
type reloadEvent struct {
	sig, done, cpu float64
	fallback       bool
}

func reloadSection(s *settings, r *report, ws map[string]*webServer, slugs []string) error {
	t0 := time.Now()
	maxDur := s.reloadBudget + 30*time.Second
	loads := map[string]*pacedLoad{}
	for _, slug := range slugs {
		loads[slug] = startPaced(ws[slug].addr(), s.rate, t0, maxDur)
	}
	finished := false
	defer func() {
		if !finished {
			for _, l := range loads {
				l.finish()
			}
		}
	}()
	sec := func() float64 { return time.Since(t0).Seconds() }
	// A warm-up second, left out of every figure (the first connections of
	// a fresh load are slower), then the servers' CPU rate under the steady
	// load alone.
	const warm = 1.0
	time.Sleep(time.Duration(warm * float64(time.Second)))
	tw := sec()
	cpu0 := map[string]float64{}
	for _, slug := range slugs {
		cpu0[slug] = treeCPU(ws[slug].srv.pid())
	}
	time.Sleep(s.steady)
	steadyRate := map[string]float64{} // ms of CPU per s
	for _, slug := range slugs {
		steadyRate[slug] = (treeCPU(ws[slug].srv.pid()) - cpu0[slug]) / (sec() - tw)
	}
	events := map[string][]reloadEvent{}
	done := 0
	budgetHit := false
	for i := 0; i < s.reloads && !budgetHit; i++ {
		for _, slug := range slugs {
			if s.reloadWhich != nil && !s.reloadWhich[slug] {
				continue
			}
			if time.Since(t0) > s.reloadBudget {
				budgetHit = true
				break
			}
			w := ws[slug]
			c := treeCPU(w.srv.pid())
			a := sec()
			fb, err := reload(w, func(pid int) bool {
				_, ok := loads[slug].seen.Load(pid)
				return ok
			}, 60*time.Second)
			if err != nil {
				return err
			}
			d := sec()
			time.Sleep(s.gap)
			events[slug] = append(events[slug], reloadEvent{a, d, treeCPU(w.srv.pid()) - c - steadyRate[slug]*(sec()-a), fb})
		}
		if !budgetHit {
			done++
		}
		if (i+1)%5 == 0 {
			progress("reload: %d of %d rounds done (%.0f s)", i+1, s.reloads, sec())
		}
	}
	if budgetHit {
		progress("reload: time budget %v reached after %d full round(s)", s.reloadBudget, done)
	}
	time.Sleep(s.steady)
	end := sec()
	all := map[string][]req{}
	for slug, l := range loads {
		all[slug] = l.finish()
	}
	finished = true

	r.p("## 4. Reload under load: spark2's SIGCONT against gunicorn's HUP\n\n")
	r.p("The same WSGI app (`bench/peers/app.py`, a few lines) under:\n\n")
	for _, slug := range slugs {
		r.p("- **%s**: `%s`\n", ws[slug].title, strings.Join(cmdLine(ws[slug]), " "))
	}
	r.p("\nAll of them run at once, each under its own open-loop load of %d requests/s (a new connection per request, `Connection: close`, as gunicorn's sync worker answers anyway; a request that cannot connect, breaks, answers non-200 or takes over 5 s is a failure). ", s.rate)
	r.p("After %v of steady load they are reloaded in turns, %d times each, one at a time; %v of steady load follows. ", s.steady, s.reloads, s.steady)
	r.p("A reload is **done**, for spark2, when its status file shows a new *ready* worker in every slot and the master `running` (spark2's own readiness gate, which the operator sees); for gunicorn, which has no readiness gate (its HUP forks new workers and stops the old ones at once), when its master has its 2 workers again, none of the old ones, and each new worker has answered a request of the load. ")
	r.p("A failure is a request that could not connect, broke, answered other than 200, took over 5 s (**timeout**), or was never sent because the load generator already had 512 requests in flight (**unsent**: a stall). A server's **reload window** runs from its signal to %v after done; the next reload starts only then, so windows never overlap. **Control** is the other servers' requests in the same windows: same moments, same machine noise, no reload of their own (only the reloading server's CPU burst, shared with them). **Quiet** is when no server is in a reload window (the first and last %v, less a warm-up second that no figure counts). ", s.gap, s.steady)
	r.p("**Extra CPU** is the CPU time of the server's whole process tree during its window, less what it uses in the same time under the steady load alone. Latency is from the start of connect to the end of the answer.\n\n")
	if budgetHit {
		r.p("**Note:** the time budget (%v) ran out after %d full rounds.\n\n", s.reloadBudget, done)
	}
	var rows [][]string
	inAny := func(at float64) bool {
		for _, ev := range events {
			for _, e := range ev {
				if at >= e.sig && at <= e.done+s.gap.Seconds() {
					return true
				}
			}
		}
		return false
	}
	fx := map[string]reloadFacts{}
	for _, slug := range slugs {
		reqs := all[slug]
		ev := events[slug]
		in := func(at float64) bool {
			for _, e := range ev {
				if at >= e.sig && at <= e.done+s.gap.Seconds() {
					return true
				}
			}
			return false
		}
		var winLat, quietLat, ctlLat []float64
		x := reloadFacts{kinds: map[string]int{}, reloads: len(ev)}
		for _, other := range slugs {
			if other == slug {
				continue
			}
			for _, q := range all[other] {
				at := float64(q.at) / 1e9
				if !in(at) {
					continue
				}
				x.ctlN++
				if q.kind == okReq {
					ctlLat = append(ctlLat, float64(q.lat)/1e6)
				} else {
					x.ctlFail++
				}
			}
		}
		for _, q := range reqs {
			at := float64(q.at) / 1e9
			if at < warm {
				continue
			}
			x.n++
			w := in(at)
			if q.kind != okReq {
				x.failAll++
				x.kinds[failNames[q.kind]]++
				if w {
					x.failWin++
				}
				continue
			}
			if w {
				winLat = append(winLat, float64(q.lat)/1e6)
			} else if !inAny(at) {
				quietLat = append(quietLat, float64(q.lat)/1e6)
			}
		}
		x.win, x.quiet, x.ctl = summarize(winLat), summarize(quietLat), summarize(ctlLat)
		// Per reload, the slowest answer in its window (failures count as
		// their time, 5 s for a timeout), this server's and the others':
		// robust to a stall of the whole machine that hits one window.
		var perMax, ctlPerMax []float64
		for _, e := range ev {
			worst := func(qs []req) float64 {
				m := 0.0
				for _, q := range qs {
					if at := float64(q.at) / 1e9; at >= e.sig && at <= e.done+s.gap.Seconds() {
						m = max(m, float64(q.lat)/1e6)
					}
				}
				return m
			}
			perMax = append(perMax, worst(reqs))
			c := 0.0
			for _, other := range slugs {
				if other != slug {
					c = max(c, worst(all[other]))
				}
			}
			ctlPerMax = append(ctlPerMax, c)
		}
		x.perMax, x.ctlPerMax = summarize(perMax), summarize(ctlPerMax)
		x.winN = len(winLat) + x.failWin
		var durs, cpus []float64
		for _, e := range ev {
			durs = append(durs, (e.done-e.sig)*1000)
			cpus = append(cpus, e.cpu)
			if e.fallback {
				x.fallbacks++
			}
		}
		d := summarize(durs)
		x.reloadMed, x.reloadMax = d.med, d.max
		x.cpuMed = summarize(cpus).med
		fx[slug] = x
		kinds := ""
		if x.failAll > 0 {
			var ks []string
			for k, n := range x.kinds {
				ks = append(ks, fmt.Sprintf("%s %d", k, n))
			}
			slices.Sort(ks)
			kinds = " (" + strings.Join(ks, ", ") + ")"
		}
		title := ws[slug].title
		if x.fallbacks > 0 {
			title += fmt.Sprintf(" ¹ (%d)", x.fallbacks)
		}
		rows = append(rows, []string{title, strconv.Itoa(len(ev)), f(d.med) + " (" + f(d.min) + "–" + f(d.max) + ")", f(x.cpuMed),
			strconv.Itoa(x.winN), fmt.Sprintf("**%d**", x.failWin), f(x.perMax.med) + " (" + f(x.ctlPerMax.med) + ")", f(x.win.med), f(x.win.p99), pct999(winLat), f(x.win.max),
			f(x.ctl.med) + " / " + f(x.ctl.p99) + " / " + f(x.ctl.max) + fmt.Sprintf("; failed %d of %d", x.ctlFail, x.ctlN),
			f(x.quiet.med) + " / " + f(x.quiet.p99) + " / " + f(x.quiet.max), fmt.Sprintf("%d of %d%s", x.failAll, x.n, kinds)})
		if err := writeTimeline(s, slug, reqs, ev, end); err != nil {
			return err
		}
	}
	r.table([]string{"server", "reloads", "signal → done, ms: median (min–max)", "extra CPU per reload, ms (median)", "requests in reload windows", "failed in windows", "slowest answer of each reload, ms: median over the reloads (control's)", "p50 (ms)", "p99", "p99.9", "max", "control: the others in the same windows, p50 / p99 / max; failed", "quiet: p50 / p99 / max", "failed, whole run"}, rows)
	for _, slug := range slugs {
		if fx[slug].fallbacks > 0 {
			r.p("¹ In (N) reloads, a new gunicorn worker had not answered any request 10 s after the old ones were gone; done was taken then.\n\n")
			break
		}
	}
	r.p("![latency through the reloads](bench/peers/results/reload-latency.png)\n\n")
	r.p("![answered requests per second through the reloads](bench/peers/results/reload-throughput.png)\n\n")
	r.p("Per 100 ms: `bench/peers/results/reload-SERVER.csv` (t; requests sent in that slot, of which ok and failed, and their p50/p99/max latency; answers per second that arrived in that slot), reloads in `reload-SERVER-events.csv` (signal, done, extra CPU); plotted by `bench/peers/reload.gp`. Shaded: that server's own reloads (signal → done). The servers share 2 CPUs, so one server's reload also shows, smaller, in the others' curves.\n\n")
	s.facts["reload"] = fx
	s.facts["reloadSlugs"] = slugs
	// What bench/peers/reload.gp needs (gnuplot's single quotes: ' is '').
	var titles []string
	for _, slug := range slugs {
		t := ws[slug].title + ", reloaded by HUP"
		if ws[slug].spark2 {
			t = ws[slug].title + ", reloaded by SIGCONT"
		}
		titles = append(titles, `"`+strings.ReplaceAll(t, "'", "''")+`"`)
	}
	vars := fmt.Sprintf("slugs='%s'\ntitles='%s'\nrate=%d\n", strings.Join(slugs, " "), strings.Join(titles, " "), s.rate)
	return os.WriteFile(filepath.Join(s.out, "reload-vars.gp"), []byte(vars), 0o644)
}

func pct999(xs []float64) string {
	s := slices.Clone(xs)
	slices.Sort(s)
	return f(pct(s, 99.9))
}

func cmdLine(w *webServer) []string {
	a := slices.Clone(w.srv.cmd.Args)
	for i, x := range a {
		switch {
		case strings.HasSuffix(x, "/spark2"):
			a[i] = "spark2"
		case strings.HasSuffix(x, "/gunicorn"):
			a[i] = "gunicorn"
		case strings.HasSuffix(x, "gunicorn_ready.py"):
			a[i] = "bench/peers/gunicorn_ready.py"
		case x == "127.0.0.1:"+strconv.Itoa(w.port) || x == strconv.Itoa(w.port):
			a[i] = strings.Replace(x, strconv.Itoa(w.port), "PORT", 1)
		case strings.HasSuffix(x, ".pid"):
			a[i] = "PIDFILE"
		}
		if i > 0 && a[i-1] == "--chdir" {
			a[i] = "bench/peers"
		}
	}
	return a
}

// writeTimeline writes the per-100 ms CSV of one server and its reloads.
func writeTimeline(s *settings, slug string, reqs []req, ev []reloadEvent, end float64) error {
	nb := int(end*10) + 1
	type bucket struct {
		sent, ok, failed, answered int
		lat                        []float64
	}
	bs := make([]bucket, nb)
	for _, q := range reqs {
		i := min(int(q.at/1e8), nb-1)
		bs[i].sent++
		if q.kind == okReq {
			bs[i].ok++
			bs[i].lat = append(bs[i].lat, float64(q.lat)/1e6)
			bs[min(int((q.at+q.lat)/1e8), nb-1)].answered++
		} else {
			bs[i].failed++
		}
	}
	var rows [][]string
	for i, b := range bs {
		sm := summarize(b.lat)
		cell := func(x float64) string {
			if b.ok == 0 {
				return "NaN"
			}
			return fmt.Sprintf("%.3f", x)
		}
		rows = append(rows, []string{fmt.Sprintf("%.1f", float64(i)/10), strconv.Itoa(b.sent), strconv.Itoa(b.ok), strconv.Itoa(b.failed),
			strconv.Itoa(b.answered * 10), cell(sm.med), cell(sm.p99), cell(sm.max)})
	}
	if err := csvFile(s.out, "reload-"+slug+".csv", []string{"t_s", "sent", "ok", "failed", "answered_per_s", "p50_ms", "p99_ms", "max_ms"}, rows); err != nil {
		return err
	}
	var er [][]string
	for i, e := range ev {
		er = append(er, []string{strconv.Itoa(i + 1), fmt.Sprintf("%.3f", e.sig), fmt.Sprintf("%.3f", e.done), fmt.Sprintf("%.0f", e.cpu)})
	}
	return csvFile(s.out, "reload-"+slug+"-events.csv", []string{"n", "t_signal_s", "t_done_s", "extra_cpu_ms"}, er)
}

// ---- 5. Throughput against the server alone ----

func throughputSection(s *settings, r *report, ws map[string]*webServer, slugs []string) error {
	res := map[string][]float64{}
	wrkRes := map[string][]float64{}
	var raw [][]string
	fails := map[string]int{}
	for _, slug := range slugs { // warm-up
		closedLoad(ws[slug].addr(), s.conns, 300*time.Millisecond)
	}
	for round := 0; round < s.tpRounds; round++ {
		for _, slug := range rotate(slugs, round) {
			ok, failed := closedLoad(ws[slug].addr(), s.conns, s.tpDur)
			rps := float64(ok) / s.tpDur.Seconds()
			res[slug] = append(res[slug], rps)
			fails[slug] += failed
			raw = append(raw, []string{strconv.Itoa(round + 1), "peerbench", slug, fmt.Sprintf("%.1f", rps), strconv.Itoa(failed)})
		}
	}
	haveWrk := s.have["wrk"]
	if haveWrk {
		for round := 0; round < s.wrkRounds; round++ {
			for _, slug := range rotate(slugs, round) {
				rps, errs, err := runWrk(ws[slug].addr(), s.conns)
				if err != nil {
					return err
				}
				wrkRes[slug] = append(wrkRes[slug], rps)
				raw = append(raw, []string{strconv.Itoa(round + 1), "wrk", slug, fmt.Sprintf("%.1f", rps), strconv.Itoa(errs)})
			}
		}
	}
	if err := csvFile(s.out, "throughput.csv", []string{"round", "client", "server", "rps", "failed"}, raw); err != nil {
		return err
	}
	pss := map[string]float64{}
	for _, slug := range slugs {
		pss[slug] = treePss(ws[slug].srv.pid())
	}
	r.p("## 5. Throughput against the server alone\n\n")
	r.p("The same app, saturated: %d clients, each making one request after another on a new connection, for %v per run; %d rounds, the servers in turns (rotating order; the others idle meanwhile). Cross-check: `wrk -t1 -c%d -d2s` (wrk keeps connections alive where it can; gunicorn's sync worker closes each one), %d rounds. The load generator shares the 2 CPUs with the servers.\n\n", s.conns, s.tpDur, s.tpRounds, s.conns, s.wrkRounds)
	var rows [][]string
	base := summarize(res["gunicorn-w2"]).med
	for _, slug := range slugs {
		a := summarize(res[slug])
		ratio := "–"
		if base > 0 {
			ratio = fmt.Sprintf("%.3f", a.med/base)
		}
		row := []string{ws[slug].title, f(a.med), f(a.min) + "–" + f(a.max), ratio, strconv.Itoa(fails[slug]), fmt.Sprintf("%d", len(treeBelow(ws[slug].srv.pid()))+1), mib(pss[slug])}
		if haveWrk {
			wa := summarize(wrkRes[slug])
			wr := "–"
			if b := summarize(wrkRes["gunicorn-w2"]).med; b > 0 {
				wr = fmt.Sprintf("%.3f", wa.med/b)
			}
			row = append(row, f(wa.med), f(wa.min)+"–"+f(wa.max), wr)
		}
		rows = append(rows, row)
	}
	head := []string{"server", "requests/s, median", "min–max", "÷ gunicorn -w 2", "failed", "processes", "memory (PSS of the tree)"}
	if haveWrk {
		head = append(head, "wrk requests/s, median", "wrk min–max", "wrk ÷ gunicorn -w 2")
	}
	r.table(head, rows)
	r.p("Memory: the sum of `Pss` (`/proc/PID/smaps_rollup`: shared pages divided among the processes that share them) over the server's whole process tree, after the runs. spark2 -n 2 runs two complete gunicorns (a master and a worker each) under its own master, so it holds more processes and more memory than one gunicorn with two workers.\n\n")
	s.facts["tp"] = res
	s.facts["tpPss"] = pss
	s.facts["tpWrk"] = wrkRes
	return nil
}

var wrkRPS = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
var wrkNon2xx = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)

func runWrk(addr string, conns int) (float64, int, error) {
	c := exec.Command("wrk", "-t1", "-c"+strconv.Itoa(conns), "-d2s", "--timeout", "5s", "http://"+addr+"/")
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = c.Output(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		if c.Process != nil {
			syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		}
		<-done
		return 0, 0, errors.New("wrk did not end within 15 s")
	}
	if err != nil {
		return 0, 0, fmt.Errorf("wrk: %v: %s", err, out)
	}
	m := wrkRPS.FindSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("wrk: no Requests/sec in %q", out)
	}
	rps, _ := strconv.ParseFloat(string(m[1]), 64)
	// wrk's "Socket errors: read N" counts the sync worker closing each
	// connection after its answer (wrk then reconnects): not failures. Only
	// non-2xx answers count.
	errs := 0
	if m := wrkNon2xx.FindSubmatch(out); m != nil {
		errs, _ = strconv.Atoi(string(m[1]))
	}
	return rps, errs, nil
}

// treePss is the summed Pss (kB) of pid and every process below it.
func treePss(pid int) float64 {
	total := 0.0
	for _, p := range append([]int{pid}, treeBelow(pid)...) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/smaps_rollup")
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Pss:"); ok {
				n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
				total += float64(n)
			}
		}
	}
	return total
}

// ---- 6. Probe cost ----

type probeCmd struct {
	name, checks string
	argv, env    []string
	every        int // run in every Nth round only (a slow probe), 0: every round
}

func probeSection(s *settings, r *report, ws map[string]*webServer) error {
	sp, gw := ws["spark2"], ws["gunicorn-w2"]
	var cmds []probeCmd
	cmds = append(cmds, probeCmd{"`spark2 --probe ready`", "reads spark2's status file and `/proc/<master>/stat`: the master is alive (pid and start time), its heartbeat is under 5 s old, a worker is ready, it is not stopping. Sends no request: a hung worker that spark2 still counts as ready passes",
		[]string{s.spark2, "--probe", "ready"}, s.env("SPARK2_STATUS_FILE=" + sp.status), 0})
	if s.have["curl"] {
		cmds = append(cmds, probeCmd{"`curl -sf http://127.0.0.1:PORT/health`", "one real HTTP request answered 200 by a gunicorn worker (end to end: socket, worker, app); takes a worker for the request, and is queued behind real traffic",
			[]string{s.curl, "-sf", "-o", "/dev/null", "--max-time", "2", "http://" + gw.addr() + "/health"}, s.env(), 0})
	}
	cmds = append(cmds, probeCmd{"`python3 -c 'urllib.request.urlopen(…/health)'`", "the same request from Python, what an image without curl uses in its HEALTHCHECK",
		[]string{"/usr/bin/python3", "-c", "import urllib.request; urllib.request.urlopen('http://" + gw.addr() + "/health', timeout=2)"}, s.env(), 4})
	cmds = append(cmds, probeCmd{"`sh -c 'kill -0 $(cat gunicorn.pid)'`", "gunicorn's `--pid` file names a process that exists (pm2/pid-file style); not whether it serves, nor whether the pid was reused",
		[]string{"/bin/sh", "-c", `kill -0 "$(cat ` + gw.pidfile + `)"`}, s.env(), 0})
	cmds = append(cmds, probeCmd{"`/bin/true`", "nothing: the floor, the cost of fork+exec+wait on this machine", []string{"/bin/true"}, s.env(), 0})

	res := make([][]float64, len(cmds))
	fails := make([]int, len(cmds))
	idx := make([]int, len(cmds))
	for i := range idx {
		idx[i] = i
	}
	var raw [][]string
	began := time.Now()
	rounds := 0
	for round := 0; round < s.probeRuns+10; round++ {
		if time.Since(began) > s.probeBudget && round >= 110 {
			break
		}
		for _, i := range rotate(idx, round) {
			if e := cmds[i].every; e > 1 && round%e != 0 {
				continue
			}
			d, code, err := timeCmd(cmds[i].argv, cmds[i].env)
			if err != nil {
				return fmt.Errorf("%s: %w", cmds[i].name, err)
			}
			if round < 10 {
				continue
			}
			if code != 0 {
				fails[i]++
			}
			res[i] = append(res[i], ms(d))
			raw = append(raw, []string{strconv.Itoa(round - 9), strconv.Itoa(i), fmt.Sprintf("%.3f", ms(d)), strconv.Itoa(code)})
		}
		if round >= 10 {
			rounds++
		}
	}
	if err := csvFile(s.out, "probe.csv", []string{"round", "probe", "wall_ms", "exit"}, raw); err != nil {
		return err
	}
	r.p("## 6. Probe cost\n\n")
	r.p("Each probe is a new process, as a Kubernetes exec probe or a Docker HEALTHCHECK runs it: fork+exec → wait4 wall time, measured by this program. Against idle servers: `spark2 -n 2` (gunicorn -w 1 each) for spark2's probe, `gunicorn -w 2 --pid FILE` for the others. %d rounds after 10 warm-ups, the probes in turns (rotating order); the Python probe, slow to start, runs in every 4th round only.\n\n", rounds)
	var rows [][]string
	for i, c := range cmds {
		a := summarize(res[i])
		rows = append(rows, []string{c.name, strconv.Itoa(a.n), f(a.med) + " ms", f(a.p99) + " ms", f(a.max) + " ms", strconv.Itoa(fails[i]), c.checks})
	}
	r.table([]string{"probe", "runs", "median", "p99", "max", "failed", "what it checks"}, rows)
	pf := map[string]summary{}
	for i, c := range cmds {
		pf[c.name] = summarize(res[i])
	}
	s.facts["probe"] = pf
	return nil
}
