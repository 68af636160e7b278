package launch

import "strings"

// inheritedOnly names variables that describe spark2's own process, set by
// whatever started spark2 (systemd socket activation, a notify socket); passed
// on, they would make a worker think they were meant for it.
var inheritedOnly = []string{"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "NOTIFY_SOCKET"}

// Env returns a worker's environment: base (spark2's own, normally) without the
// variables in inheritedOnly, then each "KEY=VALUE" of overrides, a later
// KEY replacing an earlier one in place. base is not modified.
func Env(base []string, overrides ...string) []string {
	env := make([]string, 0, len(base)+len(overrides))
	index := make(map[string]int, len(base)+len(overrides))
	add := func(kv string) {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			env[i] = kv
			return
		}
		index[k] = len(env)
		env = append(env, kv)
	}
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !dropped(k) {
			add(kv)
		}
	}
	for _, kv := range overrides {
		add(kv)
	}
	return env
}

func dropped(key string) bool {
	for _, k := range inheritedOnly {
		if k == key {
			return true
		}
	}
	return false
}
