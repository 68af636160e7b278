package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// goals prints issue 12's table: every figure, spark2 beside its peer or
// floor, with its goal and whether this run met it. It reads the facts of
// "spark2bench run -facts" and "peerbench run -facts" (JSON objects of
// numbers; later files win on a clash). A figure whose facts are missing is
// printed as not measured, never as met.
func goals(args []string) int {
	fs := flag.NewFlagSet("goals", flag.ContinueOnError)
	loadStart := fs.String("load-start", "", "load average (1, 5, 15 min) when the run started")
	loadEnd := fs.String("load-end", "", "load average when it ended")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "spark2bench goals: name at least one facts file (from run -facts or peerbench run -facts)")
		return 2
	}
	f := map[string]float64{}
	for _, p := range fs.Args() {
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintf(os.Stderr, "spark2bench goals: %v\n", err)
			return 1
		}
		var m map[string]float64
		if err := json.Unmarshal(b, &m); err != nil {
			fmt.Fprintf(os.Stderr, "spark2bench goals: %s: not a JSON object of numbers: %v\n", p, err)
			return 1
		}
		for k, v := range m {
			f[k] = v
		}
	}
	if p, err := exec.LookPath("tini-static"); err == nil {
		if fi, err := os.Stat(p); err == nil {
			f["tini_static_bytes"] = float64(fi.Size())
		}
	}
	printGoals(os.Stdout, f, *loadStart, *loadEnd)
	return 0
}

// goalRow is one line of the table.
type goalRow struct {
	figure, spark2, peer, goal string
	met                        string // "yes", "**NO**" or "n/a (…)"
}

