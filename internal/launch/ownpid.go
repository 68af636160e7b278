package launch

import (
	"os"
	"strconv"
	"strings"

	"github.com/spark2/spark2/internal/contract"
)

// OwnPID is a value that stands for "this worker's own pid": a variable of a
// worker's environment whose value is exactly OwnPID is set to the worker's
// pid just before COMMAND is exec'd (by the exec stub, or by Child), which
// the master cannot know before it forks. Start marks LISTEN_PID and
// WATCHDOG_PID this way (see contract.OwnPIDPairs); any other variable can
// be given the value too.
const OwnPID = "@SPARK2_OWN_PID@"

// markOwnPID returns env with NAME=OwnPID added (or replacing NAME's value)
// for each pair of contract.OwnPIDPairs whose first variable env sets. env
// is not modified.
func markOwnPID(env []string) []string {
	var marks []string
	for _, p := range contract.OwnPIDPairs {
		if lookupEnv(env, p[0]) != "" {
			marks = append(marks, p[1]+"="+OwnPID)
		}
	}
	if marks == nil {
		return env
	}
	return With(env, marks...)
}

// setOwnPID sets every variable of the process's environment whose value is
// OwnPID to the process's pid (Child's half of the exec stub's work).
func setOwnPID() {
	pid := strconv.Itoa(os.Getpid())
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); v == OwnPID {
			os.Setenv(k, pid)
		}
	}
}
