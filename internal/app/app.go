// Package app wires spark2 together: it parses the configuration, starts the
// reaper, the signal subscription, the output forwarding and the supervisor,
// and turns the supervisor's outcome into spark2's exit code.
package app

import (
	"fmt"
	"io"
	"os"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/launch"
)

// Main runs spark2 with args (without the program name) and returns its exit
// code; see exitcode.go. Usage errors are one line on stderr.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == launch.ChildArg {
		return launch.Child(args[1:])
	}
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "spark2: find the working directory: %v\n", err)
		return ExitFailure
	}
	res, err := config.Parse(args, os.LookupEnv, cwd)
	if err != nil {
		fmt.Fprintf(stderr, "spark2: %v\n", err)
		return ExitUsage
	}
	switch res.Action {
	case config.ActionHelp:
		fmt.Fprint(stdout, res.Help)
		return ExitOK
	case config.ActionVersion:
		fmt.Fprintf(stdout, "spark2 %s\n", config.Version)
		return ExitOK
	case config.ActionStatus:
		return statusCommand(res.Config, stdout, stderr)
	case config.ActionRespawn:
		return respawnCommand(res.Config, stdout, stderr)
	case config.ActionKill:
		return killCommand(res.Config, stdout, stderr)
	}
	return run(res.Config, stdout, stderr)
}