func printGoals(w io.Writer, f map[string]float64, loadStart, loadEnd string) {
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := f[k]; !ok {
				return false
			}
		}
		return true
	}
	ms := func(x float64) string { return fmt.Sprintf("%.1f ms", x) }
	met := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**NO**"
	}
	missing := func(figure, goal string, keys ...string) goalRow {
		var miss []string
		for _, k := range keys {
			if _, ok := f[k]; !ok {
				miss = append(miss, k)
			}
		}
		return goalRow{figure, "not measured", "", goal, "n/a (no " + strings.Join(miss, ", ") + ")"}
	}
	var rows []goalRow

	// 1. exec → first answer as PID 1.
	{
		fig, goal := "exec → first answer as PID 1", "≤ worker alone + an empty static Go program's run + 2 ms"
		keys := []string{"pid1_answer_ms.spark2", "pid1_answer_ms.none", "probe_ms.empty"}
		if has(keys...) {
			target := f["pid1_answer_ms.none"] + f["probe_ms.empty"] + 2
			peer := ""
			if has("pid1_answer_ms.tini-static") {
				peer = "tini-static " + ms(f["pid1_answer_ms.tini-static"]) + "; "
			}
			peer += fmt.Sprintf("worker alone %s; empty Go program %s", ms(f["pid1_answer_ms.none"]), ms(f["probe_ms.empty"]))
			rows = append(rows, goalRow{fig, ms(f["pid1_answer_ms.spark2"]), peer, fmt.Sprintf("%s (≤ %s)", goal, ms(target)), met(f["pid1_answer_ms.spark2"] <= target)})
		} else {
			rows = append(rows, missing(fig, goal, keys...))
		}
	}
	// 2. start-up over direct, N = 1 and 16.
	for _, n := range []int{1, 16} {
		slack := 2.0
		if n == 16 {
			slack = 10
		}
		fig := fmt.Sprintf("start-up, N = %d: exec → last worker's first instruction, over direct", n)
		goal := fmt.Sprintf("≤ direct + an empty Go program's run + %.0f ms", slack)
		sp, di := fmt.Sprintf("startup_ms.%d.spark2", n), fmt.Sprintf("startup_ms.%d.direct", n)
		if has(sp, di, "probe_ms.empty") {
			extra := f[sp] - f[di]
			limit := f["probe_ms.empty"] + slack
			rows = append(rows, goalRow{fig, fmt.Sprintf("%s (+%.1f ms)", ms(f[sp]), extra),
				fmt.Sprintf("direct %s; empty Go program %s", ms(f[di]), ms(f["probe_ms.empty"])), fmt.Sprintf("%s (extra ≤ %s)", goal, ms(limit)), met(extra <= limit)})
		} else {
			rows = append(rows, missing(fig, goal, sp, di, "probe_ms.empty"))
		}
	}
	// 3. respawn after a healthy uptime.
	for _, md := range []string{"plain", "pid1"} {
		fig := fmt.Sprintf("respawn after a healthy uptime (kill -9 → new worker's first instruction), %s", md)
		goal := "≤ direct Go loop + 2 ms"
		k := "respawn_ms." + md
		if has(k, "respawn_ms.direct") {
			rows = append(rows, goalRow{fig, ms(f[k]), "direct Go loop " + ms(f["respawn_ms.direct"]), goal, met(f[k] <= f["respawn_ms.direct"]+2)})
		} else {
			rows = append(rows, missing(fig, goal, k, "respawn_ms.direct"))
		}
	}
	// 4. per-start cost: what one more worker costs spark2 beyond what it
	// costs the direct loop (start-up N = 16 against N = 1); the Go
	// trampoline alone beside it, as a diagnosis.
	{
		fig := "per-worker start cost over direct (start-up N = 1 → 16, per added worker)"
		goal := "trampoline gone, or ≤ 1 ms"
		keys := []string{"startup_ms.1.spark2", "startup_ms.16.spark2", "startup_ms.1.direct", "startup_ms.16.direct"}
		if has(keys...) {
			per := ((f["startup_ms.16.spark2"] - f["startup_ms.1.spark2"]) - (f["startup_ms.16.direct"] - f["startup_ms.1.direct"])) / 15
			peer := "direct 0"
			if has("trampoline_ms") {
				peer += fmt.Sprintf("; the Go trampoline (`__spark2_exec`) run alone: +%.1f ms", f["trampoline_ms"])
			}
			rows = append(rows, goalRow{fig, fmt.Sprintf("%+.1f ms", per), peer, goal, met(per <= 1)})
		} else {
			rows = append(rows, missing(fig, goal, keys...))
		}
	}
	// 5. reaping 10 000 orphans as PID 1.
	{
		n := "10 000"
		if has("orphans_n") {
			n = fmt.Sprintf("%.0f", f["orphans_n"])
		}
		fig := n + " orphans: last exit → zero zombies, as PID 1"
		goal := "≤ tini"
		if has("orphans_ms.spark2", "orphans_ms.tini") {
			var peers []string
			for _, p := range []string{"tini", "dumb-init", "catatonit"} {
				if has("orphans_ms." + p) {
					peers = append(peers, p+" "+ms(f["orphans_ms."+p]))
				}
			}
			rows = append(rows, goalRow{fig, ms(f["orphans_ms.spark2"]), strings.Join(peers, ", "), goal, met(f["orphans_ms.spark2"] <= f["orphans_ms.tini"])})
		} else {
			rows = append(rows, missing(fig, goal, "orphans_ms.spark2", "orphans_ms.tini"))
		}
	}
	// 6. master RSS with 4 idle workers.
	for _, md := range []string{"plain", "pid1"} {
		fig := "master RSS, 4 idle workers, " + md
		goal := "≤ 4.5 MiB"
		k := "rss_kb." + md
		if has(k) {
			sp := mib(int(f[k]))
			if has("rssfile_kb." + md) {
				sp += " (RssFile " + mib(int(f["rssfile_kb."+md])) + ")"
			}
			var peers []string
			if has("pid1_rss_kb.tini-static") {
				peers = append(peers, "tini-static "+mib(int(f["pid1_rss_kb.tini-static"]))+" (as PID 1, one worker)")
			}
			peers = append(peers, libFloor(f, "libfloor_rss_kb", func(x float64) string { return mib(int(x)) })...)
			rows = append(rows, goalRow{fig, sp, strings.Join(peers, "; "), goal, met(f[k] <= 4.5*1024)})
		} else {
			rows = append(rows, missing(fig, goal, k))
		}
	}
	// 6b. the same once the heap has reached its steady size.
	{
		fig, goal, k := "master RSS, 4 idle workers, plain, a minute after start", "≤ 4.5 MiB", "rss_settled_kb.plain"
		if has(k) {
			sp := mib(int(f[k]))
			if has("rssanon_settled_kb.plain") {
				sp += " (RssAnon " + mib(int(f["rssanon_settled_kb.plain"])) + ")"
			}
			peer := strings.Join(libFloor(f, "libfloor_rss_kb", func(x float64) string { return mib(int(x)) }), "")
			rows = append(rows, goalRow{fig, sp, peer, goal, met(f[k] <= 4.5*1024)})
		} else {
			rows = append(rows, missing(fig, goal, k))
		}
	}
	// 7. binary size.
	{
		fig, goal := "static stripped binary", "≤ 3.5 MB"
		if has("size_bytes") {
			var peers []string
			if has("tini_static_bytes") {
				peers = append(peers, fmt.Sprintf("tini-static %.2f MB", f["tini_static_bytes"]/1e6))
			}
			peers = append(peers, libFloor(f, "libfloor_size_bytes", func(x float64) string { return fmt.Sprintf("%.2f MB", x/1e6) })...)
			rows = append(rows, goalRow{fig, fmt.Sprintf("%.2f MB", f["size_bytes"]/1e6), strings.Join(peers, "; "), goal, met(f["size_bytes"] <= 3.5e6)})
		} else {
			rows = append(rows, missing(fig, goal, "size_bytes"))
		}
	}
	// 8. probe wall time.
	{
		fig, goal := "`spark2 --probe ready` wall time", "≤ an empty static Go program + 1 ms"
		keys := []string{"probe_ms.probe", "probe_ms.empty"}
		if has(keys...) {
			peer := ""
			if has("probe_ms.true") {
				peer = "`/bin/true` " + ms(f["probe_ms.true"]) + "; "
			}
			peer += "empty static Go program " + ms(f["probe_ms.empty"])
			rows = append(rows, goalRow{fig, ms(f["probe_ms.probe"]), peer, fmt.Sprintf("%s (≤ %s)", goal, ms(f["probe_ms.empty"]+1)), met(f["probe_ms.probe"] <= f["probe_ms.empty"]+1)})
		} else {
			rows = append(rows, missing(fig, goal, keys...))
		}
	}
	// 9. keep-alive split across -n 2.
	{
		fig := "keep-alive split across `-n 2`, max ÷ min requests per worker (median of runs; worst run)"
		goal := "≤ 1.1 with an opt-in mode, its rps ≥ shared's (×0.97: the method's noise)"
		num := func(x float64) string {
			if x >= infinite {
				return "∞"
			}
			return fmt.Sprintf("%.2f", x)
		}
		ratio := func(k string) string {
			return fmt.Sprintf("%s (worst %s)", num(f["share_ka."+k]), num(f["share_ka_max."+k]))
		}
		switch {
		case has("share_ka.reuseport", "share_rps.reuseport", "share_ka.shared", "share_rps.shared"):
			ok := f["share_ka.reuseport"] <= 1.1 && f["share_rps.reuseport"] >= 0.97*f["share_rps.shared"]
			rows = append(rows, goalRow{fig,
				fmt.Sprintf("`--balance reuseport` %s, %.0f rps", ratio("reuseport"), f["share_rps.reuseport"]),
				fmt.Sprintf("`--balance shared` %s, %.0f rps; ideal 1.0", ratio("shared"), f["share_rps.shared"]), goal, met(ok)})
		case has("share_ka.shared"):
			rows = append(rows, goalRow{fig, fmt.Sprintf("one socket %s, %.0f rps", ratio("shared"), f["share_rps.shared"]), "ideal 1.0", goal, "**NO** (this spark2 has no `--balance`)"})
		default:
			rows = append(rows, missing(fig, goal, "share_ka.shared"))
		}
	}

	if loadStart != "" || loadEnd != "" {
		fmt.Fprintf(w, "Load average (1, 5, 15 min): %s at the start, %s at the end.\n\n", loadStart, loadEnd)
	}
	fmt.Fprintln(w, "| figure | spark2 | best peer / floor | goal (side by side, same run) | met |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	n, ok := 0, 0
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", r.figure, r.spark2, r.peer, r.goal, r.met)
		n++
		if r.met == "yes" {
			ok++
		}
	}
	fmt.Fprintf(w, "\n%d of %d goals met in this run.\n", ok, n)
}

// libFloor is the peer-column entry for bench/libfloor's figure k, the
// floor that the four required libraries set whatever spark2 does, or
// nothing when the run did not measure it.
func libFloor(f map[string]float64, k string, format func(float64) string) []string {
	x, ok := f[k]
	if !ok {
		return nil
	}
	return []string{"the four required libraries alone " + format(x) + " (floor)"}
}
