package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// summaryAndReading writes the summary table (sum, printed first) and the
// reading of the results (r, printed last), from the facts the sections
// left. Each sentence is computed from this run's figures, so a rerun
// cannot leave the text saying something the tables do not.
// nOrphans is how many orphans each reaping run made (the CSV has it too).
func nOrphans(or map[string][]orphanResult) string {
	for _, xs := range or {
		for _, x := range xs {
			return fmt.Sprint(x.n)
		}
	}
	return "the"
}

func summaryAndReading(s *settings, sum, r *report) {
	var rows [][]string
	var read []string
	peerOrder := []string{"tini", "tini-static", "dumb-init", "catatonit"}

	if st, ok := s.facts["startup"].(map[string][]startupResult); ok {
		rss := func(n string) float64 {
			return summarize(kb(st[n], func(x startupResult) int { return x.rss })).med
		}
		l := func(n string) float64 { return summarize(lat(st[n])).med }
		var pr, pl []string
		minRSS, minName := math.Inf(1), ""
		for _, p := range peerOrder {
			if _, ok := st[p]; !ok {
				continue
			}
			pr = append(pr, fmt.Sprintf("%s %s", p, mib(rss(p))))
			pl = append(pl, fmt.Sprintf("%s %s", p, f(l(p))))
			if rss(p) < minRSS {
				minRSS, minName = rss(p), p
			}
		}
		rows = append(rows, []string{"1", "init's own memory as PID 1 (VmRSS, median)", mib(rss("spark2")), strings.Join(pr, ", ")})
		rows = append(rows, []string{"1", "exec → first answer as PID 1, ms (median)", f(l("spark2")), strings.Join(pl, ", ") + fmt.Sprintf("; worker alone %s", f(l("none")))})
		var slower []string
		for _, p := range peerOrder {
			if _, ok := st[p]; ok && l("spark2") > l(p) {
				slower = append(slower, p)
			}
		}
		txt := fmt.Sprintf("**Memory and start-up (1): spark2 loses.** As PID 1 spark2 holds %s (median VmRSS) against %s for the smallest peer (%s), %.0f× as much: a Go runtime with its threads against a few pages of C. ", mib(rss("spark2")), mib(minRSS), minName, rss("spark2")/minRSS)
		if len(slower) > 0 {
			txt += fmt.Sprintf("Its first answer also comes later than under %s (%s ms against the worker alone's %s ms): spark2 is a Go program, whose runtime starts before it reads its configuration, binds the port and starts the worker through its exec stub (bench/results.md's start-up rows measure each part), where a C init only forks and execs. ", strings.Join(slower, ", "), f(l("spark2")), f(l("none")))
		} else {
			txt += fmt.Sprintf("Its first answer comes no later than under the C inits (%s ms; worker alone %s ms). ", f(l("spark2")), f(l("none")))
		}
		txt += "What the extra memory buys is a socket that is bound before the worker starts (so early connections wait in the backlog instead of being refused), respawns, rolling reloads and a status file; tini, dumb-init and catatonit do none of that."
		read = append(read, txt)
	}

	if or, ok := s.facts["orphans"].(map[string][]orphanResult); ok {
		med := func(n string) float64 {
			var xs []float64
			for _, x := range or[n] {
				xs = append(xs, x.reap)
			}
			return summarize(xs).med
		}
		var names []string
		for n := range or {
			names = append(names, n)
		}
		slices.SortFunc(names, func(a, b string) int {
			if med(a) < med(b) {
				return -1
			}
			if med(a) > med(b) {
				return 1
			}
			return 0
		})
		var pr []string
		for _, n := range names {
			if n != "spark2" {
				pr = append(pr, fmt.Sprintf("%s %s", n, f(med(n))))
			}
		}
		rows = append(rows, []string{"2", nOrphans(or) + " orphans: last exit → zero zombies, ms", f(med("spark2")), strings.Join(pr, ", ")})
		rank := slices.Index(names, "spark2") + 1
		runs := len(or["spark2"])
		txt := fmt.Sprintf("**Reaping (2):** every init reaped all the orphans, none left a zombie; the fastest was %s (%s ms from the last orphan's exit to zero zombies), spark2 ranked %d of %d with %s ms. ", names[0], f(med(names[0])), rank, len(names), f(med("spark2")))
		spMin, spMax := math.Inf(1), math.Inf(-1)
		peerMin, peerMax := math.Inf(1), math.Inf(-1)
		for n, xs := range or {
			for _, x := range xs {
				if n == "spark2" {
					spMin, spMax = min(spMin, x.reap), max(spMax, x.reap)
				} else {
					peerMin, peerMax = min(peerMin, x.reap), max(peerMax, x.reap)
				}
			}
		}
		switch {
		case spMin > peerMax:
			zs := func(n string) string {
				var xs []float64
				for _, x := range or[n] {
					xs = append(xs, float64(x.zombies))
				}
				return f(summarize(xs).med)
			}
			perZombie := func(n string) string { // µs: time to zero zombies over the zombies left
				var xs []float64
				for _, x := range or[n] {
					if x.zombies > 0 {
						xs = append(xs, 1000*x.reap/float64(x.zombies))
					}
				}
				return f(summarize(xs).med)
			}
			txt += fmt.Sprintf("**spark2 loses here:** each of its %d run(s) (%s–%s ms) was slower than every run of every peer (at most %s ms). More zombies were still waiting when the last orphan had ended (%s, against %s for tini), and each took %s µs to reap against %s µs for tini (time to zero zombies over zombies left, medians). spark2's reaper is a wait4 loop like a C init's; what costs more is its walks of /proc, which track each worker's tree so that none of it outlives its slot: the walk made before the storm, and the /proc entries it left for the kernel to flush at each reap (internal/reap's package doc: a build that never walked reaped like tini). It is still well below a second for %s processes. ", runs, f(spMin), f(spMax), f(peerMax), zs("spark2"), zs("tini"), perZombie("spark2"), perZombie("tini"), nOrphans(or))
		case spMax < peerMin:
			txt += fmt.Sprintf("Each of spark2's %d run(s) was faster than every run of every peer. ", runs)
		default:
			txt += fmt.Sprintf("The runs overlap (%d per init, on a shared machine): the differences are not significant, and all are well below a second for %s processes. ", runs, nOrphans(or))
		}
		var cpu []string
		cpuOf := map[string]float64{}
		for _, n := range names {
			var xs []float64
			for _, x := range or[n] {
				xs = append(xs, x.initCPU)
			}
			cpuOf[n] = summarize(xs).med
			cpu = append(cpu, fmt.Sprintf("%s %s ms", n, f(cpuOf[n])))
		}
		txt += "CPU time the init itself used from the release to zero zombies: " + strings.Join(cpu, ", ") + " (at the 10 ms resolution of `/proc/PID/stat`)"
		most, least := true, true
		for n, c := range cpuOf {
			if n != "spark2" && c >= cpuOf["spark2"] {
				most = false
			}
			if n != "spark2" && c <= cpuOf["spark2"] {
				least = false
			}
		}
		switch {
		case most:
			txt += "; spark2 spent the most."
		case least:
			txt += "; spark2 spent the least."
		default:
			txt += "; spark2 is neither the cheapest nor the dearest."
		}
		read = append(read, txt)
	}

	if ex, ok := s.facts["exit"].(map[string][]string); ok {
		same := true
		for _, p := range peerOrder {
			if v, ok := ex[p]; ok && !slices.Equal(v[:4], ex["spark2"][:4]) {
				same = false
			}
		}
		stop := []string{"spark2 " + ex["spark2"][4]}
		for _, p := range peerOrder {
			if v, ok := ex[p]; ok {
				stop = append(stop, p+" "+v[4])
			}
		}
		rows = append(rows, []string{"3", "init's exit for a worker exit 0 / 3 / 255 / SIGKILL", strings.Join(ex["spark2"][:4], ", "), map[bool]string{true: "the same for every peer", false: "see the table: they differ"}[same]})
		rows = append(rows, []string{"3", "init's exit on `docker stop` (SIGTERM)", ex["spark2"][4], strings.Join(stop[1:], ", ")})
		txt := "**Exit codes (3):** "
		if same {
			txt += "for a worker that exits 0, 3 or 255 or is killed by SIGKILL, every init, spark2 with `--restart no` included, exits with the same code (128 + 9 = 137 for the kill). "
		} else {
			txt += "the inits do not all pass a worker's exit on the same way; see the table. "
		}
		txt += fmt.Sprintf("They differ on `docker stop`: %s. spark2 treats a SIGTERM as an orderly stop of the service and reports 0 when the workers were gone within `--stop-timeout`; the others pass on that the worker was killed by SIGTERM. Neither is wrong, but a restart policy or a job that looks at the code sees the difference. Without any init (the worker as PID 1), SIGKILL from inside the container and SIGTERM from `docker stop` are both ignored.", strings.Join(stop, ", "))
		read = append(read, txt)
	}

	if rl, ok := s.facts["reload"].(map[string]reloadFacts); ok {
		slugs, _ := s.facts["reloadSlugs"].([]string)
		g, sp := rl["gunicorn-w2"], rl["spark2"]
		var fails []string
		for _, slug := range slugs {
			fails = append(fails, fmt.Sprintf("%s %d", slug, rl[slug].failAll))
		}
		rows = append(rows, []string{"4", fmt.Sprintf("failed requests through %d reloads at %d req/s", sp.reloads, s.rate), fmt.Sprint(sp.failAll), fmt.Sprintf("gunicorn -w 2 (HUP) %d", g.failAll)})
		rows = append(rows, []string{"4", "slowest answer of a reload, ms (median over the reloads)", f(sp.perMax.med), "gunicorn -w 2 " + f(g.perMax.med)})
		rows = append(rows, []string{"4", "latency in the reload windows, ms: p50 / p99 / max", f(sp.win.med) + " / " + f(sp.win.p99) + " / " + f(sp.win.max), "gunicorn -w 2 " + f(g.win.med) + " / " + f(g.win.p99) + " / " + f(g.win.max)})
		rows = append(rows, []string{"4", "signal → reload done, ms (median); extra CPU per reload, ms", f(sp.reloadMed) + "; " + f(sp.cpuMed), "gunicorn -w 2 " + f(g.reloadMed) + "; " + f(g.cpuMed)})
		txt := "**Reload under load (4):** "
		total := 0
		for _, slug := range slugs {
			total += rl[slug].failAll
		}
		if total == 0 {
			txt += "no request failed, for any server: gunicorn's HUP and spark2's rolling respawn both keep the listening socket open throughout, so connections that arrive while no worker accepts wait in the backlog. "
		} else {
			txt += fmt.Sprintf("failed requests over the whole run: %s (see the table for their kind). ", strings.Join(fails, ", "))
			for _, slug := range slugs {
				x := rl[slug]
				if x.failWin > 0 {
					txt += fmt.Sprintf("In %s's reload windows %d of its %d requests failed, and %d of the other servers' %d at the same moments", slug, x.failWin, x.winN, x.ctlFail, x.ctlN)
					if x.ctlN > 0 && float64(x.ctlFail)/float64(x.ctlN) >= 0.5*float64(x.failWin)/float64(x.winN) {
						txt += ": a stall of the whole machine, not of the reload. "
					} else {
						txt += ": failures of its own reloads. "
					}
				}
			}
		}
		// Latency: each reload's slowest answer, against the slowest answer
		// of the other server in the same window (same moments, same noise);
		// medians over the reloads, so a stall of the whole machine that
		// hits one or two windows does not decide.
		gx, sx := g.perMax.med/g.ctlPerMax.med, sp.perMax.med/sp.ctlPerMax.med
		txt += fmt.Sprintf("The typical reload (median over the %d) made gunicorn's slowest answer %s ms, while the other server's slowest answer in the same moments was %s ms (×%.1f); for spark2, %s ms against %s ms (×%.1f). Over all requests in the windows, p99 was %s ms for gunicorn and %s ms for spark2 (controls: %s and %s ms). ",
			sp.reloads, f(g.perMax.med), f(g.ctlPerMax.med), gx, f(sp.perMax.med), f(sp.ctlPerMax.med), sx, f(g.win.p99), f(sp.win.p99), f(g.ctl.p99), f(sp.ctl.p99))
		switch {
		case gx > 1.5*sx:
			txt += "gunicorn's HUP stalls its own traffic: it stops the old workers at once while the new ones are still loading the app (in the plots, a spike of latency and a dip of answers at each shaded reload); spark2 stops an old worker only once its replacement has said READY=1, one slot at a time, so the other slot keeps accepting and its curve stays close to its neighbour's. "
		case sx > 1.5*gx:
			txt += "Here spark2's reloads hurt its own traffic more than gunicorn's did. "
		default:
			txt += "On this run the two are not told apart this way. "
		}
		txt += fmt.Sprintf("**Where spark2 loses:** a reload takes longer (median %s ms against %s ms) and costs more CPU (about %s ms against %s ms per reload, beyond serving the load): spark2 starts each replacement from scratch, a new Python interpreter that imports gunicorn and the app, one slot at a time, while gunicorn forks new workers from a master that has already imported everything. ", f(sp.reloadMed), f(g.reloadMed), f(sp.cpuMed), f(g.cpuMed))
		txt += "On 2 CPUs that burst also slows the neighbours (the small bumps in the other curves). What spark2 gains: each replacement is a whole new process tree (new code, new gunicorn and its settings, not only workers forked from an old master), and it is gated by readiness: a replacement that fails to start leaves the old workers serving. "
		txt += "gunicorn 20.1's own READY=1 comes from its arbiter once its socket is set up, before it has forked a worker, so spark2 stops the old worker slightly early; `bench/peers/gunicorn_ready.py` sends READY=1 from the worker after it has loaded the app instead (`bench/peers/run.sh -only reload -reload-servers gunicorn-w2,spark2,spark2-ready` measures it)."
		if rs, ok := rl["spark2-ready"]; ok {
			txt += fmt.Sprintf(" On this run: p99 in its windows %s ms (control %s ms).", f(rs.win.p99), f(rs.ctl.p99))
		}
		read = append(read, txt)
	}

	if tp, ok := s.facts["tp"].(map[string][]float64); ok {
		wrk, _ := s.facts["tpWrk"].(map[string][]float64)
		pss, _ := s.facts["tpPss"].(map[string]float64)
		m := func(xs []float64) float64 { return summarize(xs).med }
		sp, g2, g1 := summarize(tp["spark2"]), summarize(tp["gunicorn-w2"]), summarize(tp["gunicorn-w1"])
		rows = append(rows, []string{"5", "requests/s, saturated (median); ÷ gunicorn -w 2", f(sp.med) + fmt.Sprintf("; ×%.2f", sp.med/g2.med), fmt.Sprintf("gunicorn -w 2 %s, gunicorn -w 1 %s", f(g2.med), f(g1.med))})
		rows = append(rows, []string{"5", "memory of the serving tree (PSS)", mib(pss["spark2"]), fmt.Sprintf("gunicorn -w 2 %s, gunicorn -w 1 %s", mib(pss["gunicorn-w2"]), mib(pss["gunicorn-w1"]))})
		txt := fmt.Sprintf("**Throughput (5):** saturated, spark2 -n 2 answered %s requests/s (median; min–max %s–%s) against %s (%s–%s) for gunicorn -w 2 and %s for gunicorn -w 1", f(sp.med), f(sp.min), f(sp.max), f(g2.med), f(g2.min), f(g2.max), f(g1.med))
		if len(wrk["spark2"]) > 0 {
			txt += fmt.Sprintf("; wrk: %s, %s and %s", f(m(wrk["spark2"])), f(m(wrk["gunicorn-w2"])), f(m(wrk["gunicorn-w1"])))
		}
		txt += ". "
		if sp.max >= g2.min && g2.max >= sp.min {
			txt += "The ranges overlap: spark2 is not on the data path (the workers accept on the socket themselves), and no difference stands out of this machine's noise. "
		} else if sp.med < g2.med {
			txt += "spark2 -n 2 was slower here, beyond the spread of the runs. "
		} else {
			txt += "spark2 -n 2 was faster here, beyond the spread of the runs. "
		}
		if g1.med >= 0.9*g2.med {
			txt += "That one worker does about as well as two says the machine's CPUs, not the servers, are the limit (the load generator and other jobs share them). "
		}
		txt += fmt.Sprintf("The price of spark2 -n 2 with gunicorn is memory: two complete gunicorns under spark2 hold %s (PSS) against %s for one gunicorn with two workers; with `gunicorn -w 1` per slot that is one extra Python master per worker.", mib(pss["spark2"]), mib(pss["gunicorn-w2"]))
		read = append(read, txt)
	}

	if pf, ok := s.facts["probe"].(map[string]summary); ok {
		var sp summary
		var others []string
		for name, x := range pf {
			if strings.Contains(name, "spark2") {
				sp = x
			}
		}
		var names []string
		for name := range pf {
			if !strings.Contains(name, "spark2") {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		for _, name := range names {
			others = append(others, fmt.Sprintf("%s %s / %s", strings.Trim(strings.SplitN(name, " ", 2)[0], "`"), f(pf[name].med), f(pf[name].p99)))
		}
		rows = append(rows, []string{"6", "probe wall time, ms: median / p99", f(sp.med) + " / " + f(sp.p99), strings.Join(others, ", ")})
		var curl, kill, tru summary
		for name, x := range pf {
			switch {
			case strings.Contains(name, "curl"):
				curl = x
			case strings.Contains(name, "kill -0"):
				kill = x
			case strings.Contains(name, "/bin/true"):
				tru = x
			}
		}
		txt := fmt.Sprintf("**Probe cost (6):** `spark2 --probe ready` took %s ms (median; p99 %s ms), against %s ms for `curl` on a health URL, %s ms for a `kill -0` pid-file check and %s ms for `/bin/true`, the cost of starting any process here. ", f(sp.med), f(sp.p99), f(curl.med), f(kill.med), f(tru.med))
		txt += "The probe is a Go program: most of its time is its own start, not the reading of one small file. It checks more than `kill -0` (pid reuse, a hung master, a ready worker) and less than `curl` (no request goes through a worker, so a worker that hangs while spark2 counts it ready passes); `curl` is the end-to-end check, and also competes with real traffic for the workers."
		read = append(read, txt)
	}

	if len(rows) > 0 {
		sum.p("## Summary\n\n")
		sum.p("Medians of this run; the sections below give the spread, the method and the raw data.\n\n")
		sum.table([]string{"§", "figure", "spark2", "peers"}, rows)
	}
	if len(read) > 0 {
		r.p("## Reading\n\n")
		for _, t := range read {
			r.p("%s\n\n", t)
		}
		r.p("**Method and fairness.** Everything runs on one shared 2-CPU machine whose load average is given at the top: absolute times are inflated by other jobs, and only figures measured side by side (the peers in turns, rotating, or at the same time) should be compared. The load generator and the servers share the CPUs. spark2 runs gunicorn as a worker the way its README suggests for any server, which gives it two Python masters where gunicorn alone has one. gunicorn gets spark2's socket through its systemd socket activation (`LISTEN_FDS`/`LISTEN_PID`, no `--bind`): with gunicorn 20.1, `--bind fd://3` *and* `LISTEN_FDS=1` make it adopt fd 3 twice, close it after the first, and die with `EBADF` on the second, so the `gunicorn --bind fd://3` form that spark2's README lists does not work with Debian 12's gunicorn.\n\n")
	}
}
