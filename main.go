// Command spark2 is a process master for containers: PID 1 that runs N workers
// of a server program on one shared port, reaps, respawns and stops them. See
// README.md.
package main

import (
	"os"

	"github.com/spark2/spark2/internal/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
