// Command peerbench measures spark2 side by side with its peers: the PID-1
// inits tini, dumb-init and catatonit, and gunicorn's own pre-fork master.
// bench/peers/run.sh builds spark2 and this program, installs the peers and
// runs "peerbench run"; see BENCHMARKS.md at the repository's root.
//
// Modes:
//
//	run [flags]   the benchmark: writes a Markdown report on stdout and raw
//	              data (CSV) and gnuplot inputs into -out
//	serve         the HTTP worker of the start-up figure: takes fd 3 when
//	              LISTEN_FDS=1 and LISTEN_PID is its pid (spark2), else binds
//	              127.0.0.1:$PEERBENCH_PORT itself (the other inits)
//
// Only the standard library and golang.org/x/sys are used.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: peerbench run [flags] | serve")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "run":
		os.Exit(run(os.Args[2:]))
	case "serve":
		os.Exit(serve())
	}
	fmt.Fprintf(os.Stderr, "peerbench: unknown mode %q\n", os.Args[1])
	os.Exit(2)
}
