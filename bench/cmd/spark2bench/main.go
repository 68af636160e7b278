// Command spark2bench measures spark2's core from the outside: binary size,
// the master's memory, start-up and respawn latency, reaping of orphans,
// output throughput, HTTP requests through spark2's workers (rate, sharing,
// latency during rolling respawns) and the cost of a probe. bench/run.sh builds spark2 and this program and runs
// "spark2bench run"; the result is a Markdown report on stdout.
//
// The same binary is also every worker the benchmark needs (so both sides of
// a comparison start the same program):
//
//	stamp                     print "stamp SLOT PID UNIX_NS" first thing, then sleep
//	lines N SIZE [line]       write N lines of SIZE bytes to stdout (64 KiB writes,
//	                          or one write per line with "line"), then exit 0
//	orphans N FIFO NAP        leave N processes (NAP, blocked reading a pipe) as
//	                          orphans of spark2, then release them all at once
//	spawner N NAP             internal to orphans: start N NAPs and exit at once
//	http [PORT]               an HTTP server: fd 3 from spark2 (LISTEN_FDS=1), else
//	                          127.0.0.1:PORT (default any); says READY=1 once it
//	                          accepts; graceful stop on SIGTERM
//	load ADDR CONNS DURATION [close]
//	                          the HTTP load of the benchmark, by hand: prints rps,
//	                          latency percentiles and requests per server pid
//	heartbeat [SILENT_AFTER]  READY=1, then WATCHDOG=1 every half WATCHDOG_USEC;
//	                          silent after SILENT_AFTER; stamps its SIGABRT
//	health [flags]            issue 11's figures (bench/health.sh): watchdog
//	                          latency, the master's CPU with idle workers
//	true                      exit 0 (when there is no /bin/true)
//	benchtable                turn "go test -bench" output (stdin) into Markdown
//	run [flags]               the benchmark itself
//	goals [-load-start L] [-load-end L] FACTS.json...
//	                          issue 12's goal table from the facts of run -facts
//	                          and peerbench run -facts
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// startNs is taken before main runs: as early as a Go program can look at the
// clock, so a stamp is as close as possible to the worker's exec.
var startNs = time.Now().UnixNano()

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: spark2bench run [flags] | stamp | lines N SIZE [line] | orphans N FIFO NAP | http [PORT] | benchtable")
		os.Exit(2)
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "stamp":
		os.Exit(stamp())
	case "lines":
		os.Exit(lines(args))
	case "orphans":
		os.Exit(orphans(args))
	case "spawner":
		os.Exit(spawner(args))
	case "http":
		os.Exit(httpServe(args))
	case "load":
		os.Exit(loadCmd(args))
	case "heartbeat":
		os.Exit(heartbeat(args))
	case "health":
		os.Exit(health(args))
	case "true":
		os.Exit(0)
	case "benchtable":
		os.Exit(benchTable(os.Stdin, os.Stdout))
	case "run":
		os.Exit(run(args))
	case "goals":
		os.Exit(goals(args))
	}
	fmt.Fprintf(os.Stderr, "spark2bench: unknown mode %q\n", os.Args[1])
	os.Exit(2)
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fmt.Fprintf(os.Stderr, "spark2bench: bad number %q\n", s)
		os.Exit(2)
	}
	return n
}
