package config

import (
	"fmt"
	"strings"
)

// assignment is one --set item, "KEY=VALUE", exported to every worker. KEY
// matches [A-Za-z_][A-Za-z0-9_]* and is not one of reservedKeys; VALUE is
// anything, "" and "=" included.
type assignment string

// reservedKeys are the variables spark2 sets for each worker itself, with
// the reason a --set of them is refused.
var reservedKeys = map[string]string{
	"SPARK2_WORKER_ID": "spark2 sets it to each worker's slot number",
	"SPARK2_ENV":       "spark2 sets it from the environment name; use -E/--env",
	"NODE_ENV":         "spark2 sets it from the environment name; use -E/--env",
	"PORT":             "spark2 sets it to the port it listens on; use -p/--port",
	"LISTEN_FDS":       "spark2 sets it to hand the listening socket to each worker",
	"LISTEN_PID":       "spark2 sets it to hand the listening socket to each worker",
	"LISTEN_FDNAMES":   "spark2 sets it to hand the listening socket to each worker",
	"NOTIFY_SOCKET":    "spark2 sets it to learn when a worker is ready",
	"SPARK2_READY_FD":  "spark2 sets it to the fd on which a worker says it is ready",
	"SPARK2_BOOTSTRAP": "spark2 sets it to the node bootstrap's source for node workers",
}

// keyed: a config file may give --set as an object {"KEY": VALUE}.
func (*assignment) keyed() {}

func (*assignment) accepts() string {
	return "KEY=VALUE with KEY made of A-Z a-z 0-9 _, not starting with a digit"
}

func (a *assignment) UnmarshalText(b []byte) error {
	key, _, ok := strings.Cut(string(b), "=")
	if !ok || !isEnvKey(key) {
		return errWant(a)
	}
	if why, reserved := reservedKeys[key]; reserved {
		return fmt.Errorf("%s is reserved: %s", key, why)
	}
	*a = assignment(b)
	return nil
}

// isEnvKey reports whether key matches [A-Za-z_][A-Za-z0-9_]*.
func isEnvKey(key string) bool {
	if key == "" || key[0] >= '0' && key[0] <= '9' {
		return false
	}
	return strings.IndexFunc(key, func(r rune) bool { return !isWordRune(r) }) < 0
}
