// Command reloadbench measures README.md's recipes through rolling
// respawns: for each recipe, spark2 runs it with -n 2, and under each of
// three loads in turn (internal/loadgen keep-alive, loadgen with a new
// connection per request, wrk -t2 -cC) it sends R SIGCONTs one after
// another, each once the last rolling respawn is done, and counts the
// requests that failed (loadgen never retries) and wrk's socket errors.
// gunicorn's own HUP reload (gunicorn -w 2) goes through the same, for
// comparison. bench/reload.sh builds spark2 and this program and runs it;
// the result is a Markdown table on stdout.
//
//	reloadbench -spark2 BIN -root DIR -gobin BIN [-respawns 10] [-conns 50]
//	            [-only name,name] [-python PY]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// settings are reloadbench's flags.
type settings struct {
	spark2, root, gobin, python string
	respawns, conns, workers    int
	only                        map[string]bool
}

func run(args []string) int {
	var s settings
	fs := flag.NewFlagSet("reloadbench", flag.ContinueOnError)
	fs.StringVar(&s.spark2, "spark2", "", "the spark2 binary (required)")
	fs.StringVar(&s.root, "root", ".", "the repository's root (for examples/recipes)")
	fs.StringVar(&s.gobin, "gobin", "", "examples/recipes/go, built (the go recipe is skipped without it)")
	fs.StringVar(&s.python, "python", "/usr/bin/python3", "a python3 that has uvicorn")
	fs.IntVar(&s.respawns, "respawns", 10, "respawns (reloads) under each load")
	fs.IntVar(&s.conns, "conns", 50, "connections of each load")
	only := fs.String("only", "", "comma-separated recipe names (default: all)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	s.workers = 2
	if s.spark2 == "" || s.respawns < 1 || s.conns < 1 {
		fmt.Fprintln(os.Stderr, "reloadbench: -spark2 is required; -respawns and -conns want 1 or more")
		return 2
	}
	if *only != "" {
		s.only = map[string]bool{}
		for _, n := range strings.Split(*only, ",") {
			s.only[n] = true
		}
	}
	_, wrkErr := exec.LookPath("wrk")
	fmt.Printf("%d respawns (reloads) of -n %d under each load of %d connections, one load at a time; %d CPUs, load average at the start %s.\n\n",
		s.respawns, s.workers, s.conns, runtime.NumCPU(), loadavg())
	fmt.Println("| recipe | loadgen keep-alive: failed / sent | loadgen new connection: failed / sent | wrk -t2: socket errors / requests | command |")
	fmt.Println("|---|---|---|---|---|")
	code := 0
	for _, r := range recipes(&s) {
		if s.only != nil && !s.only[r.name] {
			continue
		}
		if r.missing != "" {
			fmt.Printf("| %s | not measured: %s | | | |\n", r.name, r.missing)
			continue
		}
		cells := []string{}
		for _, ld := range []loadKind{keepAlive, newConn, wrkLoad} {
			if ld == wrkLoad && wrkErr != nil {
				cells = append(cells, "no wrk (apt-get install wrk)")
				continue
			}
			cell, err := measure(&s, r, ld)
			if err != nil {
				fmt.Fprintf(os.Stderr, "reloadbench: %s, %s: %v\n", r.name, ld, err)
				cell, code = "error: "+oneLine(err.Error()), 1
			}
			cells = append(cells, cell)
		}
		fmt.Printf("| %s | %s | `%s` |\n", r.name, strings.Join(cells, " | "), r.display)
	}
	fmt.Printf("\nLoad average at the end: %s.\n", loadavg())
	return code
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", "/")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// deadline bounds every wait of a measurement.
const deadline = 60 * time.Second
